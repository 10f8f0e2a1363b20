from sandbox.runtime.logs import JsonFileLog, read_json_file


def test_lines_split_and_partial_held(tmp_path) -> None:
    path = str(tmp_path / "c.log")
    log = JsonFileLog(path)
    log.write("stdout", b"hel")
    log.write("stdout", b"lo\nwor")
    log.write("stderr", b"oops\n")
    log.close()
    recs = list(read_json_file(path))
    assert [(r["stream"], r["log"]) for r in recs] == [("stdout", "hello\n"), ("stderr", "oops\n"), ("stdout", "wor")]
    assert recs[0]["time"].endswith("Z") and len(recs[0]["time"].split(".")[1]) == 10

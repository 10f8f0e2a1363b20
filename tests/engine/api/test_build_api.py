"""POST /build in memory: the legacy builder's stream, the cache, and every error as an
event (Dockerfiles without RUN, so no root is needed; RUN is proved by the acceptance tests)."""

from __future__ import annotations

import io
import json
import tarfile

from ..conftest import Api

DOCKERFILE = """FROM busybox
ENV GREETING=hello
WORKDIR /app
COPY hello.txt .
LABEL team=sandbox
CMD ["cat", "/app/hello.txt"]
"""


def context(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build(api: Api, files: dict[str, str], **query: str) -> list[dict]:
    r = api.client.post("/v1.47/build", query={"version": "1", **query}, body=context(files),
                        headers={"Content-Type": "application/x-tar"})
    assert r.status == 200, r.text
    return [json.loads(line) for line in r.body.splitlines()]


def text(events: list[dict]) -> str:
    return "".join(e.get("stream", "") for e in events)


def errors(events: list[dict]) -> list[str]:
    return [e["error"] for e in events if "error" in e]


def test_a_build_streams_the_legacy_lines_and_tags_the_image(api: Api) -> None:
    events = build(api, {"Dockerfile": DOCKERFILE, "hello.txt": "hi\n"}, t="app:1")
    out = text(events)
    assert [line for line in out.splitlines() if line.startswith("Step ")] == [
        "Step 1/6 : FROM busybox", "Step 2/6 : ENV GREETING=hello", "Step 3/6 : WORKDIR /app",
        "Step 4/6 : COPY hello.txt .", "Step 5/6 : LABEL team=sandbox", 'Step 6/6 : CMD ["cat", "/app/hello.txt"]']
    image = api.store.image("app:1")
    assert {"aux": {"ID": image.id}} in events
    assert out.endswith(f"Successfully built {image.id[7:19]}\nSuccessfully tagged app:1\n")
    assert errors(events) == []
    assert api.client.get("/images/app:1/json").json()["Config"]["Labels"] == {"team": "sandbox"}


def test_a_second_build_hits_the_cache_at_every_step_and_a_changed_file_from_its_step(api: Api) -> None:
    files = {"Dockerfile": DOCKERFILE, "hello.txt": "hi\n"}
    first = build(api, files, t="app:1")
    again = text(build(api, files, t="app:2"))
    assert again.count(" ---> Using cache") == 5
    assert api.store.image("app:1").id == api.store.image("app:2").id
    changed = text(build(api, {**files, "hello.txt": "changed\n"}, t="app:3")).splitlines()
    cached = [changed[i - 1] for i, line in enumerate(changed) if line == " ---> Using cache"]
    assert cached == ["Step 2/6 : ENV GREETING=hello", "Step 3/6 : WORKDIR /app"]
    assert api.store.image("app:3").id != next(e["aux"]["ID"] for e in first if "aux" in e)


def test_quiet_sends_only_the_id(api: Api) -> None:
    events = build(api, {"Dockerfile": "FROM busybox\nENV A=1\n"}, q="1")
    assert len(events) == 1 and events[0]["stream"].startswith("sha256:")


def test_build_args_and_labels_reach_the_image(api: Api) -> None:
    build(api, {"Dockerfile": "FROM busybox\nARG WHO=nobody\nENV WHO=$WHO\n"}, t="args:1",
          buildargs=json.dumps({"WHO": "learner"}), labels=json.dumps({"course": "docker"}))
    config = api.client.get("/images/args:1/json").json()["Config"]
    assert "WHO=learner" in config["Env"] and config["Labels"] == {"course": "docker"}


def test_a_syntax_error_names_the_line(api: Api) -> None:
    events = build(api, {"Dockerfile": "FROM busybox\nENV\n"})
    assert len(errors(events)) == 1 and "line 2" in errors(events)[0]


def test_an_unknown_instruction_is_named(api: Api) -> None:
    events = build(api, {"Dockerfile": "FROM busybox\nFROBNICATE x\n"})
    assert errors(events) == ["Dockerfile parse error line 2: unknown instruction: FROBNICATE"]


def test_copy_from_outside_the_context_is_refused(api: Api) -> None:
    events = build(api, {"Dockerfile": "FROM busybox\nCOPY ../etc/passwd /x\n"}, t="bad:1")
    assert len(errors(events)) == 1
    assert errors(events)[0].startswith("forbidden path outside the build context: ../etc/passwd")
    assert [t for i in api.store.images() for t in i.tags] == ["busybox:latest"]


def test_a_missing_dockerfile_is_an_event(api: Api) -> None:
    events = build(api, {"other": "x"})
    assert errors(events) == ["Cannot locate specified Dockerfile: Dockerfile"]


def test_bad_parameters_are_refused_before_the_stream(api: Api) -> None:
    body = context({"Dockerfile": "FROM busybox\n"})
    for query in ({"buildargs": "{not json"}, {"labels": "[1]"}, {"version": "2"},
                  {"remote": "https://example.invalid/x.git"}):
        r = api.client.post("/build", query=query, body=body)
        assert r.status == 400, query
        assert r.json()["message"]
    # The daemon keeps serving after them.
    assert errors(build(api, {"Dockerfile": "FROM busybox\n"})) == []


def test_a_context_that_is_not_a_tar_is_an_event(api: Api) -> None:
    r = api.client.post("/build", body=b"this is not a tar archive" * 40)
    events = [json.loads(line) for line in r.body.splitlines()]
    assert r.status == 200 and len(errors(events)) == 1


def test_build_prune_answers_like_dockerd(api: Api) -> None:
    assert api.client.post("/build/prune").json() == {"CachesDeleted": None, "SpaceReclaimed": 0}

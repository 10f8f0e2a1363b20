from sandbox.linux.trace import ListSink, TraceRecord, Tracer


def test_emit_reaches_every_sink_and_roundtrips_json() -> None:
    a, b = ListSink(), ListSink()
    t = Tracer(a, b)
    t.emit("mount", target="/proc", fstype="proc")
    assert a.ops() == b.ops() == ["mount"]
    rec = TraceRecord.from_json(a.records[0].to_json())
    assert rec.args == {"target": "/proc", "fstype": "proc"}
    assert "mount" in rec.describe()


def test_disabled_tracer_is_silent() -> None:
    t = Tracer()
    assert not t.enabled
    t.emit("mount")

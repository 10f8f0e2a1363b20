"""The event and trace bus: fan-out across threads, dockerd's filters, since/until, and the
file that keeps history across restarts."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from sandbox.engine import events as events_mod
from sandbox.engine.events import Event, EventBus, TraceBus, event_matches, parse_time
from sandbox.engine.http import Filters
from sandbox.errors import InvalidParameter
from sandbox.linux.trace import Tracer


def ev(type: str = "container", action: str = "start", actor: str = "abc123", t: int = 0, **attrs: str) -> Event:
    return Event(type, action, actor, dict(attrs), t)


def flt(doc: dict) -> Filters:
    return Filters.parse(json.dumps(doc))


def test_wire_form_has_the_legacy_fields_for_containers() -> None:
    d = ev(t=1_700_000_000_123_456_789, image="busybox", name="web").to_docker()
    assert d["status"] == "start" and d["id"] == "abc123" and d["from"] == "busybox"
    assert d["Type"] == "container" and d["Actor"] == {"ID": "abc123", "Attributes": {"image": "busybox",
                                                                                      "name": "web"}}
    assert d["time"] == 1_700_000_000 and d["timeNano"] == 1_700_000_000_123_456_789 and d["scope"] == "local"
    assert Event.from_docker(d) == ev(t=1_700_000_000_123_456_789, image="busybox", name="web")
    net = Event("network", "connect", "n1").to_docker()
    assert "status" not in net and "from" not in net


@pytest.mark.parametrize("doc, event, expected", [
    ({}, ev(), True),
    ({"type": ["container"]}, ev(), True),
    ({"type": ["image"]}, ev(), False),
    ({"event": ["start", "die"]}, ev(), True),
    ({"event": ["stop"]}, ev(), False),
    ({"event": ["exec_start"]}, ev(action="exec_start: sh -c true"), True),
    ({"container": ["web"]}, ev(name="web"), True),
    ({"container": ["abc"]}, ev(name="web"), True),  # an id prefix
    ({"container": ["db"]}, ev(name="web"), False),
    ({"container": ["web"]}, ev("image", "tag", "sha256:1", name="busybox:1"), False),
    ({"image": ["busybox"]}, ev(image="busybox:latest"), True),  # tag stripped
    ({"image": ["busybox:latest"]}, ev("image", "tag", "sha256:1", name="busybox:latest"), True),
    ({"image": ["sha256:1"]}, ev("image", "delete", "sha256:1", name="sha256:1"), True),
    ({"image": ["alpine"]}, ev(image="busybox"), False),
    ({"label": ["app"]}, ev(app="x"), True),
    ({"label": ["app=y"]}, ev(app="x"), False),
    ({"type": ["container"], "event": ["start"], "container": ["web"]}, ev(name="web"), True),
])
def test_dockerd_filter_rules(doc: dict, event: Event, expected: bool) -> None:
    assert event_matches(flt(doc), event) is expected


@pytest.mark.parametrize("text, ns", [
    ("1700000000", 1_700_000_000_000_000_000),
    ("1700000000.5", 1_700_000_000_500_000_000),
    ("1700000000.000000001", 1_700_000_000_000_000_001),
    ("2023-11-14T22:13:20Z", 1_700_000_000_000_000_000),
    ("2023-11-14T22:13:20.25Z", 1_700_000_000_250_000_000),
    ("2023-11-15T00:13:20+02:00", 1_700_000_000_000_000_000),
])
def test_parse_time(text: str, ns: int) -> None:
    assert parse_time(text) == ns


@pytest.mark.parametrize("text", ["yesterday", "-5", "1.2.3", "2023-13-45T00:00:00Z", "10m"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(InvalidParameter, match="since"):
        parse_time(text)


def test_no_time_is_none() -> None:
    assert parse_time(None) is None and parse_time("") is None


def _collect(bus: EventBus, n: int, **kw: object) -> list[Event]:
    """Subscribe, publish ``n`` events from other threads, return what arrived."""

    async def go() -> list[Event]:
        sub = bus.subscribe_events(**kw)  # type: ignore[arg-type]
        threads = [threading.Thread(target=bus.emit, args=("container", "start", f"c{i}")) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out: list[Event] = list(sub.replay)
        while len(out) < n + len(sub.replay):
            item = await sub.get(timeout=5)
            assert item is not None, "an event published from a thread did not arrive"
            out.append(item)
        sub.close()
        return out

    return asyncio.run(go())


def test_events_from_threads_reach_a_subscriber() -> None:
    bus = EventBus()
    got = _collect(bus, 20)
    assert sorted(e.actor_id for e in got) == sorted(f"c{i}" for i in range(20))
    assert bus.listeners == 0


def test_replay_only_with_since_or_until() -> None:
    bus = EventBus()
    for i in range(3):
        bus.publish(ev(actor=f"old{i}", t=(i + 1) * 1000))

    async def replay(**kw: object) -> list[str]:
        sub = bus.subscribe_events(**kw)  # type: ignore[arg-type]
        sub.close()
        return [e.actor_id for e in sub.replay]

    assert asyncio.run(replay()) == []
    assert asyncio.run(replay(since_ns=2000)) == ["old1", "old2"]
    assert asyncio.run(replay(until_ns=2000)) == ["old0", "old1"]
    assert asyncio.run(replay(since_ns=1500, until_ns=2500)) == ["old1"]
    assert asyncio.run(replay(since_ns=0, filters=flt({"container": ["old2"]}))) == ["old2"]


def test_items_stop_at_the_deadline_and_at_close() -> None:
    bus = EventBus()
    bus.publish(ev(t=5))

    async def go() -> tuple[list[str], list[str]]:
        loop = asyncio.get_running_loop()
        past = bus.subscribe_events(since_ns=0)
        a = [e.actor_id async for e in past.items(deadline=loop.time() - 1)]
        live = bus.subscribe_events()
        task = asyncio.create_task(_drain(live))
        await asyncio.sleep(0)
        bus.emit("container", "die", "x")
        bus.close()
        return a, await asyncio.wait_for(task, 5)

    replayed, live = asyncio.run(go())
    assert replayed == ["abc123"] and live == ["x"]


async def _drain(sub: events_mod.Subscription[Event]) -> list[str]:
    return [e.actor_id async for e in sub.items()]


def test_a_slow_subscriber_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_mod, "SUBSCRIBER_QUEUE", 5)
    bus = EventBus()

    async def go() -> tuple[bool, int]:
        sub = bus.subscribe_events()
        for i in range(10):
            bus.emit("container", "start", str(i))
        await asyncio.sleep(0)  # let the loop run the deliveries
        got = 0
        while await sub.get(timeout=1) is not None:
            got += 1
        return sub.dropped, got

    dropped, got = asyncio.run(go())
    assert dropped and got == 5


def test_history_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    bus = EventBus.open(path, history=10)
    for i in range(4):
        bus.emit("image", "tag", f"sha256:{i}", {"name": f"t:{i}"})
    bus.close()
    again = EventBus.open(path, history=10)
    assert [e.actor_id for e in again.history] == [f"sha256:{i}" for i in range(4)]
    assert [e.attributes["name"] for e in again.history][-1] == "t:3"


def test_the_event_file_stays_bounded_and_skips_damage(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    bus = EventBus.open(path, history=5)
    for i in range(40):
        bus.emit("container", "start", f"c{i}")
    bus.close()
    assert len(path.read_text().splitlines()) <= 10
    with open(path, "a") as f:
        f.write('{"Type": "container", "Acti')  # a crash mid-write
    again = EventBus.open(path, history=5)
    assert [e.actor_id for e in again.history] == [f"c{i}" for i in range(35, 40)]
    again.emit("container", "die", "after")
    again.close()
    assert [e.actor_id for e in EventBus.open(path, history=5).history][-2:] == ["c39", "after"]


def test_trace_bus_takes_records_from_a_tracer() -> None:
    bus = TraceBus(history=50)
    tracer = Tracer(bus.sink)
    for i in range(5):
        tracer.emit("mount", target=f"/m{i}")
    tracer.emit("cgroup.write", file="memory.limit_in_bytes", value=1)

    async def go() -> tuple[list[str], list[str], str]:
        sub = bus.subscribe_records(tail=2)
        mounts = bus.subscribe_records(tail=10, ops=["mount"])
        threading.Thread(target=tracer.emit, args=("unshare",), kwargs={"flags": "CLONE_NEWPID"}).start()
        live = await sub.get(timeout=5)
        sub.close()
        mounts.close()
        assert live is not None
        return [r.op for r in sub.replay], [r.args["target"] for r in mounts.replay], live.op

    replay, mounts, live = asyncio.run(go())
    assert replay == ["mount", "cgroup.write"]
    assert mounts == [f"/m{i}" for i in range(5)]
    assert live == "unshare"

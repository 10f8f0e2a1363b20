"""Capability names, sets and prctls. Anything that changes a set runs in a forked child."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sandbox.errors import CapabilityUnknown, SyscallError
from sandbox.linux import caps
from sandbox.linux.trace import ListSink, Tracer
from tests.helpers import in_child

# -- names and numbers ------------------------------------------------------------------------

def test_table_ends_match_the_kernel_header() -> None:
    assert caps.number("CAP_CHOWN") == 0
    assert caps.number("CAP_SYS_ADMIN") == 21
    assert caps.number("CAP_CHECKPOINT_RESTORE") == 40
    assert caps.name(40) == "CAP_CHECKPOINT_RESTORE"
    assert len(caps.NAMES) == 41 and len(set(caps.NAMES)) == 41


def test_number_accepts_short_and_lowercase_names() -> None:
    assert caps.number("net_bind_service") == 10
    assert caps.number("CAP_net_raw") == 13


def test_unknown_name_is_refused() -> None:
    with pytest.raises(CapabilityUnknown) as e:
        caps.number("CAP_FLY")
    assert e.value.name == "CAP_FLY"
    assert e.value.hint


def test_unknown_number_gets_a_placeholder_name() -> None:
    assert caps.name(63) == "CAP_63"


def test_masks_round_trip() -> None:
    some = {0, 5, 21, 40}
    assert caps.to_mask(some) == (1 | 1 << 5 | 1 << 21 | 1 << 40)
    assert caps.from_mask(caps.to_mask(some)) == some
    assert caps.from_mask(0) == set()
    assert caps.names({21, 0}) == ["CAP_CHOWN", "CAP_SYS_ADMIN"]


def test_last_cap_reads_proc() -> None:
    with open("/proc/sys/kernel/cap_last_cap") as f:
        assert caps.last_cap() == int(f.read())


# -- reading the sets -------------------------------------------------------------------------

def test_read_status_caps_has_the_five_masks() -> None:
    status = caps.read_status_caps()
    assert set(status) == {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}
    # Every capability this kernel knows is in a fresh process's bounding set, unless our
    # caller dropped some; either way nothing beyond last_cap can be in it.
    assert status["CapBnd"] >> (caps.last_cap() + 1) == 0


def test_read_status_caps_of_a_missing_pid() -> None:
    with pytest.raises(SyscallError) as e:
        caps.read_status_caps(2**22 + 1)
    assert e.value.path == f"/proc/{2**22 + 1}/status"


def test_capget_agrees_with_proc() -> None:
    sets = caps.capget()
    status = caps.read_status_caps()
    assert caps.to_mask(sets.effective) == status["CapEff"]
    assert caps.to_mask(sets.permitted) == status["CapPrm"]
    assert caps.to_mask(sets.inheritable) == status["CapInh"]


def test_capget_of_another_process() -> None:
    assert caps.to_mask(caps.capget(os.getppid()).permitted) == caps.read_status_caps(os.getppid())["CapPrm"]


def test_bounding_set_agrees_with_proc() -> None:
    assert caps.to_mask(caps.bounding_set()) == caps.read_status_caps()["CapBnd"]


# -- changing the sets (forked children) ------------------------------------------------------

def test_capset_shrinks_and_raising_again_fails() -> None:
    def child() -> dict[str, Any]:
        sink = ListSink()
        caps.capset(set(), set(), set(), Tracer(sink))
        after = caps.read_status_caps()
        try:
            caps.capset({caps.number("CAP_SYS_ADMIN")}, {caps.number("CAP_SYS_ADMIN")}, set())
        except SyscallError as e:
            return {"status": after, "errno": e.errno, "call": e.call, "ops": sink.ops()}
        return {"status": after, "errno": 0}

    out = in_child(child)
    assert out["status"]["CapEff"] == 0 and out["status"]["CapPrm"] == 0
    assert out["errno"] == 1 and out["call"] == "capset"   # EPERM: permitted cannot grow
    assert out["ops"] == ["capset"]


@pytest.mark.root
def test_capset_sets_exactly_the_given_sets() -> None:
    chown, kill, bind = (caps.number(n) for n in ("CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"))

    def child() -> tuple[caps.CapSets, dict[str, int]]:
        caps.capset({chown}, {chown, kill, bind}, {bind})
        return caps.capget(), caps.read_status_caps()

    sets, status = in_child(child)
    assert sets == caps.CapSets(frozenset({chown}), frozenset({chown, kill, bind}), frozenset({bind}))
    assert status["CapEff"] == 1 << chown
    assert status["CapInh"] == 1 << bind


@pytest.mark.root
def test_drop_bounding_keeps_only_what_was_asked_with_one_trace_record() -> None:
    keep = {caps.number("CAP_CHOWN"), caps.number("CAP_KILL")}

    def child() -> tuple[int, list[Any], list[int], set[int]]:
        sink = ListSink()
        before = caps.bounding_set()
        dropped = caps.drop_bounding(keep, Tracer(sink))
        return caps.read_status_caps()["CapBnd"], [(r.op, r.args) for r in sink.records], dropped, before

    bnd, records, dropped, before = in_child(child)
    assert bnd == caps.to_mask(keep)
    assert len(records) == 1 and records[0][0] == "capbset.drop"
    assert "CAP_SYS_ADMIN" in records[0][1]["caps"] and "CAP_CHOWN" not in records[0][1]["caps"]
    # Only what was still there is dropped (and named in the trace).
    assert set(dropped) == before - keep


@pytest.mark.root
def test_drop_bounding_without_setpcap_fails_naming_the_capability() -> None:
    def child() -> tuple[int, str | None]:
        permitted = caps.capget().permitted
        setpcap = caps.number("CAP_SETPCAP")
        caps.capset(permitted - {setpcap}, permitted, set())
        try:
            caps.drop_bounding(set())
        except SyscallError as e:
            return e.errno, e.path
        return 0, None

    err, path = in_child(child)
    assert err == 1
    assert path == "CAP_CHOWN"


@pytest.mark.root
def test_ambient_raise_needs_permitted_and_inheritable() -> None:
    bind, kill = caps.number("CAP_NET_BIND_SERVICE"), caps.number("CAP_KILL")

    def child() -> dict[str, Any]:
        sink = ListSink()
        caps.capset({bind, kill}, {bind, kill}, {bind})
        caps.raise_ambient({bind}, Tracer(sink))
        out: dict[str, Any] = {"amb": caps.read_status_caps()["CapAmb"], "is_set": caps.ambient_is_set(bind)}
        try:
            caps.raise_ambient({kill}, Tracer(sink))     # not inheritable
        except SyscallError as e:
            out["errno"], out["path"] = e.errno, e.path
        caps.clear_ambient(Tracer(sink))
        out["after_clear"] = caps.read_status_caps()["CapAmb"]
        out["records"] = [(r.op, r.args.get("caps"), r.error) for r in sink.records]
        return out

    out = in_child(child)
    assert out["amb"] == 1 << bind and out["is_set"] is True
    assert out["errno"] == 1 and out["path"] == "CAP_KILL"
    assert out["after_clear"] == 0
    assert out["records"][0] == ("capamb.raise", ["CAP_NET_BIND_SERVICE"], None)
    assert out["records"][1][0] == "capamb.raise" and out["records"][1][2] is not None
    assert out["records"][2][0] == "capamb.clear"


@pytest.mark.root
def test_keepcaps_keeps_permitted_across_a_uid_change() -> None:
    def child(keep: bool) -> tuple[bool, int, int]:
        caps.set_keepcaps(keep)
        flag = caps.get_keepcaps()
        os.setresuid(1000, 1000, 1000)
        status = caps.read_status_caps()
        return flag, status["CapPrm"], status["CapEff"]

    flag, prm, eff = in_child(lambda: child(True))
    assert flag is True and prm != 0 and eff == 0   # the effective set is emptied either way
    flag, prm, eff = in_child(lambda: child(False))
    assert flag is False and prm == 0


def test_no_new_privs_is_set_and_visible_in_proc() -> None:
    def child() -> tuple[bool, str, list[str]]:
        sink = ListSink()
        caps.set_no_new_privs(Tracer(sink))
        with open("/proc/self/status") as f:
            line = next(x for x in f if x.startswith("NoNewPrivs:"))
        return caps.get_no_new_privs(), line.split()[1], sink.ops()

    after, proc_value, ops = in_child(child)
    assert after is True and proc_value == "1"
    assert ops == ["prctl"]


def test_last_cap_without_proc_is_probed_with_prctl() -> None:
    # What a container's init falls back to when /proc is not mounted.
    assert caps._probe_last_cap() == caps.last_cap()

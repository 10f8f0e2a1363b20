"""The seccomp profile: validation, compiling (with its cache), and the filter at work.

Loading a filter is for good, so every load happens in a forked child. A child sets
no_new_privs first, which lets it load a filter without root.
"""

from __future__ import annotations

import copy
import ctypes
import errno
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

from sandbox.errors import SpecError, SyscallError
from sandbox.linux import caps
from sandbox.linux.trace import ListSink, Tracer
from sandbox.runtime import seccomp
from tests.helpers import ChildDied, in_child

pytestmark = pytest.mark.skipif(os.uname().machine != "x86_64",
                                reason="raw syscall numbers below are x86_64's")

NR = {"getpid": 39, "clone": 56, "mount": 165, "reboot": 169, "keyctl": 250, "unshare": 272,
      "getpriority": 140, "clone3": 435}
CLONE_NEWUTS = 0x04000000
KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING = 0, -3



def syscall(nr: int, *args: int) -> tuple[int, int]:
    """(return value, errno) of a raw system call."""
    libc = ctypes.CDLL(None, use_errno=True)
    ctypes.set_errno(0)
    ret = libc.syscall(ctypes.c_long(nr), *(ctypes.c_long(a) for a in args))
    return ret, ctypes.get_errno()


def loaded(profile: dict[str, Any], probe: Callable[[], Any]) -> Any:
    """Run ``probe`` in a child under ``profile`` (compiled here, in the parent)."""
    compiled = seccomp.compile_profile(profile)

    def child() -> Any:
        caps.set_no_new_privs()
        compiled.load()
        return probe()

    return in_child(child, may_die=True)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    seccomp.clear_cache()


# -- the default profile ----------------------------------------------------------------------

def test_default_profile_is_valid_and_denies_the_dangerous_calls() -> None:
    profile = seccomp.default_profile()
    seccomp.validate_profile(profile)
    assert profile["defaultAction"] == "SCMP_ACT_ALLOW"
    denied = {n for rule in profile["syscalls"] if not rule.get("args") for n in rule["names"]}
    for name in ("keyctl", "add_key", "request_key", "mount", "umount2", "reboot", "kexec_load",
                 "init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
                 "open_by_handle_at", "unshare", "setns", "clone3", "userfaultfd", "syslog"):
        assert name in denied, name
    assert "ptrace" not in denied
    assert "SCMP_ARCH_X86_64" in profile["architectures"]


def test_default_profile_is_a_fresh_dict_each_time() -> None:
    a = seccomp.default_profile()
    a["syscalls"].clear()
    assert seccomp.default_profile()["syscalls"]


def test_clone3_answers_enosys_so_libc_falls_back_to_clone() -> None:
    rule = next(r for r in seccomp.default_profile()["syscalls"] if r["names"] == ["clone3"])
    assert rule["errnoRet"] == errno.ENOSYS


def test_default_filter_denies_keyctl_but_allows_getpid() -> None:
    def probe() -> dict[str, Any]:
        return {"keyctl": syscall(NR["keyctl"], KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
                "getpid": (syscall(NR["getpid"])[0], os.getpid())}

    # keyctl works for anyone without a filter: the control.
    control = in_child(lambda: syscall(NR["keyctl"], KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0))
    assert control[0] != -1
    out = loaded(seccomp.default_profile(), probe)
    assert out["keyctl"] == (-1, errno.EPERM)
    ret, pid = out["getpid"]
    assert ret == pid


def test_default_filter_makes_clone3_enosys_and_fork_still_works() -> None:
    def probe() -> tuple[tuple[int, int], int]:
        clone3 = syscall(NR["clone3"], 0, 0)
        pid = os.fork()   # glibc's fork is clone(SIGCHLD|…): no namespace flag
        if pid == 0:
            os._exit(7)
        _, status = os.waitpid(pid, 0)
        return clone3, os.WEXITSTATUS(status)

    clone3, code = loaded(seccomp.default_profile(), probe)
    assert clone3 == (-1, errno.ENOSYS)
    assert code == 7


def test_default_filter_denies_clone_with_a_namespace_flag() -> None:
    def probe() -> tuple[int, int]:
        ret, err = syscall(NR["clone"], CLONE_NEWUTS | signal.SIGCHLD, 0, 0, 0, 0)
        if ret == 0:      # the filter failed and we are a new child: leave at once
            os._exit(0)
        if ret > 0:
            os.waitpid(ret, 0)
        return ret, err

    assert loaded(seccomp.default_profile(), probe) == (-1, errno.EPERM)


def test_default_filter_denies_unshare() -> None:
    out = loaded(seccomp.default_profile(), lambda: syscall(NR["unshare"], CLONE_NEWUTS))
    assert out == (-1, errno.EPERM)


@pytest.mark.root
def test_default_filter_denies_mount_and_reboot_even_for_root() -> None:
    def probe() -> dict[str, tuple[int, int]]:
        libc = ctypes.CDLL(None, use_errno=True)
        ctypes.set_errno(0)
        ret = libc.mount(b"none", b"/nonexistent-sandbox-test", b"tmpfs", 0, None)
        # Bad magic numbers: without a filter the kernel answers EINVAL and reboots nothing.
        return {"mount": (ret, ctypes.get_errno()), "reboot": syscall(NR["reboot"], 0, 0, 0, 0)}

    control = in_child(probe)
    assert control["mount"] == (-1, errno.ENOENT)
    assert control["reboot"] == (-1, errno.EINVAL)
    out = loaded(seccomp.default_profile(), probe)
    assert out["mount"] == (-1, errno.EPERM)
    assert out["reboot"] == (-1, errno.EPERM)


def test_load_emits_one_trace_record() -> None:
    compiled = seccomp.compile_profile(seccomp.default_profile())

    def child() -> list[tuple[str, dict[str, Any]]]:
        sink = ListSink()
        caps.set_no_new_privs()
        compiled.load(Tracer(sink))
        return [(r.op, r.args) for r in sink.records]

    records = in_child(child)
    assert [op for op, _ in records] == ["seccomp.load"]
    assert records[0][1]["rules"] == compiled.rules > 0


@pytest.mark.root
def test_load_without_no_new_privs_or_sys_admin_is_refused() -> None:
    compiled = seccomp.compile_profile(seccomp.default_profile())

    def child() -> tuple[int, str | None]:
        os.setresuid(65534, 65534, 65534)    # leaves no capability and no no_new_privs
        try:
            compiled.load()
        except SyscallError as e:
            return e.errno, e.hint
        return 0, None

    err, hint = in_child(child)
    assert err == errno.EACCES
    assert hint and "noNewPrivileges" in hint


# -- custom profiles --------------------------------------------------------------------------

def test_errno_ret_and_an_argument_condition() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{
        "names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EACCES,
        "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}   # which == PRIO_PGRP

    def probe() -> tuple[tuple[int, int], tuple[int, int]]:
        return syscall(NR["getpriority"], 0, 0), syscall(NR["getpriority"], 1, 0)

    process, pgrp = loaded(profile, probe)
    assert process[0] != -1
    assert pgrp == (-1, errno.EACCES)


def test_two_conditions_on_one_argument_become_alternatives() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{
        "names": ["getpriority"], "action": "SCMP_ACT_ERRNO",
        "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                 {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]}]}

    def probe() -> list[tuple[int, int]]:
        return [syscall(NR["getpriority"], which, 0) for which in (0, 1, 2)]

    process, pgrp, user = loaded(profile, probe)
    assert process[0] != -1
    assert pgrp == (-1, errno.EPERM) and user == (-1, errno.EPERM)


def test_kill_process_action_kills_with_sigsys() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW",
               "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}
    died = loaded(profile, os.getppid)
    assert isinstance(died, ChildDied) and died.signal == signal.SIGSYS, died


def test_an_allowlist_default_with_errno() -> None:
    # Deny by default, allow what Python needs to report back and exit.
    needed = ["write", "exit_group", "exit", "brk", "mmap", "munmap", "rt_sigreturn", "futex",
              "getpid", "close", "madvise", "mprotect", "rt_sigprocmask", "getrandom"]
    profile = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": errno.ENOTSUP,
               "syscalls": [{"names": needed, "action": "SCMP_ACT_ALLOW"}]}
    assert loaded(profile, lambda: syscall(NR["getpriority"], 0, 0)) == (-1, errno.ENOTSUP)


def test_unknown_syscall_names_are_skipped() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW",
               "syscalls": [{"names": ["no_such_call", "keyctl"], "action": "SCMP_ACT_ERRNO"}]}
    compiled = seccomp.compile_profile(profile)
    assert compiled.skipped == ("no_such_call",)
    assert compiled.rules == 1


def test_rule_with_the_default_action_changes_nothing() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW",
               "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}
    assert seccomp.compile_profile(profile).rules == 0


def test_flags_are_passed_to_the_kernel() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"],
               "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO"}]}
    compiled = seccomp.compile_profile(profile)
    assert compiled.flags == 2
    assert loaded(profile, lambda: syscall(NR["keyctl"], 0, -3, 0)) == (-1, errno.EPERM)


# -- compiling and the cache ------------------------------------------------------------------

def test_compile_is_cached_by_content() -> None:
    first = seccomp.compile_profile(seccomp.default_profile())
    reordered = dict(reversed(list(seccomp.default_profile().items())))
    assert seccomp.compile_profile(reordered) is first
    changed = seccomp.default_profile()
    changed["syscalls"].pop()
    assert seccomp.compile_profile(changed) is not first


def test_compiled_filter_is_a_bpf_program_with_a_readable_listing() -> None:
    compiled = seccomp.compile_profile(seccomp.default_profile())
    assert len(compiled.bpf) % 8 == 0 and compiled.instructions > 10
    assert "keyctl" in compiled.pfc
    assert len(compiled.digest) == 64


def test_compile_rejects_an_invalid_profile() -> None:
    with pytest.raises(SpecError) as e:
        seccomp.compile_profile({"defaultAction": "SCMP_ACT_NOPE"})
    assert e.value.field == "linux.seccomp.defaultAction"


def test_missing_binding_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_seccomp(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "seccomp":
            raise ImportError("No module named 'seccomp'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_seccomp)
    from sandbox.errors import SandboxError

    with pytest.raises(SandboxError) as e:
        seccomp.compile_profile({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []})
    assert e.value.hint == "apt-get install python3-seccomp"


# -- validation -------------------------------------------------------------------------------

def _good() -> dict[str, Any]:
    return {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                          "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], object]:
    """A change to the good profile: set (or delete) the value at ``path``."""
    def apply(doc: dict[str, Any]) -> object:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return doc
    return apply


_DELETE = object()

BAD = [
    ("not an object", lambda doc: [doc], "linux.seccomp"),
    ("no default", _set(["defaultAction"], _DELETE), "linux.seccomp.defaultAction"),
    ("unknown action", _set(["defaultAction"], "SCMP_ACT_MAYBE"), "linux.seccomp.defaultAction"),
    ("notify", _set(["syscalls", 0, "action"], "SCMP_ACT_NOTIFY"), "linux.seccomp.syscalls[0].action"),
    ("trace", _set(["syscalls", 0, "action"], "SCMP_ACT_TRACE"), "linux.seccomp.syscalls[0].action"),
    ("unknown arch", _set(["architectures"], ["SCMP_ARCH_Z80"]), "linux.seccomp.architectures[0]"),
    ("unknown flag", _set(["flags"], ["SECCOMP_FILTER_FLAG_FAST"]), "linux.seccomp.flags[0]"),
    ("names empty", _set(["syscalls", 0, "names"], []), "linux.seccomp.syscalls[0].names"),
    ("name not a string", _set(["syscalls", 0, "names"], [3]), "linux.seccomp.syscalls[0].names[0]"),
    ("syscalls not a list", _set(["syscalls"], {}), "linux.seccomp.syscalls"),
    ("errnoRet on allow", _set(["syscalls", 0, "errnoRet"], 1), "linux.seccomp.syscalls[0].errnoRet"),
    ("arg index 6", _set(["syscalls", 0, "args", 0, "index"], 6), "linux.seccomp.syscalls[0].args[0].index"),
    ("arg op", _set(["syscalls", 0, "args", 0, "op"], "SCMP_CMP_ABOUT"),
     "linux.seccomp.syscalls[0].args[0].op"),
    ("arg value negative", _set(["syscalls", 0, "args", 0, "value"], -1),
     "linux.seccomp.syscalls[0].args[0].value"),
    ("rule not an object", _set(["syscalls", 0], "read"), "linux.seccomp.syscalls[0]"),
    ("architectures not a list", _set(["architectures"], "SCMP_ARCH_X86_64"), "linux.seccomp.architectures"),
    ("errnoRet zero", lambda doc: _set(["syscalls", 0, "errnoRet"], 0)(_set(["syscalls", 0, "action"],
                                                                           "SCMP_ACT_ERRNO")(doc)),
     "linux.seccomp.syscalls[0].errnoRet"),
    ("args not a list", _set(["syscalls", 0, "args"], {"index": 0}), "linux.seccomp.syscalls[0].args"),
    ("valueTwo a string", _set(["syscalls", 0, "args", 0, "valueTwo"], "1"),
     "linux.seccomp.syscalls[0].args[0].valueTwo"),
    ("listener", _set(["listenerPath"], "/run/agent.sock"), "linux.seccomp.listenerPath"),
    ("default errno too big", _set(["defaultErrnoRet"], 5000), "linux.seccomp.defaultErrnoRet"),
]


@pytest.mark.parametrize(("mutate", "field"), [(m, f) for _, m, f in BAD], ids=[b[0] for b in BAD])
def test_validate_names_the_bad_field(mutate: Callable[[dict[str, Any]], object], field: str) -> None:
    with pytest.raises(SpecError) as e:
        seccomp.validate_profile(mutate(copy.deepcopy(_good())))
    assert e.value.field == field
    assert field in str(e.value)


def test_validate_accepts_a_good_profile_and_uses_the_given_field_name() -> None:
    seccomp.validate_profile(_good())
    with pytest.raises(SpecError) as e:
        seccomp.validate_profile([], field="profile")
    assert e.value.field == "profile"

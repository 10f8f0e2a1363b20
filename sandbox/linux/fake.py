"""A recording fake of ``Syscalls`` for unit tests: no kernel state changes, every call kept."""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.errors import SyscallError


@dataclass
class Call:
    name: str
    args: tuple[object, ...]


@dataclass
class RecordingSyscalls:
    calls: list[Call] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    """Call name -> errno to raise, to test error paths."""

    def _record(self, name: str, *args: object, path: str | None = None) -> None:
        self.calls.append(Call(name, args))
        if name in self.fail:
            raise SyscallError(name, self.fail[name], path)

    def names(self) -> list[str]:
        return [c.name for c in self.calls]

    def of(self, name: str) -> list[tuple[object, ...]]:
        return [c.args for c in self.calls if c.name == name]

    def unshare(self, flags: int) -> None:
        self._record("unshare", flags)

    def setns(self, fd: int, nstype: int, path: str | None = None) -> None:
        self._record("setns", fd, nstype, path, path=path)

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int = 0,
              data: str | None = None) -> None:
        self._record("mount", source, target, fstype, flags, data, path=target)

    def umount2(self, target: str, flags: int = 0) -> None:
        self._record("umount2", target, flags, path=target)

    def pivot_root(self, new_root: str, put_old: str) -> None:
        self._record("pivot_root", new_root, put_old, path=new_root)

    def sethostname(self, name: str) -> None:
        self._record("sethostname", name)

    def prctl(self, option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
        self._record("prctl", option, arg2, arg3, arg4, arg5)
        return 0

    def link_up(self, ifname: str) -> None:
        self._record("link_up", ifname)

"""``explain``: the runtime's trace records for one command, collected and drawn.

The engine streams every kernel-visible step on ``GET /sandbox/trace`` (NDJSON, one
TraceRecord per line). ``TraceCapture`` subscribes *before* the command runs — the
request returns once the engine has registered the subscriber, so nothing is missed —
and a background thread collects until the command is over and the stream has been
quiet for a moment (records from the container's init arrive a little after the API
call that caused them returns).

The reader thread is never closed from outside: closing an http.client response while
another thread reads it blocks both. It is told to stop and closes its own stream at
its next record; until then it only discards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prompt_toolkit.formatted_text import StyleAndTextTuples

from sandbox.errors import EngineError, SandboxError, TraceUnavailable

from .show.draw import Line, clip, picture, title

QUIET = 0.2
"""Seconds without a record after which a finished command's trace is taken as complete."""
MAX_DRAIN = 1.5
PER_SECTION = 14
NO_RECORDS = "  no trace records: this command did not reach the runtime (listing and inspecting only read state)"


@dataclass
class TraceCapture:
    stream: Iterable[Mapping[str, Any]]
    records: list[Mapping[str, Any]] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _stopped: bool = False
    _ended: bool = False
    _last: float = field(default_factory=time.monotonic)
    error: SandboxError | None = None

    @classmethod
    def open(cls, open_stream: Callable[[], Iterable[Mapping[str, Any]]], address: str) -> TraceCapture:
        """Subscribe now (in the caller's thread, so the command starts only after the
        engine listens for it) and start collecting in the background."""
        try:
            stream = open_stream()
        except EngineError as err:
            problem = "this engine has no trace stream" if err.status in (404, 405) else err.message
            raise TraceUnavailable(address, problem) from err
        except SandboxError as err:
            raise TraceUnavailable(address, err.message) from err
        capture = cls(stream)
        threading.Thread(target=capture._read, name="explain-trace", daemon=True).start()
        return capture

    def _read(self) -> None:
        iterator: Iterator[Mapping[str, Any]] = iter(self.stream)
        try:
            for record in iterator:
                with self._cond:
                    if self._stopped:
                        break
                    self.records.append(record)
                    self._last = time.monotonic()
                    self._cond.notify_all()
        except SandboxError as err:
            self.error = err
        except OSError as err:
            # The engine went away mid-stream; what arrived so far is still worth showing.
            self.error = SandboxError(f"the trace stream broke: {err}")
        finally:
            closer = getattr(self.stream, "close", None)
            if callable(closer):
                closer()
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def finish(self, quiet: float = QUIET, max_wait: float = MAX_DRAIN) -> list[Mapping[str, Any]]:
        """The records so far, after waiting for the stream to go quiet (or end)."""
        deadline = time.monotonic() + max_wait
        with self._cond:
            while not self._ended:
                now = time.monotonic()
                if now >= deadline or now - self._last >= quiet:
                    break
                self._cond.wait(min(quiet - (now - self._last), deadline - now))
            self._stopped = True
            return list(self.records)


# -- drawing -----------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("namespaces", "new namespaces: the clone/unshare flags, and what was set inside",
     ("unshare", "clone", "setns", "sethostname", "ioctl")),
    ("cgroups", "the container's cgroup: directories made and limits written",
     ("cgroup.",)),
    ("mounts", "the root filesystem: overlay, /proc, /dev, pivot_root and masked paths",
     ("mount", "umount", "pivot_root", "chroot")),
    ("security", "dropping privileges: capabilities, no_new_privs, seccomp, user",
     ("cap", "prctl", "seccomp", "setuser", "setrlimit")),
    ("network", "the network: bridge, veth pair, addresses, routes, published ports",
     ("bridge.", "veth.", "addr.", "route.", "link.", "port.", "nft.", "network.", "sysctl.")),
    ("storage", "the image store: layers and the container's read-write layer",
     ("storage.",)),
    ("process", "the process: exec into the command, and the runtime's lifecycle",
     ("exec", "start", "kill", "delete", "update", "create")),
)


def section_of(op: str) -> str:
    for name, _, prefixes in SECTIONS:
        if any(op.startswith(p) for p in prefixes):
            return name
    return "other"


def describe(record: Mapping[str, Any]) -> str:
    """One line for a record, in the words a learner would look up."""
    op = str(record.get("op") or "?")
    args = record.get("args") or {}
    if op == "mount":
        what = args.get("fstype") or ("bind" if "MS_BIND" in str(args.get("flags") or "") else "")
        source = args.get("source")
        parts = [f"mount {what}".rstrip(), f"{source} →" if source not in (None, "", what) else "→",
                 str(args.get("target")), f"[{args['flags']}]" if args.get("flags") not in (None, "", 0, "0") else ""]
        return " ".join(p for p in parts if p)
    if op == "cgroup.write":
        path = str(args.get("path") or "")
        return f"write {args.get('file')} = {args.get('value')}  ({path.split('/sys/fs/cgroup/')[-1]})"
    if op in ("cgroup.mkdir", "cgroup.rmdir"):
        return f"{op.split('.')[1]} {args.get('path')}"
    if op == "unshare":
        return f"unshare({args.get('flags')})"
    if op == "exec":
        argv = args.get("argv")
        shown = " ".join(str(a) for a in argv) if isinstance(argv, list) else str(argv or "")
        return f"execve {args.get('path')}  argv: {shown}"
    if op == "pivot_root":
        return f"pivot_root({args.get('new_root')}, {args.get('put_old')})"
    details = " ".join(f"{k}={v}" for k, v in args.items())
    return f"{op} {details}".rstrip()


def render(records: Sequence[Mapping[str, Any]], *, command: str = "", width: int = 80,
           per_section: int = PER_SECTION) -> StyleAndTextTuples:
    lines: list[Line] = [title(f"what the engine did for: {command}" if command else "trace",
                               f"{len(records)} record{'s' if len(records) != 1 else ''}")]
    if not records:
        lines.append([("class:dim", NO_RECORDS)])
        return picture(lines)
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        grouped.setdefault(section_of(str(record.get("op") or "")), []).append(record)
    explained = {name: meaning for name, meaning, _ in SECTIONS}
    for name in [*(s[0] for s in SECTIONS), "other"]:
        items = grouped.get(name)
        if not items:
            continue
        lines.append([])
        lines.append([("class:heading", f"{name} "), ("class:dim", f"({len(items)}) {explained.get(name, '')}")])
        # Failures are always shown: a mount that failed matters more than the tenth that worked.
        shown = items[:per_section] + [r for r in items[per_section:] if r.get("error")]
        for record in shown:
            error = record.get("error")
            line: Line = [("class:dim", f"  [{record.get('pid', '?')}] "),
                          ("", clip(describe(record), width - 12 - (len(str(error)) + 4 if error else 0)))]
            if error:
                line.append(("class:bad", f"  !! {error}"))
            lines.append(line)
        if len(items) > len(shown):
            lines.append([("class:dim", f"  … {len(items) - len(shown)} more")])
    return picture(lines)

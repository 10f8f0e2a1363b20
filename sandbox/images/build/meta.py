"""Instructions that change only the image config: ENV, LABEL, ARG, USER, WORKDIR (its config
half), CMD, ENTRYPOINT, SHELL, EXPOSE, VOLUME, STOPSIGNAL, MAINTAINER, ONBUILD, HEALTHCHECK.

Each handler changes the stage state and returns the text Docker records in the history
(``ENV A=b`` becomes ``/bin/sh -c #(nop) ENV A=b``). ``docker commit --change`` applies the
same handlers to a container's config.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sandbox.errors import DockerfileParseError
from sandbox.images.build.dockerfile import Instruction
from sandbox.images.build.lex import Lexer
from sandbox.images.build.state import StageState

_PORT = re.compile(r"^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$", re.IGNORECASE)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_SIGNALS = ("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
            "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
            "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS")


@dataclass
class MetaContext:
    lexer: Lexer
    build_args: Mapping[str, str] = field(default_factory=dict)
    """``--build-arg`` values."""
    declared: set[str] = field(default_factory=set)
    """Every ARG name the build declared (to warn about build args nobody consumed)."""
    meta_args: dict[str, str | None] = field(default_factory=dict)
    """The ARGs declared before the first FROM, which a stage's ``ARG NAME`` brings in."""


def go_quote_list(items: list[str]) -> str:
    """Go's ``%q`` of a string slice, as Docker writes CMD and ENTRYPOINT into the history."""
    return "[" + " ".join(json.dumps(s, ensure_ascii=False) for s in items) + "]"


def _error(instr: Instruction, problem: str, hint: str | None = None) -> DockerfileParseError:
    return DockerfileParseError(instr.line, problem, hint)


def _pairs(instr: Instruction, ctx: MetaContext, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """``k=v k2="v 2"`` (each half expanded), or the old ``KEY value with spaces``."""
    lex = Lexer(ctx.lexer.escape, instr.line)
    words = lex.raw_words(instr.args)
    if "=" not in words[0]:
        key = lex.word(words[0], env)
        rest = instr.args[len(words[0]):].strip()
        if not rest:
            raise _error(instr, f"{instr.keyword} names can not be blank" if not key
                         else f"{instr.keyword} must have two arguments")
        return [(key, lex.word(rest, env))]
    out: list[tuple[str, str]] = []
    for word in words:
        if "=" not in word:
            raise _error(instr, f"Syntax error - can't find = in {word!r}. Must be of the form: name=value")
        key, _, value = word.partition("=")
        key = lex.word(key, env)
        if not key:
            raise _error(instr, f"{instr.keyword} names can not be blank")
        out.append((key, lex.word(value, env)))
    return out


def _env(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    pairs = _pairs(instr, ctx, state.env())
    env = list(state.config.env)
    for key, value in pairs:
        env = [e for e in env if e.partition("=")[0] != key] + [f"{key}={value}"]
    state.config.env = env
    return "ENV " + " ".join(f"{k}={v}" for k, v in pairs)


def _label(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    pairs = _pairs(instr, ctx, state.env())
    state.config.labels = {**state.config.labels, **dict(pairs)}
    return "LABEL " + " ".join(f"{k}={v}" for k, v in pairs)


def declare_arg(instr: Instruction, ctx: MetaContext, env: Mapping[str, str],
                scope: dict[str, str | None], meta: Mapping[str, str | None] | None = None) -> str:
    """ARG NAME[=default] ...: the value is the --build-arg one if given, else the default,
    else (inside a stage) the value of a global ARG of the same name."""
    lex = Lexer(ctx.lexer.escape, instr.line)
    texts = []
    for word in lex.raw_words(instr.args):
        name, eq, default = word.partition("=")
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            raise _error(instr, f"invalid ARG name {name!r}")
        visible = {**env, **{k: v for k, v in scope.items() if v is not None}}
        value = lex.word(default, visible) if eq else None
        ctx.declared.add(name)
        if name in ctx.build_args:
            scope[name] = ctx.build_args[name]
        elif value is not None:
            scope[name] = value
        elif meta is not None and meta.get(name) is not None:
            scope[name] = meta[name]
        else:
            scope[name] = None
        texts.append(f"{name}={value}" if value is not None else name)
    return "ARG " + " ".join(texts)


def _arg(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    return declare_arg(instr, ctx, state.config.env_dict(), state.args, ctx.meta_args)


def _user(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    state.config.user = Lexer(ctx.lexer.escape, instr.line).word(instr.args, state.env())
    return f"USER {state.config.user}"


def workdir_path(current: str, given: str) -> str:
    path = given if given.startswith("/") else posixpath.join(current or "/", given)
    return posixpath.normpath(path).replace("//", "/")


def _workdir(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    given = Lexer(ctx.lexer.escape, instr.line).word(instr.args, state.env())
    if not given:
        raise _error(instr, "WORKDIR requires a non-empty path")
    state.config.working_dir = workdir_path(state.config.working_dir, given)
    return f"WORKDIR {state.config.working_dir}"


def command_of(instr: Instruction, shell: list[str]) -> list[str]:
    """Exec form as given; shell form wrapped in the stage's shell (``/bin/sh -c``)."""
    exec_form = instr.json_args
    return exec_form if exec_form is not None else [*shell, instr.args]


def _cmd(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    state.config.cmd = command_of(instr, state.shell)
    state.cmd_set = True
    return f"CMD {go_quote_list(state.config.cmd)}"


def _entrypoint(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    entry = command_of(instr, state.shell)
    state.config.entrypoint = entry if entry else None
    if not state.cmd_set:
        # A base image's CMD was written for its own ENTRYPOINT: Docker drops it.
        state.config.cmd = None
    return f"ENTRYPOINT {go_quote_list(entry)}"


def _shell(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    shell = instr.json_args
    if not shell:
        raise _error(instr, "SHELL requires the arguments to be in JSON form",
                     'e.g. SHELL ["/bin/bash", "-c"]')
    state.shell = shell
    return f"SHELL {go_quote_list(shell)}"


def expand_ports(words: list[str], instr: Instruction) -> list[str]:
    ports: list[str] = []
    for word in words:
        m = _PORT.match(word)
        if m is None:
            raise _error(instr, f"Invalid containerPort: {word}",
                         "ports look like 80, 80/tcp, 53/udp, 8000-8010")
        first = int(m.group(1))
        last = int(m.group(2) or first)
        if not 0 < first <= last <= 65535:
            raise _error(instr, f"Invalid containerPort: {word}")
        proto = (m.group(3) or "tcp").lower()
        ports += [f"{p}/{proto}" for p in range(first, last + 1)]
    return ports


def _expose(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    words = Lexer(ctx.lexer.escape, instr.line).words(instr.args, state.env())
    ports = expand_ports(words, instr)
    state.config.exposed_ports = sorted(set(state.config.exposed_ports) | set(ports))
    return "EXPOSE " + " ".join(words)


def _volume(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    lex = Lexer(ctx.lexer.escape, instr.line)
    raw = instr.json_args
    env = state.env()
    volumes = [lex.word(v, env) for v in raw] if raw is not None else lex.words(instr.args, env)
    if any(not v.strip() for v in volumes) or not volumes:
        raise _error(instr, "VOLUME specified can not be an empty string")
    state.config.volumes = sorted(set(state.config.volumes) | set(volumes))
    return f"VOLUME [{' '.join(volumes)}]"


def check_signal(value: str, instr: Instruction) -> str:
    name = value.upper().removeprefix("SIG")
    if value.isdigit() and 0 < int(value) < 65:
        return value
    if name in _SIGNALS or re.match(r"^RTMIN(\+\d+)?$|^RTMAX(-\d+)?$", name):
        return value
    raise _error(instr, f"Invalid signal: {value}")


def _stopsignal(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    value = Lexer(ctx.lexer.escape, instr.line).word(instr.args, state.env())
    state.config.stop_signal = check_signal(value, instr)
    return f"STOPSIGNAL {value}"


def _maintainer(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    state.config.author = instr.args
    return f"MAINTAINER {instr.args}"


def _onbuild(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    trigger = instr.args.split(None, 1)[0].upper()
    if trigger in ("ONBUILD", "FROM", "MAINTAINER"):
        raise _error(instr, f"{trigger} isn't allowed as an ONBUILD trigger")
    state.config.extra_config["OnBuild"] = [*(state.config.extra_config.get("OnBuild") or []), instr.args]
    return f"ONBUILD {instr.args}"


def parse_duration(text: str, instr: Instruction) -> int:
    """Go's time.ParseDuration subset Docker accepts: ``30s``, ``1m30s``, ``500ms``."""
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise _error(instr, f"time: invalid duration {text!r}")
    return int(total)


def _healthcheck(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    kind, _, rest = instr.args.partition(" ")
    kind = kind.upper()
    check: dict[str, object] = {}
    if kind == "NONE":
        if rest.strip() or instr.flags:
            raise _error(instr, "HEALTHCHECK NONE takes no arguments")
        check["Test"] = ["NONE"]
    elif kind == "CMD":
        sub = Instruction("CMD", rest.strip(), instr.line, instr.original)
        if not sub.args:
            raise _error(instr, "Missing command after HEALTHCHECK CMD")
        exec_form = sub.json_args
        check["Test"] = ["CMD", *exec_form] if exec_form is not None else ["CMD-SHELL", sub.args]
        for flag, key in (("interval", "Interval"), ("timeout", "Timeout"), ("start-period", "StartPeriod"),
                          ("start-interval", "StartInterval")):
            if flag in instr.flags:
                check[key] = parse_duration(instr.flags[flag], instr)
        if "retries" in instr.flags:
            if not instr.flags["retries"].isdigit():
                raise _error(instr, f"--retries must be a number, not {instr.flags['retries']!r}")
            check["Retries"] = int(instr.flags["retries"])
    else:
        raise _error(instr, f"Unknown type {kind!r} in HEALTHCHECK (try CMD)")
    state.config.extra_config["Healthcheck"] = check
    return f"HEALTHCHECK {instr.args}"


HANDLERS: dict[str, Callable[[Instruction, StageState, MetaContext], str]] = {
    "ENV": _env, "LABEL": _label, "ARG": _arg, "USER": _user, "WORKDIR": _workdir, "CMD": _cmd,
    "ENTRYPOINT": _entrypoint, "SHELL": _shell, "EXPOSE": _expose, "VOLUME": _volume,
    "STOPSIGNAL": _stopsignal, "MAINTAINER": _maintainer, "ONBUILD": _onbuild, "HEALTHCHECK": _healthcheck,
}


def apply_meta(instr: Instruction, state: StageState, ctx: MetaContext) -> str:
    """Apply one config-only instruction; returns its history text."""
    return HANDLERS[instr.keyword](instr, state, ctx)

"""Before the app starts: read the arguments, pick the backend, make sure an engine answers.

Kept free of Textual so a wrong argument or a stopped engine is reported at once, without
paying for the UI's imports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sandbox.errors import BadArguments, EngineUnavailable

from .backend.protocol import Backend
from .backend.types import LANGS

LaunchError = BadArguments

USAGE = """\
usage: sandbox [learn [LESSON]] [--lang en|zh]

Opens the lesson list, or LESSON directly. Keys: F1 lists them all.

  --lang en|zh   the language of lessons and labels (F3 switches while running)

environment:
  SANDBOX_TUI_FAKE=DIR   run against recorded JSON in DIR instead of the engine
  SANDBOX_THEME=light    start with the light theme (F12 switches)
"""

ENGINE_START_TIMEOUT = 15.0


@dataclass(frozen=True)
class LaunchOptions:
    lesson: str | None = None
    lang: str = "en"
    help: bool = False
    usage: str = USAGE


def default_lang(env: Mapping[str, str]) -> str:
    """``SANDBOX_LANG``, else Chinese when the locale is Chinese, else English."""
    wanted = env.get("SANDBOX_LANG", "")
    if wanted in LANGS:
        return wanted
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return "zh" if locale.startswith("zh") else "en"


def parse_args(argv: list[str], env: Mapping[str, str] | None = None) -> LaunchOptions:
    """``[learn] [LESSON] [--lang en|zh]`` (``learn`` is optional: the composition root may
    pass the words after it)."""
    args = list(argv)
    if args and args[0] == "learn":
        args.pop(0)
    lesson: str | None = None
    lang = default_lang(env or {})
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            return LaunchOptions(help=True)
        if arg == "--lang" or arg.startswith("--lang="):
            value = arg.partition("=")[2] if "=" in arg else (args.pop(0) if args else "")
            if value not in LANGS:
                raise BadArguments(f"--lang takes one of {', '.join(LANGS)}, not {value!r}")
            lang = value
        elif arg.startswith("-"):
            raise BadArguments(f"unknown option {arg}")
        elif lesson is None:
            lesson = arg
        else:
            raise BadArguments(f"one lesson at a time (got {lesson!r} and {arg!r})")
    return LaunchOptions(lesson=lesson, lang=lang)


def connect(env: Mapping[str, str], *, start_engine: Callable[[], None] | None, is_root: bool,
            say: Callable[[str], None], timeout: float = ENGINE_START_TIMEOUT) -> Backend:
    """The backend to run against. A stopped engine is started when we are root and may
    (``start_engine``); otherwise ``EngineUnavailable`` says exactly what to run."""
    fake = env.get("SANDBOX_TUI_FAKE")
    if fake:
        from .backend.fake import from_env

        return from_env(fake)
    from .backend.client import ClientBackend

    backend = ClientBackend.from_env(env)
    status = backend.engine_status()
    if status.running:
        return backend
    if not is_root or start_engine is None:
        backend.close()
        hint = status.hint or "start it with `sudo sandbox up`, then run `sandbox` again"
        raise EngineUnavailable(status.address, status.message or "not running", hint)
    say(f"The engine is not running ({status.message}); starting it: sandbox up")
    start_engine()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = backend.engine_status()
        if status.running:
            return backend
        time.sleep(0.1)
    backend.close()
    raise EngineUnavailable(status.address, f"still not answering {timeout:.0f}s after `sandbox up`",
                            "look at the engine's log: `sudo journalctl -u sandbox-engine` or the output of `sandbox up`")

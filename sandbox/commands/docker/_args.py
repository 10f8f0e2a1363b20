"""argparse, made to behave like docker's flag parser (cobra/pflag).

What differs from plain argparse: errors raise ``UsageError`` with docker's wording instead
of exiting; ``--help`` prints to the invocation's stdout; ``--flag=false`` turns a boolean
flag off; and for ``run``, ``create`` and ``exec`` flags stop at the first positional
argument, so ``docker run busybox ls -l`` passes ``-l`` to ``ls``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO, TypeVar

from sandbox.errors import UsageError

_FALSE = {"false", "0", "f", "no"}
_TRUE = {"true", "1", "t", "yes"}


class HelpShown(Exception):
    """``--help`` was given; the help text is already printed."""


class DockerArgumentParser(argparse.ArgumentParser):
    def __init__(self, command: str, usage: str, summary: str, *, help_short: bool = True,
                 interspersed: bool = True) -> None:
        super().__init__(prog=f"docker {command}", usage=usage, description=summary, add_help=False,
                         allow_abbrev=False, exit_on_error=False,
                         formatter_class=lambda prog: argparse.HelpFormatter(prog, max_help_position=32))
        self.command = command
        self.interspersed = interspersed
        self.out: TextIO | None = None
        flags = ("-h", "--help") if help_short else ("--help",)
        self.add_argument(*flags, action="store_true", dest="_help", help="Print usage")

    # -- argparse hooks -----------------------------------------------------------------

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.command, _docker_wording(message))

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(self.command, message or f"exit {status}")

    def format_usage(self) -> str:
        return f"Usage:  {self.usage}\n"

    def format_help(self) -> str:
        """docker's help layout: usage, summary, then ``-x, --long type   help`` lines."""
        rows: list[tuple[str, str]] = []
        for action in self._actions:
            if not action.option_strings or action.dest == "_help":
                continue
            shorts = [o for o in action.option_strings if len(o) == 2]
            longs = [o for o in action.option_strings if o.startswith("--")]
            flag = (f"{shorts[0]}, " if shorts else "    ") + (longs[0] if longs else "")
            if action.nargs != 0:
                flag += " " + _value_type(action)
            rows.append((flag, action.help or ""))
        width = max((len(flag) for flag, _ in rows), default=0)
        lines = ["", f"Usage:  {self.usage}", "", self.description or "", ""]
        if rows:
            lines.append("Options:")
            lines += [f"  {flag.ljust(width)}   {text}".rstrip() for flag, text in rows]
            lines.append("")
        return "\n".join(lines) + "\n"

    # -- parsing --------------------------------------------------------------------------

    def parse(self, argv: Sequence[str], out: TextIO) -> argparse.Namespace:
        """Flags into a namespace; positional arguments into ``.args``."""
        tokens, forced_false = self._booleans(list(argv))
        if self.interspersed:
            options, positionals = self._separate(tokens)
        else:
            options, positionals = self._split_at_first_positional(tokens)
        try:
            ns = super().parse_args(options)
        except argparse.ArgumentError as err:
            raise UsageError(self.command, _argument_error(err)) from None
        if ns._help:
            out.write(self.format_help())
            raise HelpShown()
        for dest in forced_false:
            setattr(ns, dest, False)
        ns.args = positionals
        return ns

    def _option(self, token: str) -> argparse.Action | None:
        return self._option_string_actions.get(token)

    def _takes_value(self, action: argparse.Action) -> bool:
        return action.nargs != 0

    def _booleans(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """``--rm=false``/``-d=true``: pflag accepts a value on boolean flags."""
        out: list[str] = []
        forced_false: list[str] = []
        for i, token in enumerate(tokens):
            if token == "--":
                out.extend(tokens[i:])
                break
            if token.startswith("-") and "=" in token:
                name, value = token.split("=", 1)
                action = self._option(name)
                if action is not None and not self._takes_value(action):
                    if value.lower() in _FALSE:
                        forced_false.append(action.dest)
                        continue
                    if value.lower() in _TRUE:
                        out.append(name)
                        continue
                    raise UsageError(self.command, f'invalid argument "{value}" for "{name}" flag: '
                                                   f'strconv.ParseBool: parsing "{value}": invalid syntax')
            out.append(token)
        return out, forced_false

    def _scan(self, tokens: list[str], stop_at_positional: bool) -> tuple[list[str], list[str]]:
        options: list[str] = []
        positionals: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token == "--":
                positionals.extend(tokens[i + 1:])
                break
            if token.startswith("--"):
                name = token.split("=", 1)[0]
                action = self._option(name)
                if action is None:
                    raise UsageError(self.command, f"unknown flag: {name}")
                if "=" not in token and self._takes_value(action):
                    if i + 1 >= len(tokens):
                        raise UsageError(self.command, f"flag needs an argument: {name}")
                    options.append(_joined(action, tokens[i + 1]))
                    i += 1
                else:
                    options.append(token)
            elif token.startswith("-") and len(token) > 1:
                i = self._short_cluster(tokens, i, options)
            else:
                if stop_at_positional:
                    positionals.extend(tokens[i:])
                    break
                positionals.append(token)
            i += 1
        return options, positionals

    def _short_cluster(self, tokens: list[str], i: int, options: list[str]) -> int:
        """``-it``, ``-e A=1``, ``-eA=1``, ``-p8080:80``: split like pflag does."""
        token = tokens[i]
        letters = token[1:]
        for j, letter in enumerate(letters):
            action = self._option("-" + letter)
            if action is None:
                raise UsageError(self.command, f"unknown shorthand flag: '{letter}' in {token}")
            if not self._takes_value(action):
                options.append("-" + letter)
                continue
            rest = letters[j + 1:]
            if rest.startswith("="):
                rest = rest[1:]
            if rest:
                options.append(_joined(action, rest))
                return i
            if i + 1 >= len(tokens):
                raise UsageError(self.command, f"flag needs an argument: '{letter}' in -{letter}")
            options.append(_joined(action, tokens[i + 1]))
            return i + 1
        return i

    def _separate(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        return self._scan(tokens, stop_at_positional=False)

    def _split_at_first_positional(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        return self._scan(tokens, stop_at_positional=True)


def _value_type(action: argparse.Action) -> str:
    if isinstance(action, argparse._AppendAction):
        return "list"
    if action.type is int:
        return "int"
    return getattr(action.type, "__name__", "string") if callable(action.type) and action.type is not str else "string"


def _joined(action: argparse.Action, value: str) -> str:
    """One token ``--name=value``: argparse would take a value like ``-1`` for a flag."""
    long = next((o for o in action.option_strings if o.startswith("--")), None)
    return f"{long}={value}" if long else f"{action.option_strings[0]}{value}"


T = TypeVar("T")


def flag_type(convert: Callable[[str], T], name: str = "value") -> Callable[[str], T]:
    """An argparse type whose failure message is the converter's own (pflag's wording)."""

    def parse(text: str) -> T:
        try:
            return convert(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = name
    return parse


def _argument_error(err: argparse.ArgumentError) -> str:
    """``invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'``, as pflag says it."""
    flag = (err.argument_name or "").replace("/", ", ")
    message = err.message
    value = message.rsplit(": ", 1)[-1].strip("'") if message.startswith("invalid ") else ""
    if message.startswith("invalid int value"):
        return f'invalid argument "{value}" for "{flag}" flag: strconv.ParseInt: parsing "{value}": invalid syntax'
    return f'invalid argument for "{flag}" flag: {message}' if not message.startswith("invalid argument") else message


def _docker_wording(message: str) -> str:
    if message.startswith("argument "):
        # argparse: "argument -m/--memory: invalid ram value: '1x'" → docker's "invalid argument"
        flag, _, problem = message[len("argument "):].partition(": ")
        return f"invalid argument for \"{flag.split('/')[-1]}\" flag: {problem}"
    return message


class ArityError(UsageError):
    """A wrong number of arguments. docker's checks differ in their last line: the
    "at least" one says ``See '… --help'``, the others ``Run '… --help'`` — and "at most"
    says ``SRun``, a typo in docker 28 kept here so the output matches."""

    def __init__(self, command: str, problem: str, advice: str) -> None:
        super().__init__(command, problem, exit_code=1)
        self.advice = advice


def _argument_count(n: int) -> str:
    return f"{n} argument" + ("s" if n != 1 else "")


def require_args(parser: DockerArgumentParser, args: list[str], minimum: int,
                 maximum: int | None = None) -> None:
    """docker's arity errors (exit code 1), with the wording of cobra checks in docker's
    cli/required.go: NoArgs, ExactArgs, RequiresMinArgs, RequiresMaxArgs, RequiresRangeArgs."""
    name = f"docker {parser.command}"
    count = len(args)
    if maximum == 0:
        if args:
            raise ArityError(parser.command, f"'{name}' accepts no arguments", "Run")
    elif maximum == minimum:
        if count != minimum:
            raise ArityError(parser.command, f"'{name}' requires {_argument_count(minimum)}", "Run")
    elif maximum is None:
        if count < minimum:
            raise ArityError(parser.command, f"'{name}' requires at least {_argument_count(minimum)}", "See")
    elif minimum == 0:
        if count > maximum:
            raise ArityError(parser.command, f"'{name}' requires at most {_argument_count(maximum)}", "SRun")
    elif not minimum <= count <= maximum:
        raise ArityError(parser.command,
                         f"'{name}' requires at least {minimum} and at most {_argument_count(maximum)}", "Run")


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"invalid boolean {text!r}")

"""The course's content: the container half of the syllabus is there, in real Chinese as
well as English, and every lesson keeps to the classroom's rules — it declares every name
it makes (so a reset can find them and a learner's own objects are never taken), uses only
busybox and images it builds itself (no network), publishes ports on loopback only, and
keeps its host files in its own /tmp/sandbox-lesson-* directory.

Lint, the bilingual check and "no check passes on an empty engine" for every step are the
generic tests in test_course.py; this file does not repeat them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.lessons.checks.http import HttpCheck
from sandbox.lessons.loader import load_course
from sandbox.lessons.model import Lesson
from sandbox.lessons.text import Text
from tests.lessons.helpers import COURSE

# The container half of the syllabus, one lesson per topic (the ids are the course's).
CONTAINER_HALF = (
    "why-containers",
    "engine-architecture",
    "images-and-layers",
    "copy-on-write",
    "hello-container",
    "container-lifecycle",
    "namespaces",
    "cgroups",
    "volumes",
    "networks",
    "dockerfile-build",
    "registry",
    "image-archives",
    "operations",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Registries and images a lesson may name without making them: busybox is bootstrapped
# offline; the registry lesson runs its own on loopback.
BASE_IMAGES = {"busybox", "busybox:latest"}
LOOPBACK_REGISTRY = re.compile(r"^127\.0\.0\.1:\d+/")
MIN_PORT = 40000
"""Published ports stay far above the ones services on a teacher's machine tend to use."""


def lessons() -> list[Lesson]:
    return list(load_course(COURSE))


def command_lines(lesson: Lesson) -> Iterator[str]:
    """Every command line the lesson itself runs or suggests."""
    yield from (c.run for c in lesson.setup)
    for step in lesson.steps:
        yield from (c.run for c in step.setup)
        yield from (c.run for c in step.solve)
        if step.try_:
            yield step.try_
        if step.hints is not None and step.hints.command:
            yield step.hints.command


def docker_commands(line: str) -> Iterator[list[str]]:
    """The argv of each `docker …` command in a line, split at the shell's operators."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    for token in [*lexer, ";"]:
        if token and set(token) <= set("|&;<>()"):
            if words and words[0] == "docker":
                yield words[1:]
            words = []
        else:
            words.append(token)


# docker's flags that take a value: enough of them to find the image argument of run/create.
_VALUED = {
    "--name", "-m", "--memory", "--memory-swap", "--cpus", "--pids-limit", "-e", "--env", "-v",
    "--volume", "-p", "--publish", "--network", "--net", "--hostname", "-h", "--pid", "-l",
    "--label", "-w", "--workdir", "-u", "--user", "--entrypoint", "--restart", "-t", "--tag",
    "-f", "--file", "-o", "--output", "-i", "--input", "--mount",
}
_BOOLEAN_SHORT_FLAGS = {"-i", "-t", "-d", "-it", "-dit", "-di", "-ti"}


def option(argv: list[str], *names: str) -> list[str]:
    found = []
    for i, word in enumerate(argv):
        for name in names:
            if word == name and i + 1 < len(argv):
                found.append(argv[i + 1])
            elif word.startswith(name + "="):
                found.append(word.split("=", 1)[1])
    return found


def run_image(argv: list[str]) -> str | None:
    """The image of `docker run|create …`: the first word that is not a flag or its value."""
    i = 1
    while i < len(argv):
        word = argv[i]
        if word in _BOOLEAN_SHORT_FLAGS or word in ("--rm", "--privileged", "--init"):
            i += 1
        elif word in _VALUED:
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            return word
    return None


def made_names(argv: list[str]) -> dict[str, list[str]]:
    """What one docker command makes, by kind: {containers: [...], images: [...], ...}."""
    made: dict[str, list[str]] = {"containers": [], "images": [], "volumes": [], "networks": []}
    verb, rest = (argv[0], argv[1:]) if argv else ("", [])
    if verb in ("run", "create"):
        made["containers"] += option(argv, "--name")
        made["volumes"] += [v.split(":")[0] for v in option(argv, "-v", "--volume")
                            if ":" in v and not v.startswith("/")]
    elif verb == "rename" and len(rest) == 2:
        made["containers"].append(rest[1])
    elif verb == "tag" and len(rest) == 2:
        made["images"].append(rest[1])
    elif verb == "build":
        made["images"] += option(argv, "-t", "--tag")
    elif verb in ("commit", "import") and len([w for w in rest if not w.startswith("-")]) >= 2:
        made["images"].append([w for w in rest if not w.startswith("-")][-1])
    elif verb in ("volume", "network") and rest[:1] == ["create"]:
        made[verb + "s"] += [w for w in rest[1:] if not w.startswith("-")]
    return made


def same_ref(a: str, b: str) -> bool:
    def norm(ref: str) -> str:
        return ref if ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"

    return norm(a) == norm(b)


# -- the syllabus -------------------------------------------------------------------------


def test_the_container_half_of_the_syllabus_has_a_lesson_per_topic() -> None:
    ids = [lesson.id for lesson in lessons()]
    assert len(ids) >= 12
    missing = [topic for topic in CONTAINER_HALF if topic not in ids]
    assert missing == []


def test_requires_follow_the_teaching_order() -> None:
    """Every lesson but the first builds on another, and only on lessons that exist."""
    course = {lesson.id: lesson for lesson in lessons()}
    for lesson in course.values():
        assert all(r in course for r in lesson.requires), lesson.id
    roots = [lesson.id for lesson in course.values() if not lesson.requires]
    assert roots == ["hello-container"]


# -- the languages --------------------------------------------------------------------------


def texts(lesson: Lesson) -> Iterator[tuple[str, Text]]:
    yield "title", lesson.title
    yield "summary", lesson.summary
    for step in lesson.steps:
        if step.title is not None:
            yield f"{step.id}.title", step.title
        if step.hints is not None:
            yield f"{step.id}.nudge", step.hints.nudge
            if step.hints.solution is not None:
                yield f"{step.id}.solution", step.hints.solution


def code_commands(markdown: str) -> list[str]:
    """The `docker …` lines of a Markdown text's code blocks (comments dropped)."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)
    lines = (line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if re.match(r"docker [a-z-]+( |$)", line)]


@pytest.mark.parametrize("lesson", lessons(), ids=lambda lesson: lesson.id)
def test_the_chinese_is_written_in_chinese_and_is_not_the_english(lesson: Lesson) -> None:
    for where, text in texts(lesson):
        assert CJK.search(text["zh"]), f"{lesson.id} {where}: the zh text has no Chinese"
        assert text["zh"] != text["en"], f"{lesson.id} {where}: zh is a copy of en"
    for _, ref in lesson.docs():
        en, zh = lesson.read(ref, "en"), lesson.read(ref, "zh")
        assert CJK.search(zh), f"{lesson.id} {ref.path}: the zh file has no Chinese"
        assert zh != en
        # Both tell the same story: the same commands in their code blocks.
        assert code_commands(en) == code_commands(zh), ref.path


# -- names, images, ports, host files --------------------------------------------------------


@pytest.mark.parametrize("lesson", lessons(), ids=lambda lesson: lesson.id)
def test_every_name_the_lesson_makes_is_declared_in_resources(lesson: Lesson) -> None:
    declared = {
        "containers": lesson.resources.containers,
        "images": lesson.resources.images,
        "volumes": lesson.resources.volumes,
        "networks": lesson.resources.networks,
    }
    for line in command_lines(lesson):
        for argv in docker_commands(line):
            for kind, names in made_names(argv).items():
                for name in names:
                    assert any(same_ref(name, d) for d in declared[kind]), (
                        f"{lesson.id}: `{line}` makes {kind[:-1]} {name!r}, not listed in resources.{kind}"
                    )


@pytest.mark.parametrize("lesson", lessons(), ids=lambda lesson: lesson.id)
def test_only_busybox_and_images_the_lesson_makes_are_used(lesson: Lesson) -> None:
    allowed = BASE_IMAGES | set(lesson.resources.images)
    for line in command_lines(lesson):
        for argv in docker_commands(line):
            image = run_image(argv) if argv[:1] in (["run"], ["create"]) else None
            pulled = argv[1] if argv[:1] == ["pull"] and len(argv) > 1 else None
            for ref in filter(None, (image, pulled)):
                assert any(same_ref(ref, a) for a in allowed) or LOOPBACK_REGISTRY.match(ref), (
                    f"{lesson.id}: `{line}` uses image {ref!r}"
                )
    for dockerfile in lesson.directory.rglob("Dockerfile"):
        bases = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), re.M | re.I)
        assert bases and all(b in allowed for b in bases), dockerfile


@pytest.mark.parametrize("lesson", lessons(), ids=lambda lesson: lesson.id)
def test_ports_are_published_on_loopback_only_and_high(lesson: Lesson) -> None:
    for line in command_lines(lesson):
        for argv in docker_commands(line):
            if argv[:1] not in (["run"], ["create"]):
                continue  # `docker login -p` is a password
            for spec in option(argv, "-p", "--publish"):
                host_ip, _, rest = spec.partition(":")
                assert host_ip == "127.0.0.1", f"{lesson.id}: `-p {spec}` is not on 127.0.0.1"
                assert int(rest.split(":")[0]) >= MIN_PORT, f"{lesson.id}: port of `-p {spec}`"
    for step in lesson.steps:
        for check in _leaves(step.check):
            if isinstance(check, HttpCheck):
                assert check.url.startswith("http://127.0.0.1:"), check.url


def host_dirs(lesson: Lesson) -> set[str]:
    """The /tmp directories a lesson's host commands and scripts use (paths inside a
    container, in `docker run|exec …`, are the container's own business)."""
    texts = [p.read_text() for p in lesson.directory.rglob("*.sh")]
    for line in command_lines(lesson):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= set("|&;<>()"):
                if words[:2] not in (["docker", "run"], ["docker", "exec"], ["docker", "create"]):
                    texts.append(" ".join(words))
                words = []
            else:
                words.append(token)
    return {m.group(0) for text in texts for m in re.finditer(r"/tmp/[\w.-]+", text)}


def test_host_files_stay_in_each_lessons_own_tmp_directory() -> None:
    owner: dict[str, str] = {}
    for lesson in lessons():
        dirs = host_dirs(lesson)
        assert all(d.startswith("/tmp/sandbox-lesson-") for d in dirs), (lesson.id, dirs)
        assert len(dirs) <= 1, f"{lesson.id} spreads its files over {sorted(dirs)}"
        for d in dirs:
            assert owner.setdefault(d, lesson.id) == lesson.id, f"{d}: {owner[d]} and {lesson.id}"


def _leaves(check: object) -> Iterator[object]:
    parts = getattr(check, "checks", None)
    if isinstance(parts, list):
        for part in parts:
            yield from _leaves(part)
    elif check is not None:
        yield getattr(check, "check", check)


# -- the helpers above, on inputs that must fail ---------------------------------------------


def test_made_names_finds_what_commands_make() -> None:
    assert made_names(shlex.split("run -d --name web -v data:/d -v /h:/x busybox"))["containers"] == ["web"]
    assert made_names(shlex.split("run -d --name web -v data:/d -v /h:/x busybox"))["volumes"] == ["data"]
    assert made_names(shlex.split("build -t demo:1 ."))["images"] == ["demo:1"]
    assert made_names(shlex.split("import fs.tar flat:1"))["images"] == ["flat:1"]
    assert made_names(shlex.split("network create net1"))["networks"] == ["net1"]
    assert made_names(shlex.split("rename a b"))["containers"] == ["b"]
    assert made_names(shlex.split("ps -a")) == {"containers": [], "images": [], "volumes": [], "networks": []}


def test_docker_commands_splits_at_shell_operators() -> None:
    line = "docker rm x && echo hi | docker attach t; docker tag a b"
    assert list(docker_commands(line)) == [["rm", "x"], ["attach", "t"], ["tag", "a", "b"]]
    assert run_image(shlex.split("run -d -p 127.0.0.1:1:2 --name n -m 16m busybox sh")) == "busybox"
    assert run_image(shlex.split("run --rm -it debian bash")) == "debian"


def test_http_checks_are_found_inside_all_of(tmp_path: Path) -> None:
    course = load_course(COURSE)
    urls = [
        leaf.url
        for lesson in course
        for step in lesson.steps
        for leaf in _leaves(step.check)
        if isinstance(leaf, HttpCheck)
    ]
    assert urls, "the course has http checks (networks, operations); _leaves must find them"

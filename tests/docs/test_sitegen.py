"""The site generator's pieces, without mkdocs: parsing help texts, Markdown surgery, the
Docker route comparison and the lesson pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docs._gen.sitegen import cli_reference, course, docker_api, lesson_schema, markdown

REPO = Path(__file__).resolve().parents[2]


def test_top_commands_reads_every_name_of_a_line() -> None:
    usage = ("usage: sandbox\n\ncommands:\n  learn [LESSON]    open the lessons\n"
             "  up / down         start / stop\n  lessons ...       list|show\n\nRun `sandbox X --help`.\n")
    assert [n for n, _ in cli_reference.top_commands(usage)] == ["learn", "up", "down", "lessons"]


def test_top_commands_ignores_text_outside_the_commands_section() -> None:
    assert cli_reference.top_commands("usage: sandbox\n\n  fake    not a command\n") == []


def test_argparse_subcommands_with_a_long_name_on_its_own_line() -> None:
    text = ("usage: sandbox image [-h] COMMAND ...\n\npositional arguments:\n  COMMAND\n"
            "    bootstrap\n              build base images\n    ls        list images\n\n"
            "options:\n  -h, --help  show this help message and exit\n")
    assert cli_reference.argparse_subcommands(text) == [("bootstrap", "build base images"), ("ls", "list images")]


def test_argparse_subcommands_none_for_a_plain_command() -> None:
    text = "usage: sandbox env [-h]\n\noptions:\n  -h, --help       show this help\n"
    assert cli_reference.argparse_subcommands(text) == []


def test_sandbox_help_covers_the_runtime_commands() -> None:
    helps, _problems = cli_reference.sandbox_help(REPO)
    by_name = {h.name: h for h in helps}
    assert "sandbox runtime run" in by_name
    assert "--bundle" in by_name["sandbox runtime run"].text


def test_docker_help_lists_aliases_once() -> None:
    helps, _problems = cli_reference.docker_help()
    ls = next(h for h in helps if h.name == "sandbox docker container ls")
    assert "sandbox docker container list" in ls.aliases
    assert "Usage:" in ls.text


def test_demote_headings_leaves_code_alone() -> None:
    text = "# Title\n\n## Part\n\n```sh\n# a comment\n```\n"
    assert markdown.demote_headings(text, 2).splitlines() == ["### Title", "", "#### Part", "", "```sh",
                                                              "# a comment", "```"]


def test_drop_first_heading_skips_a_comment_in_code() -> None:
    text = "```\n# not a heading\n```\n# Real\nbody"
    assert markdown.drop_first_heading(text) == "```\n# not a heading\n```\nbody"


def test_code_block_outgrows_fences_inside() -> None:
    block = markdown.code_block("a\n```\nb")
    assert block.startswith("````\n") and block.endswith("\n````")


def test_route_shapes_ignore_parameter_names() -> None:
    assert docker_api.shape("/images/{name:path}/json") == docker_api.shape("/images/{name}/json")
    assert docker_api.shape("/images/{name}/json") != docker_api.shape("/images/json")


def test_a_route_missing_from_the_docker_list_is_reported() -> None:
    routes = [docker_api.Route("GET", "/containers/json"), docker_api.Route("GET", "/sandbox/trace"),
              docker_api.Route("POST", "/containers/{id}/frobnicate")]
    table = docker_api.build_table(routes)
    assert table.extra == [docker_api.Route("POST", "/containers/{id}/frobnicate")]


def test_engine_routes_are_the_daemons() -> None:
    routes = docker_api.engine_routes()
    assert docker_api.Route("POST", "/containers/create") in routes
    assert docker_api.build_table(routes).extra == []


def test_lesson_schema_lists_every_step_field() -> None:
    from sandbox.lessons.model import Step
    from sandbox.lessons.schema import schema_fields

    text = lesson_schema.render()
    for key in schema_fields(Step):
        assert f"| `{key}` |" in text


def _copy_lesson(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "lessons"
    shutil.copytree(REPO / "lessons" / name, root / name)
    return root


def test_course_has_a_page_per_lesson_and_language(tmp_path: Path) -> None:
    root = _copy_lesson(tmp_path, "hello-container")
    built = course.build_course(root)
    assert built.problems == []
    uris = {p.uri for p in built.pages}
    assert {"course/en/hello-container.md", "course/zh/hello-container.md", "course/index.md"} <= uris


def test_a_broken_lesson_is_a_problem_not_a_silent_gap(tmp_path: Path) -> None:
    root = _copy_lesson(tmp_path, "hello-container")
    broken = root / "broken"
    broken.mkdir()
    (broken / "lesson.yaml").write_text("id: broken\ntitle: {en: x}\n", encoding="utf-8")
    built = course.build_course(root)
    assert any("broken" in p for p in built.problems)
    assert "course/en/hello-container.md" in {p.uri for p in built.pages}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_english_only_lesson_says_so(tmp_path: Path, lang: str) -> None:
    root = _copy_lesson(tmp_path, "hello-container")
    yaml_file = root / "hello-container" / "lesson.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text("languages: [en]\n" + _english_only(text), encoding="utf-8")
    built = course.build_course(root)
    assert built.problems == []
    page = next(p for p in built.pages if p.uri == f"course/{lang}/hello-container.md")
    said = course.LABELS[lang]["only"].split("{")[0]
    assert (said in page.content) == (lang == "zh")


def _english_only(text: str) -> str:
    """The lesson's YAML without its Chinese strings (a one-language lesson must not have them)."""
    import yaml

    data = yaml.safe_load(text)

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "zh"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return yaml.safe_dump(strip(data), allow_unicode=True, sort_keys=False)

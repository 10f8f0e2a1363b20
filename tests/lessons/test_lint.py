"""`sandbox lessons lint`: every kind of mistake is reported with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import LessonInvalid
from sandbox.lessons.loader import Problem, lint_course, load_course, load_lesson, read_lesson
from tests.lessons.helpers import MINIMAL, write_lesson


def problems_of(root: Path) -> list[Problem]:
    return lint_course(root)[1]


def only(problems: list[Problem], field: str) -> Problem:
    matching = [p for p in problems if p.field == field]
    assert len(matching) == 1, f"expected one problem at {field}, got {[str(p) for p in problems]}"
    return matching[0]


def test_a_good_lesson_has_no_problems(tmp_path: Path) -> None:
    write_lesson(tmp_path, "good", MINIMAL.format(id="good"))
    assert problems_of(tmp_path) == []
    lesson = load_lesson(tmp_path / "good")
    assert lesson.id == "good" and lesson.steps[0].id == "01-run"


def test_unknown_check_type_names_the_line_and_suggests(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x").replace("check: {container:", "check: {contaner:"))
    p = only(problems_of(tmp_path), "steps[0].check.contaner")
    assert p.line == 7
    assert p.file == str(tmp_path / "x" / "lesson.yaml")
    assert "unknown check type" in p.problem and "container" in p.problem
    assert str(p).startswith(
        f"{tmp_path / 'x' / 'lesson.yaml'}:7: steps[0].check.contaner: unknown check type"
    )


def test_unknown_field_inside_a_check(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x").replace("running: true", "runing: true"))
    p = only(problems_of(tmp_path), "steps[0].check.container.runing")
    assert p.line == 7 and "did you mean 'running'" in p.problem


def test_unknown_top_level_field(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x") + 'cleanup: ["docker rm -f web"]\n')
    p = only(problems_of(tmp_path), "cleanup")
    assert p.line == 9 and "unknown field" in p.problem


def test_missing_translation_of_a_title(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x").replace(', zh: "一课"', ""))
    p = only(problems_of(tmp_path), "title")
    assert p.line == 2 and p.problem == "missing translation zh"


def test_missing_translation_of_a_hint(tmp_path: Path) -> None:
    text = MINIMAL.format(id="x") + '    hints: {nudge: {zh: "看看 -d"}}\n'
    write_lesson(tmp_path, "x", text)
    p = only(problems_of(tmp_path), "steps[0].hints.nudge")
    assert p.line == 9 and p.problem == "missing translation en"


def test_missing_markdown_file_for_one_language(tmp_path: Path) -> None:
    folder = write_lesson(tmp_path, "x", MINIMAL.format(id="x"))
    (folder / "steps" / "01-run.zh.md").unlink()
    p = only(problems_of(tmp_path), "steps[0].text")
    assert p.line == 5 and p.problem == "missing file steps/01-run.zh.md"


def test_empty_markdown_file(tmp_path: Path) -> None:
    folder = write_lesson(tmp_path, "x", MINIMAL.format(id="x"))
    (folder / "steps" / "01-run.en.md").write_text("  \n")
    assert only(problems_of(tmp_path), "steps[0].text").problem == "file steps/01-run.en.md is empty"


def test_yaml_syntax_error_unclosed_flow_mapping(tmp_path: Path) -> None:
    text = MINIMAL.format(id="x").replace(
        'title: {en: "A lesson", zh: "一课"}', 'title: {en: "A lesson", zh: "一课"'
    )
    write_lesson(tmp_path, "x", text)
    p = only(problems_of(tmp_path), "(yaml)")
    assert p.line == 3 and "syntax error" in p.problem  # where the scanner found the mapping unclosed


def test_yaml_syntax_error_exact_line(tmp_path: Path) -> None:
    text = "id: x\ntitle: {en: a, zh: b}\nsummary: {en: a, zh: b}\nsteps:\n"
    text += "  - text: steps/01.md\n   bad: indent\n"
    write_lesson(tmp_path, "x", text, steps_md=False)
    p = only(problems_of(tmp_path), "(yaml)")
    assert p.line == 6


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x") + 'title: {en: "again", zh: "再"}\n')
    p = only(problems_of(tmp_path), "title")
    assert p.line == 9 and "duplicate key (first given on line 2)" in p.problem


def test_wrong_types(tmp_path: Path) -> None:
    text = MINIMAL.format(id="x").replace("running: true", "running: yes please") + "requires: hello\n"
    write_lesson(tmp_path, "x", text)
    problems = problems_of(tmp_path)
    assert "expected true or false" in only(problems, "steps[0].check.container.running").problem
    assert "expected a list" in only(problems, "requires").problem


def test_a_number_where_text_is_needed_says_to_quote_it(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x").replace("name: web", "name: 1234"))
    assert "(put it in quotes)" in only(problems_of(tmp_path), "steps[0].check.container.name").problem


def test_required_field_missing(tmp_path: Path) -> None:
    write_lesson(
        tmp_path, "x", MINIMAL.format(id="x").replace("{name: web, running: true}", "{running: true}")
    )
    p = only(problems_of(tmp_path), "steps[0].check.container.name")
    assert p.line == 7 and p.problem == "required field is missing"


def test_requires_naming_no_lesson(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x") + "requires: [nothing-here]\n")
    p = only(problems_of(tmp_path), "requires[0]")
    assert p.line == 9 and p.problem == "no lesson named 'nothing-here'"


def test_requires_a_sibling_when_linting_one_folder(tmp_path: Path) -> None:
    write_lesson(tmp_path, "a", MINIMAL.format(id="a"))
    write_lesson(tmp_path, "b", MINIMAL.format(id="b") + "requires: [a]\n")
    assert problems_of(tmp_path / "b") == []


def test_requires_in_a_circle(tmp_path: Path) -> None:
    write_lesson(tmp_path, "a", MINIMAL.format(id="a") + "requires: [b]\n")
    write_lesson(tmp_path, "b", MINIMAL.format(id="b") + "requires: [a]\n")
    problems = [p for p in problems_of(tmp_path) if p.field == "requires"]
    assert {Path(p.file).parent.name for p in problems} == {"a", "b"}
    assert all("circle" in p.problem for p in problems)


def test_duplicate_lesson_ids(tmp_path: Path) -> None:
    write_lesson(tmp_path, "one", MINIMAL.format(id="same"))
    write_lesson(tmp_path, "two", MINIMAL.format(id="same"))
    problems = [p for p in problems_of(tmp_path) if "duplicate lesson id" in p.problem]
    assert len(problems) == 1
    assert problems[0].line == 1 and problems[0].field == "id"
    assert "one/lesson.yaml:1" in problems[0].problem  # names where the first one is


def test_id_must_match_folder(tmp_path: Path) -> None:
    write_lesson(tmp_path, "folder", MINIMAL.format(id="other"))
    p = only(problems_of(tmp_path), "id")
    assert p.line == 1 and "folder name 'folder'" in p.problem


def test_id_must_be_a_slug(tmp_path: Path) -> None:
    write_lesson(tmp_path, "Bad_Id", MINIMAL.format(id="Bad_Id"))
    assert any("lower-case letters" in p.problem for p in problems_of(tmp_path) if p.field == "id")


def test_step_with_a_check_needs_a_solution(tmp_path: Path) -> None:
    text = MINIMAL.format(id="x").replace('    solve: ["docker run -d --name web busybox sleep 3600"]\n', "")
    write_lesson(tmp_path, "x", text)
    assert "reference solution" in only(problems_of(tmp_path), "steps[0].solve").problem


def test_unparseable_command_line(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x").replace('try: "docker run', "try: \"docker 'run"))
    p = only(problems_of(tmp_path), "steps[0].try")
    assert p.line == 6 and "No closing quotation" in p.problem


def test_show_must_be_a_known_picture(tmp_path: Path) -> None:
    write_lesson(tmp_path, "x", MINIMAL.format(id="x") + "    show: pictures\n")
    assert "one of layers, ns, cgroups, net, trace" in only(problems_of(tmp_path), "steps[0].show").problem


def test_markdown_named_with_its_language_is_refused(tmp_path: Path) -> None:
    write_lesson(
        tmp_path, "x", MINIMAL.format(id="x").replace("steps/01-run.md", "steps/01-run.en.md"), steps_md=False
    )
    assert "without its language" in only(problems_of(tmp_path), "steps[0].text").problem


def test_checks_validate_their_own_fields(tmp_path: Path) -> None:
    text = MINIMAL.format(id="x").replace(
        "check: {container: {name: web, running: true}}",
        "check:\n      all_of:\n        - {file: {container: web, path: etc/x, mode: 0644}}\n"
        '        - {http: {url: "http://example.com/"}}\n'
        "        - {command: {script: verify.sh}}\n"
        "        - {container: {name: web, exists: false, running: true}}\n"
        '        - {logs: {container: web, matches: "("}}',
    )
    write_lesson(tmp_path, "x", text)
    problems = {p.field: p for p in problems_of(tmp_path)}
    assert "quoted octal" in problems["steps[0].check.all_of[0].file.mode"].problem
    assert problems["steps[0].check.all_of[0].file.mode"].line == 9
    assert "not a loopback address" in problems["steps[0].check.all_of[1].http.url"].problem
    assert problems["steps[0].check.all_of[2].command.script"].problem == "missing file verify.sh"
    assert "exists: false" in problems["steps[0].check.all_of[3].container.running"].problem
    assert "not a regular expression" in problems["steps[0].check.all_of[4].logs.matches"].problem


def test_a_check_is_one_type(tmp_path: Path) -> None:
    write_lesson(
        tmp_path,
        "x",
        MINIMAL.format(id="x").replace(
            "{container: {name: web, running: true}}", "{container: {name: web}, image: {ref: busybox}}"
        ),
    )
    assert "exactly one key" in only(problems_of(tmp_path), "steps[0].check").problem


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    folder = write_lesson(
        tmp_path,
        "x",
        MINIMAL.format(id="x").replace(', zh: "摘要"', "").replace("running: true", "runing: true")
        + "requires: [nope]\n",
    )
    (folder / "steps" / "01-run.zh.md").unlink()
    fields = {p.field for p in problems_of(tmp_path)}
    assert {"summary", "steps[0].check.container.runing", "requires[0]", "steps[0].text"} <= fields


def test_missing_lesson_yaml(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    p = only(problems_of(tmp_path), "(file)")
    assert p.file.endswith("empty/lesson.yaml") and "missing" in p.problem


def test_load_course_refuses_a_bad_lesson_and_orders_by_requires(tmp_path: Path) -> None:
    write_lesson(tmp_path, "a-second", MINIMAL.format(id="a-second") + "requires: [b-first]\n")
    write_lesson(tmp_path, "b-first", MINIMAL.format(id="b-first"))
    assert list(load_course(tmp_path).lessons) == ["b-first", "a-second"]
    write_lesson(tmp_path, "c-bad", MINIMAL.format(id="c-bad").replace("running", "runing"))
    with pytest.raises(LessonInvalid) as err:
        load_course(tmp_path)
    assert "runing" in err.value.problems[0]


def test_imported_lessons_may_declare_one_language(tmp_path: Path) -> None:
    text = (
        MINIMAL.format(id="x").replace(', zh: "一课"', "").replace(', zh: "摘要"', "") + "languages: [en]\n"
    )
    folder = write_lesson(tmp_path, "x", text)
    (folder / "steps" / "01-run.zh.md").unlink()
    assert problems_of(tmp_path) == []
    parsed = read_lesson(folder)
    assert parsed.lesson is not None and parsed.lesson.languages == ["en"]

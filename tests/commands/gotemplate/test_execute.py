"""Executing templates over JSON-like data and over row objects, with Go's output rules."""

import pytest

from sandbox.commands.gotemplate import GoNil, GoStruct, Omitted, Template, TemplateExecError

DATA = {
    "Id": "abc",
    "Names": ["/web", "/api"],
    "State": {"Running": True, "Pid": 42, "ExitCode": 0, "Error": ""},
    "Config": {"Labels": {"b": "2", "a": "1"}, "Cmd": ["sleep", "10"], "Env": None},
    "Count": 3,
    "Ratio": 1.5,
    "Empty": [],
}


def run(source: str, data: object = DATA, **kw: object) -> str:
    return Template.parse(source).execute(data, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("source, expected", [
    ("{{.Id}}", "abc"),
    ("{{.State.Running}} {{.State.Pid}}", "true 42"),
    ("{{.Names}}", "[/web /api]"),
    ("{{.Config.Labels}}", "map[a:1 b:2]"),
    ("{{.Config.Env}}", "<nil>"),
    ("{{.Nope}}", "<no value>"),
    ("{{.Ratio}}", "1.5"),
    ("{{json .State}}", '{"Running":true,"Pid":42,"ExitCode":0,"Error":""}'),
    ("{{json .Config.Env}}", "null"),
    ('{{index .Config.Labels "a"}}', "1"),
    ("{{index .Names 1}}", "/api"),
    ('{{index .Config.Labels "zz"}}', "<no value>"),
    ("{{range .Names}}[{{.}}]{{end}}", "[/web][/api]"),
    ("{{range $i, $n := .Names}}{{$i}}:{{$n}} {{end}}", "0:/web 1:/api "),
    ("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=1;b=2;"),
    ("{{range .Empty}}x{{else}}none{{end}}", "none"),
    ("{{range .Count}}{{.}}{{end}}", "012"),
    ("{{range .Names}}{{if eq . \"/api\"}}{{break}}{{end}}{{.}}{{end}}", "/web"),
    ("{{range .Names}}{{if eq . \"/web\"}}{{continue}}{{end}}{{.}}{{end}}", "/api"),
    ("{{if .State.Running}}up{{else}}down{{end}}", "up"),
    ("{{if .State.ExitCode}}bad{{else if .State.Running}}running{{else}}x{{end}}", "running"),
    ("{{with .State}}{{.Pid}}{{end}}", "42"),
    ("{{with .State.Error}}err{{else}}fine{{end}}", "fine"),
    ("{{$x := .State.Pid}}{{$x}}", "42"),
    ("{{$.Id}}{{range .Names}}{{$.Id}}{{end}}", "abcabcabc"),
    ("{{len .Names}} {{len .Config.Labels}} {{len .Id}}", "2 2 3"),
    ("{{.Names | len}}", "2"),
    ('{{printf "%s-%d-%05.1f-%q-%v-%x" .Id .Count .Ratio .Id .Names 255}}', 'abc-3-001.5-"abc"-[/web /api]-ff'),
    ("{{printf \"%d\"}}", "%!d(MISSING)"),
    ('{{print "a" 1 2 "b"}}', "a1 2b"),
    ("{{println .Id .Count}}", "abc 3\n"),
    ("{{and .State.Running .Count}} {{or .State.Error \"dflt\"}} {{not .State.Running}}", "3 dflt false"),
    ("{{and .Nope .Nope.Deeper}}", "<no value>"),
    ("{{eq .Count 3}} {{ne .Id \"x\"}} {{lt 1 2}} {{ge 2.5 3}} {{eq .Id \"x\" \"abc\"}}", "true true true false true"),
    ("{{upper .Id}} {{lower \"ABC\"}} {{title \"hello world\"}}", "ABC abc Hello World"),
    ('{{join .Config.Cmd " "}} {{split "a,b" ","}}', "sleep 10 [a b]"),
    ('{{pad .Id 1 2}}| {{pad "" 1 1}}|{{truncate .Id 2}}', " abc  | |ab"),
    ("{{slice .Names 1}} {{slice .Id 0 2}}", "[/api] ab"),
    ("{{/* a comment */}}kept", "kept"),
    ("a {{- /* c */ -}} b", "ab"),
    ("{{ (index .Names 0) }}", "/web"),
    ("{{(index .Config.Labels \"a\") | printf \"<%s>\"}}", "<1>"),
    ('{{html "<a>"}} {{urlquery "a b"}}', "&lt;a&gt; a+b"),
])
def test_execution(source: str, expected: str) -> None:
    assert run(source) == expected


@pytest.mark.parametrize("source, problem", [
    ("{{.Id.Foo}}", "can't evaluate field Foo in type string"),
    ("{{.Nope.Deeper}}", "nil pointer evaluating"),
    ("{{nofunc .Id}}", 'function "nofunc" not defined'),
    ("{{index .Names 5}}", "index out of range"),
    ("{{index .Names \"x\"}}", "cannot index slice"),
    ("{{len .Count}}", "len of type int"),
    ('{{eq .Id 3}}', "incompatible types"),
    ("{{.Id 1}}", "Id is not a method but has arguments"),
    ("{{$.Id 1}}", "Id is not a method but has arguments"),
    ('{{"x" 1}}', "can't give argument to non-function"),
    ("{{range .Id}}{{end}}", "range can't iterate"),
    ("{{join .Id \",\"}}", "expected []string"),
])
def test_execution_errors(source: str, problem: str) -> None:
    with pytest.raises(TemplateExecError) as info:
        run(source)
    assert problem in str(info.value)


def test_missing_key_error_mode() -> None:
    with pytest.raises(TemplateExecError) as info:
        run("{{.Nope}}", missingkey="error")
    assert 'map has no entry for key "Nope"' in str(info.value)
    assert "<.Nope>" in str(info.value)


class Row:
    go_type = "*formatter.TestContext"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def ID(self) -> str:
        return "id1"

    def Label(self, name: str) -> str:
        return {"env": "prod"}.get(name, "")

    def hidden(self) -> str:
        return "no"


def test_methods_and_arguments_on_objects() -> None:
    assert run('{{.ID}} {{.Label "env"}} {{"env" | .Label}}', Row()) == "id1 prod prod"


def test_unexported_and_unknown_fields_fail_on_objects() -> None:
    with pytest.raises(TemplateExecError) as info:
        run("{{.hidden}}", Row())
    assert "can't evaluate field hidden" in str(info.value)
    with pytest.raises(TemplateExecError) as info:
        run("{{.Nope}}", Row())
    assert "in type *formatter.TestContext" in str(info.value)


def test_typed_nils_print_like_go() -> None:
    data = {"Binds": GoNil("[]"), "Labels": GoNil("map[]"), "Health": Omitted("<nil>")}
    assert run("{{.Binds}} {{.Labels}} {{.Health}} {{json .Binds}} {{len .Binds}}", data) == "[] map[] <nil> null 0"
    assert run('{{index .Labels "x"}}', data) == "<no value>"


def test_structs_print_in_field_order_and_are_true() -> None:
    state = GoStruct([("Status", "exited"), ("Running", False), ("Error", ""), ("Health", Omitted("<nil>"))])
    data = {"State": state, "Empty": GoStruct()}
    assert run("{{.State}}", data) == "{exited false  <nil>}"
    assert run("{{json .State}}", data) == '{"Status":"exited","Running":false,"Error":""}'
    assert run("{{if .Empty}}yes{{end}}", data) == "yes"


def test_json_function_does_not_escape_html() -> None:
    assert run("{{json .}}", {"a": "<b>&"}) == '{"a":"<b>&"}'

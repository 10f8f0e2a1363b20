"""Request bodies: each wrong type is a 400 naming its field."""

from __future__ import annotations

import pytest

from sandbox.engine.containers.validate import EXEC, check_create_body, check_fields, strslice
from sandbox.errors import InvalidParameter


def test_a_good_body_passes() -> None:
    config, host, net = check_create_body({"Image": "busybox", "Cmd": "echo", "Env": ["A=1"], "Tty": True,
                                           "HostConfig": {"Memory": 1 << 26, "PidsLimit": None,
                                                          "RestartPolicy": {"Name": "always"}},
                                           "Unknown": {"ignored": True}})
    assert config["Image"] == "busybox" and host["Memory"] == 1 << 26 and net == {}
    assert strslice("echo") == ["echo"] and strslice(None) is None


@pytest.mark.parametrize(("body", "field"), [
    ({"Image": 5}, "Config.Image"),
    ({"Tty": "yes"}, "Config.Tty"),
    ({"Env": "A=1"}, "Config.Env"),
    ({"Cmd": [1, 2]}, "Config.Cmd"),
    ({"Labels": {"a": 1}}, "Config.Labels"),
    ({"HostConfig": {"Memory": "1k"}}, "HostConfig.Memory"),
    ({"HostConfig": {"Memory": True}}, "HostConfig.Memory"),
    ({"HostConfig": {"ConsoleSize": [1]}}, "HostConfig.ConsoleSize"),
    ({"HostConfig": {"RestartPolicy": {"MaximumRetryCount": "3"}}},
     "HostConfig.RestartPolicy.MaximumRetryCount"),
    ({"HostConfig": []}, "HostConfig"),
])
def test_wrong_types_name_the_field(body: dict, field: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        check_create_body(body)
    assert info.value.field == field
    assert field.rsplit(".", 1)[-1] in info.value.message


def test_not_an_object() -> None:
    with pytest.raises(InvalidParameter, match="cannot unmarshal array"):
        check_create_body([1])
    with pytest.raises(InvalidParameter, match="ExecConfig.Cmd of type"):
        check_fields({"Cmd": "ls"}, EXEC, "ExecConfig")

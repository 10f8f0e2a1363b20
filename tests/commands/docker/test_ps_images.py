"""ps, images and history output, down to the column widths."""

import json

import pytest

from sandbox.client import MockResponse
from sandbox.commands.docker._containers import ContainerRow, displayable_ports

from .conftest import NOW

WEB = {"Id": "f69ea429798860f312848de11518dec4939f6a78810fcc4d813f7d97a7123b8e", "Names": ["/web"],
       "Image": "busybox", "ImageID": "sha256:5feb00dff0192e19a2560d0c618cdb1b5656a0b9fc70ffcf1472047c280ddbdd",
       "Command": "sleep 1000", "Created": int(NOW) - 5, "State": "running", "Status": "Up 3 seconds",
       "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}],
       "Labels": {"b": "2", "a": "1"}, "SizeRw": 2, "SizeRootFs": 1984230,
       "NetworkSettings": {"Networks": {"bridge": {}}}, "Mounts": []}
DONE = {"Id": "0123456789abcdef" * 4, "Names": ["/done"], "Image": "sha256:" + "5feb00dff019" + "0" * 52,
        "ImageID": "sha256:" + "5feb00dff019" + "0" * 52, "Command": "sh -c 'while true; do sleep 1; done'",
        "Created": int(NOW) - 90, "State": "exited", "Status": "Exited (3) About a minute ago", "Ports": [],
        "Labels": {}}


def test_ps_table(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([WEB, DONE]))
    result = docker("ps", "-a")
    assert result.code == 0
    assert result.out.splitlines() == [
        "CONTAINER ID   IMAGE          COMMAND                  CREATED              STATUS                          PORTS                  NAMES",
        'f69ea4297988   busybox        "sleep 1000"             5 seconds ago        Up 3 seconds                    0.0.0.0:8080->80/tcp   web',
        '0123456789ab   5feb00dff019   "sh -c \'while true; …"   About a minute ago   Exited (3) About a minute ago                          done',
    ]
    assert docker.transport.requests[-1].query == {"all": "1"}


def test_ps_quiet_and_no_trunc(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([WEB]))
    assert docker("ps", "-q").out == "f69ea4297988\n"
    assert docker("ps", "-q", "--no-trunc").out == WEB["Id"] + "\n"


def test_ps_custom_format_and_json(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([WEB]))
    assert docker("ps", "--format", "{{.Names}}\\t{{.Label \"a\"}} {{.Labels}}").out == "web\t1 a=1,b=2\n"
    row = json.loads(docker("ps", "--format", "{{json .}}").out)
    assert row["Names"] == "web" and row["Command"] == '"sleep 1000"' and row["Platform"] is None
    assert list(row) == sorted(row)
    assert row["Size"] == "2B (virtual 1.98MB)"


def test_ps_asks_for_sizes_only_when_shown(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([WEB]))
    docker("ps", "--format", "{{.ID}}")
    assert "size" not in docker.transport.requests[-1].query
    assert docker("ps", "--format", "table {{.ID}}\t{{.Size}}").out.splitlines()[1].endswith("2B (virtual 1.98MB)")
    assert docker.transport.requests[-1].query == {"size": "1"}
    assert docker("ps", "-s").out.splitlines()[0].endswith("SIZE")


def test_ps_filters_limit_and_warnings(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([]))
    result = docker("ps", "-q", "--format", "x", "-f", "status=exited", "-f", "name=web", "-l")
    assert "Ignoring custom format" in result.err
    query = docker.transport.requests[-1].query
    assert json.loads(query["filters"]) == {"status": {"exited": True}, "name": {"web": True}}
    assert query["limit"] == "1"


def test_ps_bad_filter(docker) -> None:
    result = docker("ps", "-f", "nonsense")
    assert result.code == 125
    assert "bad format of filter (expected name=value)" in result.err


def test_ps_header_only_when_empty(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([]))
    assert docker("ps").out == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"


def test_ps_template_error(docker) -> None:
    docker.router.add("GET", "/containers/json", MockResponse.json([WEB]))
    result = docker("ps", "--format", "{{.Nope}}")
    assert result.code == 1
    assert result.err.startswith("template parsing error: ")
    assert "can't evaluate field Nope" in result.err


@pytest.mark.parametrize("ports, expected", [
    ([], ""),
    ([{"PrivatePort": 80, "Type": "tcp"}], "80/tcp"),
    ([{"PrivatePort": p, "Type": "tcp"} for p in (80, 81, 82, 90)], "80-82/tcp, 90/tcp"),
    ([{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 80, "Type": "tcp"},
      {"IP": "0.0.0.0", "PrivatePort": 81, "PublicPort": 81, "Type": "tcp"}], "0.0.0.0:80-81->80-81/tcp"),
    ([{"IP": "::", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
      {"PrivatePort": 53, "Type": "udp"}], "53/udp, [::]:8080->80/tcp"),
])
def test_displayable_ports(ports: list, expected: str) -> None:
    assert displayable_ports(ports) == expected


@pytest.mark.parametrize("image, image_id, expected", [
    ("busybox", "sha256:aaa", "busybox"),
    ("docker.io/library/busybox:1.35", "sha256:aaa", "busybox:1.35"),
    ("registry.local:5000/team/app@sha256:" + "a" * 64, "sha256:bbb", "registry.local:5000/team/app"),
    ("", "sha256:aaa", "<no image>"),
    ("sha256:" + "c" * 64, "sha256:" + "c" * 64, "c" * 12),
])
def test_image_column(image: str, image_id: str, expected: str) -> None:
    assert ContainerRow({"Image": image, "ImageID": image_id}).Image() == expected


def test_names_skip_legacy_links() -> None:
    row = ContainerRow({"Names": ["/other/alias", "/web"]})
    assert row.Names() == "web"
    assert ContainerRow({"Names": ["/other/alias", "/web"]}, trunc=False).Names() == "other/alias,web"


IMAGE = {"Id": "sha256:5feb00dff0192e19a2560d0c618cdb1b5656a0b9fc70ffcf1472047c280ddbdd", "Created": int(NOW) - 60,
         "Size": 1984230, "SharedSize": -1, "Containers": -1,
         "RepoTags": ["busybox:latest", "my/img:1"], "RepoDigests": []}
DANGLING = {"Id": "sha256:" + "d" * 64, "Created": 0, "Size": 100, "RepoTags": None, "RepoDigests": None}


def test_images_table(docker) -> None:
    docker.router.add("GET", "/images/json", MockResponse.json([IMAGE, DANGLING]))
    assert docker("images").out.splitlines() == [
        "REPOSITORY   TAG       IMAGE ID       CREATED              SIZE",
        "busybox      latest    5feb00dff019   About a minute ago   1.98MB",
        "my/img       1         5feb00dff019   About a minute ago   1.98MB",
        "<none>       <none>    dddddddddddd   56 years ago         100B",
    ]


def test_images_quiet_repeats_per_tag_and_filters_by_reference(docker) -> None:
    docker.router.add("GET", "/images/json", MockResponse.json([IMAGE]))
    assert docker("image", "ls", "-q", "busybox").out == "5feb00dff019\n5feb00dff019\n"
    assert json.loads(docker.transport.requests[-1].query["filters"]) == {"reference": {"busybox": True}}


def test_images_json_escapes_html_like_docker(docker) -> None:
    docker.router.add("GET", "/images/json", MockResponse.json([IMAGE]))
    line = docker("images", "--format", "{{json .}}").out.splitlines()[0]
    assert '"Digest":"\\u003cnone\\u003e"' in line
    assert '"VirtualSize":"1.984MB"' in line


def test_history_table_and_raw(docker) -> None:
    item = {"Id": IMAGE["Id"], "Created": 1795627460, "CreatedBy": "/bin/sh -c #(nop) \tCMD [\"sh\"] and more words here",
            "Size": 1984230, "Comment": "Imported from -", "Tags": ["busybox:latest"]}
    docker.router.add("GET", "/images/busybox/history", MockResponse.json([item, {**item, "Id": "<missing>"}]))
    lines = docker("history", "busybox").out.splitlines()
    assert lines[0].split() == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"]
    assert lines[1].startswith("5feb00dff019   ")
    assert "/bin/sh -c #(nop)  CMD [\"sh\"] and more words…" in lines[1]
    assert lines[2].startswith("<missing>      ")
    raw = docker("history", "-H=false", "--no-trunc", "busybox").out.splitlines()
    assert raw[0].split()[:3] == ["IMAGE", "CREATED", "AT"]
    assert "2026-11-25T17:24:20Z" in raw[1] and " 1984230 " in raw[1]
    assert raw[1].startswith(IMAGE["Id"])


def test_history_of_an_unknown_creation_time(docker) -> None:
    docker.router.add("GET", "/images/x/history", MockResponse.json([{"Id": "sha256:" + "e" * 64, "Created": 0,
                                                                       "CreatedBy": "", "Size": 0, "Comment": ""}]))
    assert docker("history", "x").out.splitlines()[1].split() == ["eeeeeeeeeeee", "N/A", "0B"]

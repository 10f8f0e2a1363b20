import pytest

from sandbox.client import EngineClient, EngineError, MockResponse, MockRouter, MockTransport, Stream, encode_frame


def test_exec_create_body_matches_the_cli(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/containers/c/exec", MockResponse.json({"Id": "e1"}, status=201))
    assert client.exec.create("c", ["ls", "-l"], stdin=True, tty=True, env=["A=1"], workdir="/tmp")["Id"] == "e1"
    assert transport.requests[-1].json() == {
        "User": "", "Privileged": False, "Tty": True, "AttachStdin": True, "AttachStderr": True,
        "AttachStdout": True, "Detach": False, "DetachKeys": "", "Env": ["A=1"], "WorkingDir": "/tmp",
        "Cmd": ["ls", "-l"]}


def test_exec_start_is_hijacked_with_a_json_body(client: EngineClient, router: MockRouter,
                                                 transport: MockTransport) -> None:
    router.add("POST", "/exec/e1/start", MockResponse.hijacked(lambda s: s.sendall(encode_frame(1, b"ok"))))
    with client.exec.start("e1") as stream:
        assert list(stream.output()) == [(Stream.STDOUT, b"ok")]
    request = transport.requests[-1]
    assert request.json() == {"Detach": False, "Tty": False}
    assert request.headers["Upgrade"] == "tcp"


def test_exec_in_a_stopped_container_is_a_conflict(client: EngineClient, router: MockRouter) -> None:
    router.add("POST", "/containers/c/exec", MockResponse.error(409, "Container c is not running"))
    with pytest.raises(EngineError) as info:
        client.exec.create("c", ["true"])
    assert info.value.status == 409


def test_exec_inspect_and_resize(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/exec/e1/json", MockResponse.json({"ExitCode": 3, "Running": False}))
    router.add("POST", "/exec/e1/resize", MockResponse(201))
    assert client.exec.inspect("e1")["ExitCode"] == 3
    client.exec.resize("e1", height=10, width=20)
    assert transport.requests[-1].query == {"h": "10", "w": "20"}


def test_exec_detached_start(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/exec/e1/start", MockResponse(200))
    client.exec.start_detached("e1")
    assert transport.requests[-1].json() == {"Detach": True, "Tty": False}
    assert "Upgrade" not in transport.requests[-1].headers


def test_images_list_inspect_history(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("GET", "/images/json", MockResponse.json([{"Id": "sha256:1"}]))
    router.add("GET", "/images/library/busybox:latest/json", MockResponse.json({"Id": "sha256:1"}))
    router.add("GET", "/images/busybox/history", MockResponse.json([{"Id": "sha256:1"}]))
    assert client.images.list(all=True, filters={"dangling": "true"})[0]["Id"] == "sha256:1"
    assert transport.requests[-1].query == {"all": "1", "filters": '{"dangling":{"true":true}}'}
    assert client.images.inspect("library/busybox:latest")["Id"] == "sha256:1"
    assert client.images.history("busybox") == [{"Id": "sha256:1"}]


def test_image_tag_remove_prune(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/images/busybox/tag", MockResponse(201))
    router.add("DELETE", "/images/x:1", MockResponse.json([{"Untagged": "x:1"}, {"Deleted": "sha256:2"}]))
    router.add("POST", "/images/prune", MockResponse.json({"ImagesDeleted": None, "SpaceReclaimed": 0}))
    client.images.tag("busybox", "docker.io/library/x", "1")
    assert transport.requests[-1].query == {"repo": "docker.io/library/x", "tag": "1"}
    assert client.images.remove("x:1", force=True) == [{"Untagged": "x:1"}, {"Deleted": "sha256:2"}]
    assert transport.requests[-1].query == {"force": "1"}
    assert client.images.prune()["SpaceReclaimed"] == 0


def test_pull_stream_and_failure(client: EngineClient, router: MockRouter, transport: MockTransport) -> None:
    router.add("POST", "/images/create", MockResponse.ndjson([{"status": "Pulling from library/busybox", "id": "latest"},
                                                             {"status": "Status: Image is up to date"}]))
    assert len(client.images.pull("docker.io/library/busybox", tag="latest")) == 2
    request = transport.requests[-1]
    assert request.query == {"fromImage": "docker.io/library/busybox", "tag": "latest"}
    assert request.headers["X-Registry-Auth"] == "e30="
    router.add("POST", "/images/create", MockResponse.ndjson([{"error": "e", "errorDetail": {"message": "no such"}}]))
    with pytest.raises(EngineError) as info:
        client.images.pull("nope")
    assert info.value.message == "no such"


def test_system_df_and_version(client: EngineClient, router: MockRouter) -> None:
    router.add("GET", "/system/df", MockResponse.json({"LayersSize": 1}))
    assert client.df() == {"LayersSize": 1}

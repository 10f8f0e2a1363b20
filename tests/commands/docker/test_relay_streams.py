"""The relay with real descriptors: a feeder that lets go, and raw-mode detaching."""

import io
import os
import pty
import socket
import termios
import threading

from sandbox.client import MockResponse, encode_frame
from sandbox.commands.docker import main
from tests.client.daemons import wait_for

CID = "d" * 64


def _run_engine(docker, serve) -> None:
    docker.router.add("POST", "/containers/create", MockResponse.json({"Id": CID, "Warnings": []}, status=201))
    docker.router.add("POST", f"/containers/{CID}/attach", MockResponse.hijacked(serve))
    docker.router.add("POST", f"/containers/{CID}/wait", MockResponse.json({"StatusCode": 2}))
    docker.router.add("POST", f"/containers/{CID}/start", MockResponse(204))


def test_stdin_reader_stops_when_the_container_ends(docker) -> None:
    _run_engine(docker, lambda sock: sock.sendall(encode_frame(1, b"bye\n")))
    r, w = os.pipe()  # stays open: a REPL's stdin that the container never reads to the end
    out = io.StringIO()
    with os.fdopen(r) as stdin:
        code = main(["run", "-i", "--rm", "busybox", "sh"], client=docker.client, stdout=out,
                    stderr=io.StringIO(), stdin=stdin)
    os.close(w)
    assert (code, out.getvalue()) == (2, "bye\n")
    assert not [t for t in threading.enumerate() if t.name == "stdin" and t.is_alive()]


def test_detach_keys_end_an_interactive_session(docker) -> None:
    received: list[bytes] = []
    done = threading.Event()

    def serve(sock: socket.socket) -> None:
        sock.sendall(b"prompt# ")
        data = b""
        while b"abc" not in data:
            chunk = sock.recv(100)
            if not chunk:
                break
            data += chunk
        received.append(data)
        done.wait(10)

    _run_engine(docker, serve)
    master, slave = pty.openpty()
    out = io.StringIO()
    def type_when_raw() -> None:
        # Type only once the relay made the terminal raw: a cooked terminal would eat ^Q
        # (flow control) before anyone read it.
        wait_for(lambda: not termios.tcgetattr(slave)[3] & termios.ICANON, "raw mode", timeout=10)
        os.write(master, b"abc\x10\x11")   # text, then ctrl-p ctrl-q

    typist = threading.Thread(target=type_when_raw, daemon=True)
    typist.start()
    try:
        with os.fdopen(os.dup(slave), "r") as stdin:
            code = main(["run", "-it", "busybox", "sh"], client=docker.client, stdout=out, stderr=io.StringIO(),
                        stdin=stdin)
    finally:
        done.set()
        typist.join(timeout=10)
        os.close(master)
        os.close(slave)
    assert code == 0
    # The fake engine's thread may still be reading when the client has detached.
    wait_for(lambda: received, "the engine to read the typed text", timeout=10)
    assert received == [b"abc"]
    assert "prompt# " in out.getvalue()

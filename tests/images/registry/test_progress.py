"""Docker's progress messages and our plain-text per-layer renderer."""

from __future__ import annotations

import io

from sandbox.errors import RegistryUnavailable
from sandbox.images.registry import ProgressEvent, ProgressRenderer, error_message, progress_bar
from sandbox.images.registry.progress import human_size


def test_human_sizes_like_docker() -> None:
    assert [human_size(n) for n in (0, 512, 1000, 524288, 2152262, 3 * 10**9)] == \
        ["0B", "512B", "1kB", "524.3kB", "2.152MB", "3GB"]


def test_progress_bar() -> None:
    assert progress_bar(0, 100) == "[>" + " " * 50 + "]       0B/100B"
    assert progress_bar(50, 100) == "[" + "=" * 25 + ">" + " " * 25 + "]      50B/100B"
    assert progress_bar(100, 100) == "[" + "=" * 50 + ">]     100B/100B"
    assert progress_bar(150, 100).endswith("]     150B")  # more than announced: no total
    assert progress_bar(1234, None) == " 1.234kB"


def test_event_dicts_are_dockers() -> None:
    assert ProgressEvent("Pulling fs layer", id="abc").to_dict() == \
        {"status": "Pulling fs layer", "progressDetail": {}, "id": "abc"}
    d = ProgressEvent("Downloading", id="abc", current=5, total=10).to_dict()
    assert d["progressDetail"] == {"current": 5, "total": 10} and d["progress"].startswith("[=" * 1)
    assert ProgressEvent("Digest: sha256:x").to_dict() == {"status": "Digest: sha256:x"}
    assert ProgressEvent("", aux={"Tag": "1"}).to_dict() == {"progressDetail": {}, "aux": {"Tag": "1"}}
    assert ProgressEvent.from_dict(d) == ProgressEvent("Downloading", id="abc", current=5, total=10)
    assert error_message(RegistryUnavailable("r", "gone")) == {
        "errorDetail": {"message": "cannot talk to the registry r: gone"},
        "error": "cannot talk to the registry r: gone"}


def test_terminal_rendering_redraws_each_layer_in_place() -> None:
    out = io.StringIO()
    render = ProgressRenderer(out, tty=True)
    render(ProgressEvent("Pulling from library/busybox", id="latest"))
    render({"status": "Pulling fs layer", "progressDetail": {}, "id": "aaa"})
    render(ProgressEvent("Pulling fs layer", id="bbb"))
    render(ProgressEvent("Downloading", id="aaa", current=1, total=2))
    render(ProgressEvent("Pull complete", id="bbb"))
    render(ProgressEvent("Digest: sha256:x"))
    text = out.getvalue()
    lines = text.split("\n")
    assert lines[1] == "\x1b[2Kaaa: Pulling fs layer"
    # "aaa" is two lines above the cursor: up 2, rewrite, down 2.
    assert "\x1b[2A\r\x1b[2Kaaa: Downloading [" in text and "1B/2B\r\x1b[2B" in text
    assert "\x1b[1A\r\x1b[2Kbbb: Pull complete\r\x1b[1B" in text
    assert text.endswith("\x1b[2KDigest: sha256:x\n")


def test_plain_rendering_prints_status_changes_only() -> None:
    out = io.StringIO()
    render = ProgressRenderer(out)  # a StringIO is no terminal
    for event in [ProgressEvent("Pulling fs layer", id="aaa"),
                  ProgressEvent("Downloading", id="aaa", current=1, total=3),
                  ProgressEvent("Downloading", id="aaa", current=2, total=3),
                  ProgressEvent("Pull complete", id="aaa"),
                  ProgressEvent("Status: Downloaded newer image for busybox:latest")]:
        render(event)
    render({"error": "boom", "errorDetail": {"message": "boom"}})
    assert out.getvalue() == ("aaa: Pulling fs layer\naaa: Downloading\naaa: Pull complete\n"
                              "Status: Downloaded newer image for busybox:latest\nboom\n")
    assert "\x1b" not in out.getvalue()

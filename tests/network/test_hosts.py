"""Managed hosts and resolv.conf files (pure, no root)."""

from __future__ import annotations

from pathlib import Path

from sandbox.network import hosts


def test_render_hosts_has_localhost_first_and_no_duplicates() -> None:
    entry = hosts.HostEntry("10.1.0.2", ("web", "alias"))
    text = hosts.render_hosts([entry, entry])
    lines = text.splitlines()
    assert lines[0] == "127.0.0.1\tlocalhost"
    assert lines.count("10.1.0.2\tweb alias") == 1
    assert text.endswith("\n")


def test_write_in_place_keeps_the_inode_and_reports_changes(tmp_path: Path) -> None:
    path = tmp_path / "c" / "hosts"
    assert hosts.write_in_place(path, "a much longer first version\n")
    inode = path.stat().st_ino
    assert hosts.write_in_place(path, "short\n")
    assert path.read_text() == "short\n"  # truncated, no tail of the old content
    assert path.stat().st_ino == inode
    assert not hosts.write_in_place(path, "short\n")


def test_resolv_conf_filters_loopback_and_keeps_search_and_options() -> None:
    text = "nameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.53\noptions edns0\n; comment\n"
    assert hosts.render_resolv_conf(text) == "nameserver 10.0.0.53\noptions edns0\n"


def test_resolv_conf_falls_back_when_only_loopback_servers_remain() -> None:
    assert hosts.render_resolv_conf("nameserver 127.0.0.53\n") == ""
    assert hosts.render_resolv_conf("nameserver 127.0.0.53\nsearch x\n", ("10.0.0.1",)) == \
        "nameserver 10.0.0.1\nsearch x\n"


def test_host_resolv_text_reads_systemd_upstreams_behind_a_stub(tmp_path: Path) -> None:
    stub, upstream = tmp_path / "resolv.conf", tmp_path / "upstream.conf"
    stub.write_text("nameserver 127.0.0.53\n")
    upstream.write_text("nameserver 10.1.1.1\n")
    assert hosts.host_resolv_text(stub, upstream) == "nameserver 10.1.1.1\n"
    stub.write_text("nameserver 10.2.2.2\n")
    assert hosts.host_resolv_text(stub, upstream) == "nameserver 10.2.2.2\n"
    assert hosts.host_resolv_text(tmp_path / "missing", upstream) == ""

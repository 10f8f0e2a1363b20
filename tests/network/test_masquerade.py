"""The masquerade rules are rendered and handed to a runner; no test runs nft for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import NetlinkFailed
from sandbox.network import NetworkManager
from sandbox.network.fake import FakeLinks
from sandbox.network.masquerade import Masquerade, MasqueradeNet, render_removal, render_ruleset


def test_ruleset_masquerades_each_subnet_and_isolates_bridges() -> None:
    text = render_ruleset("sbx", [MasqueradeNet("web", "10.1.0.0/24", "br-1")], ["br-1", "br-2"])
    assert text.startswith("table ip sbx\ndelete table ip sbx\ntable ip sbx {\n")
    assert 'ip saddr 10.1.0.0/24 oifname != "br-1" masquerade comment "web"' in text
    assert 'iifname "br-2" oifname != "br-2" oifname { "br-1", "br-2" } drop' in text
    assert render_removal("sbx") == "table ip sbx\ndelete table ip sbx\n"


def test_apply_refuses_without_ip_forward(tmp_path: Path) -> None:
    flag = tmp_path / "ip_forward"
    flag.write_text("0\n")
    scripts: list[str] = []
    masq = Masquerade("sbx", scripts.append, ip_forward=flag)
    with pytest.raises(NetlinkFailed, match="ip_forward"):
        masq.apply([], [])
    assert scripts == []
    flag.write_text("1\n")
    masq.apply([MasqueradeNet("web", "10.1.0.0/24", "br-1")], ["br-1"])
    assert "masquerade" in scripts[0]


def test_the_manager_keeps_the_table_in_step_only_when_enabled(tmp_path: Path, tag: str,
                                                               fake_links: FakeLinks) -> None:
    from sandbox.network import NetworkOptions

    scripts: list[str] = []
    off = NetworkManager(tmp_path / "off", links=fake_links, nft_runner=scripts.append,
                         options=NetworkOptions(default_bridge=tag + "d0", bridge_prefix=tag + "b"))
    off.create("web")
    assert scripts == []

    opts = NetworkOptions(default_bridge=tag + "e0", bridge_prefix=tag + "c", masquerade=True,
                          pool="10.215.0.0/16")
    on = NetworkManager(tmp_path / "on", links=fake_links, nft_runner=scripts.append, options=opts)
    on.masquerade.ip_forward = tmp_path / "fwd"
    on.masquerade.ip_forward.write_text("1")
    net = on.create("web2")
    on.create("sealed", internal=True)
    assert "ip saddr 10.215.0.0/24" in scripts[0] and "sealed" not in scripts[-1]
    on.remove(net.id)
    assert "10.215.0.0/24" not in scripts[-1]
    on.teardown()
    assert scripts[-1] == render_removal("sandbox")

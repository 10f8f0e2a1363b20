"""``sandbox image …``: build the offline base images and look at the store."""

from __future__ import annotations

import argparse

from sandbox.config import Settings


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sandbox image", description="The local image store.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("bootstrap", help="build base images offline: busybox:latest (and debian:bookworm)")
    b.add_argument("--debian", action="store_true",
                   help="also build debian:bookworm with mmdebstrap (minbase; needs the Debian mirror)")
    b.add_argument("--if-missing", action="store_true", help="skip images that already exist")
    sub.add_parser("ls", help="list images")
    return p


def main(argv: list[str], settings: Settings | None = None) -> int:
    from sandbox.errors import ImageUnknown
    from sandbox.storage import Store

    args = build_parser().parse_args(argv)
    settings = settings or Settings.from_env()
    store = Store(settings.store_root)
    if args.command == "ls":
        print(f"{'REPOSITORY:TAG':<30} {'IMAGE ID':<14} {'SIZE':>10}")
        for img in store.images():
            for tag in img.tags or ["<none>:<none>"]:
                print(f"{tag:<30} {img.short_id:<14} {img.size / 1e6:>8.1f}MB")
        return 0

    from sandbox.images.bootstrap import bootstrap_busybox, bootstrap_debian

    wanted = [("busybox:latest", bootstrap_busybox)]
    if args.debian:
        wanted.append(("debian:bookworm", bootstrap_debian))
    for tag, build in wanted:
        if args.if_missing:
            try:
                store.image(tag)
                print(f"{tag}: already there")
                continue
            except ImageUnknown:
                pass
        img = build(store, tag)
        print(f"{tag}: {img.id}")
    return 0

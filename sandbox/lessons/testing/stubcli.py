"""The stub ``docker`` that host shells see in tests: runs FakeDocker on the world file
named by ``FAKE_DOCKER_WORLD`` and writes the world back."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from .docker import FakeDocker
    from .world import FakeWorld

    path = Path(os.environ["FAKE_DOCKER_WORLD"])
    world = FakeWorld.load(path)
    code, output = FakeDocker(world).run_argv(argv)
    world.save(path)
    stream = sys.stdout if code == 0 else sys.stderr
    stream.write(output)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``python -m sandbox.commands.docker …``: our docker as a process (pty tests, scripts)."""

import sys

from sandbox.commands.docker import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

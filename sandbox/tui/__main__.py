"""``python -m sandbox.tui [learn [LESSON]] [--lang en|zh]``: the TUI without the composition
root (tests in tmux and the start-up benchmark use it)."""

import sys

from sandbox.tui.app import main

sys.exit(main())

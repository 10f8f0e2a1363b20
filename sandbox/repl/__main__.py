"""``python -m sandbox.repl``: the same as ``sandbox shell``."""

import sys

from sandbox.repl import main

sys.exit(main(sys.argv[1:]))

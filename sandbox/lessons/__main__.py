"""``python -m sandbox.lessons …``: the lessons CLI without the composition root."""

from sandbox.lessons.cli import main

raise SystemExit(main())

"""``python -m emulator`` is the same front door as the console script."""

from emulator.cli import main

raise SystemExit(main())

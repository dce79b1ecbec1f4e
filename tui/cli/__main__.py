"""python -m tui.cli: the same entry point as the asr-console script."""

from tui.cli import main

main()

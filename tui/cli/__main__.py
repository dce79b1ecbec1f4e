"""`python -m tui.cli` runs the command line."""

from tui.cli import main

main()

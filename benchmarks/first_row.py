"""Start the console (or the empty app) and exit at once when the driver is handed the write that
completes MARKER on the terminal: under callgrind, the instructions from process start to the first
data row (`paint_ab.py` runs it in a 120x40 pty).

    python benchmarks/first_row.py MARKER console --db DB
    python benchmarks/first_row.py empty-app-ready empty
"""

from __future__ import annotations

import os
import re
import runpy
import sys
from pathlib import Path

from textual.drivers import _writer_thread

ANSI = re.compile(
    r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])"
)


def main() -> None:
    marker, what, *args = sys.argv[1:]
    written: list[str] = []
    inner = _writer_thread.WriterThread.write

    def write(self, text: str) -> None:
        written.append(text)
        if marker in ANSI.sub("", "".join(written)):
            os._exit(0)
        inner(self, text)

    _writer_thread.WriterThread.write = write
    if what == "console":
        sys.argv = ["asr-console", *args]
        from tui.cli import main as console

        console()
    else:
        runpy.run_path(str(Path(__file__).with_name("empty_app.py")), run_name="__main__")
    raise SystemExit(f"exited without writing {marker!r}")


if __name__ == "__main__":
    main()

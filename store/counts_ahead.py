"""The console's first counts, read on a thread of their own while the console loads its modules.

Counting a vault's machines per status walks half an index (about 4 ms at 100,000 machines with a
cold cache): the one query the first frame waits for. SQLite lets go of the GIL while it counts,
so on its own thread the count runs on another core while the console imports Textual, and the
first frame takes the answer (store/service_fleet.py). The console counts again as soon as it is
live, so a commit made in between is shown a moment later, as any other process's commit is."""

from __future__ import annotations

import threading
from pathlib import Path

from store import fleet
from store.db import reader
from store.queries import ItemQuery

Counts = tuple[dict[str, int], tuple[str, None] | None]


class CountsAhead:
    """`fleet.match_counts(q)`, read on its own thread and read-only connection."""

    def __init__(self, path: Path, q: ItemQuery) -> None:
        self.query = q
        self._counts: Counts | None = None
        self._thread = threading.Thread(
            target=self._read, args=(path,), name="counts-ahead", daemon=True
        )
        self._thread.start()

    def _read(self, path: Path) -> None:
        try:
            conn = reader(path)
            try:
                self._counts = fleet.match_counts(conn, self.query)
            finally:
                conn.close()
        except Exception:  # noqa: BLE001 - the asker reads them itself, and meets the failure then
            self._counts = None

    def counts(self, q: ItemQuery) -> Counts | None:
        """The counts read for `q` (waiting for them); None when they were read for another
        query or could not be read."""
        if q != self.query:
            return None
        self._thread.join()
        return self._counts

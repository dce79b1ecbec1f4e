"""The engine of a long-lived face (the console, `arm serve`): a thread that holds the engine lease,
moves engine time at its speed and performs other processes' clock requests
(store/engine/handoff.py).
"""

from __future__ import annotations

import queue
import threading
from datetime import datetime
from pathlib import Path

STEP_S = 0.1
"""Wall seconds between engine steps."""
RETRY_S = 1.0
"""How often an observer console tries to take over an engine lease that another process holds."""
BATCH_WALL_S = 0.5
"""The console's engine commits at least this often during a long skip: the console's own commands
(update, retry, cancel) run on its UI thread and wait for the engine's write transaction."""


class EngineThread:
    """Runs in a Textual thread worker with its own connection; the UI only reads what it
    commits."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.stop = threading.Event()
        self.skips: queue.SimpleQueue[datetime] = queue.SimpleQueue()
        self.holding = False
        """Whether this console holds the lease."""
        self.observing = False
        """Whether another process held the lease at this console's last try (False until the
        first try, a moment after start: the console does not claim another process meanwhile)."""
        self.error: str | None = None
        """Why the engine thread stopped (it does not restart; the console goes on without it)."""

    def skip_to(self, moment: datetime) -> None:
        """Jump engine time to `moment` (processing every event on the way) at the next step."""
        self.skips.put(moment)

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - the header says the engine stopped; the console stays usable
            self.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.holding = self.observing = False

    def _drop_skips(self) -> None:
        """Another process runs the engine: a skip asked for now is not done (nor kept for
        later)."""
        while not self.skips.empty():
            self.skips.get()

    def _run(self) -> None:
        # Imported here, on the worker thread: the first frame does not wait for the engine's
        # modules.
        from store.clock import LATEST
        from store.db import open_db
        from store.engine import handoff, lease
        from store.engine.headless import Pacer
        from store.engine.loop import advance, processed_until

        db = open_db(self.db_path)
        holder = lease.new_holder()
        pacer = Pacer()
        try:
            while not self.stop.is_set():
                if not lease.try_acquire(db, holder):
                    self.holding, self.observing = False, True
                    self._drop_skips()
                    self.stop.wait(RETRY_S)
                    pacer = Pacer()
                    continue
                self.holding, self.observing = True, False
                try:
                    if handoff.serve(db, holder):  # another process's `clock advance` / `clock set`
                        pacer = Pacer()
                except lease.LeaseLost:
                    self.holding, self.observing = False, True
                    continue
                cursor = processed_until(db.conn)
                target = pacer.target(db, cursor)
                while not self.skips.empty():
                    target = max(target, self.skips.get())
                target = min(target, LATEST)  # a skip past the end of engine time stops at it
                if target > cursor:
                    try:
                        advance(
                            db,
                            target,
                            on_batch=lambda _at: lease.renew(db, holder),
                            holder=holder,
                            batch_wall_s=BATCH_WALL_S,
                        )
                    except (
                        lease.LeaseLost
                    ):  # stalled past the lease: another process runs the engine now
                        self.holding, self.observing = False, True
                self.stop.wait(STEP_S)
        finally:
            try:
                lease.release(db, holder)
            finally:
                db.close()

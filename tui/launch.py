"""Start the console from the command line: first-run database, then the app."""

from __future__ import annotations

import gc
import sys

from tui.cli.context import Context


def run_console(ctx: Context) -> None:
    """Open the console on `ctx`'s database (creating it from the demo when it does not exist yet,
    and saying so inside the console too); exits non-zero when the console stopped on an error."""
    from tui.cli.first_run import ensure_default_db

    path = ctx.db_path()
    # The default database, or one the operator named that does not exist yet, starts as the demo
    # fleet (README: `make run ARGS="--db /tmp/demo.db"`); a named file is not created read-only.
    created = None if ctx.read_only and ctx.db else ensure_default_db(path, private_dir=not ctx.db)
    # Validate the database before the terminal switches to the app, so errors stay one line.
    from store.queries import ItemQuery
    from store.service import Service

    svc = Service.open(path, read_only=ctx.read_only, create=False)
    try:
        first = svc.check_console_ready(ctx.vault)
        # The first frame's counts, read on another core while this one loads the console.
        svc.count_ahead(ItemQuery(vault_id=first.id))
        from tui.app import ConsoleApp

        # What the imports made lives as long as the process: out of the collector's way (its
        # full collection during the first frame went through all of it, ~30 ms).
        gc.freeze()
        app = ConsoleApp(
            db_path=path,
            read_only=ctx.read_only,
            vault=ctx.vault,
            engine=True,
            greeting=created,
            service=svc,
        )
    except BaseException:
        svc.close()
        raise
    app.run()
    if app.return_code:  # it stopped on an error (said in one line: store.service.ServiceFailed)
        sys.exit(app.return_code)

"""Demo commands: guided tours (`tour`), the scenario library (`demo list`), the console in a
browser (`serve`)."""

from __future__ import annotations

import click

from tui.cli.common import (
    Context,
    db_options,
    emit_json,
    fail,
    json_option,
    pass_ctx,
    safe,
    table,
)
from tui.cli.fleet_cmds import demo


@click.command("tour")
@click.argument("name", required=False)
@click.option(
    "--auto",
    is_flag=True,
    help="Perform every step, pressing the keys visibly, instead of waiting for the presenter.",
)
@click.option("--list", "list_tours", is_flag=True, help="List the tours, one line each, and exit.")
@click.option(
    "--pace",
    type=click.FloatRange(0.2, 5.0),
    default=1.0,
    show_default=True,
    help="--auto: slower (above 1) or faster (below 1).",
)
def tour(name: str | None, auto: bool, list_tours: bool, pace: float) -> None:
    """A guided tour of one of the seed's procedures (NAME; default the first listed).

    The console opens with a narration panel, on a fresh temporary copy of the tour's scenario
    (your database is never touched). The presenter presses the keys the panel names, or ctrl+n
    (F2 in a browser) to have the tour do the step; --auto plays the whole tour by itself.
    """
    from tui.tour.catalog import TOURS, find_tour

    if list_tours:
        width = max(len(t.name) for t in TOURS)
        for t in TOURS:
            click.echo(f"{t.name:<{width}}  {t.title}")
        return
    chosen = find_tour(name)
    from tui.tour.launch import run_tour
    from tui.tour.model import STAGE

    result = run_tour(chosen, auto=auto, pace=STAGE.scaled(pace))
    if result is not None and not result.ok:
        fail(f"tour {chosen.name} stopped: {result.message}", 1)


@click.command("list")
@json_option
def demo_list(as_json: bool) -> None:
    """The demo scenarios in demo_data/, by name, with what each shows (load one with `demo load
    NAME`)."""
    from store.demo import scenarios

    found = scenarios()
    if as_json:
        emit_json([{"name": n, "description": d} for n, d in found])
        return
    table([[n, d] for n, d in found], ["NAME", "DESCRIPTION"])


# `demo list` belongs beside `demo load`; registering it here keeps this feature in one module.
demo.add_command(demo_list)


@click.command("serve")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default keeps the console to this machine.",
)
@click.option(
    "--public-url",
    default=None,
    help=(
        "The URL browsers reach the server by, when it differs "
        "from http://HOST:PORT (a proxy, or --host 0.0.0.0)."
    ),
)
@click.option(
    "--tour",
    "tour_name",
    default=None,
    help=(
        "Serve a guided tour (see `tour --list`) instead of "
        "the console; each browser tab gets a fresh copy of its scenario."
    ),
)
@click.option("--auto", is_flag=True, help="With --tour: the tour performs every step itself.")
@db_options
@pass_ctx
def serve(
    ctx: Context,
    port: int,
    host: str,
    public_url: str | None,
    tour_name: str | None,
    auto: bool,
    db: str | None,
    vault: str | None,
    read_only: bool | None,
) -> None:
    """The console in a web browser (textual-serve), at http://127.0.0.1:8000 by default.

    Open the URL it prints: it carries a secret token, new each run; requests without it, from
    another page's origin or by another host name are refused (403). Every browser tab runs its
    own console on the same database; the first one runs the engine.
    """
    from tui import serve as web

    ctx = ctx.merged(db, vault, read_only)
    if auto and not tour_name:
        raise click.UsageError("--auto goes with --tour")
    if tour_name:
        from tui.tour.catalog import find_tour

        argv = web.tour_argv(find_tour(tour_name).name, auto=auto)
    else:
        path = ctx.db_path()
        if not ctx.db:
            from tui.cli.first_run import ensure_default_db

            ensure_default_db(path)
        from store.service import Service

        with Service.open(
            path, read_only=ctx.read_only, create=False
        ) as svc:  # one-line errors before serving
            if ctx.vault:
                svc.vault(ctx.vault)
        argv = web.console_argv(path, vault=ctx.vault, read_only=ctx.read_only)
    web.check_port(host, port)
    if not web.is_loopback(host):
        click.echo(
            f"asr-console: warning: {safe(host)} is reachable from other machines; anyone who "
            "has the printed URL controls the console.",
            err=True,
        )
    web.serve(argv, host=host, port=port, public_url=public_url)

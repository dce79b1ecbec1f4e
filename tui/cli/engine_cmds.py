"""engine run: the headless engine (nightly runs and jobs without a console)."""

from __future__ import annotations

import click

from tui.cli.common import Context, db_options, emit_json, json_option, pass_ctx
from tui.cli.ops_cmds import OptionsFirstGroup


@click.group("engine", cls=OptionsFirstGroup)
def engine() -> None:
    """The Site Recovery engine, headless."""


@engine.command("run")
@click.option(
    "--for",
    "engine_for",
    default=None,
    metavar="DURATION",
    help="Stop after this much ENGINE time (e.g. 1h, 2d); default: run until interrupted.",
)
@json_option
@db_options
@pass_ctx
def run(ctx: Context, engine_for, as_json, db, vault, read_only) -> None:
    """Hold the engine lease and move engine time at the clock's speed (x wall time), processing
    checks, jobs and nightly runs. One process at a time: refused (exit 1) while a console or
    another `engine run` holds the lease. Commands from other processes are picked up as it runs."""
    from store.clock import iso, parse_duration
    from tui.cli.context import terminate_as_interrupt

    ctx = ctx.merged(db, vault, read_only)
    duration = parse_duration(engine_for) if engine_for else None
    with (
        ctx.service(write=True) as svc,
        terminate_as_interrupt(),
    ):  # SIGTERM too gives the lease back
        result, interrupted = svc.run_engine(duration)
    span = result.end - result.start
    if as_json:
        emit_json(
            {
                "start": iso(result.start),
                "end": iso(result.end),
                "engine_seconds": int(span.total_seconds()),
                "checks": result.checks,
                "jobs_created": result.jobs_created,
                "started": result.started,
                "succeeded": result.succeeded,
                "failed": result.failed,
                "cancelled": result.cancelled,
                "interrupted": interrupted,
            }
        )
        return
    click.echo(
        f"Engine ran {iso(result.start)} -> {iso(result.end)} ({span} of engine time)"
        f"{' until interrupted' if interrupted else ''}: {result.summary()}."
    )

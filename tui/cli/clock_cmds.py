"""clock: show engine time (and, with the engine, move it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import click

from tui.cli.common import (
    Context,
    db_options,
    emit_json,
    fail,
    json_option,
    pass_ctx,
    safe,
    service_command,
)

if TYPE_CHECKING:
    from store.outcomes import AdvanceResult
    from store.service import Service


@click.group(invoke_without_command=True)
@json_option
@db_options
@pass_ctx
@click.pass_context
def clock(click_ctx: click.Context, ctx: Context, as_json, db, vault, read_only) -> None:
    """Engine time: show it (the default), or move it."""
    click_ctx.obj = ctx.merged(db, vault, read_only)
    if click_ctx.invoked_subcommand is None:
        click_ctx.invoke(show, as_json=as_json, db=None, vault=None, read_only=None)


def _print_clock(data: dict, **_) -> None:
    state = "paused" if data["paused"] else "running"
    click.echo(f"Engine time {data['now']} ({data['mode']}, {data['speed']:g}x, {state})")
    for v in data["vaults"]:
        click.echo(f"  {safe(v['name'])}: {v['local_time']} ({v['time_zone']})")


@clock.command("show")
@service_command(text=_print_clock)
def show(svc: Service, ctx: Context) -> dict:
    """Engine time now, in UTC and in each vault's local time."""
    return svc.clock_json(ctx.vault)


def _moved(ctx: Context, as_json: bool, result) -> None:
    """After advance/set: the clock as `clock show` prints it, and what happened on the way."""
    from store.clock import iso

    with ctx.service() as svc:
        data = svc.clock_json(ctx.vault)
    if as_json:
        emit_json(
            {
                **data,
                "from": iso(result.start),
                "processed": {
                    "checks": result.checks,
                    "jobs_created": result.jobs_created,
                    "started": result.started,
                    "succeeded": result.succeeded,
                    "failed": result.failed,
                    "cancelled": result.cancelled,
                },
            }
        )
        return
    click.echo(f"Engine time {data['now']} (was {iso(result.start)}): {result.summary()}.")


def _move(ctx: Context, as_json: bool, move: Callable[[Service], AdvanceResult]) -> None:
    """Run `move` (advance or set). Interrupted (^C, SIGTERM), it says where engine time got to:
    every batch committed before the signal is kept, and the lease is given back."""
    from store.clock import iso
    from tui.cli.context import Terminated, terminate_as_interrupt

    with ctx.service(write=True) as svc, terminate_as_interrupt():
        try:
            result = move(svc)
        except KeyboardInterrupt as stop:
            term = isinstance(stop, Terminated)
            fail(
                f"{'terminated' if term else 'interrupted'} at {iso(svc.clock().now)}; the advance"
                " up to there is kept",
                Terminated.exit_code if term else 130,
            )
    _moved(ctx, as_json, result)


@clock.command(
    "advance", context_settings={"ignore_unknown_options": True}
)  # "-5m": a duration, said so
@click.argument("duration")
@json_option
@db_options
@pass_ctx
def advance(ctx: Context, duration, as_json, db, vault, read_only) -> None:
    """Move simulated engine time forward by DURATION (30m, 1h30m, 2d), processing every event on
    the way. While a console, `engine run` or `arm serve` holds the engine, it does the move."""
    from store.clock import parse_duration

    ctx = ctx.merged(db, vault, read_only)
    delta = parse_duration(duration)
    _move(ctx, as_json, lambda svc: svc.clock_advance(delta))


@clock.command("set")
@click.argument("moment")
@json_option
@db_options
@pass_ctx
def set_(ctx: Context, moment, as_json, db, vault, read_only) -> None:
    """Move engine time to MOMENT (ISO; without an offset, --vault's local time). Never back."""
    from store.clock import parse_moment

    ctx = ctx.merged(db, vault, read_only)

    def move(svc: Service) -> AdvanceResult:
        try:
            naive = datetime.fromisoformat(moment.strip()).tzinfo is None
        except ValueError:
            naive = False  # parse_moment says what is wrong with it
        tz = svc.vault(ctx.vault).time_zone if naive else "UTC"
        return svc.clock_advance_to(parse_moment(moment, tz))

    _move(ctx, as_json, move)


@clock.command(
    "speed", context_settings={"ignore_unknown_options": True}
)  # "-1": a factor, out of range
@click.argument("factor", type=float)
@service_command(
    write=True, json=False, text=lambda _r, factor: click.echo(f"Engine speed {factor:g}x")
)
def speed(svc: Service, _ctx: Context, factor) -> None:
    """Engine seconds per wall second while a console or `engine run` moves time."""
    svc.clock_speed(factor)


def _pause_command(name: str, paused: bool):
    @clock.command(
        name,
        help=(
            f"{'Stop' if paused else 'Restart'} engine time (it moves only while "
            "a console or `engine run` holds the lease)."
        ),
    )
    @service_command(
        write=True,
        json=False,
        text=lambda _r: click.echo("Engine time paused" if paused else "Engine time running"),
    )
    def command(svc: Service, _ctx: Context) -> None:
        svc.clock_pause(paused)

    return command


pause = _pause_command("pause", True)
resume = _pause_command("resume", False)

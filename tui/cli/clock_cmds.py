"""clock: show engine time (and, with the engine, move it)."""

from __future__ import annotations

import click

from tui.cli.common import Context, db_options, emit_json, json_option, pass_ctx


@click.group(invoke_without_command=True)
@json_option
@db_options
@pass_ctx
@click.pass_context
def clock(click_ctx: click.Context, ctx: Context, as_json, db, vault, read_only) -> None:
    """Engine time: show it (the default), or move it."""
    click_ctx.obj = ctx.merged(db, vault, read_only)
    if click_ctx.invoked_subcommand is None:
        _show(click_ctx.obj, as_json)


@clock.command("show")
@json_option
@db_options
@pass_ctx
def show(ctx: Context, as_json, db, vault, read_only) -> None:
    """Engine time now, in UTC and in each vault's local time."""
    _show(ctx.merged(db, vault, read_only), as_json)


def _show(ctx: Context, as_json: bool) -> None:
    svc = ctx.service()
    try:
        data = svc.clock_json(ctx.vault)
    finally:
        svc.close()
    if as_json:
        emit_json(data)
        return
    state = "paused" if data["paused"] else "running"
    click.echo(f"Engine time {data['now']} ({data['mode']}, {data['speed']:g}x, {state})")
    for v in data["vaults"]:
        click.echo(f"  {v['name']}: {v['local_time']} ({v['time_zone']})")

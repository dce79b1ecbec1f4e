"""sim: change the simulated world (never the service's view: it notices at its next check)."""

from __future__ import annotations

import click

from tui.cli.common import Context, db_options, emit_json, json_option, pass_ctx, safe
from tui.cli.ops_cmds import OptionsFirstGroup


@click.group("sim", cls=OptionsFirstGroup)
def sim() -> None:
    """The simulated fleet: releases, reboots, connectivity, failures, hand reinstalls."""


def _run(ctx: Context, db, vault, read_only, action, *args):
    ctx = ctx.merged(db, vault, read_only)
    with ctx.service(write=True) as svc:
        return action(svc.simulator(), *args)


@sim.command("release")
@click.argument("component")
@click.argument("version")
@click.option("--requires", "requires", multiple=True, metavar="COMPONENT=VERSION",
              help="Minimum appliance component version the release needs (repeatable).")
@click.option("--channel", type=click.Choice(["ga", "private-preview"]), default="ga", show_default=True)
@json_option
@db_options
@pass_ctx
def release(ctx: Context, component, version, requires, channel, as_json, db, vault, read_only) -> None:
    """Publish a release of COMPONENT (agent or a component slug) at engine time now."""
    from store.simulator import parse_requires

    needs = parse_requires(list(requires))
    result = _run(ctx, db, vault, read_only, lambda sim: sim.release(component, version, needs, channel=channel))
    if as_json:
        emit_json(result)
    else:
        extra = f" (requires {', '.join(f'{k} >= {v}' for k, v in needs.items())})" if needs else ""
        click.echo(f"Released {component} {result['version']}{extra}.")


def _simple(name: str, doc: str, action, message: str):
    @sim.command(name, help=doc)
    @click.argument("target")
    @db_options
    @pass_ctx
    def command(ctx: Context, target, db, vault, read_only) -> None:
        result = _run(ctx, db, vault, read_only, action, target)
        click.echo(message.format(name=safe(target), result=result))

    return command


def _pending(sim, name):
    sim.pending_reboot(name)


def _reboot(sim, name):
    sim.reboot(name)


def _connect(sim, name):
    return sim.set_connected(name, True)


def _disconnect(sim, name):
    return sim.set_connected(name, False)


def _reinstall(sim, name):
    return sim.reinstall(name)


NEXT_CHECK = "the service notices at its next check"
pending_reboot = _simple("pending-reboot", "A machine gains a pending mandatory reboot.", _pending,
                         "{name} now has a pending reboot; " + NEXT_CHECK + ".")
reboot = _simple("reboot", "A machine restarts (clears a pending reboot).", _reboot,
                 "{name} restarted; " + NEXT_CHECK + ".")
connect = _simple("connect", "A machine regains its appliance, or an appliance regains Azure.", _connect,
                  "{name} ({result}) connected; " + NEXT_CHECK + ".")
disconnect = _simple("disconnect", "A machine loses its appliance, or an appliance loses Azure.", _disconnect,
                     "{name} ({result}) disconnected; " + NEXT_CHECK + ".")
reinstall = _simple("reinstall", "Reinstall the latest agent on a machine by hand.", _reinstall,
                    "{name}: agent {result} installed by hand; " + NEXT_CHECK + ".")


@sim.command("fail")
@click.argument("target")
@click.argument("code")
@db_options
@pass_ctx
def fail(ctx: Context, target, code, db, vault, read_only) -> None:
    """The next update job of a machine fails with the catalogued error CODE."""
    _run(ctx, db, vault, read_only, lambda sim: sim.fail_next(target, code))
    click.echo(f"The next update of {safe(target)} will fail with {code}.")

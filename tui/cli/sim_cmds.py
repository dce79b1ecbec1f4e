"""sim: change the simulated world (never the service's view: it notices at its next check)."""

from __future__ import annotations

import click

from tui.cli.common import Context, safe, service_command
from tui.cli.ops_cmds import OptionsFirstGroup


@click.group("sim", cls=OptionsFirstGroup)
def sim() -> None:
    """The simulated fleet: releases, reboots, connectivity, failures, hand reinstalls."""


def _requires(requires, **_) -> dict[str, str]:
    from store.simulator import parse_requires

    return parse_requires(list(requires))


def _print_release(result, component, requires, **_) -> None:
    needs = _requires(requires)
    extra = f" (requires {', '.join(f'{k} >= {v}' for k, v in needs.items())})" if needs else ""
    click.echo(f"Released {component} {result['version']}{extra}.")


@sim.command("release")
@click.argument("component")
@click.argument("version")
@click.option(
    "--requires",
    "requires",
    multiple=True,
    metavar="COMPONENT=VERSION",
    help="Minimum appliance component version the release needs (repeatable).",
)
@click.option(
    "--channel", type=click.Choice(["ga", "private-preview"]), default="ga", show_default=True
)
@service_command(write=True, check=_requires, text=_print_release)
def release(svc, _ctx: Context, component, version, requires, channel):
    """Publish a release of COMPONENT (agent or a component slug) at engine time now."""
    return svc.simulator().release(component, version, _requires(requires), channel=channel)


def _simple(name: str, doc: str, action, message: str):
    @sim.command(name, help=doc)
    @click.argument("target")
    @service_command(
        write=True,
        json=False,
        text=lambda result, target: click.echo(message.format(name=safe(target), result=result)),
    )
    def command(svc, _ctx: Context, target):
        return action(svc.simulator(), target)

    return command


NEXT_CHECK = "the service notices at its next check"
pending_reboot = _simple(
    "pending-reboot",
    "A machine gains a pending mandatory reboot.",
    lambda sim, name: sim.pending_reboot(name),
    "{name} now has a pending reboot; " + NEXT_CHECK + ".",
)
reboot = _simple(
    "reboot",
    "A machine restarts (clears a pending reboot).",
    lambda sim, name: sim.reboot(name),
    "{name} restarted; " + NEXT_CHECK + ".",
)
connect = _simple(
    "connect",
    "A machine regains its appliance, or an appliance regains Azure.",
    lambda sim, name: sim.set_connected(name, True),
    "{name} ({result}) connected; " + NEXT_CHECK + ".",
)
disconnect = _simple(
    "disconnect",
    "A machine loses its appliance, or an appliance loses Azure.",
    lambda sim, name: sim.set_connected(name, False),
    "{name} ({result}) disconnected; " + NEXT_CHECK + ".",
)
reinstall = _simple(
    "reinstall",
    "Reinstall the latest agent on a machine by hand.",
    lambda sim, name: sim.reinstall(name),
    "{name}: agent {result} installed by hand; " + NEXT_CHECK + ".",
)


@sim.command("fail")
@click.argument("target")
@click.argument("code")
@service_command(
    write=True,
    json=False,
    text=lambda _r, target, code: click.echo(
        f"The next update of {safe(target)} will fail with {code}."
    ),
)
def fail(svc, _ctx: Context, target, code) -> None:
    """The next update job of a machine fails with the catalogued error CODE."""
    svc.simulator().fail_next(target, code)

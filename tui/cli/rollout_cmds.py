"""Staged rollouts: `rollout create | list | show | pause | resume | abort`."""

from __future__ import annotations

import click

from store.vocabulary import DEFAULT_BAKE, DEFAULT_CANARY, DEFAULT_MAX_FAILURES, DEFAULT_WAVES
from tui.cli.common import Context, safe, service_command, table
from tui.cli.ops_cmds import VALUE_OPTIONS, OptionsFirstGroup

SKIPPED_SHOWN = 50
"""Text output lists at most this many skipped machines (--json lists them all)."""


class _RolloutGroup(OptionsFirstGroup):
    value_options = VALUE_OPTIONS | {
        "--canary",
        "--waves",
        "--bake",
        "--max-failures",
        "--window",
        "--status",
        "--appliance",
        "--os",
        "--match",
    }


@click.group("rollout", cls=_RolloutGroup)
def rollout() -> None:
    """Staged rollouts: a canary, waves, a bake time and a failure budget that halts."""


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        click.echo(f"asr-console: warning: {safe(w)}", err=True)


def _jobs_text(jobs: dict[str, int]) -> str:
    return ", ".join(f"{state} {n:,}" for state, n in jobs.items())


def _print(v, **_) -> None:
    click.echo(f"Rollout {safe(v.name)} ({safe(v.vault)}): {v.state}, target {v.target_version}")
    window = f"window {v.window} ({v.time_zone})" if v.window else "no window"
    click.echo(
        f"  bake {v.bake}, {window}, failures {v.failures} (budget {v.max_failures}), "
        f"{v.machines:,} machines; created by {safe(v.created_by)} at {v.created_time}"
    )
    if v.halted_reason:
        click.echo(f"  Halted: {safe(v.halted_reason)}")
    if v.bake_ends:
        click.echo(f"  Baking until {v.bake_ends}")
    if v.next_wave_at:
        click.echo(f"  Next wave at {v.next_wave_at}")
    for w in v.waves:
        label = "canary" if w.index == 0 else f"wave {w.index}"
        machines = "machines" if w.size != 1 else "machine "
        click.echo(f"  {label:<8} {w.state:<10} {w.size:>7,} {machines}  {_jobs_text(w.jobs)}")
    for s in v.skipped[:SKIPPED_SHOWN]:
        when = "at creation" if s.wave is None else f"at wave {s.wave}"
        click.echo(f"  skipped {when}: {safe(s.name)}: {safe('; '.join(s.reasons))}")
    if len(v.skipped) >= SKIPPED_SHOWN:
        click.echo("  ... (`rollout show NAME --json` lists every skipped machine)")


@rollout.command("create")
@click.argument("name")
@click.argument("names", nargs=-1)
@click.option(
    "--all-eligible", is_flag=True, help="Every machine of the vault with a newer version."
)
@click.option(
    "--status", default=None, help="Only machines with this status (e.g. update-available)."
)
@click.option("--appliance", default=None, help="Only machines replicating through this appliance.")
@click.option("--os", "os_text", default=None, help="Only machines whose OS contains TEXT.")
@click.option("--match", default=None, help="Only machines whose name contains TEXT.")
@click.option(
    "--canary", default=DEFAULT_CANARY, show_default=True, help="Machines in the canary: N or P%."
)
@click.option(
    "--waves",
    default=DEFAULT_WAVES,
    show_default=True,
    help="Cumulative shares of the machines after the canary, e.g. 25%,50%,100%.",
)
@click.option(
    "--bake",
    default=DEFAULT_BAKE,
    show_default=True,
    help="Engine time after a wave's last job before the next wave (0 for none).",
)
@click.option(
    "--max-failures",
    default=DEFAULT_MAX_FAILURES,
    show_default=True,
    help="Failed jobs allowed: N or P%; one more halts the rollout.",
)
@click.option("--window", default=None, help="Vault-local HH:MM-HH:MM when waves may start.")
@service_command(
    write=True,
    json_of=lambda made: {**made[0].model_dump(mode="json"), "warnings": made[1]},
    text=lambda made, **_: _print(made[0]),
)
def create(
    svc,
    ctx: Context,
    name,
    names,
    all_eligible,
    status,
    appliance,
    os_text,
    match,
    canary,
    waves,
    bake,
    max_failures,
    window,
):
    """Create rollout NAME over NAMES, --all-eligible, or the machines the filters choose."""
    from store.rollout_spec import RolloutSpec

    spec = RolloutSpec(
        name=name,
        vault_id=svc.vault(ctx.vault).id,
        names=tuple(names),
        all_eligible=all_eligible,
        status=status,
        appliance=appliance,
        os=os_text,
        match=match,
        canary=canary,
        waves=waves,
        bake=bake,
        max_failures=max_failures,
        window=window,
    )
    view, warnings = svc.create_rollout(spec)
    _warn(warnings)
    return view, warnings


def _listed(v) -> dict:
    return {
        "name": v.name,
        "vault": v.vault,
        "state": v.state,
        "target_version": v.target_version,
        "machines": v.machines,
        "waves": len(v.waves),
        "waves_started": sum(w.started is not None for w in v.waves),
        "failures": v.failures,
        "max_failures": v.max_failures,
        "halted_reason": v.halted_reason,
        "created_time": v.created_time,
    }


def _print_list(found, **_) -> None:
    table(
        [
            [
                v.name,
                v.vault,
                v.state,
                f"{sum(w.started is not None for w in v.waves)} of {len(v.waves)}",
                f"{v.failures} of {v.max_failures}",
                f"{v.machines:,}",
            ]
            for v in found
        ],
        ["NAME", "VAULT", "STATE", "WAVES STARTED", "FAILURES (BUDGET)", "MACHINES"],
    )
    click.echo(f"{len(found)} rollouts")


@rollout.command("list")
@service_command(json_of=lambda found: [_listed(v) for v in found], text=_print_list)
def list_(svc, ctx: Context):
    """Every rollout, newest first, with its state and progress."""
    return svc.rollouts(svc.vault_filter(ctx.vault))


@rollout.command("show")
@click.argument("name")
@service_command(text=_print)
def show(svc, _ctx: Context, name, as_json):
    """One rollout: its waves and their machines and jobs, what it skipped, why it halted."""
    return svc.rollout(name, names=as_json)


def _print_control(done, **_) -> None:
    view, cancelled = done
    said = f"Rollout {safe(view.name)}: {view.state}"
    if cancelled is not None:
        said += f"; {cancelled:,} jobs that had not started cancelled (running jobs finish)"
    click.echo(said + ".")


def _control(verb: str, doc: str):
    @rollout.command(verb, help=doc)
    @click.argument("name")
    @service_command(write=True, json_of=lambda done: done[0], text=_print_control)
    def command(svc, _ctx: Context, name):
        if verb == "abort":
            return svc.abort_rollout(name)
        return getattr(svc, f"{verb}_rollout")(name), None

    return command


pause = _control("pause", "Pause: no new wave starts (running jobs finish) until resume.")
resume = _control(
    "resume", "Resume a paused rollout, or a halted one: its next wave starts at once."
)
abort = _control("abort", "Abort: cancel the rollout's jobs that have not started, and end it.")

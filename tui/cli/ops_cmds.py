"""Operator commands: update, jobs, job, retry, cancel, auto-update, appliances, appliance,
registry, plan."""

from __future__ import annotations

import sys

import click

from store.vocabulary import JobState
from tui.cli.common import Context, safe, service_command, table

JOB_STATES = [s.value for s in JobState]
VALUE_OPTIONS = frozenset(
    {
        "--db",
        "--vault",
        "--for",
        "--state",
        "--item",
        "--limit",
        "--requires",
        "--channel",
        "--host",
        "--port",
        "--token",
        "--retry-after",
    }
)
"""Options that take a value (so the value is not mistaken for a sub-command's name)."""
TEXT_LIMIT = 50
"""Text output lists at most this many created jobs (--json lists them all)."""


def _job_line(job) -> str:
    what = f"{job.item} {job.component}" if job.component else job.item
    wait = f" ({job.waiting_reason})" if job.waiting_reason else ""
    return f"{job.id}  {job.name}  {safe(what)}  {job.state}{safe(wait)}"


def _names_or_all(names, all_eligible) -> None:
    from store.errors import BadInput

    if all_eligible == bool(names):
        raise BadInput("give machine NAMES or --all-eligible (not both)")


def _print_update(outcome, **_) -> None:
    for job in outcome.created[:TEXT_LIMIT]:
        click.echo(_job_line(job))
    if len(outcome.created) > TEXT_LIMIT:
        click.echo(f"... and {len(outcome.created) - TEXT_LIMIT} more (`jobs` lists them all)")
    click.echo(f"{len(outcome.created)} update jobs created, {len(outcome.refused)} refused.")


def _refusals(outcome) -> None:
    for refusal in outcome.refused:
        click.echo(
            f"asr-console: {safe(refusal.name)}: refused: {safe('; '.join(refusal.reasons))}",
            err=True,
        )
    if outcome.refused:
        sys.exit(1)


@click.command("update")
@click.argument("names", nargs=-1)
@click.option("--all-eligible", is_flag=True, help="Update every machine that can update now.")
@service_command(write=True, check=_names_or_all, text=_print_update, after=_refusals)
def update(svc, ctx: Context, names, all_eligible):
    """Create one Update Mobility Service job per machine (NAMES, or every eligible machine)."""
    if all_eligible:
        return svc.update_all_eligible(svc.vault_filter(ctx.vault))
    if ctx.vault:
        svc.vault(ctx.vault)
    return svc.update(list(names))


def _print_jobs(found_now, **_) -> None:
    from store.clock import span_text

    found, now = found_now
    table(
        [
            [
                j.id,
                j.name,
                f"{j.item} {j.component}" if j.component else j.item,
                j.state,
                j.start_time or "-",
                span_text(j.start_time, j.end_time, now),
                j.initiated_by,
            ]
            for j in found
        ],
        ["ID", "NAME", "ITEM", "STATE", "STARTED", "DURATION", "INITIATED BY"],
    )
    click.echo(f"{len(found)} jobs")


@click.command("jobs")
@click.option(
    "--state",
    type=click.Choice(JOB_STATES, case_sensitive=False),
    default=None,
    help="Only this state.",
)
@click.option(
    "--item", "item_name", default=None, help="Only the jobs of this machine (or appliance)."
)
@click.option(
    "--limit", type=click.IntRange(1, None), default=None, help="At most this many (newest first)."
)
@service_command(json_of=lambda found_now: found_now[0], text=_print_jobs)
def jobs(svc, ctx: Context, state, item_name, limit):
    """Site Recovery jobs, newest first."""
    from store.job_queries import JobQuery

    q = JobQuery(
        vault_id=svc.vault_filter(ctx.vault),
        state=next((s for s in JOB_STATES if state and s.lower() == state.lower()), None),
    )
    if item_name is not None:
        q = svc.jobs_of(q, item_name)
    return svc.job_views(q, limit=limit), svc.clock().now


def _print_job(job, **_) -> None:
    lines = [
        ("Job", job.id),
        ("Name", job.name),
        ("Item", job.item),
        ("Component", job.component or "-"),
        ("State", job.state),
        ("Initiated by", job.initiated_by),
        ("Created", job.created_time),
        ("Started", job.start_time or "-"),
        ("Ended", job.end_time or "-"),
        ("Versions", f"{job.from_version} -> {job.to_version}"),
        ("Retry of", job.retry_of or "-"),
    ]
    if job.waiting_reason:
        lines.append(("Waiting", job.waiting_reason))
    for label, value in lines:
        click.echo(f"{label + ':':<14}{safe(value)}")
    for t in job.tasks:
        click.echo(f"  [{t.state}] {t.name}  {t.start_time or ''} {t.end_time or ''}".rstrip())
    for e in job.errors:
        click.echo(f"  Error {e.code}: {e.message}")
        click.echo(f"    Possible causes: {e.possible_causes}")
        click.echo(f"    Recommended action: {e.recommended_action}")


@click.command("job")
@click.argument("job_id")
@service_command(text=_print_job)
def job(svc, _ctx: Context, job_id):
    """One job: its tasks, times and errors."""
    return svc.job(job_id)


def _echo_job_line(job, **_) -> None:
    click.echo(_job_line(job))


def _job_command(name: str, doc: str, action):
    @click.command(name, help=doc)
    @click.argument("job_id")
    @service_command(write=True, text=_echo_job_line)
    def command(svc, _ctx: Context, job_id):
        return action(svc, job_id)

    return command


retry = _job_command(
    "retry",
    "Retry a failed (or cancelled) job: a new job linked by retry_of.",
    lambda svc, job_id: svc.retry(job_id),
)
cancel = _job_command(
    "cancel",
    "Cancel a job: at once if not started, else at its next task boundary.",
    lambda svc, job_id: svc.cancel(job_id),
)


def _print_auto_update(result, **_) -> None:
    click.echo(
        f"Allow Site Recovery to manage (automatic agent updates) in {safe(result['vault'])}: "
        f"{'on' if result['enabled'] else 'off'}"
    )


@click.command("auto-update")
@click.argument("setting", required=False, type=click.Choice(["on", "off"]))
@service_command(write=lambda setting: setting is not None, text=_print_auto_update)
def auto_update(svc, ctx: Context, setting):
    """The vault's 'Allow Site Recovery to manage' toggle: show it, or turn it on or off."""
    v = svc.vault(ctx.vault)
    return (
        svc.set_auto_update(v.id, setting == "on")
        if setting
        else {"vault": v.name, "enabled": v.agent_auto_update}
    )


def _print_plans(plans, **_) -> None:
    for n, result in enumerate(plans):
        if n:
            click.echo()
        _echo_plan(result)


@click.command("plan")
@service_command(json_of=lambda plans: plans[0] if len(plans) == 1 else plans, text=_print_plans)
def plan(svc, ctx: Context):
    """What the next automatic run will do, and what it skips and why (every vault, without
    --vault)."""
    # --json: one vault's plan alone; several vaults' as a list (as `items` lists every vault's)
    vaults = [svc.vault(ctx.vault)] if ctx.vault or len(svc.vaults()) == 1 else svc.vaults()
    return [svc.plan(v.id) for v in vaults]


def _echo_plan(result) -> None:
    click.echo(f"Next automatic run for {safe(result.vault)}: {result.run_at}")
    for u in result.will_update:
        what = f"{u.name} {u.component}" if u.component else u.name
        note = result.check_note(u.pending_check)
        click.echo(
            f"  update  {u.kind:<9} {safe(what)}  {u.from_version} -> {u.to_version}"
            + (f"  ({note})" if note else "")
        )
    for s in result.skipped:
        what = f"{s.name} {s.component}" if s.component else s.name
        note = result.check_note(s.pending_check)
        click.echo(
            f"  skip    {s.kind:<9} {safe(what)}: {safe(s.reason)}" + (f" ({note})" if note else "")
        )
    for r in result.rollouts:
        wave = "" if r.next_wave is None else f" wave {r.next_wave}, {r.machines:,} machines,"
        when = f" at {r.at};" if r.at else ""
        click.echo(
            f"  rollout {safe(r.name)} ({r.state}):{wave}{when} waits for {safe(r.waits_for)}"
        )
    waiting = sum(1 for e in (*result.will_update, *result.skipped) if e.pending_check)
    click.echo(
        f"{len(result.will_update)} to update, {len(result.skipped)} skipped"
        + (f"; {waiting} wait for the service's next check" if waiting else "")
    )


def _print_appliances(found, **_) -> None:
    rows = []
    for a in found:
        behind = sum(1 for c in a.components if c.status != "Up to date")
        rows.append(
            [
                a.name,
                a.vault,
                a.time_zone,
                "yes" if a.azure_connected else "NO",
                "on" if a.auto_update else "off (AutoUpdate=0)",
                str(a.item_count),
                f"{behind} of 7",
            ]
        )
    table(
        rows, ["NAME", "VAULT", "TIME ZONE", "AZURE", "AUTO UPDATE", "MACHINES", "NOT UP TO DATE"]
    )


@click.command("appliances")
@service_command(text=_print_appliances)
def appliances(svc, ctx: Context):
    """Replication appliances with their components' versions and statuses."""
    return svc.appliances(svc.vault_filter(ctx.vault))


class OptionsFirstGroup(click.Group):
    """A group whose sub-commands' options may also come first (`sim --db X reboot NAME`): the
    options are handed to the sub-command. `default` names the sub-command for a bare argument."""

    default: str | None = None
    value_options: frozenset[str] = VALUE_OPTIONS
    """Options that take a value (so the value is not mistaken for a sub-command's name)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("context_settings", {})["ignore_unknown_options"] = True
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        skip = False
        for n, arg in enumerate(args):
            if skip or arg.startswith("-"):
                skip = arg in self.value_options
                continue
            if arg in self.commands:
                return arg, self.commands[arg], args[:n] + args[n + 1 :]
            break
        if self.default is not None:
            return self.default, self.commands[self.default], args
        words = [
            a
            for n, a in enumerate(args)
            if not a.startswith("-") and (n == 0 or args[n - 1] not in self.value_options)
        ]
        if not words:
            raise click.UsageError("Missing command.", ctx)
        raise click.UsageError(f"No such command {words[0]!r}", ctx)


class _ApplianceGroup(OptionsFirstGroup):
    """`appliance NAME` shows one; `appliance update NAME COMPONENT` updates a component."""

    default = "show"


@click.group("appliance", cls=_ApplianceGroup)
def appliance() -> None:
    """One appliance (`appliance NAME`), or `appliance update NAME COMPONENT`."""


def _print_appliance(found, **_) -> None:
    click.echo(
        f"{safe(found.name)} ({safe(found.vault)}, {found.time_zone}): Azure "
        f"{'connected' if found.azure_connected else 'NOT connected'}, automatic updates "
        f"{'on' if found.auto_update else 'off (AutoUpdate = 0)'}"
    )
    table(
        [[c.name, c.slug, c.version, c.latest_version or "-", c.status] for c in found.components],
        ["COMPONENT", "SLUG", "VERSION", "LATEST", "STATUS"],
    )
    for c in found.components:
        for b in c.blockers:
            click.echo(f"  {c.slug}: {b.reason}: {safe(b.message)}")
            click.echo(f"    Recommended action: {safe(b.recommended_action)}")


@appliance.command("show")
@click.argument("name")
@service_command(text=_print_appliance)
def appliance_show(svc, _ctx: Context, name):
    """One appliance: its components with version, latest, status and blocking reasons."""
    return svc.appliance(name)


@appliance.command("update")
@click.argument("name")
@click.argument("component")
@service_command(write=True, text=_echo_job_line)
def appliance_update(svc, _ctx: Context, name, component):
    """Update one component of an appliance now (a job)."""
    return svc.update_component(name, component)


@click.group("registry", cls=OptionsFirstGroup)
def registry() -> None:
    """The appliance's HKLM\\SOFTWARE\\Microsoft\\AzureAppliance values (AutoUpdate)."""


def _dword(value, **_) -> None:
    from store.errors import BadInput

    if value not in ("0", "1"):
        raise BadInput(f"AutoUpdate is a DWORD 0 or 1, not {value!r}")


def _print_registry(result, appliance_name, **_) -> None:
    click.echo(f"{safe(appliance_name)} registry: {result}")


@registry.command("set")
@click.argument("appliance_name")
@click.argument("key")
@click.argument("value")
@service_command(write=True, check=_dword, text=_print_registry)
def registry_set(svc, _ctx: Context, appliance_name, key, value):
    """Set a DWORD value: `registry set APPLIANCE AutoUpdate 0` turns automatic updates off."""
    return svc.registry_set(appliance_name, key, int(value))


@registry.command("delete")
@click.argument("appliance_name")
@click.argument("key")
@service_command(write=True, text=_print_registry)
def registry_delete(svc, _ctx: Context, appliance_name, key):
    """Delete a value: `registry delete APPLIANCE AutoUpdate` turns automatic updates back on."""
    return svc.registry_delete(appliance_name, key)

"""Read-side commands: demo load, items, item, clock show."""

from __future__ import annotations

import click

from store.errors import BadInput
from store.queries import ItemQuery
from store.vocabulary import STATUS_SLUGS, UpdateStatus
from tui.cli.common import (
    Context,
    JsonArray,
    db_options,
    emit_json,
    json_option,
    pass_ctx,
    safe,
    service_command,
    table,
)

STATUS_CHOICES = list(STATUS_SLUGS.values())


def status_slug(word: str | None) -> str | None:
    """`--status`: a slug, the portal's words or the console's facet word, as the slug."""
    if word is None:
        return None
    try:
        return UpdateStatus.from_word(word).slug
    except ValueError as exc:
        raise BadInput(str(exc)) from None


@click.group()
def demo() -> None:
    """Demo scenarios: load one into the database."""


@demo.command("load")
@click.argument("scenario", required=False)
@click.option(
    "--items",
    "n_items",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Generate a fleet of N machines instead of a scenario file.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31),
    default=1,
    show_default=True,
    help="Seed of the generated fleet.",
)
@click.option("--force", is_flag=True, help="Replace the fleet the database already holds.")
@json_option
@db_options
@pass_ctx
def demo_load(ctx: Context, scenario, n_items, seed, force, as_json, db, vault, read_only) -> None:
    """Load SCENARIO (a file, or a name from demo_data/; default contoso) into the database."""
    from store.demo import demo_fleet, generated_fleet
    from store.errors import Refused

    ctx = ctx.merged(db, vault, read_only)
    if ctx.read_only:
        raise Refused("read-only: demo load would replace the fleet; run without --read-only")
    if n_items is not None:
        if scenario:
            raise click.UsageError("give a SCENARIO or --items, not both")
        fleet = generated_fleet(n_items, seed)
    else:
        fleet = demo_fleet(scenario)
    source = fleet.source
    path = ctx.db_path()
    if not ctx.db:
        from tui.cli.first_run import ensure_private_dir

        ensure_private_dir(path.parent)
    counts = fleet.load(path, replace=force)
    if not ctx.db:
        from tui.cli.first_run import make_private

        make_private(path)
    if as_json:
        emit_json({"db": str(path), "scenario": source, **counts})
    else:
        click.echo(
            f"Loaded {source} into {path}: {counts['vaults']} vaults, {counts['appliances']} "
            f"appliances, {counts['items']} machines, {counts['jobs']} jobs."
        )


def _print_items(found, **_) -> None:
    table(
        [[i.name, i.vault, i.os, i.appliance, i.agent_version, i.status] for i in found],
        ["NAME", "VAULT", "OS", "APPLIANCE", "AGENT", "STATUS"],
    )
    click.echo(f"{len(found)} items")


@click.command("items")
@click.option(
    "--status",
    default=None,
    callback=lambda _c, _p, v: status_slug(v),
    help=(
        f"Only items with this status: {', '.join(STATUS_CHOICES)} (or the console's words for"
        " them)."
    ),
)
@click.option("--filter", "text", default="", help="Only items whose name contains TEXT.")
@click.option(
    "--sort",
    type=click.Choice(["name", "status", "agent_version", "os", "appliance"]),
    default="name",
)
@service_command(text=_print_items)
def items(svc, ctx: Context, status, text, sort, as_json):
    """Replicated items with their agent version and update status."""
    query = ItemQuery(vault_id=svc.vault_filter(ctx.vault), status=status, text=text, sort=sort)
    return JsonArray(svc.items_json(query)) if as_json else svc.items(query)


def _print_item(view, **_) -> None:
    lines = [
        ("Name", view.name),
        ("Vault", view.vault),
        ("OS", view.os),
        ("Appliance", view.appliance),
        ("Agent version", view.agent_version),
        ("Latest version", view.latest_version or "-"),
        ("Status", view.status),
        ("Next check", view.next_check_at or "-"),
        ("Last job", view.last_job_id or "-"),
        ("Automatic updates", "on" if view.auto_update else f"off: {view.auto_update_note}"),
    ]
    for label, value in lines:
        click.echo(f"{label + ':':<19}{safe(value)}")
    for b in view.blockers:
        click.echo(f"  {b.reason}: {safe(b.message)}")
        click.echo(f"    Recommended action: {safe(b.recommended_action)}")


@click.command("item")
@click.argument("name")
@service_command(text=_print_item)
def item(svc, _ctx: Context, name):
    """One item: version, latest, status, blocking reasons, last job."""
    return svc.item(name)

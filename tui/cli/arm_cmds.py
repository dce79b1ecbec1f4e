"""arm serve: the local Azure Resource Manager endpoint for Site Recovery (the official SDK,
PowerShell
or plain REST against the simulated fleet)."""

from __future__ import annotations

import click

from tui.cli.common import Context, db_options, pass_ctx, safe
from tui.cli.ops_cmds import OptionsFirstGroup


@click.group("arm", cls=OptionsFirstGroup)
def arm() -> None:
    """Site Recovery's Azure Resource Manager API, served locally over this database."""


@arm.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default keeps the endpoint to this machine.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8443,
    show_default=True,
    help="Port to listen on (0: any free port; the ready line says which).",
)
@click.option(
    "--http",
    "plain_http",
    is_flag=True,
    help="Plain HTTP instead of HTTPS (the SDK then needs its own authentication_policy).",
)
@click.option("--token", default=None, help="Accept only this bearer token (default: any).")
@click.option(
    "--retry-after",
    type=click.IntRange(0, 3600),
    default=0,
    show_default=True,
    help="Seconds long-running operations tell pollers to wait between polls.",
)
@db_options
@pass_ctx
def serve(
    ctx: Context,
    host: str,
    port: int,
    plain_http: bool,
    token: str | None,
    retry_after: int,
    db: str | None,
    vault: str | None,
    read_only: bool | None,
) -> None:
    """Serve Site Recovery's REST operations (api-version 2025-08-01) for the database's vaults.

    HTTPS with a self-signed certificate made beside the database on first use. When ready, one
    JSON line on stdout (base_url, subscription_id, resource_group, ca_cert, vaults); then one line
    per request on stderr. Any `Authorization: Bearer ...` is accepted (only TOKEN with --token).
    The engine runs here while no console or `engine run` holds it. Ctrl-C stops it.
    """
    import asyncio

    from tui import serve as web
    from tui.arm.server import Settings
    from tui.arm.server import serve as run

    ctx = ctx.merged(db, vault, read_only)
    if token is not None and not token.strip():
        raise click.BadParameter("the token is empty", param_hint="--token")
    path = ctx.db_path()
    if not ctx.db:
        from tui.cli.first_run import ensure_default_db

        ensure_default_db(path)
    with ctx.service() as svc:  # one-line errors (no database, no fleet) before listening
        names = [v.name for v in svc.vaults()]
    if not names:
        raise click.UsageError("the database holds no fleet (run `asr-console demo load`)")
    if not web.is_loopback(host):
        click.echo(
            f"asr-console: warning: {safe(host)} is reachable from other machines; anyone who "
            "reaches it can change the fleet.",
            err=True,
        )
    settings = Settings(
        path.resolve(), read_only=ctx.read_only, token=token, retry_after=retry_after
    )
    asyncio.run(run(settings, host=host, port=port, plain_http=plain_http, vaults=names))

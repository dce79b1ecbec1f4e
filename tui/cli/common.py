"""Shared options, the database location, output helpers and the one-line error contract."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import click

# The command modules import these from here.
from tui.cli.context import Context, fail, safe  # noqa: F401
from tui.escape import json_text


def db_options(func: Callable) -> Callable:
    """--db, --vault and --read-only, accepted before or after a sub-command's own arguments."""
    func = click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False),
        default=None,
        help="Database file (default: the user's data directory).",
    )(func)
    func = click.option(
        "--vault", "vault", default=None, help="Vault name, where the database holds several."
    )(func)
    func = click.option(
        "--read-only", "read_only", is_flag=True, default=None, help="Refuse every change."
    )(func)
    return func


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


pass_ctx = click.make_pass_decorator(Context, ensure=True)


class JsonArray(list):
    """A command's result already encoded, one compact JSON text per element (`emit_json_array`)."""


def service_command(
    *,
    write: bool | Callable[..., bool] = False,
    json: bool = True,
    check: Callable[..., None] | None = None,
    json_of: Callable[[Any], Any] | None = None,
    text: Callable[..., None] | None = None,
    after: Callable[[Any], None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., None]]:
    """A command on the service, said once. Adds --db, --vault, --read-only (and --json), merges
    them with the group's, runs `check(**params)` (bad input before anything opens), opens the
    service (`write`, or `write(**params)`: refused under --read-only first) and calls the command
    with (service, context, **params); its result is printed once the service is closed: as JSON
    (`json_of(result)`, or the result) with --json, else by `text(result, **params)`; then
    `after(result)` in both modes. The command sees `as_json` when it names it."""

    def decorate(command: Callable[..., Any]) -> Callable[..., None]:
        wants_json = "as_json" in inspect.signature(command).parameters

        @functools.wraps(command)
        def run(ctx: Context, *, db, vault, read_only, as_json: bool = False, **params) -> None:
            ctx = ctx.merged(db, vault, read_only)
            if check is not None:
                check(**params)
            writes = write(**params) if callable(write) else write
            with ctx.service(write=writes) as svc:
                result = command(svc, ctx, **params, **({"as_json": as_json} if wants_json else {}))
            if as_json:
                out = json_of(result) if json_of is not None else result
                emit_json_array(out) if isinstance(out, JsonArray) else emit_json(out)
            elif text is not None:
                text(result, **params)
            if after is not None:
                after(result)

        wrapped = db_options(pass_ctx(run))
        return json_option(wrapped) if json else wrapped

    return decorate


def emit_json(value: Any) -> None:
    """JSON for scripts: non-Latin names stay readable, but every control or format character
    (C1 controls such as CSI, bidi overrides) is escaped as \\uXXXX so no terminal acts on it."""
    import json  # Here: opening the console never writes json.

    click.echo(json_text(json.dumps(_plain(value), indent=2, ensure_ascii=False)))


def emit_json_array(elements: Iterable[str]) -> None:
    """A long JSON list (a bare array) of elements already encoded as compact JSON text, one per
    line, escaped as `emit_json` does: 100,000 items print in a fraction of a second."""
    lines = list(elements)
    click.echo(json_text("[\n  " + ",\n  ".join(lines) + "\n]" if lines else "[]"))


def _plain(value: Any) -> Any:
    if hasattr(
        value, "model_dump"
    ):  # a pydantic model (not imported here: the console never needs it)
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def table(rows: list[list[str]], headers: list[str]) -> None:
    cells = [[safe(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())

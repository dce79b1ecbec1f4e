"""The colour of each update status, defined once, as the theme variables `$status-<slug>`."""

from __future__ import annotations

from rich.style import Style
from textual.app import App
from textual.color import Color

from store.vocabulary import STATUS_SLUGS

STATUS_COLOURS: dict[str, str] = {
    "up-to-date": "text-success",
    "update-available": "text-primary",
    "blocked": "text-warning",
    "updating": "text-accent",
    "failed": "text-error",
}
"""Each status slug's colour: the theme variable `status-<slug>` is, unless a Theme sets it in
its `variables`, this variable of Textual's colour system."""

BOLD = frozenset({"failed"})
"""Statuses shown bold as well: the one that needs the operator."""

assert set(STATUS_COLOURS) == set(STATUS_SLUGS.values()), "a status without a colour"


def with_status_variables(variables: dict[str, str]) -> dict[str, str]:
    """`variables` (an App's CSS variables) with `status-<slug>` added where a theme left it out."""
    for slug, colour in STATUS_COLOURS.items():
        variables.setdefault(f"status-{slug}", variables[colour])
    return variables


def status_styles(app: App) -> dict[str, Style]:
    """Each status slug's Rich style (to lay over a line's), from `app`'s theme variables."""
    variables = app.theme_variables
    if "status-failed" not in variables:  # An App that did not add them (a widget's own tests).
        variables = with_status_variables(dict(variables))
    return {
        slug: Style(
            color=Color.parse(variables[f"status-{slug}"]).rich_color,
            bold=True if slug in BOLD else None,
        )
        for slug in STATUS_COLOURS
    }

"""Creating a staged rollout from the console: over the bulk dialog's chosen machines, or over
every eligible machine of the vault (the palette, `n` in the Rollouts view)."""

from __future__ import annotations

from collections.abc import Callable

from store.errors import StoreError
from tui.render import safe_text


def free_name(taken: set[str]) -> str:
    """The first `rollout-N` not taken."""
    n = len(taken) + 1
    while f"rollout-{n}" in taken:
        n += 1
    return f"rollout-{n}"


def open_rollout_form(
    app, item_ids: list[int] | None, *, on_created: Callable[[], None] | None = None
) -> None:
    """The form over `item_ids` (None: every eligible machine); once created, the Rollouts view."""
    from store.rollout_spec import RolloutSpec
    from store.service import Service
    from tui.modals.rollout_form import RolloutFormModal

    if app.read_only:
        app.notify(
            "read-only: this would change the fleet; restart without --read-only", severity="error"
        )
        return
    vault = app.vault
    if item_ids is None:
        selection = (
            f"Every machine of {vault.name} that can update now "
            f"({len(app.service.eligible_ids(vault.id)):,} at the moment)"
        )
    else:
        selection = f"The {len(item_ids):,} machines chosen in the bulk dialog"

    def submit(values: dict[str, str]) -> str | None:
        spec = RolloutSpec(
            name=values["name"].strip(),
            vault_id=vault.id,
            item_ids=tuple(item_ids) if item_ids is not None else None,
            all_eligible=item_ids is None,
            canary=values["canary"],
            waves=values["waves"],
            bake=values["bake"],
            max_failures=values["max_failures"],
            window=values["window"].strip() or None,
        )
        # On the form's worker thread: a connection of its own (sqlite3's stay on their thread).
        try:
            with Service.open(app.db_path, create=False) as svc:
                view, warnings = svc.create_rollout(spec)
        except StoreError as exc:
            return str(exc)
        app.call_from_thread(announce, view, warnings)
        return None

    def announce(view, warnings: list[str]) -> None:
        app.after_change()
        app.notify(
            f"Rollout {safe_text(view.name)} created: {len(view.waves)} waves over"
            f" {view.machines:,} machines, the canary first.",
            title="Staged rollout",
            timeout=6,
        )
        for warning in warnings:
            app.notify(safe_text(warning), severity="warning", timeout=10)

    def created(name: str | None) -> None:
        if name is None:
            return
        if on_created is not None:
            on_created()
        app.call_after_refresh(lambda: app.switch_mode("rollouts"))

    taken = {v.name for v in app.service.rollouts()}
    app.push_screen(RolloutFormModal(selection, free_name(taken), submit), created)

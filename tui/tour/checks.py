"""The states a tour step waits for, as small predicates over the running console (reads only)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.screen import Screen

from store.job_queries import JobQuery
from store.vocabulary import ACTIVE_JOB_STATES
from tui.modals.bulk_update import BulkTable, BulkUpdateModal
from tui.modals.job_detail import JobDetailModal
from tui.screens.items import ItemsScreen
from tui.tour.model import Check, TourHost
from tui.widgets.item_table import ItemTable

ACTIVE_STATES = tuple(s.value for s in ACTIVE_JOB_STATES)


def showing(kind: type[Screen]) -> Check:
    """The console shows a screen or dialog of this type, mounted and ready for keys."""

    def check(app: TourHost) -> bool:
        return isinstance(app.screen, kind) and app.screen.is_mounted

    return check


def focused(widget_id: str) -> Check:
    """The widget with this id has the keyboard focus."""
    return lambda app: app.focused is not None and app.focused.id == widget_id


def highlighted(name: str) -> Check:
    """Replicated items shows `name` under the cursor, with the table focused (filter box
    closed)."""

    def check(app: TourHost) -> bool:
        if not isinstance(app.screen, ItemsScreen) or not isinstance(app.focused, ItemTable):
            return False
        row = app.focused.highlighted
        return row is not None and row.name == name

    return check


def facet(slug: str | None) -> Check:
    """Replicated items is filtered to one status (a slug such as `blocked`), or to none."""

    def check(app: TourHost) -> bool:
        return isinstance(app.screen, ItemsScreen) and app.screen.query_state.status == slug

    return check


def status(name: str, word: str) -> Check:
    """A machine's update status is `word` (one of the portal's five)."""
    return lambda app: app.service.item(name).status == word


def statuses(names: Iterable[str], word: str) -> Check:
    """Every one of these machines has the status `word`."""
    names = tuple(names)
    return lambda app: all(app.service.item(n).status == word for n in names)


def component(appliance: str, slug: str, word: str) -> Check:
    """An appliance component's update status is `word`."""

    def check(app: TourHost) -> bool:
        comps = app.service.appliance(appliance).components
        return any(c.slug == slug and c.status == word for c in comps)

    return check


def components_up_to_date(appliance: str) -> Check:
    """Every component of the appliance is Up to date."""
    return lambda app: all(
        c.status == "Up to date" for c in app.service.appliance(appliance).components
    )


def registry(appliance: str, values: dict[str, int]) -> Check:
    """The appliance's simulated AzureAppliance registry key holds exactly `values`."""
    return lambda app: app.service.appliance(appliance).registry == values


def jobs_created(at_least: int = 1) -> Check:
    """The vault has at least this many Site Recovery jobs."""
    return lambda app: app.service.count_jobs(JobQuery(vault_id=app.vault.id)) >= at_least


def jobs_settled() -> Check:
    """The vault has jobs and none is waiting or running."""

    def check(app: TourHost) -> bool:
        counts = app.service.job_state_counts(app.vault.id)
        return sum(counts.values()) > 0 and not any(counts.get(s, 0) for s in ACTIVE_STATES)

    return check


def all_eligible_marked() -> Check:
    """The bulk dialog has every eligible machine selected (and nothing else)."""

    def check(app: TourHost) -> bool:
        if not isinstance(app.screen, BulkUpdateModal):
            return False
        marked = app.screen.query_one(BulkTable).marked
        return bool(marked) and marked == set(app.service.eligible_ids(app.vault.id))

    return check


def job_detail_of_last_job(name: str) -> Check:
    """The job dialog shows the machine's last job (the link from its status was followed)."""

    def check(app: TourHost) -> bool:
        if not isinstance(app.screen, JobDetailModal) or not app.screen.is_mounted:
            return False
        return app.screen.job.id == app.service.item(name).last_job_id

    return check


def retried(name: str) -> Check:
    """The machine's last job is a retry: it links to the job it retried."""

    def check(app: TourHost) -> bool:
        last = app.service.item(name).last_job_id
        return last is not None and app.service.job(last).retry_of is not None

    return check


def all_of(*checks: Check) -> Check:
    """Every check holds."""
    return lambda app: all(c(app) for c in checks)


def filtered(text: str) -> Check:
    """Replicated items is filtered by this name text ('' = no filter), with the table focused."""

    def check(app: TourHost) -> bool:
        return (
            isinstance(app.screen, ItemsScreen)
            and app.screen.query_state.text == text
            and isinstance(app.focused, ItemTable)
        )

    return check


def bulk_cursor_past(row: int) -> Check:
    """In the bulk dialog, the cursor has moved past `row` with nothing marked (a refused
    selection)."""

    def check(app: TourHost) -> bool:
        if not isinstance(app.screen, BulkUpdateModal):
            return False
        table = app.screen.query_one(BulkTable)
        return table.cursor_row > row and not table.marked

    return check


def job_detail_of_retry(name: str) -> Check:
    """The job dialog shows the machine's last job, a retry that links to the job it retried."""

    def check(app: TourHost) -> bool:
        if not isinstance(app.screen, JobDetailModal) or not app.screen.is_mounted:
            return False
        job = app.screen.job
        return job.id == app.service.item(name).last_job_id and job.retry_of is not None

    return check


def job_detail_of_retried(name: str) -> Check:
    """The job dialog shows the job that the machine's last job retried (the Previous job link)."""

    def check(app: TourHost) -> bool:
        if not isinstance(app.screen, JobDetailModal) or not app.screen.is_mounted:
            return False
        last = app.service.item(name).last_job_id
        return last is not None and app.screen.job.id == app.service.job(last).retry_of

    return check


def rollout_state(name: str, state: str) -> Check:
    """The staged rollout `name` is in `state` (Running, Baking, Halted, Completed...)."""

    def check(app: TourHost) -> bool:
        found = [v for v in app.service.rollouts(app.vault.id) if v.name == name]
        return bool(found) and found[0].state == state

    return check


def rollout_wave_started(name: str, wave: int) -> Check:
    """The staged rollout `name` has started wave `wave` (its jobs are created)."""

    def check(app: TourHost) -> bool:
        found = [v for v in app.service.rollouts(app.vault.id) if v.name == name]
        return (
            bool(found) and len(found[0].waves) > wave and found[0].waves[wave].started is not None
        )

    return check

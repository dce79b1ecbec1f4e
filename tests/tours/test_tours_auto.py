"""Every tour runs to its end in --auto mode, and leaves the state the seed describes (read
independently)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from store.job_queries import JobQuery, JobRow
from store.service import Service
from store.vocabulary import SITE_RECOVERY_ACTOR
from tui.modals.job_detail import JobDetailModal
from tui.screens.items import ItemsScreen
from tui.tour.app import TourApp
from tui.tour.catalog import TOURS
from tui.tour.panel import NarrationPanel

from .pilots import finish, screen_text, tour_pilot

LATEST = "9.66.7643.1"


def jobs(svc: Service) -> list[JobRow]:
    vault = svc.vaults()[0].id
    return sorted(svc.page_jobs(JobQuery(vault_id=vault), limit=500), key=lambda j: j.seq)


def seed_nightly(svc: Service, app: TourApp, before: dict) -> None:
    """Automatic updates at 12:00 AM: appliance components first, then every eligible agent, by Site
    Recovery."""
    done = jobs(svc)
    assert done and all(j.initiated_by == SITE_RECOVERY_ACTOR for j in done)
    assert done[0].component == "replication-service"  # the appliance first
    assert all(j.created_time.endswith("T05:00:00Z") for j in done)  # midnight in New York
    for name in (
        "app-prod-01",
        "erp-app-01",
        "file-prod-01",
        "hr-web-01",
        "web-prod-01",
        "web-prod-02",
    ):
        item = svc.item(name)
        assert (item.status, item.agent_version) == ("Up to date", LATEST)
    preview = svc.item("ci-lnx-01")
    assert preview.status == "New update available" and not preview.auto_update
    assert "private preview" in (preview.auto_update_note or "").lower()
    assert isinstance(app.screen, ItemsScreen) and "ci-lnx-01" in screen_text(app)


def seed_many(svc: Service, app: TourApp, before: dict) -> None:
    """One job per chosen machine; blocked machines cannot be selected."""
    chosen = (
        "app-prod-01",
        "bi-lnx-01",
        "hr-web-01",
        "sql-prod-01",
        "web-prod-01",
        "web-prod-02",
        "web-prod-03",
    )
    done = jobs(svc)
    assert sorted(j.item for j in done) == sorted(chosen)
    assert all(j.initiated_by != SITE_RECOVERY_ACTOR and j.state == "Succeeded" for j in done)
    assert all(svc.item(n).status == "Up to date" for n in chosen)
    assert all(
        svc.item(n).status == "Cannot update to latest version"
        for n in ("app-lnx-02", "pay-app-01")
    )


def seed_one(svc: Service, app: TourApp, before: dict) -> None:
    """Update to this version: one job; the machine shows Up to date."""
    item = svc.item("web-prod-01")
    assert (item.status, item.agent_version) == ("Up to date", LATEST)
    assert [j.item for j in jobs(svc)] == ["web-prod-01"]
    assert svc.item("app-prod-01").status == "New update available"


def seed_blocked(svc: Service, app: TourApp, before: dict) -> None:
    """Blocked, fixed, checked again, updated."""
    item = svc.item("app-lnx-02")
    assert (item.status, item.agent_version, item.blockers) == ("Up to date", LATEST, [])
    assert (
        svc.item("print-prod-01").status == "Cannot update to latest version"
    )  # nobody rebooted it


def seed_failed(svc: Service, app: TourApp, before: dict) -> None:
    """Retry creates a new job linked to the failed one; the link was followed."""
    item = svc.item("mq-lnx-01")
    assert (item.status, item.agent_version) == ("Up to date", LATEST)
    retry = svc.job(item.last_job_id)
    assert retry.retry_of == before["failed_job"] and retry.state == "Succeeded"
    assert isinstance(app.screen, JobDetailModal) and app.screen.job.id == before["failed_job"]


def seed_autoupdate(svc: Service, app: TourApp, before: dict) -> None:
    """AutoUpdate = 0 created, then deleted: automatic updates on, and the run updated the
    appliance."""
    appliance = svc.appliance("appl-ny-01")
    assert appliance.registry == {} and appliance.auto_update
    assert all(c.status == "Up to date" for c in appliance.components)
    done = jobs(svc)
    assert {j.component for j in done} == {"recovery-services-agent", "site-recovery-provider"}
    assert all(j.initiated_by == SITE_RECOVERY_ACTOR for j in done)


def seed_incompatible(svc: Service, app: TourApp, before: dict) -> None:
    """The appliance's Process server first, then its agents."""
    done = jobs(svc)
    component = [j for j in done if j.component == "process-server"]
    agents = [j for j in done if j.component is None]
    assert len(component) == 1 and len(agents) == 3
    assert all(component[0].end_time <= a.created_time for a in agents)
    assert all(c.status == "Up to date" for c in svc.appliance("appl-branch-01").components)
    assert all(svc.item(n).status == "Up to date" for n in ("br-app-01", "br-db-01", "br-web-01"))


def seed_staged(svc: Service, app: TourApp, before: dict) -> None:
    """The canary failed and halted the rollout; retried, then resumed: every machine updated by the
    rollout's jobs (the operator's); the blocked one was never chosen."""
    view = svc.rollout("rollout-1")
    assert view.state == "Completed" and [w.machines[:1] for w in view.waves] == [
        ["app-prod-01"],
        ["bi-lnx-01"],
    ]
    assert view.skipped == [] and view.machines == 8
    done = jobs(svc)
    canary = [j for j in done if j.item == "app-prod-01"]
    assert [j.state for j in canary] == ["Failed", "Succeeded"]
    failed = svc.job(canary[0].id)
    assert failed.rollout == "rollout-1" and failed.errors[0].code == "95524"
    assert svc.job(canary[1].id).retry_of == failed.id
    wave = [svc.job(j.id) for j in done if j.item != "app-prod-01"]
    assert len(wave) == 7 and {(j.rollout, j.state) for j in wave} == {("rollout-1", "Succeeded")}
    assert all(j.initiated_by != SITE_RECOVERY_ACTOR for j in done)
    assert svc.item("app-lnx-02").status == "Cannot update to latest version"


SEED_STATES: dict[str, Callable[[Service, TourApp, dict], None]] = {
    "nightly-update": seed_nightly,
    "update-many": seed_many,
    "update-one": seed_one,
    "blocked-machine": seed_blocked,
    "failed-update": seed_failed,
    "appliance-autoupdate": seed_autoupdate,
    "incompatible-appliance": seed_incompatible,
    "staged-rollout": seed_staged,
}


def test_every_tour_has_a_seed_state_check() -> None:
    assert sorted(SEED_STATES) == sorted(t.name for t in TOURS)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tour", TOURS, ids=lambda t: t.name)
async def test_tour_runs_to_its_end_in_auto_mode(tour, size) -> None:
    """Every tour, in the smallest terminal the console supports too: each step's state is
    reached by its keys there, and the end says so."""
    async with tour_pilot(tour, auto=True, size=size) as (app, pilot, svc):
        before = {"failed_job": next((j.id for j in jobs(svc) if j.state == "Failed"), None)}
        await finish(pilot, app)
        assert app.result is not None and app.result.ok, app.result and app.result.message
        assert app.result.steps_done == len(tour.steps)
        assert tour.outcome(app)
        SEED_STATES[tour.name](svc, app, before)
        text = screen_text(app)
        assert "Tour complete" in text and tour.outcome_text[:40] in text
        assert app.screen.query(NarrationPanel)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_nightly_tours_last_claim_is_on_screen(size) -> None:
    """Its last step says ci-lnx-01's Overview tells why it is not updated automatically: the
    line is visible, not cut below the pane's edge, at 80 and 100 columns."""
    tour = next(t for t in TOURS if t.name == "nightly-update")
    async with tour_pilot(tour, auto=True, size=size) as (app, pilot, _svc):
        await finish(pilot, app)
        lines = screen_text(app).splitlines()
        top = next(
            n for n, line in enumerate(lines) if "─ ci-lnx-01 ─" in line
        )  # the Overview pane
        bottom = next(n for n in range(top + 1, len(lines)) if lines[n].lstrip().startswith("╰"))
        pane = "\n".join(lines[top:bottom])
        assert "Installed from private preview bits" in pane, pane

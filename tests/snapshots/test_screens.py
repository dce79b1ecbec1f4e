"""SVG snapshots of every screen and dialog at 80x24 and 120x40 (pytest-textual-snapshot).

The engine does not run in these apps, so engine time (and every snapshot) is fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from waiting import item_shown, live

from store.db import open_db
from store.sim.loader import load_scenario
from store.sim.scenario import parse_scenario
from tui.app import ConsoleApp

SIZES = [(80, 24), (120, 40)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


async def ready(pilot) -> None:
    """The console is live: every view shows what start-up deferred, such as the Overview,
    before any key is pressed or the picture taken."""
    await live(pilot, pilot.app)


def goto(name: str):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await item_shown(pilot, pilot.app, name)

    return run_before


def goto_then(name: str, *keys: str):
    async def run_before(pilot) -> None:
        await ready(pilot)
        await item_shown(pilot, pilot.app, name)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@size_ids
class TestReplicatedItems:
    def test_home(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(ConsoleApp(db_path=contoso_db), run_before=ready, terminal_size=size)

    def test_blocked_facet(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db), press=["3"], run_before=ready, terminal_size=size
        )

    def test_filter(self, snap_compare, contoso_db: Path, size) -> None:
        keys = ["slash", *"prod", "enter"]
        assert snap_compare(
            ConsoleApp(db_path=contoso_db), press=keys, run_before=ready, terminal_size=size
        )

    def test_read_only(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db, read_only=True), run_before=ready, terminal_size=size
        )


@size_ids
class TestMachineDialogs:
    def test_update_available(self, snap_compare, contoso_db: Path, size) -> None:
        app = ConsoleApp(db_path=contoso_db)
        assert snap_compare(app, run_before=goto_then("web-prod-01", "enter"), terminal_size=size)

    def test_blocking_reasons(self, snap_compare, contoso_db: Path, size) -> None:
        app = ConsoleApp(db_path=contoso_db)
        assert snap_compare(app, run_before=goto_then("pay-app-01", "enter"), terminal_size=size)

    def test_blocking_reasons_scrolled_to_the_last(
        self, snap_compare, contoso_db: Path, size
    ) -> None:
        app = ConsoleApp(db_path=contoso_db)
        assert snap_compare(
            app, run_before=goto_then("pay-app-01", "enter", "end"), terminal_size=size
        )

    def test_update_failed(self, snap_compare, contoso_db: Path, size) -> None:
        app = ConsoleApp(db_path=contoso_db)
        assert snap_compare(app, run_before=goto_then("mq-lnx-01", "enter"), terminal_size=size)

    def test_bulk_update(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db), press=["b", "a"], run_before=ready, terminal_size=size
        )

    def test_confirm_update_of_marked(self, snap_compare, contoso_db: Path, size) -> None:
        app = ConsoleApp(db_path=contoso_db)
        assert snap_compare(
            app, run_before=goto_then("crm-db-01", "space", "space", "u"), terminal_size=size
        )


@size_ids
class TestOtherScreens:
    def test_jobs(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db), press=["j"], run_before=ready, terminal_size=size
        )

    def test_jobs_state_filter(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db),
            press=["j", "f", "f", "f"],
            run_before=ready,
            terminal_size=size,
        )

    def test_job_detail(self, snap_compare, contoso_db: Path, size) -> None:
        keys = ["j", "f", "f", "f", "enter"]  # the Failed filter, then its first job
        assert snap_compare(
            ConsoleApp(db_path=contoso_db), press=keys, run_before=ready, terminal_size=size
        )

    def test_appliances(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db),
            press=["a", "down"],
            run_before=ready,
            terminal_size=size,
        )

    def test_registry_editor(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db),
            press=["a", "down", "down", "r"],
            run_before=ready,
            terminal_size=size,
        )

    def test_settings(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db), press=["comma"], run_before=ready, terminal_size=size
        )

    def test_turn_off_confirmation(self, snap_compare, contoso_db: Path, size) -> None:
        assert snap_compare(
            ConsoleApp(db_path=contoso_db),
            press=["comma", "t"],
            run_before=ready,
            terminal_size=size,
        )


def test_hostile_names_render_literally(snap_compare, tmp_db_path: Path) -> None:
    comps = {
        "process-server": "9.66.7614.1",
        "proxy-server": "1.44.9645.8268",
        "replication-service": "1.45.9649.18472",
        "reprotection-server": "1.48.9649.18457",
        "recovery-services-agent": "2.0.9955.0",
        "site-recovery-provider": "5.25.904.11",
        "push-installer": "1.47.9649.18387",
    }
    names = [
        "[bold red]x[/]",
        "esc\x1b[31mred",
        "tab\tand\x07bell",
        "Ünïcødé-机器-ماشین",
        "long-" + "x" * 495,
    ]
    world = {
        "vaults": [{"name": "[link=http://evil]v[/link]", "time_zone": "UTC"}],
        "appliances": [
            {
                "name": "appl-\x1b]0;pwned\x07",
                "vault": "[link=http://evil]v[/link]",
                "components": comps,
            }
        ],
        "items": [
            {
                "name": n,
                "os": "Windows Server 2022",
                "appliance": "appl-\x1b]0;pwned\x07",
                "agent_version": "9.65.7417.1",
            }
            for n in names
        ],
    }
    db = open_db(tmp_db_path)
    load_scenario(db, parse_scenario(json.dumps(world), "hostile.json"), source="hostile.json")
    db.close()
    assert snap_compare(ConsoleApp(db_path=tmp_db_path), run_before=ready, terminal_size=(120, 30))


def _rollout_db(path: Path, *, resume_for: int | None = None) -> Path:
    """demo_data/staged-rollout.json with a rollout over every eligible machine whose canary failed
    (Halted); `resume_for`: then resumed, and that many minutes of engine time later."""
    from datetime import timedelta

    from store.rollout_spec import RolloutSpec
    from store.service import Service
    from store.sim.scenario import read_scenario

    db = open_db(path)
    load_scenario(
        db,
        read_scenario(Path(__file__).parents[2] / "demo_data" / "staged-rollout.json"),
        source="t",
    )
    db.close()
    with Service.open(path) as svc:
        svc.create_rollout(
            RolloutSpec(
                name="canary-first",
                vault_id=svc.vaults()[0].id,
                all_eligible=True,
                waves="50%,100%",
            )
        )
        svc.clock_advance(timedelta(minutes=20))
        if resume_for is not None:
            svc.resume_rollout("canary-first")
            svc.clock_advance(timedelta(minutes=resume_for))
    return path


@size_ids
class TestRollouts:
    def test_halted_by_its_canary(self, snap_compare, tmp_db_path: Path, size) -> None:
        app = ConsoleApp(db_path=_rollout_db(tmp_db_path))
        assert snap_compare(app, press=["w"], run_before=ready, terminal_size=size)

    def test_a_wave_running(self, snap_compare, tmp_db_path: Path, size) -> None:
        app = ConsoleApp(db_path=_rollout_db(tmp_db_path, resume_for=11))
        assert snap_compare(app, press=["w"], run_before=ready, terminal_size=size)

    def test_the_form(self, snap_compare, contoso_db: Path, size) -> None:
        app = ConsoleApp(db_path=contoso_db)
        assert snap_compare(app, press=["w", "n"], run_before=ready, terminal_size=size)

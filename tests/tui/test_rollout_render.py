"""The Rollouts view's pure rendering: a wave's bar adds up to its width and never hides a failure,
a wave's line fits, the detail counts the bake down in engine time and says why it halted."""

from __future__ import annotations

from datetime import datetime

from store.models import RolloutView, WaveView
from tui.rollout_render import bar_cells, rollout_cells, rollout_detail, wave_bar, wave_line

STATES = ("NotStarted", "InProgress", "Succeeded", "Failed", "Cancelled")


def jobs(**counts: int) -> dict[str, int]:
    return {s: counts.get(s, 0) for s in STATES}


def test_a_bar_fills_its_width_in_proportion() -> None:
    cells = dict(bar_cells(jobs(Succeeded=50, InProgress=25, NotStarted=25), 100, 20))
    assert cells == {"Succeeded": 10, "Failed": 0, "InProgress": 5, "NotStarted": 5, "rest": 0}
    assert sum(dict(bar_cells(jobs(Succeeded=1), 7, 13)).values()) == 13
    assert dict(bar_cells(jobs(), 50_000, 10))["rest"] == 10  # not started yet: blank


def test_one_failure_among_fifty_thousand_still_shows() -> None:
    cells = dict(bar_cells(jobs(Succeeded=49_999, Failed=1), 50_000, 20))
    assert cells["Failed"] == 1 and sum(cells.values()) == 20
    assert wave_bar(jobs(Succeeded=49_999, Failed=1), 50_000, 20, {}).cell_len == 20


def wave(index: int, state: str, size: int, **counts: int) -> WaveView:
    return WaveView(
        index=index,
        state=state,
        size=size,
        jobs=jobs(**counts),
        started="2026-12-16T10:00:00Z" if state != "Pending" else None,
    )


def view(**changes) -> RolloutView:
    base = {
        "name": "r1",
        "vault": "v",
        "state": "Baking",
        "target_version": "9.66.7643.1",
        "bake": "30m",
        "window": None,
        "failures": 0,
        "max_failures": 0,
        "halted_reason": None,
        "machines": 5,
        "bake_seconds": 1800,
        "created_by": "op",
        "created_time": "2026-12-16T10:00:00Z",
        "time_zone": "America/New_York",
        "bake_ends": "2026-12-16T10:40:00Z",
        "waves": [wave(0, "Baking", 1, Succeeded=1), wave(1, "Pending", 4)],
    }
    return RolloutView(**{**base, **changes})


def test_a_wave_line_fits_80_columns() -> None:
    line = wave_line(
        wave(1, "Running", 50_000, Succeeded=12_345, InProgress=100, NotStarted=37_000), 76, {}
    )
    assert line.cell_len <= 76 and line.plain.startswith("wave 1") and "12,345 ok" in line.plain


def test_the_detail_counts_the_bake_down_in_engine_time() -> None:
    now = datetime.fromisoformat("2026-12-16T10:27:30+00:00")
    text = rollout_detail(view(), now, 76, {}).plain
    assert "Baking: the next wave in 12m 30s of engine time (Wed 05:40 EST)" in text
    assert "canary" in text and "wave 1" in text


def test_the_detail_says_why_it_halted_and_what_the_keys_do() -> None:
    halted = view(
        state="Halted",
        bake_ends=None,
        halted_reason="1 failed job, over the failure budget of 0: x (95524)",
    )
    text = rollout_detail(halted, datetime.fromisoformat("2026-12-16T10:27:30+00:00"), 76, {}).plain
    assert (
        "Halted: 1 failed job, over the failure budget of 0: x (95524)" in text
        and "r resumes" in text
    )
    assert [c.plain for c in rollout_cells(halted)][:4] == [
        "r1",
        "Halted",
        "1 of 2",
        "0 (0 allowed)",
    ]

"""The staged-rollout tour: a canary that fails, the halt, the fix (a retry), and the resume."""

from __future__ import annotations

from tui.modals.bulk_update import BulkUpdateModal
from tui.modals.job_detail import JobDetailModal
from tui.modals.rollout_form import RolloutFormModal
from tui.screens.rollouts import RolloutsScreen
from tui.tour import checks as c
from tui.tour.model import Tour, fast_forward, narrate, press
from tui.tour.stories_agents import UP_TO_DATE

ROLLOUT = "rollout-1"
CANARY = "app-prod-01"
REST = (
    "bi-lnx-01",
    "file-prod-01",
    "hr-web-01",
    "sql-prod-01",
    "web-prod-01",
    "web-prod-02",
    "web-prod-03",
)

STAGED_ROLLOUT = Tour(
    name="staged-rollout",
    title="A staged rollout: a canary that fails, the halt, the fix, and the resume",
    seed_section="Upgrade mobility agent on multiple protected items (staged)",
    steps=(
        narrate(
            "Eight machines have a newer agent and automatic updates are off. Rather than update"
            " them all at once, stage it: one machine first (the canary), then the rest after a"
            " bake, and stop by itself if anything fails."
        ),
        press(
            "b",
            "a",
            say=(
                "b opens the bulk dialog; a selects every eligible machine (app-lnx-02 waits "
                "for a reboot and stays out)."
            ),
            until=c.all_of(c.showing(BulkUpdateModal), c.all_eligible_marked()),
        ),
        press(
            "enter",
            "tab",
            "enter",
            say=(
                "Enter moves to OK; beside it, Staged… (Tab, Enter) makes a rollout "
                "of the chosen machines instead of eight jobs at once."
            ),
            until=c.showing(RolloutFormModal),
        ),
        press(
            "enter",
            say=(
                "The form is prefilled: a canary of one machine, then the rest in one wave after "
                "a 30-minute bake (in engine time), and no failure allowed. Create."
            ),
            until=c.all_of(c.showing(RolloutsScreen), c.rollout_state(ROLLOUT, "Running")),
        ),
        fast_forward(
            "The Rollouts view: the canary, app-prod-01, is updating; the next wave waits. Engine "
            "time runs fast.",
            until=c.rollout_state(ROLLOUT, "Halted"),
        ),
        narrate(
            "The canary failed and the rollout halted by itself: no other machine was touched. The "
            "view says why, and lists the failed machine."
        ),
        press(
            "g",
            say=(
                "g on the failed machine opens its job: error 95524, less than 100 MB free on the "
                "system drive."
            ),
            until=c.all_of(c.showing(JobDetailModal), c.job_detail_of_last_job(CANARY)),
        ),
        press(
            "shift+tab",
            "shift+tab",
            "enter",
            say=(
                "The machine's owner frees disk space; Retry runs the "
                "update again, linked to the failed job."
            ),
            until=c.retried(CANARY),
        ),
        fast_forward("The retry runs; engine time runs fast.", until=c.status(CANARY, UP_TO_DATE)),
        press(
            "r",
            say=(
                "The canary is fixed. r resumes the halted rollout: the operator has looked, so the"
                " next wave starts at once, and failures count afresh."
            ),
            until=c.rollout_wave_started(ROLLOUT, 1),
        ),
        fast_forward(
            "Wave 1's seven jobs run side by side; each wave's bar fills. Engine time runs fast.",
            until=c.rollout_state(ROLLOUT, "Completed"),
        ),
    ),
    outcome=c.all_of(
        c.rollout_state(ROLLOUT, "Completed"), c.statuses((CANARY, *REST), UP_TO_DATE)
    ),
    outcome_text=(
        "The rollout is Completed: the canary after its retry, then the other seven, all Up to"
        " date."
    ),
)

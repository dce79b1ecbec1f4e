"""Tours of the seed's manual agent procedures: update one machine, update many, a blocked machine,
a retry."""

from __future__ import annotations

from datetime import timedelta

from store.vocabulary import UpdateStatus
from tui.modals.bulk_update import BulkUpdateModal
from tui.modals.item_actions import ItemActionModal
from tui.screens.items import ItemsScreen
from tui.screens.jobs import JobsScreen
from tui.tour import checks as c
from tui.tour.acts import advance, reboot
from tui.tour.keys import Stroke, Type
from tui.tour.model import Tour, fast_forward, narrate, press, world

UP_TO_DATE = UpdateStatus.UP_TO_DATE.value
AVAILABLE = UpdateStatus.UPDATE_AVAILABLE.value
BLOCKED = UpdateStatus.BLOCKED.value
UPDATING = UpdateStatus.UPDATING.value


def find(name: str) -> tuple[Stroke, ...]:
    """The keys that put the cursor on a machine: / opens the filter, its name, Enter keeps it."""
    return ("slash", Type(name), "enter")


UPDATE_ONE = Tour(
    name="update-one",
    title="Updating one machine: its Overview, New update available, Update to this version",
    seed_section="Update mobility agent for a single protected machine",
    steps=(
        narrate(
            "Automatic updates are off in this vault, so agents are updated by hand. web-prod-01"
            " runs Mobility agent 9.65.7417.1; the latest is 9.66.7643.1."
        ),
        press(
            *find("web-prod-01"),
            say=(
                "Select the VM: / opens the filter, type its name, Enter keeps it. "
                "The Overview pane shows its Agent version and the status New update available."
            ),
            until=c.highlighted("web-prod-01"),
        ),
        press(
            "enter",
            say=(
                "Enter on the machine opens what its status calls for: the latest version, its "
                "release date, and Update to this version."
            ),
            until=c.showing(ItemActionModal),
        ),
        press(
            "enter",
            say=(
                "Update to this version has the focus: Enter starts the update job. The update "
                "needs no reboot and does not interrupt replication."
            ),
            until=c.status("web-prod-01", UPDATING),
        ),
        fast_forward(
            "The Site Recovery job runs its tasks: prerequisites check, update, register with the "
            "appliance. Engine time runs fast while we wait.",
            until=c.status("web-prod-01", UP_TO_DATE),
        ),
    ),
    outcome=c.status("web-prod-01", UP_TO_DATE),
    outcome_text="web-prod-01 runs the latest agent: its status is Up to date.",
)

MANY = (
    "app-prod-01",
    "bi-lnx-01",
    "hr-web-01",
    "sql-prod-01",
    "web-prod-01",
    "web-prod-02",
    "web-prod-03",
)
CANNOT = ("app-lnx-02", "pay-app-01")

UPDATE_MANY = Tour(
    name="update-many",
    title="Updating many machines: the banner, the bulk dialog, one job per machine",
    seed_section="Upgrade mobility agent on multiple protected items",
    steps=(
        narrate(
            "Automatic updates are off in this vault. Seven machines have a newer agent; two cannot"
            " update: app-lnx-02 waits for a reboot and pay-app-01's agent has lost its appliance."
        ),
        press(
            "b",
            say=(
                "The banner says a new Site Recovery mobility agent update is available: b (or a "
                "click on it) opens the machines to update."
            ),
            until=c.showing(BulkUpdateModal),
        ),
        press(
            "space",
            say=(
                "Every machine with a newer version is listed. app-lnx-02's "
                "prerequisites are not met: it cannot be selected, and the dialog says why."
            ),
            until=c.bulk_cursor_past(0),
        ),
        press(
            "a",
            say="a selects every eligible machine: seven of seven; the blocked ones stay out.",
            until=c.all_eligible_marked(),
        ),
        press(
            "enter",
            "enter",
            say=(
                "Enter moves from the list to OK, and Enter again presses it. A "
                "Site Recovery job is created for each machine."
            ),
            until=c.jobs_created(len(MANY)),
        ),
        press(
            "j",
            say="Monitoring > Site Recovery jobs: one Update Mobility Service job per machine.",
            until=c.showing(JobsScreen),
        ),
        fast_forward(
            "The jobs run side by side, each through its tasks. Engine time runs fast.",
            until=c.statuses(MANY, UP_TO_DATE),
        ),
        press(
            "i",
            say=(
                "Replicated items: the seven machines are Up to date; app-lnx-02 and pay-app-01 "
                "still say why they cannot update."
            ),
            until=c.showing(ItemsScreen),
        ),
    ),
    outcome=c.all_of(c.statuses(MANY, UP_TO_DATE), c.statuses(CANNOT, BLOCKED)),
    outcome_text=(
        "Seven machines are Up to date; the two whose prerequisites are not met were never"
        " selected."
    ),
)


def _next_check(app) -> str:
    item = app.service.item("app-lnx-02")
    when = app.local_time_text(item.next_check_at) if item.next_check_at else "within 30 minutes"
    return (
        f"The service re-checks prerequisites every 30 minutes (next for app-lnx-02: {when}); after"
        " fixing a blocker, wait for it. We move engine time 30 minutes on."
    )


BLOCKED_MACHINE = Tour(
    name="blocked-machine",
    title=(
        "A blocked machine fixed: blocking reasons, a reboot, the 30-minute check, then the update"
    ),
    seed_section="Resolve blocking issues for agent upgrade",
    steps=(
        narrate(
            "app-lnx-02 has a newer agent waiting, but its status says Cannot update to latest"
            " version."
        ),
        press(
            *find("app-lnx-02"),
            say=(
                "Select it: / then its name, Enter. The Overview pane lists what blocks the update."
            ),
            until=c.highlighted("app-lnx-02"),
        ),
        press(
            "enter",
            say=(
                "Enter on the status: each blocking reason with its recommended action, and when "
                "the service checks again."
            ),
            until=c.showing(ItemActionModal),
        ),
        press(
            "escape",
            say=(
                "RebootRequired: a mandatory reboot is pending on the machine. Esc closes the "
                "dialog."
            ),
            until=c.showing(ItemsScreen),
        ),
        world(
            "Restart app-lnx-02 (simulated)",
            reboot("app-lnx-02"),
            say=(
                "The machine's owner restarts it. The service does not know yet: until its next"
                " check the status stays Cannot update to latest version."
            ),
        ),
        world(
            "Move engine time 30 minutes on",
            advance(timedelta(minutes=30)),
            say=_next_check,
            until=c.status("app-lnx-02", AVAILABLE),
        ),
        press(
            "u",
            say=(
                "The check found no blocker: New update available. u updates the highlighted"
                " machine."
            ),
            until=c.status("app-lnx-02", UPDATING),
        ),
        fast_forward(
            "The update job runs; engine time runs fast.", until=c.status("app-lnx-02", UP_TO_DATE)
        ),
    ),
    outcome=c.status("app-lnx-02", UP_TO_DATE),
    outcome_text="app-lnx-02 was rebooted, passed the next check and is Up to date.",
)

FAILED_UPDATE = Tour(
    name="failed-update",
    title="A failed update retried: the error, the previous job's link, Retry",
    seed_section="Mobility agent upgrade job failure",
    steps=(
        narrate(
            "mq-lnx-01's last update failed. Its job says why; the machine's status leads to it"
            " too."
        ),
        press(
            *find("mq-lnx-01"),
            say="Select the VM: its Overview says Update failed.",
            until=c.highlighted("mq-lnx-01"),
        ),
        press(
            "enter",
            say=(
                "Enter on the status: the error, its possible causes and recommended action, "
                "Retry, and a link to the previous job."
            ),
            until=c.showing(ItemActionModal),
        ),
        press(
            "tab",
            "enter",
            say="Tab to Previous job, Enter: the failed job itself, its tasks and errors.",
            until=c.job_detail_of_last_job("mq-lnx-01"),
        ),
        narrate(
            "Error 95524: less than 100 MB free on the system drive. The machine's owner frees disk"
            " space; then the update can be retried."
        ),
        press(
            "shift+tab",
            "enter",
            say="Go to item leads back to the machine.",
            until=c.all_of(c.showing(ItemsScreen), c.highlighted("mq-lnx-01")),
        ),
        press(
            "enter",
            say="Enter on the status again: Retry has the focus.",
            until=c.showing(ItemActionModal),
        ),
        press(
            "enter",
            say="Retry starts a new job, linked to the failed one.",
            until=c.retried("mq-lnx-01"),
        ),
        fast_forward(
            "The retry runs; engine time runs fast.", until=c.status("mq-lnx-01", UP_TO_DATE)
        ),
        press(
            "j",
            say="Site Recovery jobs, newest first: the retry, which succeeded, and the failed job.",
            until=c.showing(JobsScreen),
        ),
        press(
            "enter",
            say="Enter on the retry: it names the job it retried.",
            until=c.job_detail_of_retry("mq-lnx-01"),
        ),
        press(
            "shift+tab",
            "shift+tab",
            "enter",
            say="Previous job follows the link back to the failed job.",
            until=c.job_detail_of_retried("mq-lnx-01"),
        ),
    ),
    outcome=c.all_of(c.status("mq-lnx-01", UP_TO_DATE), c.retried("mq-lnx-01")),
    outcome_text="mq-lnx-01 is Up to date; its last job is the retry, linked to the failed job.",
)

"""Tours of the seed's automatic procedures: the nightly run, an appliance's AutoUpdate, an
incompatible appliance."""

from __future__ import annotations

from datetime import timedelta

from tui.modals.confirm import ConfirmModal
from tui.modals.item_actions import ItemActionModal
from tui.modals.registry import RegistryModal
from tui.screens.appliances import AppliancesScreen
from tui.screens.items import ItemsScreen
from tui.screens.jobs import JobsScreen
from tui.screens.settings import SettingsScreen
from tui.tour import checks as c
from tui.tour.acts import advance
from tui.tour.model import Tour, fast_forward, narrate, press, world
from tui.tour.stories_agents import AVAILABLE, UP_TO_DATE, UPDATING, find

NIGHTLY = ("app-prod-01", "erp-app-01", "file-prod-01", "hr-web-01", "web-prod-01", "web-prod-02")

NIGHTLY_UPDATE = Tour(
    name="nightly-update",
    title="The nightly automatic update: at 12:00 AM Site Recovery updates appliances, then agents",
    seed_section="Update mobility agent automatically",
    steps=(
        narrate(
            "By default automatic updates are on: at 12:00 AM local time every day, Site Recovery "
            "updates the Mobility agents when a new version exists. It is 23:50 in New York."
        ),
        press(
            "comma",
            say=(
                "Settings: Mobility agent upgrade settings. 'Allow Site Recovery to manage' is on; "
                "below it, what tonight's run will update and what it will skip, and why."
            ),
            until=c.showing(SettingsScreen),
        ),
        press(
            "n",
            say="Rather than wait ten minutes, n skips engine time to the next automatic run.",
            until=c.jobs_created(1),
        ),
        press(
            "j",
            say=(
                "Site Recovery jobs, initiated by Site Recovery: appl-ny-01's Replication service "
                "first, then one Update Mobility Service job per eligible machine."
            ),
            until=c.showing(JobsScreen),
        ),
        fast_forward(
            "Agents on appl-ny-01 wait for its component update; the rest start at once. No reboot,"
            " and replication goes on. Engine time runs fast.",
            until=c.jobs_settled(),
        ),
        press(
            "i",
            say="Replicated items: every agent is Up to date except one.",
            until=c.showing(ItemsScreen),
        ),
        press(
            *find("ci-lnx-01"),
            say=(
                "ci-lnx-01 was installed from private-preview bits: automatic updates "
                "are blocked for it, and its Overview says so."
            ),
            until=c.highlighted("ci-lnx-01"),
        ),
    ),
    outcome=c.all_of(
        c.statuses(NIGHTLY, UP_TO_DATE),
        c.status("ci-lnx-01", AVAILABLE),
        c.components_up_to_date("appl-ny-01"),
    ),
    outcome_text=(
        "The nightly run updated appl-ny-01 and six agents: Up to date; ci-lnx-01 (private preview)"
        " was skipped."
    ),
)

APPLIANCE_AUTOUPDATE = Tour(
    name="appliance-autoupdate",
    title="An appliance's AutoUpdate turned off and on in the Registry Editor",
    seed_section="Upgrade appliance: Turn off auto-update, Turn on auto-update",
    steps=(
        narrate(
            "Appliances update themselves at 12:00 AM local time when any component has a new"
            " version. appl-ny-01 has two components behind."
        ),
        press(
            "a",
            say=(
                "Appliances (the Appliance Configuration Manager's Appliance components):"
                " appl-ny-01's auto-update is On."
            ),
            until=c.showing(AppliancesScreen),
        ),
        press(
            "r",
            say=(
                "On the appliance server, the Registry Editor at"
                " HKLM\\SOFTWARE\\Microsoft\\AzureAppliance: no AutoUpdate value, so automatic"
                " updates are on."
            ),
            until=c.showing(RegistryModal),
        ),
        press(
            "shift+tab",
            "enter",
            say="To turn auto-update off, create the AutoUpdate DWORD with value 0.",
            until=c.registry("appl-ny-01", {"AutoUpdate": 0}),
        ),
        press(
            "comma",
            say=(
                "Settings, tonight's plan: appl-ny-01's components are skipped because its "
                "AutoUpdate value is 0."
            ),
            until=c.showing(SettingsScreen),
        ),
        press(
            "a",
            "r",
            say="To turn auto-update on again: back to the appliance's Registry Editor.",
            until=c.showing(RegistryModal),
        ),
        press(
            "shift+tab",
            "enter",
            say="Delete the AutoUpdate value created before.",
            until=c.registry("appl-ny-01", {}),
        ),
        press(
            "comma",
            say="The plan again: tonight's run updates appl-ny-01's two components.",
            until=c.showing(SettingsScreen),
        ),
        press("n", say="n skips to the run at 12:00 AM.", until=c.jobs_created(1)),
        press(
            "a",
            say="Appliances: the run is updating appl-ny-01's components.",
            until=c.showing(AppliancesScreen),
        ),
        fast_forward(
            "Each component downloads, installs and registers with Azure. Engine time runs fast.",
            until=c.components_up_to_date("appl-ny-01"),
        ),
    ),
    outcome=c.all_of(c.registry("appl-ny-01", {}), c.components_up_to_date("appl-ny-01")),
    outcome_text=(
        "AutoUpdate was created (off) and deleted (on); the nightly run then updated appl-ny-01."
    ),
)

BRANCH = ("br-app-01", "br-db-01", "br-web-01")

INCOMPATIBLE_APPLIANCE = Tour(
    name="incompatible-appliance",
    title="An incompatible appliance upgraded before its agents",
    seed_section="Resolve blocking issues for agent upgrade; Upgrade appliance",
    steps=(
        narrate(
            "Agent 9.66.7643.1 needs Process server 9.66.7614.1. appl-branch-01 has AutoUpdate = 0"
            " and still runs 9.66.7567.1, so its three machines cannot update."
        ),
        press("3", say="3 shows only the machines that cannot update.", until=c.facet("blocked")),
        press(
            "enter",
            say=(
                "Enter on a machine's status: IncompatibleApplianceVersion, and the recommended "
                "action: update the appliance's components first."
            ),
            until=c.showing(ItemActionModal),
        ),
        press(
            "escape",
            "a",
            say=(
                "Esc, then a: Appliances. appl-branch-01's Process server says New update "
                "available."
            ),
            until=c.showing(AppliancesScreen),
        ),
        press(
            "tab",
            say="Tab moves to its components; the Process server is the first.",
            until=c.focused("components"),
        ),
        press(
            "u",
            say="u updates the highlighted component, after a confirmation.",
            until=c.showing(ConfirmModal),
        ),
        press(
            "tab",
            "enter",
            say="Tab to Update, Enter: an Update appliance component job starts.",
            until=c.component("appl-branch-01", "process-server", UPDATING),
        ),
        fast_forward(
            "The Process server downloads, installs and registers. Engine time runs fast.",
            until=c.component("appl-branch-01", "process-server", UP_TO_DATE),
        ),
        world(
            "Move engine time 30 minutes on",
            advance(timedelta(minutes=30)),
            say="The machines learn of it at their next prerequisite check, within 30 minutes.",
            until=c.statuses(BRANCH, AVAILABLE),
        ),
        press(
            "i",
            "0",
            say="Replicated items, every status: the three machines now say New update available.",
            until=c.all_of(c.showing(ItemsScreen), c.facet(None)),
        ),
        press(
            "b",
            "a",
            say="The banner's bulk dialog, a selects the three.",
            until=c.all_eligible_marked(),
        ),
        press(
            "enter",
            "enter",
            say="Enter to OK, Enter: one job per machine.",
            until=c.statuses(BRANCH, UPDATING),
        ),
        fast_forward(
            "The agents update; engine time runs fast.", until=c.statuses(BRANCH, UP_TO_DATE)
        ),
    ),
    outcome=c.all_of(c.components_up_to_date("appl-branch-01"), c.statuses(BRANCH, UP_TO_DATE)),
    outcome_text=(
        "appl-branch-01's Process server was upgraded first; then its three agents: Up to date."
    ),
)

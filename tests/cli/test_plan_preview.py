"""`plan` says which of its entries wait for the service's next 30-minute check: after an
operator fixes something by hand, the preview must not promise (or refuse) on a view the next
check is about to change (issue 20, item 8)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import Console

CONTOSO = Path(__file__).resolve().parents[2] / "demo_data" / "contoso.json"
EAST = ("--vault", "contoso-dr-east")


@pytest.fixture
def contoso(tmp_path: Path) -> Console:
    cli = Console(tmp_path / "fleet.db")
    ran = cli.run("demo", "load", str(CONTOSO))
    assert ran.code == 0, ran.err
    return cli


def entries(plan: dict) -> dict[str, dict]:
    return {
        e["name"] + (f" {e['component']}" if e.get("component") else ""): e
        for e in (*plan["will_update"], *plan["skipped"])
    }


def test_nothing_waits_for_a_check_when_the_service_has_seen_the_world(contoso: Console) -> None:
    plan = contoso.run("plan", "--json", *EAST).json
    assert [name for name, e in entries(plan).items() if e["pending_check"]] == []
    assert "wait for the service's next check" not in contoso.run("plan", *EAST).out


def test_a_reboot_by_hand_waits_for_the_check_before_the_run(contoso: Console) -> None:
    assert contoso.run("sim", "reboot", "app-lnx-02").code == 0
    plan = contoso.run("plan", "--json", *EAST).json
    entry = entries(plan)["app-lnx-02"]
    assert entry in plan["skipped"] and entry["reason"].startswith(
        "RebootRequired"
    )  # the service's view
    item = contoso.run("item", "app-lnx-02", "--json").json
    assert datetime.fromisoformat(entry["pending_check"]) == datetime.fromisoformat(
        item["next_check_at"]
    )
    assert datetime.fromisoformat(entry["pending_check"]) < datetime.fromisoformat(plan["run_at"])
    text = contoso.run("plan", *EAST).out
    line = next(line for line in text.splitlines() if "app-lnx-02" in line)
    assert "waits for the check at" in line and "before the run" in line
    assert text.rstrip().endswith("1 wait for the service's next check")


def test_an_appliance_fixed_by_hand_leaves_its_machines_waiting_for_their_checks(
    contoso: Console,
) -> None:
    """Before: sap-app-01 (blocked only by its appliance's old Process server) is promised an
    update, the nightly run fixing the appliance first. The operator updates the Process server by
    hand; once that job is done the service still shows the old blocker until sap-app-01's next
    check, after midnight: the preview says so instead of an unexplained skip."""
    before = entries(contoso.run("plan", "--json", *EAST).json)["sap-app-01"]
    assert before["pending_check"] is None and "from_version" in before  # promised
    assert contoso.run("appliance", "update", "appl-east-02", "process-server").code == 0
    assert contoso.run("clock", "advance", "13m").code == 0  # the component job ends
    comps = contoso.run("appliance", "appl-east-02", "--json").json["components"]
    assert next(c for c in comps if c["name"] == "Process server")["status"] == "Up to date"
    plan = contoso.run("plan", "--json", *EAST).json
    after = entries(plan)["sap-app-01"]
    assert after in plan["skipped"] and after["reason"].startswith("IncompatibleApplianceVersion")
    assert datetime.fromisoformat(after["pending_check"]) > datetime.fromisoformat(plan["run_at"])
    line = next(
        line for line in contoso.run("plan", *EAST).out.splitlines() if "sap-app-01" in line
    )
    assert "comes after the run" in line

"""The Settings screen's preview of the next automatic run, in words (pure)."""

from __future__ import annotations

from rich.console import Console

from store.outcomes import Plan, PlannedUpdate
from tui.screens.settings import plan_text


def shown(plan: Plan) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(plan_text(plan, "Fri 18 Dec 00:00 EST"))
    return console.export_text()


def update(kind: str, n: int) -> PlannedUpdate:
    return PlannedUpdate(
        kind=kind,
        name=f"{kind}-{n:02d}",
        appliance="appl-east-01",
        component="process-server" if kind == "component" else None,
        from_version="9.65.7417.1",
        to_version="9.66.7643.1",
        run_at="2026-12-18T00:00:00-05:00",
    )


def plan(components: int, agents: int) -> Plan:
    return Plan(
        vault="vault-east",
        run_at="2026-12-18T00:00:00-05:00",
        agent_auto_update=True,
        will_update=[update("component", n) for n in range(components)]
        + [update("agent", n) for n in range(agents)],
    )


def test_one_of_a_kind_is_said_in_the_singular() -> None:
    text = shown(plan(0, 1))
    assert "will update 0 appliance components and 1 Mobility agent\n" in text


def test_what_is_not_listed_is_counted_exactly() -> None:
    text = shown(plan(10, 2))  # four components and both agents listed
    assert "will update 10 appliance components and 2 Mobility agents" in text
    assert "agent-01" in text and "component-03" in text and "component-04" not in text
    assert "…and 6 more" in text


def test_nothing_hidden_says_no_more() -> None:
    assert "more" not in shown(plan(3, 4))

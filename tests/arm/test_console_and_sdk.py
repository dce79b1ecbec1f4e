"""One world: a console open on the database shows what SDK calls did, and the SDK sees what the
operator did in the console (the console's pilot in this process, `arm serve` in another)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from arm_harness import ArmServer, parts
from cli_process import run_cli
from console.test_items_screen import screen_text
from textual.widgets import Switch
from waiting import DEADLINE_S, until

from tui.app import ConsoleApp
from tui.widgets.overview import OverviewPane

VAULT = "contoso-dr-east"
AUTO_OFF = {
    "properties": {
        "providerSpecificInput": {"instanceType": "InMageRcm", "enableAgentAutoUpgrade": "false"}
    }
}


def _served(contoso_db: Path) -> ArmServer:
    assert run_cli(contoso_db, "clock", "pause").code == 0
    return ArmServer(contoso_db, "--http")


async def test_the_console_shows_an_update_made_through_the_sdk(contoso_db: Path) -> None:
    server = _served(contoso_db)
    try:
        client = server.client()
        app = ConsoleApp(db_path=contoso_db)
        async with app.run_test(size=(120, 40)) as pilot:
            app.show_item("web-prod-01")
            await until(
                pilot,
                lambda: app.screen.query_one(OverviewPane).item.name == "web-prod-01",
                "web-prod-01 shown",
            )
            fabric, container = await asyncio.to_thread(_parts_of, client, server)
            await asyncio.to_thread(
                client.replication_protected_items.begin_update_mobility_service,
                server.rg,
                VAULT,
                fabric,
                container,
                "web-prod-01",
                {"properties": {}},
            )
            await until(
                pilot,
                lambda: app.screen.query_one(OverviewPane).item.status == "Updating",
                "the console's overview shows the SDK's update",
            )
            app.switch_mode("jobs")
            await until(
                pilot,
                lambda: "web-prod-01" in screen_text(app),
                "the jobs view lists the SDK's job",
            )
    finally:
        assert server.stop() == 0


async def test_the_sdk_sees_the_consoles_switch_and_the_console_the_sdks(contoso_db: Path) -> None:
    server = _served(contoso_db)
    try:
        client = server.client()
        [mapping] = await asyncio.to_thread(
            lambda: list(client.replication_protection_container_mappings.list(server.rg, VAULT))
        )
        fabric, container = parts(mapping.id)
        app = ConsoleApp(db_path=contoso_db)
        async with app.run_test(size=(120, 40)) as pilot:
            app.switch_mode("settings")
            switch = await until(pilot, lambda: _switch(app), "the settings screen's switch")
            assert switch.value is True
            await asyncio.to_thread(
                lambda: client.replication_protection_container_mappings.begin_update(
                    server.rg, VAULT, fabric, container, mapping.name, AUTO_OFF
                ).result(timeout=DEADLINE_S)
            )
            await until(
                pilot, lambda: _switch(app).value is False, "the console's switch shows the PATCH"
            )
            await pilot.press("t")  # turning it on needs no confirmation
            await until(pilot, lambda: _switch(app).value is True, "the switch is on again")
            shown = await asyncio.to_thread(
                client.replication_protection_container_mappings.get,
                server.rg,
                VAULT,
                fabric,
                container,
                mapping.name,
            )
            assert shown.properties.provider_specific_details.enable_agent_auto_upgrade == "true"
    finally:
        assert server.stop() == 0


def _parts_of(client, server) -> tuple[str, str]:
    return parts(next(iter(client.replication_protected_items.list(server.rg, VAULT))).id)


def _switch(app: ConsoleApp) -> Switch | None:
    found = app.screen.query("#auto-update")
    return found.first(Switch) if found else None

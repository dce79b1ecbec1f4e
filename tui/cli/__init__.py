"""asr-console: the console with no sub-command; headless sub-commands for scripts and tests."""

from __future__ import annotations

import sqlite3
import sys

import click

from store.errors import StoreError
from tui.cli.clock_cmds import clock
from tui.cli.common import Context, db_options, fail
from tui.cli.engine_cmds import ENGINE_COMMANDS
from tui.cli.fleet_cmds import demo, item, items
from tui.cli.ops_cmds import OPS_COMMANDS
from tui.cli.sim_cmds import SIM_COMMANDS
from tui.cli.tour_cmds import TOUR_COMMANDS


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@db_options
@click.pass_context
def cli(click_ctx: click.Context, db: str | None, vault: str | None, read_only: bool | None) -> None:
    """Operator console for Azure Site Recovery Mobility agent and appliance upgrades.

    Without a sub-command, opens the console (on the demo fleet the first time).
    """
    click_ctx.obj = Context(db, vault, bool(read_only))
    if click_ctx.invoked_subcommand is None:
        from tui.launch import run_console

        run_console(click_ctx.obj)


for command in (demo, items, item, clock, *OPS_COMMANDS, *ENGINE_COMMANDS, *SIM_COMMANDS, *TOUR_COMMANDS):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every failure is one line on stderr; 2 for bad input, 1 for a refusal."""
    try:
        cli.main(args=argv, prog_name="asr-console", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted", 1)
    except click.UsageError as exc:
        path = exc.ctx.command_path if exc.ctx else "asr-console"
        fail(f"{exc.format_message().splitlines()[0]} (see `{path} --help`)", 2)
    except click.ClickException as exc:
        fail(exc.format_message().splitlines()[0], exc.exit_code or 2)
    except StoreError as exc:
        fail(str(exc), exc.exit_code)
    except sqlite3.DatabaseError as exc:
        fail(f"database error: {exc}", 2)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)

"""The command line parsed by click: the top-level group, its lazily loaded sub-commands, and how
click's errors become one line."""

from __future__ import annotations

import importlib

import click

from tui.cli.common import db_options
from tui.cli.context import Context, fail, one_line_errors

COMMAND_MODULES: dict[str, str] = {
    "demo": "tui.cli.tour_cmds",  # `demo` (fleet_cmds) with `demo list` registered by tour_cmds
    "items": "tui.cli.fleet_cmds",
    "item": "tui.cli.fleet_cmds",
    "clock": "tui.cli.clock_cmds",
    **dict.fromkeys(
        [
            "update",
            "jobs",
            "job",
            "retry",
            "cancel",
            "auto-update",
            "plan",
            "appliances",
            "appliance",
            "registry",
        ],
        "tui.cli.ops_cmds",
    ),
    "engine": "tui.cli.engine_cmds",
    "rollout": "tui.cli.rollout_cmds",
    "sim": "tui.cli.sim_cmds",
    "tour": "tui.cli.tour_cmds",
    "serve": "tui.cli.tour_cmds",
    "arm": "tui.cli.arm_cmds",
}
"""Sub-command -> the module that defines it. A module is imported only when one of its commands
runs (or help lists them), so opening the console or `items --json` skips the rest."""


class LazyGroup(click.Group):
    """The top-level group: sub-commands load on first use; `commands` still lists them all."""

    def __init__(self, *args, **kwargs) -> None:
        self._loaded: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, click.Command]:
        """Every sub-command (imports every command module: for help and introspection)."""
        for name in COMMAND_MODULES:
            self._load(name)
        return self._loaded

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._loaded = dict(value)

    def _load(self, name: str) -> click.Command | None:
        if name not in self._loaded and name in COMMAND_MODULES:
            module = importlib.import_module(COMMAND_MODULES[name])
            self._loaded[name] = getattr(module, name.replace("-", "_"))
        return self._loaded.get(name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._loaded, *COMMAND_MODULES})


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(
    package_name="asr-upgrade-console", prog_name="asr-console", message="%(prog)s %(version)s"
)
@db_options
@click.pass_context
def cli(
    click_ctx: click.Context, db: str | None, vault: str | None, read_only: bool | None
) -> None:
    """Operator console for Azure Site Recovery Mobility agent and appliance upgrades.

    Without a sub-command, opens the console (on the demo fleet the first time).
    """
    click_ctx.obj = Context(db, vault, bool(read_only))
    if click_ctx.invoked_subcommand is None:
        from tui.launch import run_console

        run_console(click_ctx.obj)


def run(argv: list[str] | None = None) -> None:
    """Every failure is one line on stderr; 2 for bad input, 1 for a refusal."""
    with one_line_errors():
        try:
            cli.main(args=argv, prog_name="asr-console", standalone_mode=False)
        except click.exceptions.Abort:
            fail("aborted", 1)
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else "asr-console"
            fail(f"{exc.format_message().splitlines()[0]} (see `{path} --help`)", 2)
        except click.ClickException as exc:
            fail(exc.format_message().splitlines()[0], exc.exit_code or 2)

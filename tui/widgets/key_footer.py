"""KeyFooter: Textual's Footer (same keys, order and look) without its start-up cost.

Textual 8.2.8's Footer recomposes, after a refresh, on every `bindings_updated` signal (the focus
moving, the app gaining focus, a screen mounting: several times before the console's first data
row), removing and mounting all of its keys each time; and every key, bound to the footer's
`compact` with `data_bind`, restyles itself when the binding sets it (`FooterKey._watch_compact`).
At start-up that was ~110 ms of CPU on the items screen. KeyFooter composes the same widgets, but
only when what they show changed, and each key starts with its `compact` state and class set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

if TYPE_CHECKING:
    from textual.screen import Screen


class _Key(FooterKey):
    """A FooterKey created with the footer's `compact` (no restyle when mounted)."""

    def __init__(self, *args, compact: bool, classes: str = "", **kwargs) -> None:
        super().__init__(*args, classes=f"{classes} -compact" if compact else classes, **kwargs)
        self.set_reactive(FooterKey.compact, compact)


class KeyFooter(Footer, inherit_css=True):
    """The key bindings of the screen, as Textual's Footer shows them."""

    def __init__(self, *children: Widget, **kwargs) -> None:
        super().__init__(*children, **kwargs)
        self._shown: tuple | None = None
        """What the keys on show were composed from (None: not composed yet)."""

    def _what_to_show(self) -> tuple:
        """Everything the composed keys depend on: when it is unchanged, a recompose would mount
        the same widgets again."""
        app = self.app
        return (
            self.compact,
            self.show_command_palette and app.ENABLE_COMMAND_PALETTE,
            tuple(
                (binding.key, binding.action, binding.description, binding.show, binding.group,
                 binding.tooltip, app.get_key_display(binding), enabled, tooltip)
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            ),
        )

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._what_to_show()
        active_bindings = self.screen.active_bindings
        compact = self.compact
        action_to_bindings: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _, binding, enabled, tooltip in active_bindings.values():
            if binding.show:
                action_to_bindings[binding.action].append((binding, enabled, tooltip))
        self.styles.grid_size_columns = len(action_to_bindings)
        groups: Iterable = groupby(action_to_bindings.values(), lambda multi: multi[0][0].group)
        for group, multi_bindings_iterable in groups:
            multi_bindings = list(multi_bindings_iterable)
            if group is not None and len(multi_bindings) > 1:
                with KeyGroup(classes="-compact" if group.compact else ""):
                    for multi in multi_bindings:
                        binding, enabled, tooltip = multi[0]
                        yield _Key(binding.key, self.app.get_key_display(binding), "",
                                   binding.action, disabled=not enabled,
                                   tooltip=tooltip or binding.description, classes="-grouped",
                                   compact=compact)
                yield FooterLabel(group.description)
            else:
                for multi in multi_bindings:
                    binding, enabled, tooltip = multi[0]
                    yield _Key(binding.key, self.app.get_key_display(binding),
                               binding.description, binding.action, disabled=not enabled,
                               tooltip=tooltip, compact=compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active_bindings[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                pass
            else:  # Not compact-bound, as in Footer.
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                                binding.action, classes="-command-palette", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and self._what_to_show() != self._shown:
            await self.recompose()

    def _watch_compact(self, compact: bool) -> None:
        for key in self.query(FooterKey):
            if not key.has_class("-command-palette"):
                key.compact = compact

"""The VM overview pane: the highlighted machine's agent version, status, blockers and last job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from store.vocabulary import UpdateStatus
from tui.paint import use_framed_line_cache
from tui.render import safe_text, short_job_id
from tui.status_colours import status_styles

if TYPE_CHECKING:
    from collections.abc import Callable

    from store.models import ItemView

NEXT_STEP = {
    UpdateStatus.UPDATE_AVAILABLE.value: "Enter: Update to this version",
    UpdateStatus.BLOCKED.value: "Enter: blocking reasons and recommended actions",
    UpdateStatus.FAILED.value: "Enter: error, Retry, previous job",
    UpdateStatus.UPDATING.value: "Enter: the running job",
    UpdateStatus.UP_TO_DATE.value: "",
}


LABEL_WIDTH = 14
"""Width of the label column ("Latest version")."""

KEPT_LINES = 256
"""Painted lines (and wrapped paragraphs) the pane keeps by their text: machines share most of
theirs (labels with the same value, a status, a blocker's reason, message and action)."""


class OverviewPane(Widget):
    """Follows the table's highlighted row; shows what the portal's Overview blade shows."""

    DEFAULT_CSS = """
    OverviewPane {
        border: round $primary 50%;
        border-title-color: $text;
        padding: 0 1;
        height: 1fr;
        overflow-y: auto;
    }
    """
    item: reactive[ItemView | None] = reactive(
        None, repaint=False
    )  # watch_item repaints what changed.
    """The machine shown, or None when nothing is highlighted."""
    local_next_check: reactive[str] = reactive("", repaint=False)
    """When the service checks this machine again, in vault-local time (shown from the next
    `item`)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        use_framed_line_cache(self)
        self._all: list[Text] = []  # The text's lines.
        self._text: Text | None = Text()  # Joined from them when Textual paints it (see render).
        self._lines: list[Text] | None = None  # The text's lines as last painted.
        self._strips: list[Strip | None] = []  # Painted lines, kept while their text is the same.
        self._by_line = False  # The lines fit the pane: painted one by one (see render_line).
        self._paint: tuple[int, Style] | None = None  # Width and base style, during a paint.
        self._kept: dict[
            tuple, Strip
        ] = {}  # Painted lines by their text, for one width and base style.
        self._kept_for: tuple[int, Style] | None = None
        self._wrapped: dict[tuple, list[Text]] = {}  # Rows' and paragraphs' lines (`_kept_lines`).
        self._status_styles: dict[str, Style] = {}
        self._styles_theme: str | None = None
        self._title: str | None = None

    def render(self) -> Text:
        if self._text is None:
            self._text = Text("\n").join(self._all)
        return self._text

    def on_mount(self) -> None:
        self.watch_item(self.item)

    def on_resize(self) -> None:
        self.watch_item(self.item)  # The value column wraps to the new width.

    def watch_item(self, item: ItemView | None) -> None:
        title = safe_text(item.name) if item else "Overview"
        if title != self._title:
            self._title = title
            self.border_title = Text(title)
        width, room = self.scrollable_content_region.size
        lines = self._content(item, width or 40)
        before, self._all, self._text, self._lines = self._lines, lines, None, lines
        fits = bool(width) and all(line.cell_len <= width for line in lines)  # No line wraps.
        by_line, self._by_line = self._by_line, fits and 0 < len(lines) <= room
        strips, self._strips = self._strips, [None] * len(lines)
        if not by_line or not self._by_line:
            # A layout pass only when the scroll height can matter (the text overflows the pane,
            # or did); it and a full repaint cost more than the rest of a live refresh.
            self.refresh(layout=not room or max(len(lines), len(before or ())) > room)
            self._lines = lines if fits else None
            return
        # The text fits, as it did: repaint only the lines that changed (a status, a time), and
        # every line below a line that came or went.
        moved = False  # Whether a line came or went above: every line from there moves.
        changed = []
        for y in range(max(len(lines), len(before))):
            if (
                not moved
                and y < len(lines)
                and y < len(before)
                and (lines[y] is before[y] or lines[y] == before[y])
            ):
                self._strips[y] = strips[y]
                continue
            moved = len(lines) != len(before)
            changed.append(Region(0, y, width, 1))
        if changed:
            self.refresh(*changed)  # One call: each costs a message to the screen.

    def render_line(self, y: int) -> Strip:
        """A line of the text, painted alone while the text fits the pane: Textual's own path lays
        out and styles the whole text again for any changed line (most of a live refresh's cost)."""
        if not self._by_line:
            return super().render_line(y)
        width, base = self._paint or (self.size.width, self.rich_style)
        if y >= len(self._strips):
            return Strip.blank(width, base)
        strip = self._strips[y]
        if strip is None:
            strip = self._strips[y] = self._painted(self._lines[y], width, base)
        return strip

    def _painted(self, line: Text, width: int, base: Style) -> Strip:
        """A line painted, or the same text painted before at this width and base style: moving
        to another machine, or a live refresh's status change, mostly shows lines painted already.
        """
        if self._kept_for != (width, base):
            self._kept_for = (width, base)
            self._kept.clear()
        key = (line.plain, line.style, *line.spans)  # Spans are named tuples of text and styles.
        strip = self._kept.get(key)
        if strip is None:
            segments = list(Segment.apply_style(line.render(self.app.console), base))
            if line.cell_len < width:
                segments.append(Segment(" " * (width - line.cell_len), base))
            strip = Strip(segments, width)
            if len(self._kept) >= KEPT_LINES:
                self._kept.clear()
            self._kept[key] = strip
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looked up once per paint, not per line; `visual_style` is Textual's cached form of
        # `rich_style` (the same style, worked out again only when the styles change).
        self._paint = (self.size.width, self.visual_style.rich_style)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _status_style(self, slug: str) -> Style:
        """A status's style, looked up once per theme (a lookup costs a tenth of a live refresh)."""
        if self._styles_theme != self.app.theme:
            self._styles_theme = self.app.theme
            self._status_styles.clear()
        if not self._status_styles:
            self._status_styles = status_styles(self.app)
        return self._status_styles.get(slug, Style.null())

    def notify_style_update(self) -> None:
        self._status_styles.clear()
        self._kept.clear()
        self._strips = [None] * len(self._strips)  # A theme or CSS change restyles every line.
        super().notify_style_update()

    def _content(self, item: ItemView | None, width: int) -> list[Text]:
        """The pane's lines, its label/value rows laid out as a two-column grid would be (built
        line by line: splitting one Text into lines cost as much as building it)."""
        if item is None:
            return [Text("No machine highlighted.", style="dim")]
        console = self.app.console
        lines: list[Text] = []

        def row(label: str, value: str, style: Style | str = "", *, last: bool = False) -> None:
            # Kept like the paragraphs: most rows are the same from one refresh (and one machine)
            # to the next, and building them was half of the pane's update.
            def build() -> list[Text]:
                text = Text(value, style=style)
                room = max(1, width - LABEL_WIDTH - 1)
                parts = (
                    [text] if text.cell_len <= room else text.wrap(console, room, overflow="fold")
                )
                built = []
                for n, part in enumerate(parts):
                    line = Text(end="")
                    line.append(
                        f"{label if n == 0 else '':<{LABEL_WIDTH}} ", style="bold" if n == 0 else ""
                    )
                    line.append_text(part)
                    built.append(line)
                if last:
                    built[-1].rstrip()
                return built

            lines.extend(self._kept_lines(("row", label, value, style, width, last), build))

        row("Agent version", item.agent_version)
        slug = _slug(item.status)
        row("Status", item.status, self._status_style(slug))
        latest = item.latest_version or "-"
        if item.latest_release_date and item.latest_version != item.agent_version:
            latest += f" ({item.latest_release_date})"
        row("Latest version", latest)
        if not item.auto_update:  # Why tonight's run skips it: near the top, seen on a small pane.
            row("Auto update", item.auto_update_note or "off", "italic")

        def para(text: str, style: str = "") -> None:
            # Wrapped here, as Textual would: lines that fit are painted one by one (render_line).
            # Kept by text: blocked machines share their blockers' words (wrapping is most of
            # building the pane).
            def build() -> list[Text]:
                value = Text(end="")
                value.append(
                    text, style
                )  # A span, not the Text's own style: render_line paints spans.
                if value.cell_len <= width:
                    return [value]
                # Wrapped lines start under the text after the bullet or arrow, not at the margin.
                lead = (
                    len(text) - len(text.lstrip(" ")) + (2 if text.lstrip(" ")[:1] in "●→" else 0)
                )
                if lead >= width // 2:
                    return list(value.wrap(console, width, overflow="fold"))
                first, *rest = value.wrap(console, width - lead, overflow="fold")
                return [first, *(Text(" " * lead, end="") + line for line in rest)]

            lines.extend(self._kept_lines(("para", text, style, width), build))

        for b in item.blockers:
            para(f"● {b.reason}", "bold")
            para(f"  {safe_text(b.message)}")
            para(f"  → {safe_text(b.recommended_action)}", "italic")
        if item.blockers:
            if self.local_next_check:
                para(f"The service checks again at {self.local_next_check}.", "dim")
            lines.append(Text(end=""))  # A blank line closes the blockers.
        step = NEXT_STEP.get(item.status, "")
        if step:
            para(step, "bold")
        row("OS", safe_text(item.os))
        row("Appliance", safe_text(item.appliance))
        row("Replication", f"{item.replication_health} · {item.protection_state}")
        row(
            "Last job",
            short_job_id(item.last_job_id) if item.last_job_id else "-",
            last=not item.auto_update,
        )
        if item.auto_update:
            row("Auto update", "on", last=True)
        return lines

    def _kept_lines(self, key: tuple, build: Callable[[], list[Text]]) -> list[Text]:
        """The lines built for `key` before (never changed once kept), or built now and kept."""
        kept = self._wrapped.get(key)
        if kept is None:
            kept = build()
            if len(self._wrapped) >= KEPT_LINES:
                self._wrapped.clear()
            self._wrapped[key] = kept
        return kept


def _slug(word: str) -> str:
    for status in UpdateStatus:
        if status.value == word:
            return status.slug
    return "up-to-date"

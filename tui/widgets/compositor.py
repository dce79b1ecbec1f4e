"""A compositor that paints only the screen lines an update needs, not every line of each widget."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip


class LineCompositor(Compositor):
    """Textual's compositor, cropping each widget's render to the update.

    For a partial update Textual 8.2.8 asks every widget whose *container's* clip meets the
    dirty area for all of its lines (`Compositor._get_renders`), then keeps the dirty ones:
    one changed table row cost every line of the nine widgets on the items screen (cached
    lines are fetched, filtered and cut again), most of a live refresh tick. Here a widget is
    asked only for the band of its lines that dirty regions meet (a table row and two overview
    lines: one line of the table, two of the overview, not a band across both and the
    scrollbar between); not at all when no dirty region meets it, or when widgets in front of
    it cover those cells (the screen and the containers behind the table: the first widget to
    paint a cell wins in `_render_chops`, so theirs would be thrown away).
    The screen shows the same cells (cells beside a dirty span are not written again). Full
    updates (screenshots, resizes) crop to the whole screen and paint what Textual's do.
    """

    _updates: list[Region] | None = None
    """During a partial update: the regions it repaints."""

    def render_partial_update(self):
        # The dirty regions themselves, not only the crop around them: a widget is asked for the
        # lines where a dirty region meets it (a table row and two overview lines are three
        # lines, not the three-line band across both widgets and the scrollbar between).
        self._updates = list(self._dirty_regions)
        try:
            return super().render_partial_update()
        finally:
            self._updates = None

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        updates = self._updates or [crop]
        # Whole lines of the crop: an update writes each chop (the cells between two cuts) that
        # meets a dirty span from the chop's start, which may lie left of the span; the chop
        # lies inside every widget painting it, so those widgets meet the span on its line.
        # `ChopsUpdate` also writes a chop that starts where a dirty span ends, when one was
        # painted: those cells did not change (no dirty span covers them), so the widget beside
        # the span (a table's scrollbar, the container behind the gap) is not asked for them.
        band = Region(0, crop.y, self.size.width, crop.height)
        front: list[Region] = []  # What the widgets yielded so far paint (front to back).
        for widget, (region, clip) in self.visible_widgets.items():
            clip = clip.intersection(band)
            painted = region.intersection(clip)
            if not painted.area:
                continue
            # The dirty cells this widget could paint, and the band of its lines holding them:
            # one render per widget (each costs a fixed part, the widget's styles worked out),
            # the lines between from its line cache.
            parts = [part for update in updates if (part := painted.intersection(update)).area]
            # Parts stacked over the same columns (a repainted table's rows) checked as one.
            if not parts or all(_covered(part, front) for part in (_merged(parts) if len(parts) > 4 else parts)):
                continue
            top, bottom = min(p.y for p in parts), max(p.bottom for p in parts)
            run = Region(painted.x, top, painted.width, bottom - top)
            front.append(run)
            x, y, width, height = run
            yield region, clip.intersection(run), widget.render_lines(
                Region(x - region.x, y - region.y, width, height))


def _merged(parts: list[Region]) -> list[Region]:
    """`parts` with the ones stacked over the same columns joined (adjacent table rows)."""
    merged: list[Region] = []
    for part in sorted(parts, key=lambda r: (r.x, r.width, r.y)):
        last = merged[-1] if merged else None
        if last is not None and (last.x, last.width) == (part.x, part.width) and part.y <= last.bottom:
            merged[-1] = Region(last.x, last.y, last.width, max(last.bottom, part.bottom) - last.y)
        else:
            merged.append(part)
    return merged


def _covered(region: Region, front: list[Region], start: int = 0) -> bool:
    """Whether the regions `front[start:]` cover every cell of `region` between them."""
    for n in range(start, len(front)):
        other = front[n]
        if not region.overlaps(other):
            continue
        if other.contains_region(region):
            return True
        # What `other` leaves of `region`: bands above and below it, then left and right of it.
        x, y, width, height = region
        top, bottom = max(y, other.y), min(y + height, other.bottom)
        left, right = max(x, other.x), min(x + width, other.right)
        rest = [
            Region(x, y, width, top - y),
            Region(x, bottom, width, y + height - bottom),
            Region(x, top, left - x, bottom - top),
            Region(right, top, x + width - right, bottom - top),
        ]
        return all(_covered(part, front, n + 1) for part in rest if part.area > 0)
    return False


def send_repaints(screen: Screen) -> None:
    """Hand `screen` now every repaint its widgets asked for, so that one frame shows them all.

    Textual sends a widget's repaint to its screen when the widget's own message loop is next
    idle: a handler that changes several widgets (a filter's new rows, counts and overview) while
    the focused widget echoes a key would otherwise get two frames, the echo alone first, as the
    screen draws as soon as the first widget's repaint arrives. `Widget._check_refresh` is what
    that idle runs (Textual 8.2.8, pinned); the compositor's visible widgets include the
    scrollbars, whose range follows a new row count."""
    for widget in list(screen._compositor.visible_widgets):
        if widget._repaint_required:
            widget._check_refresh()


def use_line_compositor(screen: Screen) -> None:
    """Give `screen` a `LineCompositor` (call from its `__init__`, before it is laid out)."""
    screen._compositor = LineCompositor()


def paint_now(screen: Screen) -> None:
    """Draw now the repaints `screen`'s visible widgets asked for, as the screen's update timer
    would at its next tick: the live refresh's changed rows and overview lines reach the screen
    in the poll that read them, rather than through a message to the screen and a timer
    (Textual 8.2.8: `Widget._check_refresh` posts `Update`, `Screen._on_update` resumes the
    update timer, `_on_timer_update` paints) while their data is still in the CPU's caches.

    Anything more than a repaint (a layout, a scroll, a style refresh, a whole-screen repaint,
    a batch) is left to Textual's own path, as are widgets not on screen."""
    app = screen.app
    if (screen is not app.screen or app.is_inline or app._batch_count or not screen.is_current
            or screen._layout_required or screen._scroll_required or screen._repaint_required):
        return
    widgets = set()
    for widget in screen._compositor.visible_widgets:
        if widget._layout_required or widget._scroll_required or widget._refresh_styles_required:
            return
        if widget._repaint_required:
            widgets.add(widget)
    if not widgets:
        return
    for widget in widgets:
        widget._repaint_required = False  # Its idle check (`_check_refresh`) then sends nothing.
    screen._dirty_widgets |= widgets
    screen._compositor.update_widgets(screen._dirty_widgets)
    screen._compositor_refresh()


class HeldIdle:
    """Mixin for a widget the live refresh repaints (listed before the Widget class): its idle
    check can be held while `painted_in_place` runs.

    A widget's `refresh` prompts the widget's message loop (`check_idle`), whose idle handler
    then sends the repaint to the screen: a message, a task switch and a handler lookup each,
    7% of a live refresh tick's instructions (callgrind, 100 ticks at 100k). `paint_now` draws
    the repaint in place, so the prompt would find nothing to do."""

    _idle_held = False

    def check_idle(self) -> None:
        if not self._idle_held:
            super().check_idle()  # type: ignore[misc]


@contextmanager
def painted_in_place(screen: Screen, widgets: Iterable[HeldIdle]) -> Iterator[None]:
    """Run a live refresh of `widgets` (on `screen`), then `paint_now`; the widgets' idle checks
    are held meanwhile, and made afterwards for any of them with work still pending (a layout,
    a scroll, or a repaint `paint_now` left to Textual's own path), also when the body failed."""
    held = list(widgets)
    for widget in held:
        widget._idle_held = True
    try:
        yield
        paint_now(screen)
    finally:
        for widget in held:
            widget._idle_held = False
            if (widget._repaint_required or widget._layout_required or widget._scroll_required  # type: ignore[attr-defined]
                    or widget._refresh_styles_required or widget._recompose_required):  # type: ignore[attr-defined]
                widget.check_idle()

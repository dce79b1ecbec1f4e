"""A compositor that paints only the screen lines an update needs, not every line of each widget."""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class LineCompositor(Compositor):
    """Textual's compositor, asking each widget only for its lines a partial update repaints: a
    changed table row no longer costs every line of every widget on the screen (README.md)."""

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

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
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
            checked = _merged(parts) if len(parts) > 4 else parts
            if not parts or all(_covered(part, front) for part in checked):
                continue
            top, bottom = min(p.y for p in parts), max(p.bottom for p in parts)
            run = Region(painted.x, top, painted.width, bottom - top)
            front.append(run)
            x, y, width, height = run
            yield (
                region,
                clip.intersection(run),
                widget.render_lines(Region(x - region.x, y - region.y, width, height)),
            )


def _merged(parts: list[Region]) -> list[Region]:
    """`parts` with the ones stacked over the same columns joined (adjacent table rows)."""
    merged: list[Region] = []
    for part in sorted(parts, key=lambda r: (r.x, r.width, r.y)):
        last = merged[-1] if merged else None
        stacked = last is not None and (last.x, last.width) == (part.x, part.width)
        if stacked and part.y <= last.bottom:
            bottom = max(last.bottom, part.bottom)
            merged[-1] = Region(last.x, last.y, last.width, bottom - last.y)
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

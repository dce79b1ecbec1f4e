"""Pure rendering of staged rollouts: a wave's progress bar, its line, and a rollout's detail."""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text

from store.clock import duration_text, parse_iso, zone
from tui.render import safe_text

SEGMENTS = (("Succeeded", "█"), ("Failed", "█"), ("InProgress", "▓"), ("NotStarted", "░"))
"""A wave's bar, left to right: succeeded, failed, running, waiting; the rest (not created yet,
skipped, cancelled) is blank."""
STYLE_NAMES = {
    "Succeeded": "succeeded",
    "Failed": "failed",
    "InProgress": "running",
    "NotStarted": "waiting",
    "rest": "rest",
}


def bar_cells(jobs: dict[str, int], size: int, width: int) -> list[tuple[str, int]]:
    """How many of `width` cells each part of the bar takes (largest remainders: they add up to
    `width`, and a part with any job shows at least one cell when there is room)."""
    parts = [(state, jobs.get(state, 0)) for state, _c in SEGMENTS]
    parts.append(("rest", max(size - sum(n for _s, n in parts), 0)))
    total = sum(n for _s, n in parts) or 1
    exact = [n * width / total for _s, n in parts]
    cells = [int(x) for x in exact]
    for i in sorted(range(len(parts)), key=lambda i: exact[i] - cells[i], reverse=True)[
        : width - sum(cells)
    ]:
        cells[i] += 1
    for i, (_state, n) in enumerate(parts[:-1]):  # a failure must never round away
        if n and not cells[i]:
            donor = max(range(len(cells)), key=lambda j: cells[j])
            if cells[donor] > 1:
                cells[donor] -= 1
                cells[i] = 1
    return [(state, c) for (state, _n), c in zip(parts, cells, strict=True)]


def wave_bar(jobs: dict[str, int], size: int, width: int, styles: dict[str, Style | str]) -> Text:
    text = Text()
    chars = dict(SEGMENTS)
    for state, cells in bar_cells(jobs, size, width):
        if cells:
            text.append(chars.get(state, "·") * cells, style=styles.get(STYLE_NAMES[state], ""))
    return text


def wave_line(wave, width: int, styles: dict[str, Style | str]) -> Text:
    """`canary  ████░░  Running     1 ok 0 failed 1 running 2 waiting` in `width` cells."""
    jobs = wave.jobs
    label = "canary" if wave.index == 0 else f"wave {wave.index}"
    counts = (
        f"{jobs['Succeeded']:,} ok {jobs['Failed']:,} failed {jobs['InProgress']:,} running "
        f"{jobs['NotStarted']:,} waiting of {wave.size:,}"
    )
    bar_width = max(8, width - 8 - 11 - len(counts) - 2)
    line = Text(f"{label:<8}")
    line.append_text(wave_bar(jobs, wave.size, bar_width, styles))
    line.append(f" {wave.state:<10}", style=styles.get(f"state-{wave.state.lower()}", ""))
    line.append(counts, style=styles.get("counts", ""))
    line.truncate(width)
    return line


def local_clock(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).strftime("%a %H:%M %Z")


def rollout_detail(view, now: datetime, width: int, styles: dict[str, Style | str]) -> Text:
    """The highlighted rollout: its terms, what it waits for (the bake countdown in engine time),
    why it halted, and one line per wave."""
    text = Text()
    text.append(safe_text(view.name), style="bold")
    text.append(f"  {view.state}", style=styles.get(f"state-{view.state.lower()}", "bold"))
    window = f" · window {view.window}" if view.window else ""
    text.append(
        f"\ntarget {view.target_version} · {view.machines:,} machines · bake {view.bake}{window} · "
        f"failures {view.failures} ({view.max_failures} allowed)\n"
    )
    if view.bake_ends:
        left = (parse_iso(view.bake_ends) - now).total_seconds()
        text.append(
            f"Baking: the next wave in {duration_text(left)} of engine time "
            f"({local_clock(parse_iso(view.bake_ends), view.time_zone)})\n",
            style="bold",
        )
    elif view.state == "Waiting" and view.next_wave_at:
        text.append(
            f"Waiting for its window {view.window}: it opens "
            f"{local_clock(parse_iso(view.next_wave_at), view.time_zone)}\n",
            style="bold",
        )
    if view.halted_reason:
        text.append("Halted: ", style=styles.get("state-halted", "bold"))
        text.append(f"{safe_text(view.halted_reason)}\n")
        text.append(
            "r resumes with the next wave (failures count afresh); x aborts.\n", style="italic"
        )
    elif view.state == "Paused":
        text.append("Paused: no new wave starts; running jobs finish. r resumes.\n", style="italic")
    for wave in view.waves:
        text.append_text(wave_line(wave, width, styles))
        text.append("\n")
    text.rstrip()
    return text


def rollout_cells(view) -> list[Text]:
    """One row of the rollouts table: name, state, waves started, failures."""
    started = sum(w.started is not None for w in view.waves)
    return [
        Text(safe_text(view.name)),
        Text(view.state),
        Text(f"{started} of {len(view.waves)}"),
        Text(f"{view.failures} ({view.max_failures} allowed)"),
        Text(f"{view.machines:,}", justify="right"),
    ]

"""The report's figures, drawn with matplotlib (its object API: no pyplot, no display).

Figures read like a paper's: a title, axes labelled with their units, a legend, and the
targets drawn as dashed (horizontal) or dash-dotted (vertical) lines named in the legend.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

TARGET_COLOUR, TARGET_DASHES = "0.25", "--"  # targets: dark grey, dashed
REFERENCE_COLOUR, REFERENCE_DASHES = "0.6", ":"  # reference levels: light grey, dotted
MARKERS = ("o", "s", "^", "D", "v", "P")


def figure(panels: int = 1, title: str = "") -> tuple[Figure, list[Axes]]:
    """A figure of `panels` plots side by side."""
    fig = Figure(figsize=(5.2 * panels, 4.0), layout="constrained")
    axes = [fig.add_subplot(1, panels, k + 1) for k in range(panels)]
    if title:
        fig.suptitle(title, fontsize=12)
    for ax in axes:
        ax.grid(True, which="major", color="0.88", linewidth=0.8)
        ax.grid(True, which="minor", color="0.95", linewidth=0.5)
        ax.set_axisbelow(True)
    return fig, axes


def series(ax: Axes, xs: Sequence[float], ys: Sequence[float], label: str, index: int,
           point_labels: Sequence[str] | None = None) -> None:
    """A measured series: markers joined by a line, each point optionally annotated."""
    colour = f"C{index}"
    ax.plot(xs, ys, marker=MARKERS[index % len(MARKERS)], markersize=5, linewidth=1.4, color=colour, label=label)
    for x, y, text in zip(xs, ys, point_labels or (), strict=False):
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(4, 5), fontsize=7, color=colour)


def target_hline(ax: Axes, y: float, label: str) -> None:
    ax.axhline(y, label=label, color=TARGET_COLOUR, linestyle=TARGET_DASHES, linewidth=1.2)


def target_vline(ax: Axes, x: float, label: str) -> None:
    ax.axvline(x, label=label, color=TARGET_COLOUR, linestyle="-.", linewidth=1.2)


def reference_hline(ax: Axes, y: float, label: str) -> None:
    ax.axhline(y, label=label, color=REFERENCE_COLOUR, linestyle=REFERENCE_DASHES, linewidth=1.0)


def plain_log_ticks(ax: Axes, axis: str = "x") -> None:
    """Log-axis tick labels as plain numbers (1k, 10k, 0.5) rather than powers of ten; the
    minor ticks (2, 3, 5...) are labelled too where the axis spans less than two decades.
    Call it once the data is plotted."""
    def fmt(value: float, _pos: int | None = None) -> str:
        if value >= 1e6:
            return f"{value / 1e6:g}M"
        if value >= 1e3:
            return f"{value / 1e3:g}k"
        return f"{value:g}"

    def minor(value: float, _pos: int | None = None) -> str:
        mantissa = value / 10 ** math.floor(math.log10(value) + 1e-9)
        return fmt(value) if round(mantissa) in (2, 3, 5) else ""

    target = ax.xaxis if axis == "x" else ax.yaxis
    low, high = ax.get_xlim() if axis == "x" else ax.get_ylim()
    target.set_major_formatter(FuncFormatter(fmt))
    target.set_minor_formatter(FuncFormatter(minor) if high / low < 100 else NullFormatter())


def target_region(ax: Axes, x_max: float, y_min: float, label: str) -> None:
    """Shade where a point meets both targets: left of x_max and above y_min."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    ax.fill_between([x0, x_max], y_min, y1, color="0.5", alpha=0.08, linewidth=0, label=label)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def legend_below(fig: Figure, axes: Sequence[Axes], columns: int = 3) -> None:
    """One legend for all panels, under them (each label once)."""
    entries: dict[str, Any] = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        for handle, label in zip(handles, labels, strict=True):
            entries.setdefault(label, handle)
    fig.legend(list(entries.values()), list(entries), loc="outside lower center", ncol=columns, fontsize=8,
               frameon=False)


def save(fig: Figure, path: str) -> None:
    fig.savefig(path, dpi=130, bbox_inches="tight", pad_inches=0.15)  # the legend below included

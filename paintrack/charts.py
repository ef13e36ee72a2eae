"""matplotlib Figures drawn from the clinical engine's results; shared by the window and the PDF.

Qt-free and pyplot-free: every function returns or fills a `matplotlib.figure.Figure`, which the
window wraps in a FigureCanvasQTAgg and the report saves to PDF. Colours are the Okabe-Ito
colour-blind-safe palette, and no meaning rests on colour alone (markers and line styles differ).
Nothing here recomputes a clinical figure: baselines, relief and durations come from the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from paintrack.clinical.model import Site
from paintrack.clinical.relief import minutes_after, pain_at_relief, relief_at_pain, site_entries
from paintrack.clinical.results import BlockResult, SiteResult
from paintrack.clinical.wording import date_text

# Text stays text in PDFs (TrueType embedding), so reports remain searchable and accessible.
matplotlib.rcParams["pdf.fonttype"] = 42
matplotlib.rcParams["ps.fonttype"] = 42

# Okabe-Ito palette (colour-blind safe).
PALETTE: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#7F7F7F",
}
SITE_STYLE: Mapping[str, tuple[str, str]] = {  # site -> (colour, marker)
    "index": (PALETTE["blue"], "o"),
    "left": (PALETTE["blue"], "o"),
    "right": (PALETTE["vermillion"], "^"),
}
SITE_NAMES: Mapping[str, str] = {
    Site.INDEX: "Pain",
    Site.LEFT: "Left side",
    Site.RIGHT: "Right side",
}
RELIEF_LEVEL_STYLE: Mapping[int, tuple[str, str]] = {  # threshold -> (colour, line style)
    50: (PALETTE["bluish_green"], "--"),
    80: (PALETTE["reddish_purple"], ":"),
    100: (PALETTE["grey"], "-."),
}
LATE_COLOUR = PALETTE["orange"]
SHADE_COLOUR = PALETTE["sky_blue"]
BASELINE_COLOUR = PALETTE["grey"]  # the level before the block: neutral, never a site colour
DEFAULT_HOURS = 8.0


@dataclass(frozen=True)
class ChartLook:
    """The colours and weights of the diary chart: the calm look, or High contrast (a black
    background, light text, strong lines, every colour bright enough to read on black)."""

    background: str
    text: str
    grid: str
    block_line: str
    sites: Mapping[str, str]
    levels: Mapping[int, str]
    baseline: str
    paper: str
    line_width: float
    level_width: float


CALM_LOOK = ChartLook(
    background="#ffffff",
    text="#000000",
    grid="#dddddd",
    block_line=PALETTE["black"],
    sites={site: colour for site, (colour, _marker) in SITE_STYLE.items()},
    levels={level: colour for level, (colour, _style) in RELIEF_LEVEL_STYLE.items()},
    baseline=BASELINE_COLOUR,
    paper=PALETTE["black"],
    line_width=2.2,
    level_width=1.6,
)
# The Okabe-Ito hues, lightened where the original is too dark on black (blue, green, purple).
CONTRAST_LOOK = ChartLook(
    background="#000000",
    text="#ffffff",
    grid="#5a5a5a",
    block_line="#ffffff",
    sites={"index": "#ffd400", "left": "#56B4E9", "right": "#FF9A3C"},
    levels={50: "#3DFFB0", 80: "#FF8FD8", 100: "#D0D0D0"},
    baseline="#D0D0D0",
    paper="#ffffff",
    line_width=3.2,
    level_width=2.6,
)


def _hours(minutes: float) -> float:
    return minutes / 60.0


def _style(site: str) -> tuple[str, str]:
    return SITE_STYLE.get(site, (PALETTE["black"], "s"))


class FrozenLayout(ConstrainedLayoutEngine):
    """Constrained layout, computed again only when what it depends on has changed.

    A draw of the diary chart spent about 43% of its time in constrained layout, though after a
    save nothing it measures has moved: the axes keep the positions the last layout gave them.
    The layout runs again (once) when the figure's size or dpi changes (a resize) or when
    `key()` does: the chart's texts (Larger text, the look, the legend's entries, the relief
    axis shown or not, the widest hour label). `invalidate()` forces the next one.
    """

    def __init__(self, key: Callable[[], Hashable]) -> None:
        super().__init__()
        self._key = key
        self._laid_out_for: Hashable | None = None
        self.layouts = 0  # how many times the layout really ran (for tests)

    def invalidate(self) -> None:
        self._laid_out_for = None

    def execute(self, fig: Any) -> Any:
        wanted = (tuple(fig.bbox.size), fig.dpi, self._key())
        if wanted == self._laid_out_for:
            return None
        result = super().execute(fig)
        self._laid_out_for = wanted
        self.layouts += 1
        return result


@dataclass
class _SiteArtists:
    line: Line2D  # every post-block score, joined
    late: Line2D  # rings round scores written down late
    paper: Line2D  # squares round scores typed in from paper
    baseline_point: Line2D  # the score before the block
    baseline: Line2D  # horizontal: the baseline level
    levels: dict[int, Line2D]  # horizontal: pain levels meaning T% relief for this baseline
    # "50% relief" written on each level line (not in the legend, which stays in two rows)
    level_labels: dict[int, Text]


class DiaryChart:
    """The live diary chart of one block: pain over hours since the block.

    Build once, then call `update(result, threshold)` whenever the diary changes: the artists
    are updated in place (set_data), the figure is not rebuilt. `line_data(site)` gives what
    is plotted, for tests and for the accessible text summary.
    """

    def __init__(
        self,
        figure: Figure | None = None,
        *,
        levels: Sequence[int] = (50, 80),
        fontsize: float = 10.0,
    ) -> None:
        self.figure = figure if figure is not None else Figure(figsize=(7.0, 4.0), dpi=100)
        # Laid out once, then again only on a resize or a change of its texts (FrozenLayout).
        self.layout = FrozenLayout(self._layout_key)
        self.figure.set_layout_engine(self.layout)
        self.legend: Legend | None = None
        self._legend_for: Hashable | None = None
        self.look = CALM_LOOK
        self.levels = tuple(levels)
        self.fontsize = fontsize  # the window passes the system font size, the PDF its own
        self.ax: Axes = self.figure.add_subplot(1, 1, 1)
        self.ax.set_xlabel("Hours since the block", fontsize=fontsize)
        self.ax.set_ylabel("Pain score (0 = none, 10 = worst)", fontsize=fontsize)
        self.ax.tick_params(labelsize=fontsize * 0.9)
        self.ax.set_ylim(-0.3, 10.3)
        self.ax.set_yticks(range(0, 11, 2))
        self.ax.set_xlim(-0.5, DEFAULT_HOURS)
        self.ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        self.ax.grid(True, color="#dddddd", linewidth=0.6)
        self.block_line = self.ax.axvline(0.0, color=PALETTE["black"], linewidth=1.0)
        self.shade = Rectangle(
            (0.0, 0.0),
            0.0,
            1.0,
            transform=self.ax.get_xaxis_transform(),
            facecolor=SHADE_COLOUR,
            alpha=0.25,
            edgecolor="none",
            label="relief lasted",
            zorder=0,
        )
        self.ax.add_patch(self.shade)
        self._baseline_for_axis: float | None = None
        self.relief_axis = self.ax.secondary_yaxis(
            "right", functions=(self._pain_to_relief, self._relief_to_pain)
        )
        self.relief_axis.set_ylabel("Relief from the scores (%)", fontsize=fontsize)
        self.relief_axis.set_yticks([0, 50, 80, 100])
        self.relief_axis.tick_params(labelsize=fontsize * 0.9)
        self.sites: dict[str, _SiteArtists] = {}
        self.threshold: int | None = None
        self.shaded_minutes: float | None = None
        self.empty_note = self.ax.text(
            0.5,
            0.5,
            "Your scores will appear here",
            transform=self.ax.transAxes,
            ha="center",
            va="center",
            color=PALETTE["grey"],
            fontsize=fontsize * 1.1,
        )

    def _layout_key(self) -> Hashable:
        """What the layout depends on besides the figure's size: see `FrozenLayout`."""
        low, high = self.ax.get_xlim()
        ticks = self.ax.xaxis.get_major_locator().tick_values(low, high)
        widest = max((len(f"{t:g}") for t in ticks if low <= t <= high), default=0)
        return (
            self.fontsize,
            self.look,
            self._legend_for,
            self.relief_axis.get_visible(),
            widest,
        )

    def set_look(self, look: ChartLook) -> None:
        """The calm look or High contrast, in place (the window's View menu)."""
        self.look = look
        self._apply_look()
        self._refresh_legend(force=True)

    def _apply_look(self) -> None:
        look = self.look
        self.figure.set_facecolor(look.background)
        self.ax.set_facecolor(look.background)
        for axis in (self.ax, self.relief_axis):
            axis.tick_params(colors=look.text, which="both")
            axis.yaxis.label.set_color(look.text)
            for spine in axis.spines.values():
                spine.set_color(look.text)
        self.ax.xaxis.label.set_color(look.text)
        self.ax.grid(True, color=look.grid, linewidth=0.6)
        self.block_line.set_color(look.block_line)
        self.block_line.set_linewidth(1.0 if look is CALM_LOOK else 1.8)
        self.empty_note.set_color(PALETTE["grey"] if look is CALM_LOOK else look.text)
        several = len(self.sites) > 1
        for site, artists in self.sites.items():
            colour = look.sites.get(site, look.text)
            artists.line.set_color(colour)
            artists.line.set_linewidth(look.line_width)
            artists.baseline_point.set_color(colour)
            artists.baseline.set_color(look.baseline)
            artists.paper.set_markeredgecolor(look.paper)
            for level, line in artists.levels.items():
                line.set_color(colour if several else look.levels.get(level, look.baseline))
                line.set_linewidth(look.level_width)
                label = artists.level_labels[level]
                label.set_color(line.get_color())
                # Bold only where there is room: two sides' labels share each line.
                label.set_fontweight("bold" if look is not CALM_LOOK and not several else "normal")

    def set_fontsize(self, fontsize: float) -> None:
        """Every text of the chart at a new size (the window's Larger text), in place."""
        self.fontsize = fontsize
        for label in (self.ax.xaxis.label, self.ax.yaxis.label, self.relief_axis.yaxis.label):
            label.set_fontsize(fontsize)
        self.ax.tick_params(labelsize=fontsize * 0.9)
        self.relief_axis.tick_params(labelsize=fontsize * 0.9)
        self.empty_note.set_fontsize(fontsize * 1.1)
        for artists in self.sites.values():
            for text in artists.level_labels.values():
                text.set_fontsize(fontsize * 0.8)
        self._refresh_legend(force=True)

    # The right-hand axis maps pain to relief for the baseline shown, by the engine's item 3
    # (clinical.relief): the chart computes no relief of its own.
    def _pain_to_relief(self, pain: Any) -> Any:
        return relief_at_pain(self._baseline_for_axis or 1.0, pain)

    def _relief_to_pain(self, relief: Any) -> Any:
        return pain_at_relief(self._baseline_for_axis or 1.0, relief)

    def _site_artists(self, site: str, *, several: bool) -> _SiteArtists:
        colour, marker = _style(site)
        name = SITE_NAMES.get(site, site)
        line = self.ax.plot(
            [], [], color=colour, marker=marker, markersize=7, linewidth=2.2, label=name, zorder=3
        )[0]
        late = self.ax.plot(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor=LATE_COLOUR,
            markeredgewidth=2.2,
            label="written late",
            zorder=4,
        )[0]
        paper = self.ax.plot(
            [],
            [],
            linestyle="none",
            marker="s",
            markersize=14,
            markerfacecolor="none",
            markeredgecolor=PALETTE["black"],
            markeredgewidth=1.6,
            label="from paper",
            zorder=4,
        )[0]
        baseline_point = self.ax.plot(
            [],
            [],
            linestyle="none",
            marker="D",
            markersize=8,
            color=colour,
            label=f"{name}: before the block" if site != "index" else "before the block",
            zorder=3,
        )[0]
        # The level before the block, across the chart: neutral grey (not the "Pain" colour),
        # and named in the legend together with its diamond ("before the block").
        baseline = self.ax.plot(
            [],
            [],
            color=BASELINE_COLOUR,
            linestyle="-",
            linewidth=1.2,
            label="before the block",
            zorder=2,
        )[0]
        levels: dict[int, Line2D] = {}
        for level in self.levels:
            level_colour, style = RELIEF_LEVEL_STYLE.get(level, (PALETTE["grey"], "-."))
            if several:  # one baseline per side: the side's colour, the level's line style
                level_colour = colour
            levels[level] = self.ax.plot(
                [],
                [],
                color=level_colour,
                linestyle=style,
                linewidth=1.6,
                label=f"{level}% relief",
            )[0]
        # With two sides, the right side's labels sit at the left end so the two never overlap.
        at_left = several and site == "right"
        level_labels = {
            level: self.ax.text(
                0.1 if at_left else 0.99,
                0.0,
                (f"{name}: " if several else "") + f"{level}% relief",
                transform=self.ax.get_yaxis_transform(),
                ha="left" if at_left else "right",
                va="bottom",
                color=line.get_color(),
                fontsize=self.fontsize * 0.8,
                visible=False,
                zorder=3,
            )
            for level, line in levels.items()
        }
        return _SiteArtists(line, late, paper, baseline_point, baseline, levels, level_labels)

    def _set_sites(self, sites: Sequence[str]) -> None:
        if list(self.sites) == list(sites):
            return
        for artists in self.sites.values():
            for artist in (
                artists.line,
                artists.late,
                artists.paper,
                artists.baseline_point,
                artists.baseline,
                *artists.levels.values(),
                *artists.level_labels.values(),
            ):
                artist.remove()
        self.sites = {site: self._site_artists(site, several=len(sites) > 1) for site in sites}
        if self.look is not CALM_LOOK:
            self._apply_look()

    def update(self, result: BlockResult | None, threshold: int) -> None:
        """Show `result` (one block's analysis), shading the duration at `threshold`."""
        self.threshold = threshold
        if result is None:
            self._set_sites([])
            self._show_shade(None)
            self.empty_note.set_visible(True)
            self._refresh_legend()
            return
        block = result.block
        self._set_sites(list(block.sites))
        last_hours = DEFAULT_HOURS
        first_hours = -0.5
        any_points = False
        baselines: list[int] = []
        for site, artists in self.sites.items():
            site_result: SiteResult | None = result.sites.get(site)
            # The scores themselves (the engine's choice of entry per time, after the block),
            # so they show even when relief is undefined for want of a baseline.
            points = [
                entry
                for entry in site_entries(block.entries, site)
                if entry.at > block.performed_at
            ]
            xs = [_hours(minutes_after(block.performed_at, entry.at)) for entry in points]
            ys = [float(entry.scores[site]) for entry in points]
            artists.line.set_data(xs, ys)
            late = [(x, y) for x, y, e in zip(xs, ys, points, strict=True) if e.is_late]
            paper = [(x, y) for x, y, e in zip(xs, ys, points, strict=True) if e.is_transcribed]
            artists.late.set_data([p[0] for p in late], [p[1] for p in late])
            artists.paper.set_data([p[0] for p in paper], [p[1] for p in paper])
            baseline = site_result.baseline if site_result else None
            if baseline is not None and site_result is not None and site_result.baseline_at:
                at_hours = (site_result.baseline_at - block.performed_at).total_seconds() / 3600
                first_hours = min(first_hours, at_hours - 0.25)
                artists.baseline_point.set_data([at_hours], [baseline])
                baselines.append(baseline)
                any_points = True
            else:
                artists.baseline_point.set_data([], [])
            if site_result is not None and site_result.relief_defined and baseline is not None:
                artists.baseline.set_data([-100.0, 1000.0], [baseline, baseline])
                for level, line in artists.levels.items():
                    pain = pain_at_relief(baseline, level)
                    line.set_data([-100.0, 1000.0], [pain, pain])
                    artists.level_labels[level].set_y(pain)
                    artists.level_labels[level].set_visible(True)
            else:
                artists.baseline.set_data([], [])
                for line in artists.levels.values():
                    line.set_data([], [])
                for text in artists.level_labels.values():
                    text.set_visible(False)
            if xs:
                any_points = True
                last_hours = max(last_hours, xs[-1] + 0.5)
        self.ax.set_xlim(max(first_hours, -24.0), last_hours)
        self.empty_note.set_visible(not any_points)

        # One right-hand relief axis when every rated site shares the baseline.
        shared = {b for b in baselines if b > 0}
        if len(shared) == 1 and len(baselines) == len(self.sites):
            self._baseline_for_axis = float(shared.pop())
            self.relief_axis.set_visible(True)
        else:
            self._baseline_for_axis = None
            self.relief_axis.set_visible(False)

        # Shade [0, duration] at the chosen threshold, for the first site that reached it.
        shaded: float | None = None
        for site in self.sites:
            site_result = result.sites.get(site)
            found = site_result.thresholds.get(threshold) if site_result else None
            if found is not None and found.reached and found.duration_minutes:
                shaded = max(shaded or 0.0, found.duration_minutes)
        self._show_shade(shaded)
        self.shade.set_label(f"{threshold}% relief lasted")
        self._refresh_legend()

    def _show_shade(self, minutes: float | None) -> None:
        self.shaded_minutes = minutes
        self.shade.set_width(_hours(minutes) if minutes else 0.0)
        self.shade.set_visible(bool(minutes))

    def fit_to_size(self) -> None:
        """After a resize: the legend in as many columns as the new width holds; the next draw
        lays the figure out again (FrozenLayout sees the new size)."""
        self._refresh_legend()

    def _refresh_legend(self, *, force: bool = False) -> None:
        """The legend for what is shown; kept as it is when its entries have not changed (a
        save usually adds a point, not an entry), so a save does not build and measure it."""
        handles: list[Artist] = []
        several = len(self.sites) > 1
        handles.extend(artists.line for artists in self.sites.values())
        first = next(iter(self.sites.values()), None)
        if first is not None:
            if any(_has_data(a.baseline_point) for a in self.sites.values()):
                marker = _proxy(first.baseline_point, "before the block", grey=several)
                if any(_has_data(a.baseline) for a in self.sites.values()):
                    # The diamond on the grey level line: one entry names both.
                    marker.set_color(BASELINE_COLOUR if not several else PALETTE["grey"])
                    marker.set_markerfacecolor(first.baseline_point.get_color())
                    marker.set_markeredgecolor(first.baseline_point.get_color())
                    marker.set_linestyle("-")
                    marker.set_linewidth(1.2)
                handles.append(marker)
            if any(_has_data(artists.late) for artists in self.sites.values()):
                handles.append(first.late)
            if any(_has_data(artists.paper) for artists in self.sites.values()):
                handles.append(first.paper)
        if self.shade.get_visible():
            handles.append(self.shade)
        wanted = (
            tuple(str(h.get_label()) for h in handles),
            tuple(id(h) for h in handles if not isinstance(h, Line2D) or h.axes is not None),
            any(_has_data(a.baseline) for a in self.sites.values()),
            self.look,
            self.fontsize,
            tuple(self.figure.bbox.size),
        )
        if not force and self.legend is not None and wanted == self._legend_for:
            return
        self._legend_for = wanted
        if self.legend is not None:
            self.legend.remove()
            self.legend = None
        if handles:
            # Above the plot, outside it, in at most two rows so the plot keeps its height;
            # constrained layout keeps every entry on the figure.
            self.legend = _legend_above(
                self.figure,
                handles,
                [str(h.get_label()) for h in handles],
                fontsize=self.fontsize * 0.8,
                handlelength=1.6,
                handletextpad=0.5,
                columnspacing=1.0,
                labelcolor=self.look.text,
            )

    def line_data(self, site: str) -> list[tuple[float, float]]:
        """The plotted (hours, score) pairs for a site."""
        artists = self.sites[site]
        xs = np.asarray(artists.line.get_xdata(), dtype=float).tolist()
        ys = np.asarray(artists.line.get_ydata(), dtype=float).tolist()
        return list(zip(xs, ys, strict=True))


def _proxy(line: Line2D, label: str, *, grey: bool) -> Line2D:
    """A legend-only copy of `line`; grey when the real lines differ in colour per side."""
    colour = PALETTE["grey"] if grey else line.get_color()
    return Line2D(
        [],
        [],
        color=colour,
        linestyle=line.get_linestyle(),
        marker=line.get_marker(),
        markersize=line.get_markersize(),
        label=label,
    )


def _has_data(line: Line2D) -> bool:
    return bool(np.asarray(line.get_xdata()).size)


def diary_figure(
    result: BlockResult, threshold: int, *, levels: Sequence[int] = (50, 80)
) -> Figure:
    """A finished figure of one block's diary (what the window shows), e.g. for the PDF."""
    chart = DiaryChart(levels=levels)
    chart.update(result, threshold)
    return chart.figure


# --- Clinician review and report charts ---
# Relief over hours since the block, several blocks overlaid: the review mode's comparison view
# and the PDF report's page 1. Owned by the review/report work; uses only the imports above.

_REVIEW_INDEX_SITE = "index"
# Okabe-Ito colours, each paired with its own line style and marker, so two blocks differ in
# three ways at once (colour-blind readers and grey-scale printouts still tell them apart).
BLOCK_STYLES: tuple[tuple[str, str, str], ...] = (
    (PALETTE["blue"], "-", "o"),  # solid, circle
    (PALETTE["vermillion"], "--", "s"),  # dashed, square
    (PALETTE["bluish_green"], "-.", "^"),  # dash-dot, triangle
    (PALETTE["reddish_purple"], ":", "D"),  # dotted, diamond
)
THRESHOLD_COLOUR = "#6b6b6b"
RESCUE_COLOUR = PALETTE["black"]
REVIEW_SITE_TITLES: Mapping[str, str] = {
    _REVIEW_INDEX_SITE: "Index pain",
    "left": "Left side",
    "right": "Right side",
    "bilateral": "Both sides (one score)",
}
# Beyond this many hours the x axis is square-root scaled: the first hours keep their detail
# when a diary runs on for days.
LINEAR_HOURS_LIMIT = 12.0
_LONG_TICKS = (0, 1, 2, 4, 8, 12, 24, 48, 72, 96, 168, 240, 336, 504, 720)


@dataclass(frozen=True)
class CurveStyle:
    colour: str
    linestyle: str
    marker: str


def block_style(position: int) -> CurveStyle:
    """The style of the `position`-th block (0-based) in a chart and in matching tables."""
    colour, linestyle, marker = BLOCK_STYLES[position % len(BLOCK_STYLES)]
    return CurveStyle(colour, linestyle, marker)


def block_label(result: BlockResult, number: int) -> str:
    """Legend text: which block, which agent, when (e.g. "Block 1 · lidocaine · 2 Mar 2026")."""
    block = result.block
    return f"Block {number} · {block.agent.value} · {date_text(block.date_of_service)}"


def chart_panels(blocks: Sequence[BlockResult]) -> dict[str, dict[str, str]]:
    """One panel per treatment target side (clinical.md item 7): panel -> {block id: site}.

    A right-only block's index pain goes in the "right" panel beside the right side of a
    bilateral block rated per side; when every block rates only its index pain on one side,
    there is one "index" panel.
    """
    from paintrack.clinical.compare import site_side

    pairs = [(result, site) for result in blocks for site in result.sites]
    sides = {site_side(result.block, site).value for result, site in pairs}
    if all(site == _REVIEW_INDEX_SITE for _, site in pairs) and len(sides) <= 1:
        return {_REVIEW_INDEX_SITE: {result.block_id: _REVIEW_INDEX_SITE for result in blocks}}
    panels: dict[str, dict[str, str]] = {}
    for key in ("left", "right", "bilateral"):
        for result, site in pairs:
            if site_side(result.block, site).value == key:
                panels.setdefault(key, {})[result.block_id] = site
    return panels


def chart_sites(blocks: Sequence[BlockResult]) -> list[str]:
    """The rated sites across `blocks`: index first, then left and right."""
    order = [_REVIEW_INDEX_SITE, "left", "right"]
    found = {site for result in blocks for site in result.sites}
    return [s for s in order if s in found] + sorted(found - set(order))


def relief_comparison_figure(
    blocks: Sequence[BlockResult],
    thresholds: Sequence[int],
    *,
    numbers: Sequence[int] | None = None,
    width_inches: float = 7.0,
    height_inches: float = 2.8,
    fontsize: float = 8.0,
) -> Figure:
    """A new Figure overlaying the blocks' relief curves (see `draw_relief_comparison`)."""
    figure = Figure(figsize=(width_inches, height_inches), layout="constrained")
    draw_relief_comparison(figure, blocks, thresholds, numbers=numbers, fontsize=fontsize)
    return figure


def draw_relief_comparison(
    figure: Figure,
    blocks: Sequence[BlockResult],
    thresholds: Sequence[int],
    *,
    numbers: Sequence[int] | None = None,
    fontsize: float = 8.0,
) -> None:
    """Clear `figure` and draw % relief (computed from the scores) over hours since each block.

    One panel per rated site; every block in its own colour, line style and marker, with its
    agent in the legend; a dashed grey line per threshold; rescue medicine ringed in the block's
    colour.
    `numbers` are the blocks' display numbers (default 1, 2, ...), matching the report tables;
    `fontsize` is the labels' size in points (the window passes a larger one than the PDF).
    The curves are the engine's relief series, never recomputed here. Each relief line's gid
    is "relief:<block id>:<site>", so tests and the review can find it.
    """
    figure.clear()
    numbers = list(numbers) if numbers is not None else list(range(1, len(blocks) + 1))
    panels = chart_panels(blocks)
    sites = list(panels) or [_REVIEW_INDEX_SITE]
    axes = figure.subplots(1, len(sites), sharey=True, squeeze=False)[0]
    points = [p for result in blocks for site in result.sites.values() for p in site.series]
    max_hours = max([8.0, *(p.minutes / 60.0 for p in points)])
    low = min([0.0, *(p.relief_percent for p in points)])
    any_rescue = False
    for ax, panel in zip(axes, sites, strict=True):
        for position, (result, number) in enumerate(zip(blocks, numbers, strict=True)):
            site = panels.get(panel, {}).get(result.block_id)
            site_result = None if site is None else result.sites.get(site)
            if site is None or site_result is None or not site_result.series:
                continue
            style = block_style(position)
            hours = [p.minutes / 60.0 for p in site_result.series]
            relief = [p.relief_percent for p in site_result.series]
            ax.plot(
                hours,
                relief,
                color=style.colour,
                linestyle=style.linestyle,
                marker=style.marker,
                markersize=4.5,
                linewidth=1.6,
                label=block_label(result, number),
                gid=f"relief:{result.block_id}:{site}",
            )
            rescue = [
                (h, r)
                for h, r, p in zip(hours, relief, site_result.series, strict=True)
                if p.rescue_medication
            ]
            if result.rescue_at_minutes is not None:
                # When rescue medicine was taken (item 10): every later score may be its effect.
                any_rescue = True
                ax.axvline(
                    result.rescue_at_minutes / 60.0,
                    color=style.colour,
                    linestyle=":",
                    linewidth=1.2,
                    zorder=2,
                    gid=f"rescue-time:{result.block_id}:{site}",
                )
            if rescue:
                any_rescue = True
                # A ring in the block's colour around the point: says which block it was.
                ax.plot(
                    [h for h, _ in rescue],
                    [r for _, r in rescue],
                    linestyle="none",
                    marker="o",
                    markersize=11,
                    markerfacecolor="none",
                    markeredgewidth=1.5,
                    color=style.colour,
                    zorder=5,
                    gid=f"rescue:{result.block_id}:{site}",
                )
        ordered = sorted(thresholds)
        for position, threshold in enumerate(ordered):
            ax.axhline(
                threshold,
                color=THRESHOLD_COLOUR,
                linewidth=0.9,
                linestyle=(0, (4, 3)),
                zorder=1,
                gid=f"threshold:{threshold}",
            )
            # Labels sit above their line, except one close below another (75% under 80%),
            # which goes under its line so the two never overlap.
            below = position + 1 < len(ordered) and ordered[position + 1] - threshold < 12
            ax.annotate(
                f"{threshold}%",
                xy=(1.0, threshold),
                xycoords=("axes fraction", "data"),
                xytext=(-2, -2 if below else 2),
                textcoords="offset points",
                ha="right",
                va="top" if below else "bottom",
                fontsize=fontsize * 0.88,
                color=THRESHOLD_COLOUR,
            )
        ax.axhline(0, color="#bbbbbb", linewidth=0.6, zorder=0)
        _review_hours_axis(ax, max_hours)
        ax.set_ylim(low - 5, 105)
        ax.set_yticks([t for t in (-100, -75, -50, -25, 0, 25, 50, 75, 100) if t >= low - 5])
        ax.tick_params(labelsize=fontsize * 0.94)
        ax.set_xlabel("Hours since the block", fontsize=fontsize)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
        if len(sites) > 1:
            ax.set_title(REVIEW_SITE_TITLES.get(panel, panel), fontsize=fontsize * 1.06)
    axes[0].set_ylabel("Relief from scores (%)", fontsize=fontsize)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1:]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if any_rescue:
        handles.append(
            Line2D(
                [],
                [],
                linestyle=":",  # the ring marks its score, the dotted line when it was taken
                marker="o",
                markerfacecolor="none",
                color=RESCUE_COLOUR,
                markersize=9,
                markeredgewidth=1.5,
            )
        )
        labels.append("rescue medicine taken")
    if handles:
        # Above the panels, never over the curves (late points sit at the right-hand end).
        _legend_above(figure, handles, labels, fontsize=fontsize, handlelength=3.2)


def _legend_above(
    figure: Figure, handles: Sequence[Artist], labels: Sequence[str], **options: Any
) -> Legend:
    """A legend above the plot, outside it, in up to three columns: fewer when larger text
    would make it wider than the figure (constrained layout makes room for its height only)."""
    legend: Legend | None = None
    get_renderer = getattr(figure.canvas, "get_renderer", None)
    for columns in range(min(3, len(handles)), 0, -1):
        if legend is not None:
            legend.remove()
        legend = figure.legend(
            handles, labels, loc="outside upper center", ncols=columns, frameon=False, **options
        )
        if not callable(get_renderer):
            break  # no renderer to measure with (a bare figure): keep the widest layout
        if legend.get_window_extent(get_renderer()).width <= figure.bbox.width * 0.98:
            break
    assert legend is not None
    return legend


def _review_hours_axis(ax: Axes, max_hours: float) -> None:
    if max_hours <= LINEAR_HOURS_LIMIT:
        top = float(int(max_hours + 0.999))
        ax.set_xlim(-0.15, top + 0.15)
        ax.set_xticks(range(int(top) + 1))
        return
    ax.set_xscale("function", functions=(_sqrt_hours, _square_hours))
    ticks = [t for t in _LONG_TICKS if t <= max_hours * 1.05]
    ax.set_xlim(0, max_hours * 1.05)
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(t) for t in ticks])


def _sqrt_hours(hours: object) -> object:
    import numpy as np

    return np.sqrt(np.clip(hours, 0, None))  # type: ignore[call-overload]


def _square_hours(value: object) -> object:
    import numpy as np

    return np.square(value)  # type: ignore[call-overload]

"""The clinician PDF: page 1 is the one-minute summary, then an appendix of every entry and the
audit trail of amendments. Headless (reportlab and matplotlib, never Qt), vector charts, every
font embedded, written atomically.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import _listWrapOn

from paintrack import __version__
from paintrack.charts import block_style, relief_comparison_figure
from paintrack.clinical.audit import AuditRecord
from paintrack.clinical.model import Diary
from paintrack.clinical.results import (
    BlockResult,
    CriterionStatus,
    DiaryAnalysis,
    PresetTarget,
    ThresholdResult,
)
from paintrack.clinical.signoff import SignOff
from paintrack.clinical.wording import (
    bounds_text,
    comparison_text,
    expected_text,
    format_duration,
    format_percent,
    not_checked_text,
    preset_label,
    rescue_named,
    target_text,
)
from paintrack.errors import UserError
from paintrack.paths import clear_leftovers, hold_partial, refuse_protected_target
from paintrack.report import signoff as signoff_pdf
from paintrack.report.fonts import BOLD, REGULAR, register_fonts
from paintrack.report.mplrender import draw_figure
from paintrack.wording import signoff as signoff_words
from paintrack.wording import text as words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
MARGIN = 14 * mm
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b8b8b8")
HEADER_FILL = colors.HexColor("#eef1f4")
STATUS_MARKS = {
    CriterionStatus.MET: ("✓ met", colors.HexColor("#006b3c")),
    CriterionStatus.NOT_MET: ("✗ not met", colors.HexColor("#a0300b")),
    CriterionStatus.UNKNOWN: ("? unknown", colors.HexColor("#5a5a5a")),
    CriterionStatus.PENDING: ("… pending", colors.HexColor("#1f4e8c")),
}
# A table cell (a paragraph, a mark, a chart) and a TableStyle command.
Cell: TypeAlias = "Flowable | str"
StyleCommand: TypeAlias = tuple[object, ...]
# A met verdict with cautions (clinical.md item 13) is not drawn in the colour of a clean met.
MET_WITH_CAUTIONS = ("! met, with cautions", colors.HexColor("#8a5300"))


def target_mark(target: PresetTarget) -> tuple[str, colors.Color]:
    """The mark and colour of a target's verdict: a met with cautions has its own."""
    if target.met_with_cautions:
        return MET_WITH_CAUTIONS
    return STATUS_MARKS[target.status]


# More blocks than this on page 1 and the chart stops being readable at a glance.
MAX_FEATURED = 4
# The marker glyph matching each chart style (circle, square, triangle, diamond).
MARKER_GLYPHS = {"o": "●", "s": "■", "^": "▲", "D": "◆"}


@dataclass(frozen=True)
class ReportRequest:
    """Everything one report shows. The analysis is the clinical engine's, used as is."""

    diary: Diary
    analysis: DiaryAnalysis
    audit: Sequence[AuditRecord] = ()
    audit_available: bool = True  # False for a diary file: it carries no audit trail
    deidentify: bool = False
    paper: str = "a4"
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    protocol_points: Sequence[float] = ()
    # Clinician notes and the sign-off (report/signoff.py); None: not known (a diary file).
    sign_off: SignOff | None = None


# --- styles ---------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8.5, leading=10.5, textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=14, leading=17),
        "meta": ParagraphStyle(
            "meta", base, fontSize=7.5, leading=9, textColor=MUTED, alignment=TA_RIGHT
        ),
        "who": ParagraphStyle("who", base, fontSize=10, leading=13),
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=9.5, leading=12, spaceBefore=5, spaceAfter=2
        ),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=12, leading=15, spaceAfter=4),
        "cell": ParagraphStyle("cell", base, fontSize=7.8, leading=9.4),
        "cellb": ParagraphStyle("cellb", base, fontName=BOLD, fontSize=7.8, leading=9.4),
        "head": ParagraphStyle(
            "head",
            base,
            fontName=BOLD,
            fontSize=7.5,
            leading=9,
            textColor=colors.HexColor("#333333"),
        ),
        "small": ParagraphStyle("small", base, fontSize=7.6, leading=9.4),
        "note": ParagraphStyle("note", base, fontSize=7.6, leading=9.4, textColor=MUTED),
        "note_row": ParagraphStyle("note_row", base, fontSize=7.8, leading=9.4),
        "verdict": ParagraphStyle("verdict", base, fontName=BOLD, fontSize=9.5, leading=12),
        "informs": ParagraphStyle(
            "informs",
            base,
            fontSize=8.5,
            leading=10.5,
            spaceBefore=4,
            borderColor=RULE,
            borderWidth=0.6,
            borderPadding=4,
            backColor=colors.HexColor("#f7f7f2"),
        ),
    }


def _table(
    rows: list[list[Cell]],
    widths: Sequence[float],
    *,
    header: bool = True,
    extra: Sequence[StyleCommand] = (),
) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[StyleCommand] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        # Plain-string cells would otherwise use reportlab's built-in (unembedded) Helvetica.
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
        ("LINEBELOW", (0, 0), (-1, -1), 0.35, RULE),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)]
    table.setStyle(TableStyle(commands + list(extra)))
    return table


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph from plain text (escaped) or from trusted markup built here."""
    return Paragraph(text, style)


def _e(text: str) -> str:
    return escape(text)


# --- the chart ------------------------------------------------------------------------------


class FigureFlowable(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A matplotlib Figure drawn as vector paths and text (see mplrender)."""

    def __init__(self, figure: Figure, width: float, height: float) -> None:
        super().__init__()
        self.figure = figure
        self.width = width
        self.height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        draw_figure(self.figure, self.canv, 0, 0, self.width, self.height)


class FitOnPage(KeepInFrame):  # type: ignore[misc]
    """Page 1: laid out at the full text width, then scaled down as a whole if it is too tall.

    reportlab's own "shrink" lays the content out wider than the page and scales it back, which
    widens the paragraphs but not the fixed-width tables and chart, so a long paragraph ran past
    the tables' right edge. Here every table, chart and paragraph shares one width and one
    scale; a shrunk page is centred between the margins.
    """

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, height = _listWrapOn(self._content, available_width, self.canv)
        scale = max(1.0, height / available_height) if available_height > 0 else 1.0
        self._scale = scale
        self._available = available_width
        self.width = available_width / scale
        self.height = height / scale
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        super().drawOn(canvas, x + (self._available - self.width) / 2, y, 0)


# --- page furniture -------------------------------------------------------------------------


def _numbered_canvas_class(
    footer_left: str,
    page_size: tuple[float, float],
    signed: signoff_pdf.FooterSignature | None = None,
) -> type[Canvas]:
    """A canvas that holds the pages back until the end, so each footer can say "of y"; with
    `signed`, each footer also says who signed the summary (or that the signature is outdated)."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            # The doc template passes None; None would mean reportlab's unembedded Helvetica.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or REGULAR
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, object]] = []

        def showPage(self) -> None:  # reportlab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                self._footer(total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, total: int) -> None:
            width, _ = page_size
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            # A signed summary's footer has a line of its own for the sign-off, above the rest.
            rule_y = MARGIN - 3 * mm + (signoff_pdf.FOOTER_LINE if signed else 0)
            self.line(MARGIN, rule_y, width - MARGIN, rule_y)
            self.setFont(REGULAR, 7.5)
            self.setFillColor(MUTED)
            self.drawString(
                MARGIN, MARGIN - 7 * mm, f"{footer_left} · page {self._pageNumber} of {total}"
            )
            self.drawRightString(width - MARGIN, MARGIN - 7 * mm, f"paintrack {__version__}")
            if signed is not None:
                signoff_pdf.draw_footer_signature(
                    self, signed, left=MARGIN, right=width - MARGIN, y=MARGIN - 3 * mm
                )
            self.restoreState()

    return NumberedCanvas


# --- page 1 ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, request: ReportRequest) -> None:
        self.request = request
        self.analysis = request.analysis
        self.who = words.identity(request.diary.patient, deidentify=request.deidentify)
        self.s = _styles()
        self.page_size = PAPER_SIZES[request.paper]
        self.width = self.page_size[0] - 2 * MARGIN
        self.numbers = {b.block_id: i for i, b in enumerate(self.analysis.blocks, start=1)}
        self.featured = self._featured_blocks()
        # Chart styles follow the featured blocks' order, so tables and chart agree.
        self.style_positions = {b.block_id: i for i, b in enumerate(self.featured)}
        self.sign_off = signoff_pdf.as_printed(request.sign_off, request.diary)
        self.zone = signoff_words.shown_zone(request.diary)
        # Room above the footer for its sign-off line, when the summary was ever signed.
        self.footer_extra = signoff_pdf.footer_room(self.sign_off)

    def _featured_blocks(self) -> list[BlockResult]:
        """The blocks page 1 details: all of them, unless there are more than the chart can
        tell apart; then the diagnostic blocks the rule checklist looked at."""
        blocks = list(self.analysis.blocks)
        if len(blocks) <= MAX_FEATURED:
            return blocks
        checked = {b for t in self.analysis.preset.targets for b in t.block_ids}
        chosen = [b for b in blocks if b.block_id in checked]
        return chosen[:MAX_FEATURED] if chosen else blocks[-MAX_FEATURED:]

    def _scrub(self, text: str) -> str:
        return self.who.scrub(text)

    def block_key(self, block_id: str) -> str:
        """Coloured marker + "Block n", matching the chart's colour and marker."""
        position = self.style_positions.get(block_id)
        if position is None:
            return f"Block {self.numbers[block_id]}"
        style = block_style(position)
        glyph = MARKER_GLYPHS.get(style.marker, "●")
        return f'<font color="{style.colour}">{glyph}</font> Block {self.numbers[block_id]}'

    # Each section returns flowables.

    def heading(self) -> list[Flowable]:
        s = self.s
        generated = words.datetime_text(self.request.generated_at)
        title = _p("Medial branch block diary: summary", s["title"])
        zones = sorted({words.zone_name(b.block) for b in self.analysis.blocks})
        meta = _p(
            f"paintrack {__version__}<br/>generated {_e(generated)} UTC"
            "<br/>block times in the UTC offset each block was recorded in"
            + (f" ({_e(', '.join(zones))})" if zones else ""),
            s["meta"],
        )
        top = Table(
            [[title, meta]], colWidths=[self.width * 0.68, self.width * 0.32], hAlign="LEFT"
        )
        top.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        who = self.who
        name_label = "Patient (initials)" if who.deidentified else "Patient"
        birth_label = "Born (year)" if who.deidentified else "Born"
        line = (
            f"{name_label}: <b>{_e(who.name)}</b> &nbsp;&nbsp; "
            f"{birth_label}: <b>{_e(who.birth)}</b>"
            f" &nbsp;&nbsp; Record no.: <b>{_e(who.record)}</b>"
        )
        box = Table([[_p(line, s["who"])]], colWidths=[self.width], hAlign="LEFT")
        box.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                    ("BACKGROUND", (0, 0), (-1, -1), HEADER_FILL),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return [top, Spacer(1, 3), box, Spacer(1, 2)]

    def verdicts(self) -> list[Flowable]:
        s = self.s
        checklist = self.analysis.preset
        out: list[Flowable] = []
        for target in checklist.targets:
            _mark, colour = target_mark(target)
            where = target_text(target.region, target.side)
            blocks = " vs ".join(
                f"Block {self.numbers[b]}" for b in target.block_ids if b in self.numbers
            )
            out.append(
                _p(
                    f"{_e(where)}" + (f" ({_e(blocks)})" if blocks else "") + ": "
                    f'<font color="#{colour.hexval()[2:]}">{_e(target.verdict)}</font>',
                    s["verdict"],
                )
            )
            details = self._target_details(target)
            if details:
                out.append(_p("<br/>".join(details), s["small"]))
            if self.sign_off is not None:
                out += signoff_pdf.target_notes(
                    self.sign_off.notes_for(target.region, target.side),
                    self.zone,
                    s["small"],
                    self._scrub,
                )
        if self.sign_off is not None:
            shown = {(t.region, t.side) for t in checklist.targets}
            out += signoff_pdf.other_notes(self.sign_off, shown, self.zone, s["small"], self._scrub)
        if not checklist.targets:
            out.append(_p("No diagnostic block to check against the rule yet.", s["verdict"]))
        else:
            out.append(_p(_e(not_checked_text(checklist.preset)), s["small"]))
        if self.sign_off is not None:
            out.append(Spacer(1, 3))
            out += signoff_pdf.signature_box(
                self.sign_off, self.zone, self.width, s["small"], str(checklist.preset)
            )
            out.append(Spacer(1, 2))
        return out

    def _target_details(self, target: PresetTarget) -> list[str]:
        """Under a verdict: the figures it rests on at the preset's threshold (and, after rescue
        medicine, the figures from all entries beside them, labelled), and the days between
        the diagnostic blocks. Every figure is the engine's."""
        threshold = self.analysis.preset.threshold
        lines = []
        sites = dict(target.sites)
        for block_id in target.block_ids:
            result = self.analysis.block(block_id)
            site = result.sites[sites[block_id]]
            verdict = site.verdict_at(threshold)
            text = f"{self.block_key(block_id)} ({_e(words.site_name(site.site))}): "
            text += f"≥ {threshold}% {_e(words.until_text(result, verdict))}"
            if result.rescue_at_minutes is not None:
                named = rescue_named(result.rescue_detail)
                text += (
                    f" before {_e(named)} at {_e(format_duration(result.rescue_at_minutes))}"
                    " (these decide the verdict)"
                )
                every = site.thresholds.get(threshold)
                if every is not None:
                    text += (
                        "; including scores after rescue medicine: "
                        f"{_e(words.until_text(result, every))}"
                    )
            lines.append(text)
        threshold_pairs = [
            c
            for c in self.analysis.comparisons
            if (c.region, c.side) == (target.region, target.side) and c.threshold == threshold
        ]
        for c in threshold_pairs:
            lines.append(
                f"{self.block_key(c.first_block_id)} vs {self.block_key(c.second_block_id)}"
                f" at ≥ {threshold}%: <b>{_e(comparison_text(c.result))}</b>"
            )
        if target.days_between is not None:
            first, second = (self.analysis.block(b) for b in target.block_ids)
            lines.append(
                f"Days between the diagnostic blocks: <b>{target.days_between}</b>"
                f" (dates of service {_e(words.service_date(first))} and"
                f" {_e(words.service_date(second))})"
            )
        return lines

    def blocks_table(self) -> list[Flowable]:
        s = self.s
        head = [
            "Block",
            "Date of service, time",
            "Sequence",
            "Region",
            "Side",
            "Levels (joints)",
            "Agent, volume",
            "Sedation",
            "Steroid",
        ]
        rows: list[list[Cell]] = [[_p(h, s["head"]) for h in head]]
        for result in self.analysis.blocks:
            b = result.block
            rows.append(
                [
                    _p(self.block_key(b.id), s["cellb"]),
                    _p(
                        _e(words.datetime_text(b.performed_at, b.zone))
                        + f"<br/>{_e(words.zone_name(b))}",
                        s["cell"],
                    ),
                    _p(_e(words.sequence_text(b.sequence)), s["cell"]),
                    _p(_e(b.region.value), s["cell"]),
                    _p(_e(b.side.value), s["cell"]),
                    _p(
                        _e(self._scrub(words.levels_text(b)))
                        + f"<br/>({_e(words.joints_text(b))})",
                        s["cell"],
                    ),
                    _p(_e(words.agent_text(b)) + f"<br/>{_e(words.volume_text(b))}", s["cell"]),
                    _p(_e(b.sedation.value), s["cell"]),
                    _p("yes" if b.steroid else "no", s["cell"]),
                ]
            )
        widths = [0.1, 0.12, 0.1, 0.08, 0.08, 0.17, 0.17, 0.09, 0.09]
        return [_p("Blocks", s["h2"]), _table(rows, [w * self.width for w in widths])]

    def chart(self, height: float) -> list[Flowable]:
        blocks = self.featured
        if not any(site.series for b in blocks for site in b.sites.values()):
            return [
                _p(
                    "Relief chart: no scored entries after a block with a baseline yet.",
                    self.s["note"],
                )
            ]
        figure = relief_comparison_figure(
            blocks,
            self.analysis.thresholds,
            numbers=[self.numbers[b.block_id] for b in blocks],
            width_inches=self.width / 72,
            height_inches=height / 72,
        )
        return [
            _p(
                "Relief after each block (computed from the 0–10 scores against the baseline)",
                self.s["h2"],
            ),
            FigureFlowable(figure, self.width, height),
        ]

    def _threshold_cell(
        self,
        block: BlockResult,
        result: ThresholdResult | None,
        every: ThresholdResult | None = None,
    ) -> Paragraph:
        agent = block.agent
        if result is None:
            return _p("-", self.s["cell"])
        main = words.until_text(block, result)
        lines = [f"<b>{_e(main)}</b>"]
        if every is not None:
            lines.append(
                f"<i>incl. after rescue medicine: {_e(words.until_text(block, every))}</i>"
            )
        bounds = bounds_text(result)
        if bounds and not result.censored:
            lines.append(_e(bounds))
        expected = expected_text(result, agent)
        if expected:
            lines.append(_e(expected))
        return _p("<br/>".join(lines), self.s["cell"])

    def metrics_table(self) -> list[Flowable]:
        s = self.s
        thresholds = self.analysis.thresholds
        head = ["Block", "Site", "Baseline", "Peak relief"] + [
            f"Relief ≥ {t}%: until (from the block)" for t in thresholds
        ]
        rows: list[list[Cell]] = [[_p(_e(h), s["head"]) for h in head]]
        for result in self.featured:
            for site_name, site in result.sites.items():
                baseline = "none" if site.baseline is None else f"{site.baseline}/10"
                figures = site.before_rescue
                peak_value = site.verdict_peak_relief_percent
                peak_time = (
                    figures.time_to_peak_minutes
                    if figures is not None
                    else site.time_to_peak_minutes
                )
                if peak_value is None:
                    peak = _e(words.no_peak_text(site))
                else:
                    peak = (
                        f"<b>{_e(format_percent(peak_value))}</b> at "
                        f"{_e(format_duration(peak_time))}"
                    )
                if figures is not None and site.peak_relief_percent is not None:
                    peak += (
                        f"<br/><i>incl. after rescue medicine: "
                        f"{_e(format_percent(site.peak_relief_percent))} at "
                        f"{_e(format_duration(site.time_to_peak_minutes))}</i>"
                    )
                row: list[Cell] = [
                    _p(self.block_key(result.block_id), s["cellb"]),
                    _p(_e(words.site_name(site_name)), s["cell"]),
                    _p(_e(baseline), s["cell"]),
                    _p(peak, s["cell"]),
                ]
                # The verdict figures (item 10: before rescue medicine), and beside them, after
                # rescue medicine, the figures from all entries, labelled.
                row += [
                    self._threshold_cell(
                        result,
                        site.verdict_at(t),
                        site.thresholds.get(t) if site.before_rescue is not None else None,
                    )
                    for t in thresholds
                ]
                rows.append(row)
        fixed = [0.11, 0.09, 0.09, 0.13]
        rest = (1 - sum(fixed)) / max(1, len(thresholds))
        widths = [w * self.width for w in fixed + [rest] * len(thresholds)]
        out: list[Flowable] = [
            _p(
                "Relief figures (computed from scores, before any rescue medicine: these drive"
                " every verdict)",
                s["h2"],
            ),
            _table(rows, widths),
        ]
        if len(self.featured) < len(self.analysis.blocks):
            others = [
                f"Block {self.numbers[b.block_id]}"
                for b in self.analysis.blocks
                if b.block_id not in self.style_positions
            ]
            out.append(
                _p(
                    f"{_e(', '.join(others))}: not part of the rule check; "
                    "their figures are in Appendix A.",
                    s["note"],
                )
            )
        estimates = []
        for result in self.featured:
            # After a bilateral block the patient may give the estimate per side.
            per_side = len(result.sites) > 1 and any(
                e.patient_relief_by_site is not None for e in result.block.entries
            )
            found = (
                [(f" ({words.site_name(n)})", s.patient_estimate) for n, s in result.sites.items()]
                if per_side
                else [("", result.patient_estimate)]
            )
            for where, est in found:
                if est is None or est.peak_relief_percent is None:
                    continue
                parts = [
                    f"peak {format_percent(est.peak_relief_percent)} at "
                    f"{format_duration(est.time_to_peak_minutes)}"
                ]
                parts += [
                    f"≥ {t}% {words.duration_text(result, r)}" for t, r in est.thresholds.items()
                ]
                estimates.append(
                    f"{self.block_key(result.block_id)}{_e(where)}: {_e(', '.join(parts))}"
                )
        if estimates:
            out.append(Spacer(1, 2))
            out.append(
                _p(
                    "Patient's own % relief estimate (shown for comparison, never used "
                    "for a verdict): " + "; ".join(estimates),
                    s["note"],
                )
            )
        return out

    def checklist(self) -> list[Flowable]:
        s = self.s
        checklist = self.analysis.preset
        out: list[Flowable] = [
            _p(f"Rule checklist: {_e(checklist.label)} (relief ≥ {checklist.threshold}%)", s["h2"])
        ]
        rows: list[list[Cell]] = [[_p(h, s["head"]) for h in ("Status", "Criterion", "Found")]]
        spans: list[StyleCommand] = []
        for target in checklist.targets:
            where = target_text(target.region, target.side)
            blocks = ", ".join(
                f"Block {self.numbers[b]}" for b in target.block_ids if b in self.numbers
            )
            mark, colour = target_mark(target)
            rows.append(
                [
                    _p(f'<font color="#{colour.hexval()[2:]}"><b>{_e(mark)}</b></font>', s["cell"]),
                    _p(
                        f"<b>{_e(where)}</b> ({_e(blocks or 'no diagnostic block')}): "
                        f"{_e(target.verdict)}",
                        s["cellb"],
                    ),
                    "",
                ]
            )
            spans.append(("SPAN", (1, len(rows) - 1), (2, len(rows) - 1)))
            spans.append(
                ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#f6f6f6"))
            )
            for criterion in target.criteria:
                mark, colour = STATUS_MARKS[criterion.status]
                rows.append(
                    [
                        _p(f'<font color="#{colour.hexval()[2:]}">{_e(mark)}</font>', s["cell"]),
                        _p(_e(words.criterion_description(criterion)), s["cell"]),
                        _p(
                            "<br/>".join(
                                _e(line)
                                for line in words.criterion_found(
                                    criterion, target, self.analysis, self.numbers
                                )
                            ),
                            s["cell"],
                        ),
                    ]
                )
        if checklist.targets:
            widths = [0.1 * self.width, 0.34 * self.width, 0.56 * self.width]
            out.append(_table(rows, widths, extra=spans))
        else:
            out.append(_p("No diagnostic block to check yet.", s["small"]))
        if self.analysis.comparisons:
            # One line per pair, site and outcome: "(index pain, ≥ 50% and ≥ 80%): concordant".
            grouped: dict[tuple[str, str, str, str], list[str]] = {}
            for c in self.analysis.comparisons:
                note = words.comparison_note(c, self.analysis, self.numbers)
                outcome = f"<b>{_e(comparison_text(c.result))}</b>" + (
                    f" ({_e(note)})" if note else ""
                )
                where = target_text(c.region, c.side)
                key = (c.first_block_id, c.second_block_id, where, outcome)
                grouped.setdefault(key, []).append(f"≥ {c.threshold}%")
            lines = [
                f"{self.block_key(first)} vs {self.block_key(second)}"
                f" ({_e(site)}, {' and '.join(levels)}): {outcome}"
                for (first, second, site, outcome), levels in grouped.items()
            ]
            out.append(Spacer(1, 2))
            out.append(_p("Comparative blocks: " + "<br/>".join(lines), s["small"]))
        return out

    def quality(self) -> list[Flowable]:
        s = self.s
        lines = []
        for result in self.featured:
            flags = words.block_flag_texts(result, entry_flags=False)
            text = f"{self.block_key(result.block_id)}: {_e(words.data_quality_text(result))}"
            if flags:
                text += "<br/>&nbsp;&nbsp;&nbsp;&nbsp;Confounders: " + _e("; ".join(flags))
            lines.append(text)
        if not lines:
            lines.append("No blocks recorded.")
        return [_p("Data quality", s["h2"]), _p("<br/>".join(lines), s["small"])]

    def settings(self) -> list[Flowable]:
        s = self.s
        used = self.analysis.settings
        expected = ", ".join(
            f"{agent.value} {format_duration(minutes)}"
            for agent, minutes in used.expected_minutes.items()
        )
        thresholds = ", ".join(f"{t}%" for t in used.thresholds)
        parts = [
            f"rule preset <b>{_e(preset_label(used.preset))}</b> ({_e(used.preset)})",
            f"thresholds {_e(thresholds)}",
            f"expected minimum duration per agent: {_e(expected or 'none set')}",
            "relief computed from the 0–10 scores against the baseline, before any rescue"
            " medicine for every verdict",
            f"late onset: a threshold first reached over"
            f" {_e(format_duration(used.late_onset_minutes))} after the block",
        ]
        if self.request.protocol_points:
            points = ", ".join(f"{p:g}" for p in self.request.protocol_points)
            parts.append(f"protocol time points (min after the block): {_e(points)}")
        return [
            _p("<b>Settings used:</b> " + "; ".join(parts) + ".", s["small"]),
            _p(_e(words.INFORMS_SENTENCE), s["informs"]),
        ]

    # --- appendix ---------------------------------------------------------------------------

    def appendix(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [_p("Appendix A: every diary entry", s["h1"])]
        out.append(
            _p(
                "Times are when the score applies; relief is computed from the 0–10 score "
                "against the block's baseline (the figure every verdict uses); the patient's "
                "estimate is their own % relief. Late: written down more than 15 min after that "
                "time. Transcribed: typed in from a paper diary.",
                s["note"],
            )
        )
        for result in self.analysis.blocks:
            b = result.block
            out.append(CondPageBreak(40 * mm))
            out.append(
                _p(
                    f"{self.block_key(b.id)}: {_e(words.datetime_text(b.performed_at, b.zone))}"
                    f" {_e(words.zone_name(b))}, "
                    f"{_e(b.region.value)} {_e(b.side.value)}, {_e(words.agent_text(b))}",
                    s["h2"],
                )
            )
            out.append(_p(_e(self._block_summary(result)), s["small"]))
            out.append(Spacer(1, 2))
            sites = list(b.sites)
            single = sites == ["index"]
            head = ["Time", "From block"]
            head += ["Score" if single else f"Score {x}" for x in sites]
            head += ["Relief" if single else f"Relief {x}" for x in sites]
            head += ["Patient's %", "Activity", "Rescue medicine", "Status"]
            rows: list[list[Cell]] = [[_p(_e(h), s["head"]) for h in head]]
            # The patient's note ("anything you want the clinic to know") on its own row under
            # the entry, across the table, wrapped: long notes never widen a column.
            note_rows: list[StyleCommand] = []
            for entry in sorted(b.entries, key=lambda e: (e.at, e.id)):
                minutes = (entry.at - b.performed_at).total_seconds() / 60
                activity = ""
                if entry.activity:
                    activity = self._scrub(entry.activity)
                    if entry.activity_ability is not None:
                        activity += f": {entry.activity_ability.value}"
                row: list[Cell] = [
                    _p(_e(words.short_datetime_text(entry.at, b.zone)), s["cell"]),
                    _p(_e(words.offset_text(minutes)), s["cell"]),
                ]
                row += [_p(_e(str(entry.scores.get(x, "-"))), s["cell"]) for x in sites]
                row += [
                    _p(_e(words.entry_relief(result.sites.get(x), entry)), s["cell"]) for x in sites
                ]
                row += [
                    _p(_e(words.estimate_text(entry, sites)), s["cell"]),
                    _p(_e(activity), s["cell"]),
                    _p(_e(words.rescue_cell(entry)), s["cell"]),
                    _p(_e(words.entry_status(entry, b.zone)), s["cell"]),
                ]
                rows.append(row)
                note = entry.note.strip()
                if note:
                    rows.append(
                        [
                            "",
                            _p(
                                f"<i>Patient's note:</i> {_e(self._scrub(note))}",
                                s["note_row"],
                            ),
                        ]
                        + [""] * (len(head) - 2)
                    )
                    last = len(rows) - 1
                    note_rows += [
                        ("SPAN", (1, last), (-1, last)),
                        ("LINEABOVE", (1, last), (-1, last), 0, colors.white),
                        ("TOPPADDING", (0, last), (-1, last), 0),
                        ("LINEBELOW", (0, last - 1), (-1, last - 1), 0.35, colors.white),
                    ]
            if len(rows) == 1:
                out.append(_p("No entries.", s["small"]))
                continue
            n = len(sites)
            fixed = [0.12, 0.1] + [0.065] * n + [0.08] * n + [0.085, 0.0, 0.1, 0.17]
            fixed[-3] = 1 - sum(fixed)
            out.append(_table(rows, [w * self.width for w in fixed], extra=note_rows))
        out.append(CondPageBreak(30 * mm))
        out.append(Spacer(1, 6))
        out.append(_p("Appendix B: audit trail of amendments", s["h1"]))
        out += self.audit_section()
        return out

    def _block_summary(self, result: BlockResult) -> str:
        """One line of the block's figures, for blocks page 1 may not detail."""
        parts = []
        for name, site in result.sites.items():
            baseline = "no baseline" if site.baseline is None else f"baseline {site.baseline}/10"
            figures = [baseline]
            if site.peak_relief_percent is not None:
                figures.append(
                    f"peak {format_percent(site.peak_relief_percent)} at "
                    f"{format_duration(site.time_to_peak_minutes)}"
                )
            figures += [
                f"≥ {t}% {words.duration_text(result, r)}" for t, r in site.thresholds.items()
            ]
            parts.append(f"{words.site_name(name).capitalize()}: {', '.join(figures)}")
        parts.append(words.data_quality_text(result).capitalize())
        return ". ".join(parts) + "."

    def audit_section(self) -> list[Flowable]:
        s = self.s
        if not self.request.audit_available:
            return [
                _p(
                    "This report was made from a diary file, which carries no audit trail. "
                    "Amendments are recorded in the clinic's paintrack database.",
                    s["small"],
                )
            ]
        records = words.amendments(self.request.audit)
        if not records:
            return [_p("No entry or block has been amended or deleted.", s["small"])]
        head = ["When", "Who", "Change", "Reason", "What changed"]
        rows: list[list[Cell]] = [[_p(h, s["head"]) for h in head]]
        for record in sorted(records, key=lambda r: r.at):
            what = words.action_text(record)
            about = words.record_subject_time(record)
            if about is not None:
                what += f" (entry for {words.short_datetime_text(about)} UTC)"
            rows.append(
                [
                    _p(_e(words.datetime_text(record.at) + " UTC"), s["cell"]),
                    _p(_e(self._scrub(record.actor)), s["cell"]),
                    _p(_e(what), s["cell"]),
                    _p(_e(self._scrub(record.reason or "")), s["cell"]),
                    _p(_e(self._scrub(words.change_text(record))), s["cell"]),
                ]
            )
        widths = [0.14, 0.1, 0.2, 0.22, 0.34]
        return [_table(rows, [w * self.width for w in widths])]

    # --- assembly ---------------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        page_height = self.page_size[1] - 2 * MARGIN - self.footer_extra
        chart_height = 215.0 if self.request.paper == "a4" else 190.0
        first: list[Flowable] = []
        first += self.heading()
        first += self.verdicts()
        first += self.blocks_table()
        first += self.chart(chart_height)
        first += self.metrics_table()
        first += self.checklist()
        first += self.quality()
        first += self.settings()
        # Page 1 is the one-minute read: it always fits on one page (shrunk if it must be).
        summary = FitOnPage(self.width, page_height - 2, first, mode="shrink")
        return [summary, PageBreak(), *self.appendix()]


def render_report(request: ReportRequest) -> bytes:
    """The report as PDF bytes (nothing written to disk)."""
    if request.paper not in PAPER_SIZES:
        raise UserError(f"unknown paper size {request.paper!r}: choose a4 or letter")
    register_fonts()
    builder = _Builder(request)
    who = builder.who
    buffer = io.BytesIO()
    title = f"paintrack summary: {who.name}"
    doc = BaseDocTemplate(
        buffer,
        pagesize=builder.page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="paintrack",
        subject="Medial branch block diary summary "
        f"({preset_label(request.analysis.settings.preset)})",
        creator=f"paintrack {__version__}",
        keywords="",
        invariant=0,
        initialFontName=REGULAR,
    )
    frame = Frame(
        MARGIN,
        MARGIN + builder.footer_extra,
        builder.width,
        builder.page_size[1] - 2 * MARGIN - builder.footer_extra,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    footer = f"{who.name} · {words.date_text(request.generated_at)}"
    signed = signoff_pdf.footer_signature(builder.sign_off, builder.zone)
    doc.build(
        builder.story(), canvasmaker=_numbered_canvas_class(footer, builder.page_size, signed)
    )
    return buffer.getvalue()


def write_report(request: ReportRequest, path: str | os.PathLike[str]) -> Path:
    """Render and write atomically: the file appears complete or not at all."""
    data = render_report(request)
    return write_atomically(Path(path), data)


PARTIAL = ".part"


def clear_partials(path: str | os.PathLike[str]) -> list[Path]:
    """The partial PDFs a killed write of `path` left (`.<name>.*.part`), removed now."""
    return clear_leftovers(Path(os.fspath(path)).expanduser(), PARTIAL)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over.

    A failure (read-only folder, disk full, missing folder) leaves no partial file and becomes
    a UserError that says what went wrong and what to do.
    """
    target = path.expanduser()
    folder = target.parent if str(target.parent) else Path(".")
    refuse_protected_target(target)
    temp_name: str | None = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PARTIAL, dir=folder)
        hold_partial(fd)  # until closed: never taken for a killed report's leftover
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
        temp_name = None
    except OSError as error:
        raise UserError(_write_error_message(target, error)) from error
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
    return target


def _write_error_message(target: Path, error: OSError) -> str:
    """What went wrong, in words, and the one thing to do about it (never "or free some space"
    when the folder is simply missing)."""
    folder = target.parent if str(target.parent) else Path(".")
    code = error.errno
    if code == errno.ENOENT or not folder.exists():
        why = f"the folder {folder} does not exist; choose an existing folder"
    elif code == errno.ENOTDIR or not folder.is_dir():
        why = f"{folder} is a file, not a folder; choose an existing folder"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = f"the folder {folder} is read-only (you may not write there); choose another folder"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full; free some space or choose a folder on another disk"
    elif code == errno.EISDIR:
        why = f"{target} is a folder; give a file name inside it"
    else:
        why = f"{error.strerror or error}; choose another folder"
    return f"could not write the report to {target}: {why}. Nothing was written."

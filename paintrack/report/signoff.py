"""Page 1's clinician notes and sign-off, and the signature's words for every page's footer.

Whether a signature is outdated is decided again here against the diary being printed, so a
report never calls a signature current over figures other than the ones that were signed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timezone
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from paintrack.clinical.model import Diary, Region, Side
from paintrack.clinical.signoff import SignOff, TargetNote, diary_fingerprint
from paintrack.clinical.wording import preset_label
from paintrack.report.fonts import BOLD, REGULAR
from paintrack.wording import signoff as signoff_words

SIGNED_FILL = colors.HexColor("#eaf4ee")
SIGNED_INK = colors.HexColor("#006b3c")
OUTDATED_FILL = colors.HexColor("#fbeee6")
OUTDATED_INK = colors.HexColor("#a0300b")
UNSIGNED_FILL = colors.HexColor("#f2f2f2")
UNSIGNED_INK = colors.HexColor("#555555")


def as_printed(sign_off: SignOff | None, diary: Diary) -> SignOff | None:
    """`sign_off` with "outdated" decided on the diary this report prints."""
    if sign_off is None or sign_off.signature is None:
        return sign_off
    outdated = sign_off.signature.fingerprint != diary_fingerprint(diary)
    return replace(sign_off, outdated=outdated)


def target_notes(
    notes: tuple[TargetNote, ...],
    zone: timezone,
    style: ParagraphStyle,
    scrub: Callable[[str], str] | None = None,
) -> list[Flowable]:
    """A target's notes under its verdict: "Note: plan right C3-C5 RFA — Dr X, 2 Dec 2026 …"."""
    clean = scrub or (lambda text: text)
    out: list[Flowable] = []
    for note in notes:
        out.append(
            Paragraph(
                f"<b>Clinician note:</b> {escape(clean(note.text))} "
                f'<font color="#555555">— {escape(signoff_words.note_byline(note, zone))}</font>',
                style,
            )
        )
    return out


def other_notes(
    sign_off: SignOff,
    shown: set[tuple[Region, Side]],
    zone: timezone,
    style: ParagraphStyle,
    scrub: Callable[[str], str] | None = None,
) -> list[Flowable]:
    """Notes on a target the checklist does not show (no diagnostic block there now)."""
    left = tuple(note for note in sign_off.notes if note.target not in shown)
    return target_notes(left, zone, style, scrub)


def signature_box(
    sign_off: SignOff, zone: timezone, width: float, style: ParagraphStyle, preset: str
) -> list[Flowable]:
    """The sign-off on page 1, coloured by whether it still holds."""
    text = signoff_words.signature_text(sign_off, zone)
    signature = sign_off.signature
    if signature is None:
        fill, ink = UNSIGNED_FILL, UNSIGNED_INK
        detail = "No clinician has signed this summary."
    elif sign_off.outdated:
        fill, ink = OUTDATED_FILL, OUTDATED_INK
        detail = (
            "The figures below are the diary as it is now; they were not signed. A clinician "
            "must review and sign again."
        )
    else:
        fill, ink = SIGNED_FILL, SIGNED_INK
        detail = ""
    if signature is not None and signature.preset != preset:
        detail = (
            (detail + " " if detail else "")
            + f"Signed under the {preset_label(signature.preset)}; this report uses the "
            + (f"{preset_label(preset)}.")
        )
    markup = f'<font name="{BOLD}" color="#{ink.hexval()[2:]}">{escape(text)}</font>'
    if detail:
        markup += f"<br/>{escape(detail)}"
    box = Table([[Paragraph(markup, style)]], colWidths=[width], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("BOX", (0, 0), (-1, -1), 0.6, ink),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [box]


@dataclass(frozen=True)
class FooterSignature:
    """What every page's footer says of the sign-off, right-aligned, in its colour."""

    text: str
    ink: colors.Color


def footer_signature(sign_off: SignOff | None, zone: timezone) -> FooterSignature | None:
    text = signoff_words.footer_text(sign_off, zone)
    if text is None or sign_off is None:
        return None
    return FooterSignature(text, OUTDATED_INK if sign_off.outdated else SIGNED_INK)


FOOTER_SIZES = (7.5, 7.0, 6.5, 6.0)
FOOTER_LINE = 4 * mm
"""The height of the footer's sign-off line: the page's body is raised by it."""


def footer_room(sign_off: SignOff | None) -> float:
    """How much higher the body of each page ends, to make room for the sign-off line."""
    return FOOTER_LINE if sign_off is not None and sign_off.signature is not None else 0.0


def draw_footer_signature(
    canvas: Canvas, signed: FooterSignature, *, left: float, right: float, y: float
) -> None:
    """The sign-off on its own footer line, smaller if it must be to fit (a long name)."""
    room = right - left
    size = next(
        (s for s in FOOTER_SIZES if canvas.stringWidth(signed.text, BOLD, s) <= room),
        FOOTER_SIZES[-1],
    )
    canvas.setFont(BOLD, size)
    canvas.setFillColor(signed.ink)
    canvas.drawString(left, y, signed.text)

"""The report's fonts: DejaVu Sans as shipped with matplotlib, registered with reportlab.

Using the very files matplotlib measures its text with keeps chart labels where matplotlib put
them, and reportlab embeds (subsets of) TrueType fonts, so every font in the PDF is embedded.
"""

from __future__ import annotations

from pathlib import Path

REGULAR = "PaintrackSans"
BOLD = "PaintrackSans-Bold"
OBLIQUE = "PaintrackSans-Oblique"
BOLD_OBLIQUE = "PaintrackSans-BoldOblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
    BOLD_OBLIQUE: "DejaVuSans-BoldOblique.ttf",
}

_registered = False


def font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def register_fonts() -> None:
    """Register the four faces once per process (reportlab's registry is global)."""
    global _registered
    if _registered:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = font_folder()
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    # Lets <b> and <i> in Paragraph markup pick the matching embedded face.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, OBLIQUE)
    addMapping(REGULAR, 1, 1, BOLD_OBLIQUE)
    _registered = True


def face_for(bold: bool, oblique: bool) -> str:
    if bold and oblique:
        return BOLD_OBLIQUE
    if bold:
        return BOLD
    if oblique:
        return OBLIQUE
    return REGULAR

"""Printing the PDF summary: its pages are rendered to images at the printer's resolution and
painted onto the QPrinter the system print dialog set up, so the paper shows exactly what the
saved PDF shows.

The pages are rendered with Qt's own PDF module (PySide6.QtPdf, in PySide6-Addons) when it is
installed, else with poppler's `pdftoppm`; without either, printing says what to do instead
(save the PDF and print it from a PDF viewer). Rendering runs off the UI thread; painting onto
the printer, which Qt requires on the UI thread, follows.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from paintrack.errors import UserError

MAX_DPI = 300
"""Finer than this adds memory, not sharpness a reader sees: a page of A4 at 300 dpi is 35 MB."""
RENDER_TIMEOUT_S = 120

PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}

NO_RENDERER = (
    "This computer has no way to turn the summary's pages into print: paintrack needs Qt's PDF "
    "module (pip install PySide6-Addons) or poppler's pdftoppm (the poppler-utils package). "
    "Use Export PDF… instead and print the saved file from your PDF viewer."
)


class PrintingFailed(UserError):
    """The summary could not be rendered for, or sent to, the printer."""


def render_dpi(printer: QPrinter) -> int:
    return max(72, min(int(printer.resolution()), MAX_DPI))


def _render_with_qtpdf(pdf: Path, dpi: int) -> list[QImage] | None:
    try:
        from PySide6.QtPdf import QPdfDocument  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    document = QPdfDocument()
    document.load(str(pdf))
    if document.pageCount() <= 0:
        raise PrintingFailed("The summary's PDF could not be read back for printing.")
    images: list[QImage] = []
    for page in range(document.pageCount()):
        points = document.pagePointSize(page)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        images.append(document.render(page, size))
    document.close()
    return images


def _render_with_pdftoppm(pdf: Path, dpi: int) -> list[QImage] | None:
    program = shutil.which("pdftoppm")
    if program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="paintrack-print-") as folder:
        stem = Path(folder) / "page"
        try:
            subprocess.run(  # a fixed program on a file we wrote
                [program, "-png", "-r", str(dpi), str(pdf), str(stem)],
                check=True,
                capture_output=True,
                timeout=RENDER_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise PrintingFailed(
                "The summary's pages could not be prepared for the printer "
                f"({type(error).__name__}). Use Export PDF… and print the saved file instead."
            ) from error
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        images = [QImage(str(page)) for page in pages]
    if not images or any(image.isNull() for image in images):
        raise PrintingFailed("The summary's pages could not be read back for printing.")
    return images


def render_pages(pdf: Path, dpi: int) -> list[QImage]:
    """Every page of the PDF at `dpi`, in order (safe off the UI thread)."""
    for renderer in (_render_with_qtpdf, _render_with_pdftoppm):
        images = renderer(pdf, dpi)
        if images is not None:
            return images
    raise PrintingFailed(NO_RENDERER)


def prepare(printer: QPrinter, paper: str) -> None:
    """The report's paper size on the printer, painted edge to edge (the PDF has its margins)."""
    printer.setPageSize(QPageSize(PAGE_SIZES.get(paper, QPageSize.PageSizeId.A4)))
    printer.setFullPage(True)


def paint_pages(printer: QPrinter, images: list[QImage]) -> int:
    """Paint each image on a page of its own, scaled to the paper; the number of pages."""
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintingFailed(
            "The printer could not be started. Check that it is switched on and connected, "
            "then print again (or use Export PDF… and print the saved file)."
        )
    try:
        for number, image in enumerate(images):
            if number and not printer.newPage():
                raise PrintingFailed(
                    f"The printer stopped after page {number}. Check it, then print again."
                )
            area = painter.viewport()
            scaled = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x(), area.y(), scaled.width(), scaled.height())
            painter.drawImage(target, image)
    finally:
        painter.end()
    return len(images)

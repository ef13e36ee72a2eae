"""Helpers for the PDF report tests: known diaries, their analysis, and PDF inspection."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape as html_unescape
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from paintrack.clinical.analysis import DiaryAnalysis, analyze_diary
from paintrack.clinical.model import Diary
from paintrack.clinical.settings import ClinicSettings
from paintrack.exchange.diary_json import read_diary_file

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
DIARIES = ROOT / "tests" / "data" / "diaries"
# A fixed time of analysis, long after every sample block, so every schedule point is due.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def load(path: Path) -> Diary:
    return read_diary_file(path)


def analyse(diary: Diary, settings: ClinicSettings | None = None) -> DiaryAnalysis:
    return analyze_diary(diary, settings or ClinicSettings(), now=NOW)


def squash(text: str) -> str:
    """pypdf text with every run of whitespace as one space (table cells wrap lines)."""
    return re.sub(r"\s+", " ", text)


def page_texts(path: Path) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(path).pages]


def _resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def image_xobjects(resources: object) -> list[str]:
    """Names of raster image XObjects in a resources dictionary, looking inside form XObjects."""
    found: list[str] = []
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return found
    xobjects = _resolve(resources.get("/XObject"))
    if not isinstance(xobjects, DictionaryObject):
        return found
    for name, ref in xobjects.items():
        xobject = _resolve(ref)
        assert isinstance(xobject, DictionaryObject)
        if xobject.get("/Subtype") == "/Image":
            found.append(str(name))
        elif xobject.get("/Subtype") == "/Form":
            found += image_xobjects(xobject.get("/Resources"))
    return found


def fonts_of(resources: object) -> Iterator[DictionaryObject]:
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return
    fonts = _resolve(resources.get("/Font"))
    if isinstance(fonts, DictionaryObject):
        for ref in fonts.values():
            font = _resolve(ref)
            assert isinstance(font, DictionaryObject)
            yield font
    xobjects = _resolve(resources.get("/XObject"))
    if isinstance(xobjects, DictionaryObject):
        for ref in xobjects.values():
            xobject = _resolve(ref)
            if isinstance(xobject, DictionaryObject) and xobject.get("/Subtype") == "/Form":
                yield from fonts_of(xobject.get("/Resources"))


def font_is_embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type0":
        return all(
            font_is_embedded(_resolve(d))  # type: ignore[arg-type]
            for d in _resolve(font["/DescendantFonts"])  # type: ignore[union-attr]
        )
    descriptor = _resolve(font.get("/FontDescriptor"))
    if not isinstance(descriptor, DictionaryObject):
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


MARGIN_PT = 14 * 72 / 25.4  # the report's page margin (14 mm)


@dataclass(frozen=True)
class Word:
    page: int
    page_width: float
    page_height: float
    x0: float
    y0: float  # from the top of the page
    x1: float
    y1: float
    text: str


def words_with_boxes(path: Path) -> list[Word]:
    """Every word of the PDF with its box in points (pdftotext -bbox, from poppler-utils)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found: list[Word] = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        size = re.search(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size is not None
        width, height = float(size[1]), float(size[2])
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            found.append(Word(number, width, height, x0, y0, x1, y1, html_unescape(m[5])))
    return found


def first_wide_band_right_edge(path: Path, page: int = 1) -> float:
    """The right end, in points, of the first drawn band wider than half the page from the top
    (the shaded patient box on page 1): where page 1's tables and chart end."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "p"
        subprocess.run(
            [
                *("pdftoppm", "-gray", "-r", "144", "-singlefile"),
                *("-f", str(page), "-l", str(page), str(path), str(stem)),
            ],
            check=True,
        )
        image = Image.open(f"{stem}.pgm")
        width, height = image.size
        pixels = image.load()
        assert pixels is not None
        for y in range(height):
            row = [x for x in range(width) if pixels[x, y] < 250]
            if row and row[-1] - row[0] > width / 2 and len(row) > width / 2:
                return row[-1] * 72 / 144
    raise AssertionError("no wide band on the page")

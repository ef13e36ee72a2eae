"""Helpers for the PDF report tests: known diaries, their analysis, and PDF inspection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
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

"""The PDF's clinician notes and sign-off: page 1 shows each target's notes with who and when and
the signature (or that it is outdated); a signed summary says so in every page's footer; the
`paintrack report` command includes them."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_helpers import DEMO, NOW, load, page_texts

from paintrack.cli import main
from paintrack.clinical.signoff import diary_fingerprint
from paintrack.clinical.wording import target_text
from paintrack.store import Store, open_store

NOW_ARG = ["--now", NOW.isoformat()]
DR = "Dr Ana Rivera"
SIGNED_AT = datetime(2026, 12, 2, 19, 5, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.db"
    store = open_store(str(path), clock=lambda: SIGNED_AT)
    try:
        store.import_diary(load(DEMO), source_name="demo-diary.json")
    finally:
        store.close()
    return path


def _open(db: Path) -> Store:
    return open_store(str(db), clock=lambda: SIGNED_AT)


def _note_and_sign(db: Path) -> tuple[str, str]:
    """A note on the demo's first target, signed; its patient id and the target's words."""
    with _open(db) as store:
        patient = store.resolve_patient(None)
        diary = store.load_diary(patient.id)
        block = diary.blocks[0]
        store.add_note(patient.id, block.region, block.side, "plan right L3-L5 RFA", actor=DR)
        store.sign_summary(
            patient.id,
            preset="asra-2020",
            statement="reviewed",
            fingerprint=diary_fingerprint(diary),
            actor=DR,
        )
        return patient.id, target_text(block.region, block.side)


def _report(db: Path, out: Path, *extra: str) -> list[str]:
    assert main(["--db", str(db), "report", "-o", str(out), "--force", *NOW_ARG, *extra]) == 0
    return page_texts(out)


def test_a_signed_report_shows_notes_and_signature_and_says_so_on_every_page(
    db: Path, tmp_path: Path
) -> None:
    _note_and_sign(db)
    texts = _report(db, tmp_path / "signed.pdf")
    page_one = texts[0]
    assert "Clinician note: plan right L3-L5 RFA" in page_one
    # In UTC, as the report's generated time (a block's fixed offset knows no daylight saving).
    byline = f"{DR}, 2 Dec 2026 19:05 UTC"
    assert byline in page_one
    assert f"Signed by {DR} on 2 Dec 2026 19:05 UTC" in page_one
    assert "Signature outdated" not in " ".join(texts)
    assert len(texts) > 1
    for number, text in enumerate(texts, start=1):
        footer = re.search(
            rf"· 1 Nov 2026 · page {number} of {len(texts)} paintrack \S+ "
            rf"Signed by {DR} on 2 Dec 2026 19:05 UTC",
            text,
        )
        assert footer, f"page {number}'s footer does not say it was signed"


def test_a_change_after_signing_marks_the_report_outdated(db: Path, tmp_path: Path) -> None:
    patient_id, _target = _note_and_sign(db)
    with _open(db) as store:
        entry = store.load_diary(patient_id).blocks[0].entries[2]
        store.amend_entry(
            entry.id, dataclasses.replace(entry, scores={"index": 9}), reason="wrong button"
        )
    texts = _report(db, tmp_path / "outdated.pdf")
    page_one = texts[0]
    assert (
        f"Signature outdated: the diary changed after {DR} signed on 2 Dec 2026 19:05" in page_one
    )
    assert "A clinician must review and sign again" in page_one
    assert "Signed by" not in " ".join(texts)
    for text in texts:
        assert "Signature outdated: diary changed after Dr Ana Rivera signed" in text
    assert "Clinician note: plan right L3-L5 RFA" in page_one  # notes stay


def test_an_unsigned_report_says_so_on_page_one_only(db: Path, tmp_path: Path) -> None:
    texts = _report(db, tmp_path / "unsigned.pdf")
    assert "Not signed." in texts[0]
    assert "No clinician has signed this summary." in texts[0]
    assert all("Signed by" not in text for text in texts)


def test_a_report_from_a_file_has_no_sign_off(tmp_path: Path) -> None:
    out = tmp_path / "file.pdf"
    assert main(["report", str(DEMO), "-o", str(out), *NOW_ARG]) == 0
    text = " ".join(page_texts(out))
    assert "Not signed" not in text and "Clinician note" not in text


def test_a_deidentified_report_scrubs_the_patients_name_from_a_note(
    db: Path, tmp_path: Path
) -> None:
    with _open(db) as store:
        patient = store.resolve_patient(None)
        block = store.load_diary(patient.id).blocks[0]
        store.add_note(patient.id, block.region, block.side, f"{patient.name} wants RFA", actor=DR)
        name = patient.name
    page_one = _report(db, tmp_path / "deid.pdf", "--deidentify")[0]
    assert "Clinician note:" in page_one and "wants RFA" in page_one
    assert name not in page_one


def test_a_report_signed_under_another_preset_says_so(db: Path, tmp_path: Path) -> None:
    _note_and_sign(db)
    page_one = _report(db, tmp_path / "lcd.pdf", "--preset", "medicare-lcd")[0]
    assert "Signed under the ASRA 2020 preset; this report uses the Medicare LCD preset." in (
        page_one
    )

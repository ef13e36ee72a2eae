"""`paintrack report`: file or database input, settings, audit trail, errors, atomic writes."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from report_helpers import DEMO, NOW, analyse, load, page_texts

from paintrack.cli import main
from paintrack.clinical.model import Agent
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.wording import threshold_text
from paintrack.errors import UserError
from paintrack.report.pdf import write_atomically
from paintrack.store import open_store

NOW_ARG = ["--now", NOW.isoformat()]


def test_report_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.pdf"
    assert main(["report", str(DEMO), "-o", str(out), *NOW_ARG]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    texts = page_texts(out)
    assert load(DEMO).patient.name in texts[0]
    assert "diary file, which carries no audit trail" in " ".join(texts)
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_report_from_the_database_uses_its_settings_and_audit_trail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "clinic.db"
    diary = load(DEMO)
    settings = ClinicSettings(
        preset="medicare-lcd",
        expected_minutes={Agent.LIDOCAINE: 45.0, Agent.BUPIVACAINE: 150.0},
    )
    store = open_store(str(db))
    try:
        store.import_diary(diary, source_name="demo-diary.json")
        store.save_settings(settings)
        entry = diary.blocks[0].entries[3]
        new_score = (entry.scores["index"] + 1) % 11
        store.amend_entry(
            entry.id,
            replace(entry, scores={"index": new_score}),
            reason="patient phoned: wrong button pressed",
        )
        deleted = diary.blocks[1].entries[5]
        store.delete_entry(deleted.id, reason="typed twice by mistake")
        amended_diary = store.load_diary(diary.patient.id)
    finally:
        store.close()
    out = tmp_path / "out.pdf"
    code = main(["--db", str(db), "report", "--patient", "DEMO-0001", "-o", str(out), *NOW_ARG])
    assert code == 0, capsys.readouterr().err
    texts = page_texts(out)
    analysis = analyse(amended_diary, settings)
    page_one = texts[0]
    assert "Medicare LCD preset" in page_one
    assert "lidocaine 45 min" in page_one and "bupivacaine 2 h 30 min" in page_one
    for result in analysis.blocks:
        for threshold in analysis.thresholds:
            assert threshold_text(result.sites["index"].thresholds[threshold]) in page_one
    appendix = " ".join(texts[1:])
    assert "patient phoned: wrong button pressed" in appendix
    assert f"score: index {entry.scores['index']} → index {new_score}" in appendix
    assert "amended" in appendix
    assert "entry deleted" in appendix and "typed twice by mistake" in appendix
    from paintrack.wording.text import short_datetime_text

    # The deleted entry is gone from the entry list but named in the audit trail.
    assert f"entry deleted (entry for {short_datetime_text(deleted.at)} UTC)" in appendix
    assert appendix.count(short_datetime_text(deleted.at)) == 1


def test_preset_option_overrides_the_setting(tmp_path: Path) -> None:
    out = tmp_path / "lcd.pdf"
    assert main(["report", str(DEMO), "-o", str(out), "--preset", "complete", *NOW_ARG]) == 0
    page_one = page_texts(out)[0]
    assert "complete relief preset" in page_one
    # The preset's own 100% has its column beside the default 50% and 80%.
    assert "Relief ≥ 100%: until (from the block)" in page_one
    assert "thresholds 50%, 80%, 100%" in page_one


def test_the_presets_threshold_is_shown_beside_the_clinics(tmp_path: Path) -> None:
    """Clinic thresholds 50 and 75, Medicare LCD preset: the 80% the checklist speaks of is a
    column of the relief table too, beside the clinic's 75%."""
    db = tmp_path / "clinic.db"
    store = open_store(str(db))
    try:
        store.import_diary(load(DEMO), source_name="demo-diary.json")
        store.save_settings(ClinicSettings(thresholds=(50, 75)))
    finally:
        store.close()
    out = tmp_path / "lcd.pdf"
    args = ["--db", str(db), "report", "-o", str(out), "--preset", "medicare-lcd", *NOW_ARG]
    assert main(args) == 0
    page_one = page_texts(out)[0]
    for threshold in (50, 75, 80):
        assert f"Relief ≥ {threshold}%: until (from the block)" in page_one
    assert "thresholds 50%, 75%, 80%" in page_one


def test_deidentify_and_letter_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "anon.pdf"
    args = ["report", str(DEMO), "-o", str(out), "--deidentify", "--paper", "letter", *NOW_ARG]
    assert main(args) == 0
    text = " ".join(page_texts(out))
    patient = load(DEMO).patient
    assert patient.name not in text and str(patient.mrn) not in text
    assert "Born (year): 1961" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", str(DEMO), "--patient", "x"], "either a diary FILE or --patient"),
        (["report", "{tmp}/missing.json"], "missing.json"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = tmp_path / "out.pdf"
    argv = [a.format(tmp=tmp_path) for a in argv] + ["-o", str(out)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_patient_choice_is_required_with_several_patients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "two.db"
    store = open_store(str(db))
    try:
        store.import_diary(load(DEMO), source_name="demo")
        other = load(Path(__file__).parents[1] / "data" / "diaries" / "bilateral.json")
        store.import_diary(other, source_name="bilateral")
    finally:
        store.close()
    out = tmp_path / "out.pdf"
    assert main(["--db", str(db), "report", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Alex Sample" in err and "Casey Example" in err
    assert not out.exists()


def test_folder_that_is_a_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = blocker / "summary.pdf"
    assert main(["report", str(DEMO), "-o", str(out), *NOW_ARG]) == 2
    err = capsys.readouterr().err
    assert "could not write the report" in err and "Nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only"), (errno.EACCES, "read-only")],
)
def test_failed_rename_leaves_no_partial_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"the previous report")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(UserError, match=words):
        write_atomically(target, b"%PDF-1.4 new")
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


def test_failed_write_midway_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(UserError, match="disk is full"):
        write_atomically(tmp_path / "summary.pdf", b"%PDF-1.4")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.pdf"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


PROBE = """
import json, sys
from paintrack.cli import main
code = main({argv!r})
print(json.dumps({{"code": code, "qt": sorted(m for m in sys.modules if m.startswith("PySide6")),
                  "mpl": "matplotlib" in sys.modules}}))
"""


@pytest.mark.slow
def test_report_command_never_imports_qt(tmp_path: Path) -> None:
    argv = ["report", str(DEMO), "-o", str(tmp_path / "q.pdf"), *NOW_ARG]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] == 0, result.stderr
    assert report["qt"] == []
    assert report["mpl"] is True  # the probe sees real imports: matplotlib drew the chart
    assert (tmp_path / "q.pdf").read_bytes().startswith(b"%PDF")


def test_existing_pdf_is_refused_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "summary.pdf"
    out.write_bytes(b"last month's report")
    assert main(["report", str(DEMO), "-o", str(out), *NOW_ARG]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert out.read_bytes() == b"last month's report"
    assert main(["report", str(DEMO), "-o", str(out), "--force", *NOW_ARG]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


@pytest.mark.parametrize(("paper", "height"), [("A4", 841.89), ("Letter", 792), ("LETTER", 792)])
def test_paper_size_in_any_case(tmp_path: Path, paper: str, height: float) -> None:
    from pypdf import PdfReader

    out = tmp_path / "summary.pdf"
    assert main(["report", str(DEMO), "-o", str(out), "--paper", paper, *NOW_ARG]) == 0
    assert float(PdfReader(out).pages[0].mediabox.height) == pytest.approx(height, abs=0.01)


def test_missing_folder_says_so_without_blaming_the_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no-such-folder" / "summary.pdf"
    assert main(["report", str(DEMO), "-o", str(out), *NOW_ARG]) == 2
    err = capsys.readouterr().err
    assert f"the folder {out.parent} does not exist; choose an existing folder" in err
    assert "space" not in err and "disk" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "says", "never"),
    [
        (errno.ENOSPC, "the disk is full; free some space", "does not exist"),
        (errno.EROFS, "is read-only", "space"),
        (errno.EACCES, "is read-only", "space"),
    ],
)
def test_write_failures_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, says: str, never: str
) -> None:
    def failing_mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("tempfile.mkstemp", failing_mkstemp)
    with pytest.raises(UserError) as caught:
        write_atomically(tmp_path / "summary.pdf", b"%PDF-1.4")
    assert says in caught.value.message and never not in caught.value.message
    assert list(tmp_path.iterdir()) == []

"""Guarantee 6, bad input everywhere: the rows of docs/bad-input.md that no other test covers.
(The diary-file rules are tested in tests/exchange, the analyze and report options in
tests/test_cli_analyze.py and tests/report; docs/bad-input.md names each test.)"""

from __future__ import annotations

import csv
import tracemalloc
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from reliability_helpers import T0, big_diary

from paintrack import cli
from paintrack.clinical.model import Block, Entry, NaiveDatetimeError, Patient
from paintrack.errors import UserError
from paintrack.exchange import files as files_module
from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import open_store

HUNDRED_MB = 100 * 1024 * 1024

NAMES = {
    "emoji": "Ana 🙂 Costa 👩🏽‍⚕️",
    "arabic-rtl": "مريم العلي",
    "hebrew-rtl-mixed": "דוד Levi 3",
    "combining-nfd": "Zoe\u0308 Mu\u0308ller",
    "precomposed-nfc": "Zoë Müller",
    "devanagari": "अनन्या शर्मा",
    "cjk": "山田 花子",
    "zalgo": "Z\u0335\u0321a\u0336\u0322l\u0337go",
    "bidi-controls": "\u202eevil\u202c Name",
    "astral-math": "𝓐𝓵𝓮𝔁",
}


def _sparse(path: Path, size: int = HUNDRED_MB) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: nothing is written to the disk
    return path


@pytest.mark.parametrize(
    "argv",
    [["import", "{file}"], ["analyze", "{file}"], ["report", "{file}", "-o", "{out}"]],
    ids=["import", "analyze", "report"],
)
def test_a_100_mb_diary_is_refused_before_it_is_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    big = _sparse(tmp_path / "huge.json")
    out = tmp_path / "out.pdf"
    db = tmp_path / "diary.db"

    def never_open(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the 100 MB file was opened for reading")

    # once on a missing file first, so the command's own imports are not counted below
    warm = [a.format(file=tmp_path / "missing.json", out=out) for a in argv]
    assert cli.main(["--db", str(db), *warm]) == 2
    monkeypatch.setattr(files_module, "open", never_open, raising=False)
    tracemalloc.start()
    try:
        code = cli.main(["--db", str(db), *[a.format(file=big, out=out) for a in argv]])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2
    assert f"{big}: the file is 100.0 MB, more than the 50 MB limit" in err
    assert peak < 20 * 1024 * 1024  # nowhere near the file's size was allocated
    assert not out.exists()
    assert not db.exists()  # nothing was even opened


@pytest.mark.parametrize("key", sorted(NAMES))
def test_any_unicode_name_round_trips_exactly(tmp_path: Path, key: str) -> None:
    name = NAMES[key]
    diary = big_diary(name, blocks=1, entries_per_block=2)
    diary = type(diary)(Patient(name=name, mrn=f"№ {name[:3]}"), diary.blocks)
    first = tmp_path / "first.db"
    with open_store(str(first)) as store:
        store.import_diary(diary, source_name="unicode.json")
        (stored,) = store.list_patients()
        assert stored.name == name  # not normalised, not trimmed, not re-encoded
        assert store.resolve_patient(name).id == diary.patient.id
        assert store.find_patients(name[1:4]) == [stored]
    exported = tmp_path / "export.json"
    assert cli.main(["--db", str(first), "export", str(exported)]) == 0
    assert read_diary_file(exported).patient.name == name
    second = tmp_path / "second.db"
    assert cli.main(["--db", str(second), "import", str(exported)]) == 0
    with open_store(str(second)) as store:
        assert [p.name for p in store.list_patients()] == [name]
        assert store.load_diary(diary.patient.id).patient == stored
    table = tmp_path / "export.csv"
    assert cli.main(["--db", str(second), "export", str(table)]) == 0
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert any(name in row for row in rows) or any(name in cell for row in rows for cell in row)


def test_nfc_and_nfd_spellings_stay_two_distinct_names(tmp_path: Path) -> None:
    nfd, nfc = NAMES["combining-nfd"], NAMES["precomposed-nfc"]
    assert unicodedata.normalize("NFC", nfd) == nfc and nfd != nfc
    with open_store(str(tmp_path / "d.db")) as store:
        store.add_patient(Patient(name=nfd))
        store.add_patient(Patient(name=nfc))
        assert sorted(p.name for p in store.list_patients()) == sorted([nfd, nfc])


@pytest.mark.parametrize(
    "score", [11, -1, 100, "7", 7.0, 7.5, True, None], ids=lambda s: f"{type(s).__name__}-{s}"
)
def test_out_of_range_and_non_numeric_scores_are_refused_by_the_store(
    tmp_path: Path, score: object
) -> None:
    with open_store(str(tmp_path / "d.db")) as store:
        diary = big_diary("Scores", blocks=1, entries_per_block=1)
        store.import_diary(diary, source_name="x")
        at = T0 + timedelta(hours=2)
        entry = Entry(at=at, recorded_at=at, scores={"index": score})  # type: ignore[dict-item]
        with pytest.raises(UserError, match="whole number from 0 to 10"):
            store.add_entry(diary.blocks[0].id, entry)
        assert len(store.load_diary(diary.patient.id).blocks[0].entries) == 1


def test_a_naive_time_cannot_even_be_built() -> None:
    naive = T0.replace(tzinfo=None)
    with pytest.raises(NaiveDatetimeError):
        Entry(at=naive, recorded_at=T0, scores={"index": 3})
    with pytest.raises(NaiveDatetimeError):
        Block(performed_at=naive, region="lumbar", side="left", agent="lidocaine")  # type: ignore[arg-type]


# -- command-line arguments of the reliability commands ----------------------------------------


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["restore", "{tmp}/no-such-backup.db"], "There is no backup file at"),
        (["restore", "{db}"], "That is the diary itself"),
        (["restore", "{tmp}"], "There is no backup file at"),
        (["--db", "postgresql://u:secret@host/x", "restore", "{db}"], "server's own restore"),
        (["--db", "postgresql://u:secret@host/x", "backup"], "server's own backup"),
        (["--db", "{tmp}/missing.db", "backup"], "no diary at"),
        (["--db", "{tmp}/missing.db", "verify"], "There is no diary at"),
        (["--db", "{tmp}", "verify"], "Cannot read"),
        (["--db", "{text}", "verify"], "not an SQLite database"),
    ],
    ids=[
        "restore-missing",
        "restore-itself",
        "restore-a-folder",
        "restore-server",
        "backup-server",
        "backup-missing",
        "verify-missing",
        "verify-folder",
        "verify-not-sqlite",
    ],
)
def test_bad_arguments_to_backup_restore_and_verify_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    db = tmp_path / "diary.db"
    open_store(str(db)).close()
    text = tmp_path / "letter.txt"
    text.write_text("not a database\n" * 100)
    before = db.read_bytes()
    names = {"tmp": tmp_path, "db": db, "text": text}
    code = cli.main(["--db", str(db), *[a.format(**names) for a in argv]])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("paintrack: ") and words in err
    assert "secret" not in err
    assert "Traceback" not in err
    assert db.read_bytes() == before
    assert not (tmp_path / "missing.db").exists()


def test_an_unknown_option_is_refused_by_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["verify", "--fix-it"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --fix-it" in capsys.readouterr().err


# -- the window's form fields --------------------------------------------------------------------


def test_the_name_field_keeps_any_unicode_and_refuses_a_blank_name(qtbot: QtBot) -> None:
    from paintrack.ui.welcome import WelcomePage

    page = WelcomePage()
    qtbot.addWidget(page)
    page.name.setText("   ")
    assert page.patient() is None
    assert "type your name" in page.error.text()
    for name in NAMES.values():
        page.name.setText(f"  {name}  ")
        patient = page.patient()
        assert patient is not None and patient.name == " ".join(name.split())


def test_a_birth_date_in_the_future_is_refused_inline(
    qtbot: QtBot, set_local_zone: Callable[[str], None]
) -> None:
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.welcome import WelcomePage

    # "Today" is the window's clock in the patient's own zone: 14:00 UTC on 2 March is already
    # 3 March in Chatham (+13:45). The real clock would make the test depend on the day it runs.
    set_local_zone("Pacific/Chatham")
    page = WelcomePage(FakeClock(datetime(2026, 3, 2, 14, 0, tzinfo=UTC)))
    qtbot.addWidget(page)
    page.name.setText("Born Later")
    page.birth_date.edit.setText("2026-03-04")
    assert page.patient() is None  # refused with a message, not changed to today
    assert "in the future" in page.birth_date.error.text()
    assert page.birth_date.edit.text() == "2026-03-04"
    page.birth_date.edit.setText("2026-03-03")  # today in Chatham, though 2 March in UTC
    patient = page.patient()
    assert patient is not None and patient.birth_date == date(2026, 3, 3)


def test_the_record_number_is_optional_free_text(qtbot: QtBot) -> None:
    from paintrack.ui.welcome import WelcomePage

    page = WelcomePage()
    qtbot.addWidget(page)
    page.name.setText("Record Number")
    page.mrn.setText("   ")
    patient = page.patient()
    assert patient is not None and patient.mrn is None
    page.mrn.setText(" MRN-00/42 ")
    patient = page.patient()
    assert patient is not None and patient.mrn == "MRN-00/42"


def test_block_levels_are_split_and_blank_ones_dropped(qtbot: QtBot) -> None:
    from paintrack.ui.block_form import BlockForm
    from paintrack.ui.clock import FakeClock

    form = BlockForm(FakeClock(T0))
    qtbot.addWidget(form)
    form.reset()
    form.levels.setText(" L3 MB, ,L4 MB;; L5 DR ,")
    block = form.block()
    assert block is not None
    assert block.levels == ("L3 MB", "L4 MB", "L5 DR")


def test_concentration_and_volume_take_only_numbers_in_range(qtbot: QtBot) -> None:
    from paintrack.ui.block_form import BlockForm
    from paintrack.ui.clock import FakeClock

    form = BlockForm(FakeClock(T0))
    qtbot.addWidget(form)
    form.reset()
    for field, error in (
        (form.concentration, form.concentration_error),
        (form.volume, form.volume_error),
    ):
        for typed in ("abc", "1000", "-5", "nan", "inf"):
            field.setText(typed)
            assert form.block() is None  # refused with a message, never cut or clamped
            assert "from 0.1 to 5" in error.text()
            assert field.text() == typed
        field.clear()
    form.concentration.setText("2")
    block = form.block()
    assert block is not None
    assert (block.concentration_percent, block.volume_ml) == (2.0, None)


def test_the_relief_estimate_stays_within_0_to_100(qtbot: QtBot) -> None:
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.log_panel import LogPanel

    panel = LogPanel(FakeClock(T0))
    qtbot.addWidget(panel)
    assert (panel.relief.minimum(), panel.relief.maximum()) == (-1, 100)  # -1: not given
    panel.relief.setValue(250)
    assert panel.relief.value() == 100
    panel.relief.clear()
    qtbot.keyClicks(panel.relief, "x")  # type: ignore[no-untyped-call]
    assert panel.relief.value() in (-1, 100)


def test_two_paper_log_rows_at_the_same_time_are_refused(qtbot: QtBot) -> None:
    from paintrack.clinical.model import Agent, Region, Side
    from paintrack.ui.clock import FakeClock
    from paintrack.ui.entry_dialogs import PaperLogDialog

    block = Block(performed_at=T0, region=Region.LUMBAR, side=Side.LEFT, agent=Agent.LIDOCAINE)
    dialog = PaperLogDialog(block, None, FakeClock(T0 + timedelta(hours=3)))
    qtbot.addWidget(dialog)
    dialog.set_row(0, T0 + timedelta(minutes=30), {"index": 4})
    dialog.add_row(None)
    dialog.set_row(1, T0 + timedelta(minutes=30), {"index": 5})
    with pytest.raises(ValueError, match="same time"):
        dialog.entries()
    dialog._accept()
    assert "same time" in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted

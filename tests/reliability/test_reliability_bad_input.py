"""Guarantee 6, bad input everywhere: the rows of docs/bad-input.md that no other test covers.
(The diary-file rules are tested in tests/exchange, the analyze and report options in
tests/commands/test_cli_analyze.py and tests/report, the window's form fields in
tests/ui/test_ui_bad_input.py; docs/bad-input.md names each test.)"""

from __future__ import annotations

import csv
import tracemalloc
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import T0, big_diary
from unicode_names import NAMES

from paintrack import cli
from paintrack.clinical.model import Block, Entry, NaiveDatetimeError, Patient
from paintrack.errors import UserError
from paintrack.exchange import files as files_module
from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import open_store

HUNDRED_MB = 100 * 1024 * 1024


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

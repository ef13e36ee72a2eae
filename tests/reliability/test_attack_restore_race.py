"""Attack findings 1, 7 and 8 (issue 11): a restore and the diary's writers exclude each other
whatever the entry point, a symlink to the diary is the diary, and parallel imports wait their
turn instead of stopping with "the diary is busy".

Imports run in forked processes (real processes, each its own file locks, as separate `paintrack
import` commands are) rather than fresh interpreters, so twenty runs stay affordable. They are
forked from a small interpreter that has imported the commands once (forked_writers.Zygote), not
from the test process: forking the test process (Qt, matplotlib and all) took 30 ms a child, so
the children started 30 ms apart instead of together.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from forked_writers import COMMAND_MODULES, Zygote
from reliability_helpers import big_diary, raw_query

from paintrack import cli
from paintrack.exchange.diary_json import write_diary_file
from paintrack.store import backup as store_backup
from paintrack.store import open_store
from paintrack.store.backup import make_backup, restore_backup
from paintrack.store.lock import DiaryInUse, DiaryLock

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
RUNS = 20
IMPORTS_PER_RUN = 6


def _patients(path: Path) -> set[str]:
    return {str(name) for (name,) in raw_query(path, "SELECT name FROM patients")}


def _run_together(
    zygote: Zygote, commands: dict[str, list[str]]
) -> dict[str, tuple[int, str, str]]:
    """Start every `paintrack` command at once, each in its own forked process, then wait for
    them all: each one's exit code, stdout and stderr."""
    started = {
        tag: zygote.start(["paintrack", *argv], module="paintrack")
        for tag, argv in commands.items()
    }
    return {tag: child.result() for tag, child in started.items()}


def _diary_files(folder: Path, run: int) -> list[tuple[str, Path]]:
    made = []
    for number in range(IMPORTS_PER_RUN):
        name = f"Racer {run}-{number}"
        file = folder / f"racer-{run}-{number}.json"
        write_diary_file(big_diary(name, blocks=1, entries_per_block=20), file)
        made.append((name, file))
    return made


@pytest.mark.slow
def test_attack_restore_racing_parallel_imports_loses_no_import(tmp_path: Path) -> None:
    """Twenty runs: imports started together, a restore started among them. Every import that
    said "Imported" is in the restored diary or in the copy set aside before the restore."""
    lost: list[str] = []
    with Zygote(COMMAND_MODULES, tmp_path / "children") as zygote:
        for run in range(RUNS):
            folder = tmp_path / f"run{run}"
            folder.mkdir()
            db = folder / "paintrack.db"
            with open_store(str(db)) as store:
                store.import_diary(
                    big_diary("Base", blocks=1, entries_per_block=5), source_name="b"
                )
            backup = make_backup(db, now=NOW)
            files = _diary_files(folder, run)
            commands = {}
            for index, (_name, file) in enumerate(files):
                commands[f"import{index}"] = ["--db", str(db), "import", str(file)]
                if index == IMPORTS_PER_RUN // 2:
                    commands["restore"] = ["--db", str(db), "restore", str(backup), "--yes"]
            outcome = _run_together(zygote, commands)
            assert outcome["restore"][0] == 0, outcome["restore"]
            (aside,) = folder.glob("paintrack.db.before-restore-*")
            kept = _patients(db) | _patients(aside)
            for index, (name, _file) in enumerate(files):
                code, out, err = outcome[f"import{index}"]
                assert code == 0, (out, err)  # every import waited its turn
                assert f"Imported {name}" in out
                if name not in kept:
                    lost.append(name)
    assert lost == []


HOOKED_IMPORT = textwrap.dedent(
    """
    import sys
    from paintrack import cli
    sys.exit(cli.main(["--db", sys.argv[1], "import", sys.argv[2]]))
    """
)


def test_attack_an_import_between_the_aside_copy_and_the_restore_waits_for_the_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic: an import is started just after the restore has set the diary aside.
    Today's code let it commit there (in neither file); now it waits, then goes in."""
    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Base", blocks=1, entries_per_block=5), source_name="b")
    backup = make_backup(db, now=NOW)
    file = tmp_path / "late.json"
    write_diary_file(big_diary("Late Import", blocks=1, entries_per_block=10), file)
    script = tmp_path / "import.py"
    script.write_text(HOOKED_IMPORT, encoding="utf-8")
    started: list[subprocess.Popen[str]] = []
    copy = store_backup._copy_database

    def copy_then_import(source: sqlite3.Connection, target: Path) -> None:
        copy(source, target)
        if ".aside-" not in target.name:
            return
        process = subprocess.Popen(
            [sys.executable, str(script), str(db), str(file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stderr is not None
        # Either it finished (committed now, between the two steps) or it says it waits.
        line = process.stderr.readline()
        assert "waiting for a restore" in line, (line, process.wait(), process.stdout)

    monkeypatch.setattr(store_backup, "_copy_database", copy_then_import)
    restored = restore_backup(db, backup, now=NOW)
    (process,) = started
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "Imported Late Import" in out
    assert "Late Import" in _patients(db)  # went in after the restore, into the restored diary
    assert "Late Import" not in _patients(restored.saved_aside[0])


def test_attack_a_symlink_to_the_diary_is_the_same_diary_for_the_window_lock(
    tmp_path: Path,
) -> None:
    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Linked", blocks=1, entries_per_block=3), source_name="b")
    link = tmp_path / "shortcut.db"
    link.symlink_to(db)
    with DiaryLock(db), pytest.raises(DiaryInUse):
        DiaryLock(link).acquire()


def test_attack_restore_through_a_symlink_is_refused_under_an_open_window(tmp_path: Path) -> None:
    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Linked", blocks=1, entries_per_block=3), source_name="b")
    backup = make_backup(db, now=NOW)
    link = tmp_path / "shortcut.db"
    link.symlink_to(db)
    before = db.read_bytes()
    with DiaryLock(db), pytest.raises(DiaryInUse):
        restore_backup(link, backup, now=NOW)
    assert db.read_bytes() == before
    assert link.is_symlink()
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_attack_restore_through_a_symlink_restores_the_real_file(tmp_path: Path) -> None:
    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Before", blocks=1, entries_per_block=3), source_name="b")
    backup = make_backup(db, now=NOW)
    with open_store(str(db)) as store:
        store.import_diary(big_diary("After", blocks=1, entries_per_block=3), source_name="a")
    link = tmp_path / "shortcut.db"
    link.symlink_to(db)
    restore_backup(link, backup, now=NOW)
    assert link.is_symlink()  # the link is left a link; the diary behind it is restored
    assert _patients(db) == {"Before"}


@pytest.mark.slow
def test_attack_twenty_parallel_imports_all_wait_their_turn(tmp_path: Path) -> None:
    """Twenty `paintrack import` at once on one SQLite diary: each goes in (exit 0), none stops
    with "the diary is busy"."""
    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Base", blocks=1, entries_per_block=3), source_name="b")
    names, commands = [], {}
    for number in range(20):
        name = f"Parallel {number}"
        names.append(name)
        file = tmp_path / f"p{number}.json"
        write_diary_file(big_diary(name, blocks=3, entries_per_block=150), file)
        commands[name] = ["--db", str(db), "import", str(file)]
    with Zygote(COMMAND_MODULES, tmp_path / "children") as zygote:
        outcome = _run_together(zygote, commands)
    failed = {name: result for name, result in outcome.items() if result[0] != 0}
    assert failed == {}
    assert _patients(db) == {"Base", *names}


def test_attack_a_writer_waits_a_bounded_time_for_a_restore_then_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from paintrack.store import lock as store_lock

    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Base", blocks=1, entries_per_block=3), source_name="b")
    file = tmp_path / "x.json"
    write_diary_file(big_diary("Blocked", blocks=1, entries_per_block=3), file)
    monkeypatch.setattr(store_lock, "WAIT_SECONDS", 0.2)
    restoring = store_lock.WritersLock(db).acquire(exclusive=True)
    try:
        before = db.read_bytes()
        assert cli.main(["--db", str(db), "import", str(file)]) == 2
    finally:
        restoring.release()
    err = capsys.readouterr().err
    assert "waiting for a restore" in err
    assert "being restored from a backup" in err
    assert "Nothing was changed" in err
    assert db.read_bytes() == before

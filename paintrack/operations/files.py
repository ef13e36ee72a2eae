"""Files in and out of the diary: export it as JSON or CSV, import a diary file, the sample
diary, and where the diary and its backups are kept (for About)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.clinical.model import Diary, Patient
from paintrack.paths import is_url

if TYPE_CHECKING:
    from paintrack.store import ImportResult, Store

SAMPLE_RESOURCE = ("demo", "demo-diary.json")
SAMPLE_DB_NAME = "demo.db"


@dataclass(frozen=True)
class Exported:
    path: str


@dataclass(frozen=True)
class Imported:
    result: ImportResult
    patient_id: str

    def summary(self) -> str:
        r = self.result
        return f"Imported: {r.blocks_added} blocks and {r.entries_added} scores added" + (
            f", {r.entries_unchanged} already there." if r.entries_unchanged else "."
        )


@dataclass(frozen=True)
class DiaryPlace:
    """Where a diary is kept, said safely (a server URL's password hidden), and its backups."""

    where: str
    backups: Path | None  # the backups folder of a diary file
    is_server: bool

    def backups_text(self) -> str:
        if self.backups is not None:
            return f"Backups are kept in:\n{self.backups}"
        if self.is_server:
            # A clinic's shared server: paintrack makes no copies of it; the server's own apply.
            return (
                "Backups: this diary is on a database server, so the server's own backups "
                "apply; paintrack makes no copies of it."
            )
        return "Backups: none (this diary is not kept in a file)."


def export_json(store: Store, patient_id: str, path: str) -> Exported:
    from paintrack.exchange.diary_json import write_diary_file

    write_diary_file(store.load_diary(patient_id), path)
    return Exported(path)


def export_csv(store: Store, patient_id: str, path: str) -> Exported:
    from paintrack.exchange.csv_export import write_csv

    write_csv(store.load_diary(patient_id), path)
    return Exported(path)


def import_file(store: Store, path: str) -> Imported:
    """Read a diary file (DiaryFormatError, a UserError, when it is not one) and import it in
    one transaction: nothing is half-imported."""
    from paintrack.exchange.diary_json import read_diary_file

    diary = read_diary_file(path)
    result = store.import_diary(diary, source_name=Path(path).name)
    return Imported(result, diary.patient.id)


def sample_diary() -> Diary:
    from paintrack.exchange.diary_json import parse_diary

    source = resources.files("paintrack.resources").joinpath(*SAMPLE_RESOURCE)
    return parse_diary(source.read_bytes(), "demo-diary.json")


def load_sample(store: Store) -> Patient:
    """The sample diary into this (throw-away) store."""
    diary = sample_diary()
    store.import_diary(diary, source_name="the demo diary")
    return diary.patient


def prepare_sample_database() -> Path:
    """A new database in a new private temporary folder (0700), loaded with the sample diary.

    The caller owns the folder (`path.parent`) and removes it when done: the patient's own
    database never holds the example patient.
    """
    diary = sample_diary()
    folder = Path(tempfile.mkdtemp(prefix="paintrack-demo-"))  # mkdtemp: mode 0700
    try:
        database = folder / SAMPLE_DB_NAME
        from paintrack.store import open_store

        with open_store(str(database)) as store:
            store.import_diary(diary, source_name="the demo diary")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return database


def diary_place(store: Store | None, db_target: str) -> DiaryPlace:
    from paintrack.store.backup import backups_dir
    from paintrack.store.database import display_target

    if store is None:
        return DiaryPlace(display_target(db_target), None, is_url(db_target))
    path = store.db_path
    return DiaryPlace(store.where, backups_dir(path) if path else None, store.is_server)


def place_key(db_target: str) -> str:
    """The window's preferences key for this database (a sample or a second diary does not move
    the patient's place); a server URL's password is never written to the preferences file."""
    from paintrack.store.database import display_target

    safe = display_target(db_target).replace("/", "|").replace("\\", "|")
    return f"place/{safe}"


def backup_file(db_target: str) -> Path | None:
    """The diary file a backup copies; None for a database server."""
    return None if is_url(db_target) else Path(db_target).expanduser()

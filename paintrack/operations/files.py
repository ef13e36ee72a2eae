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
from paintrack.errors import UserError
from paintrack.paths import is_url

if TYPE_CHECKING:
    from paintrack.store import Store

SAMPLE_RESOURCE = ("demo", "demo-diary.json")
SAMPLE_DB_NAME = "demo.db"


@dataclass(frozen=True)
class Exported:
    path: str


@dataclass(frozen=True)
class Imported:
    """What importing (merging) a diary file did."""

    patient_id: str  # the stored patient it went to
    blocks_added: int
    entries_added: int
    entries_unchanged: int
    amended: int  # blocks and entries stored again as amendments, the originals kept
    kept: int  # records the file changed that the database keeps as they are
    matched: bool = False  # merged into a patient of another id, as the person confirmed

    def summary(self) -> str:
        text = f"Imported: {self.blocks_added} blocks and {self.entries_added} scores added"
        extra = []
        if self.entries_unchanged:
            extra.append(f"{self.entries_unchanged} already there")
        if self.amended:
            extra.append(f"{self.amended} changed, kept as amendments with the originals")
        if self.kept:
            extra.append(f"{self.kept} left as they were (see the diary's history)")
        return text + (", " + ", ".join(extra) if extra else "") + "."


@dataclass(frozen=True)
class MatchNeeded:
    """The file's patient is not stored by id, but patients of the same name and birth date
    are: a person says whether the diary is one of theirs (import_file again with
    `match_patient`), and until then nothing is imported."""

    path: str
    diary_patient: Patient
    candidates: tuple[Patient, ...]


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
    """The diary as a diary file; recorded in the audit trail first (AuditNotRecorded, and no
    file, when it cannot be)."""
    from paintrack.exchange.diary_json import write_diary_file
    from paintrack.operations.audit import record_export

    diary = store.load_diary(patient_id)
    record_export(store, patient_id, export_format="json", path=path)
    write_diary_file(diary, path)
    return Exported(path)


def export_csv(store: Store, patient_id: str, path: str) -> Exported:
    """The diary as CSV; recorded in the audit trail first, as export_json."""
    from paintrack.exchange.csv_export import write_csv
    from paintrack.operations.audit import record_export

    diary = store.load_diary(patient_id)
    record_export(store, patient_id, export_format="csv", path=path)
    write_csv(diary, path)
    return Exported(path)


def import_file(
    store: Store, path: str, *, match_patient: str | None = None
) -> Imported | MatchNeeded:
    """Read a diary file (DiaryFormatError, a UserError, when it is not one) and merge it in
    one transaction, as `paintrack import` does: new blocks and entries are added, identical
    ones skipped, a changed one kept as an amendment of the stored one ("merged from home
    diary FILE"), never overwritten; nothing is half-imported. A patient known only by name
    and birth date needs `match_patient` (MatchNeeded says who the candidates are)."""
    from paintrack.exchange.diary_json import read_diary_file
    from paintrack.store.merge import PatientMatchNeeded, merge_diary

    diary = read_diary_file(path)
    known = store.get_settings().protocols
    unknown = sorted({b.protocol for b in diary.blocks if b.protocol not in known})
    if unknown:
        raise UserError(
            f"{Path(path).name}: its blocks follow the schedule {unknown[0]!r}, which the clinic "
            f"settings do not define (they define {', '.join(repr(p) for p in sorted(known))}). "
            "Nothing was imported."
        )
    try:
        plan = merge_diary(store, diary, source_name=Path(path).name, match_patient=match_patient)
    except PatientMatchNeeded as error:
        return MatchNeeded(path, error.patient, error.candidates)
    return Imported(
        patient_id=plan.patient.id,
        blocks_added=len(plan.blocks_added),
        entries_added=len(plan.entries_added),
        entries_unchanged=plan.entries_same,
        amended=len(plan.blocks_amended) + len(plan.entries_amended),
        kept=len(plan.kept),
        matched=plan.matched,
    )


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

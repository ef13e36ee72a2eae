"""The repository: every read and write of the clinical record, in clinical dataclasses.

One session per call, and each write is one short transaction that also appends its audit rows,
so a change and the record of it are saved together or not at all. Nothing is ever overwritten
or removed: amendments and deletions keep the original in the audit trail, and the audit trail
itself can only grow (there is no method here that changes or deletes an audit row).
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, Table, and_, bindparam, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from paintrack.clinical.audit import ACCESS_ACTIONS, ACCESS_OBJECT_TYPE, AuditRecord
from paintrack.clinical.model import PRESET_VALUES, Block, Diary, Entry, Patient, new_id
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.worklist import PatientSummary
from paintrack.errors import UserError
from paintrack.store import patient_search, worklist_cache
from paintrack.store.audit_chain import (
    GENESIS,
    AuditCheck,
    EncodedJSON,
    encoded_audit_hash,
)
from paintrack.store.convert import (
    block_from_row,
    block_to_json,
    check_block,
    check_entry,
    check_patient,
    entry_from_row,
    entry_row_values,
    entry_to_json,
    fill_block_row,
    fill_entry_row,
    new_patient_row,
    patient_to_json,
    settings_from_json,
    settings_to_json,
)
from paintrack.store.database import OpenedDatabase, release_file, user_errors
from paintrack.store.models import (
    AuditRow,
    BlockRow,
    EntryRow,
    EntryScoreRow,
    PatientRow,
    SettingRow,
)
from paintrack.store.patient_search import PatientSearch
from paintrack.store.reading import live_entries, read_diaries, read_diary
from paintrack.store.signoff import NotesAndSignatures
from paintrack.store.trail_check import check_audit_trail as check_trail
from paintrack.store.users import StoreUsers
from paintrack.store.worklist_cache import WorklistRead
from paintrack.wording.people import patient_description

SAME_TIME_REASON = "replaced by a newer entry at the same time"
Clock = Callable[[], datetime]


def _system_clock() -> datetime:
    return datetime.now(UTC)


def default_actor() -> str:
    """The operating-system user: who made a change, unless the caller says otherwise."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@dataclasses.dataclass(frozen=True)
class ImportResult:
    """What an import did. Entries already stored (same id) are never overwritten: identical ones
    count as unchanged; ones whose stored content differs (amended or deleted since, or edited in
    the file) keep the stored version and count as conflicting. Blocks likewise."""

    patients_added: int = 0
    blocks_added: int = 0
    entries_added: int = 0
    entries_unchanged: int = 0
    entries_conflicting: int = 0
    blocks_unchanged: int = 0
    blocks_conflicting: int = 0
    patient_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _require_reason(reason: str, what: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise UserError(f"A reason is required to {what}: say why, for the audit trail.")
    return reason.strip()


def _json_copy(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    copied: dict[str, Any] = json.loads(json.dumps(dict(value), allow_nan=False))
    return copied


def _entry_json(entry: Entry, block_id: str) -> dict[str, Any]:
    return {"block_id": block_id, **entry_to_json(entry)}


_ID_PREFIX_MIN = 8
"""Fewest characters of an id that a search matches: the id's first group."""


def _describe(patient: Patient, first_blocks: Mapping[str, datetime]) -> str:
    return f"  {patient_description(patient, first_blocks.get(patient.id))} (id {patient.id})"


class _Unit:
    """One write transaction: its session, who and when, and the next audit sequence number."""

    def __init__(self, session: Session, actor: str, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self._next_seq: int | None = None
        self._prev_hash: str | None = None
        # Set by an import: audit rows are collected here and inserted in one executemany.
        self.bulk_audit: list[dict[str, Any]] | None = None

    @property
    def chain_end(self) -> tuple[int, str] | None:
        """The next sequence number and the previous hash, once this unit has read them."""
        if self._next_seq is None or self._prev_hash is None:
            return None
        return self._next_seq, self._prev_hash

    def chained(self, next_seq: int, row_hash: str) -> None:
        """A row with sequence number `next_seq` and hash `row_hash` was written (in Core)."""
        self._next_seq = next_seq + 1
        self._prev_hash = row_hash

    def audit(
        self,
        action: str,
        object_type: str,
        object_id: str | None,
        *,
        patient_id: str | None,
        reason: str | None = None,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
    ) -> str:
        """Append one audit row; its id."""
        if self._next_seq is None or self._prev_hash is None:
            last = self.session.execute(
                select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
            ).first()
            self._next_seq = (last.seq if last is not None else 0) + 1
            self._prev_hash = (last.hash if last is not None else None) or GENESIS
        content: dict[str, Any] = {
            "seq": self._next_seq,
            "id": new_id(),
            "at": self.now,
            "actor": self.actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "patient_id": patient_id,
            "reason": reason,
            # Serialised once: the canonical text is hashed and is what the column stores
            # (EncodedJSON), so the column hands back what was hashed (a tuple comes back a list).
            "old": None if old is None else EncodedJSON(old),
            "new": None if new is None else EncodedJSON(new),
            "prev_hash": self._prev_hash,
        }
        row_hash = encoded_audit_hash(**content)
        content["hash"] = row_hash
        if self.bulk_audit is not None:
            self.bulk_audit.append(content)
        else:
            self.session.add(AuditRow(**content))
        self._next_seq += 1
        self._prev_hash = row_hash
        return str(content["id"])


_BLOCKS: Table = BlockRow.__table__  # type: ignore[assignment]
_ENTRIES: Table = EntryRow.__table__  # type: ignore[assignment]
_SCORES: Table = EntryScoreRow.__table__  # type: ignore[assignment]
_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]

# Whether an entry with this id, or a live entry of the block at this time, is stored.
_ENTRY_CLASH = (
    select(_ENTRIES.c.id)
    .where(
        or_(
            _ENTRIES.c.id == bindparam("entry_id"),
            and_(
                _ENTRIES.c.block_id == bindparam("block_id"),
                _ENTRIES.c.at == bindparam("at", type_=_ENTRIES.c.at.type),
                _ENTRIES.c.deleted.is_(False),
            ),
        )
    )
    .limit(1)
    .scalar_subquery()
    .label("clash")
)
# A block's row and whether the new entry clashes with a stored one, in one query: what a new
# entry needs to be checked; the first time in a unit, the audit trail's last sequence number
# and hash too, to chain it.
_BLOCK = select(*_BLOCKS.columns, _ENTRY_CLASH).where(_BLOCKS.c.id == bindparam("block_id"))
_BLOCK_AND_LAST_AUDIT = select(
    *_BLOCKS.columns,
    _ENTRY_CLASH,
    select(_AUDIT.c.seq).order_by(_AUDIT.c.seq.desc()).limit(1).scalar_subquery().label("last_seq"),
    select(_AUDIT.c.hash)
    .order_by(_AUDIT.c.seq.desc())
    .limit(1)
    .scalar_subquery()
    .label("last_hash"),
).where(_BLOCKS.c.id == bindparam("block_id"))


def _insert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (each with the same keys, the first row's) into `table` in one executemany.

    On SQLite the rows go straight to the driver, each value through the bind processor
    SQLAlchemy itself would apply to its column (UTC times to text, JSON through the engine's
    serialiser, ...), so what is stored is what Core would store (a test compares the two):
    Core's building of a parameter set per row was half of a 4,001-entry import's time. A
    server keeps Core's executemany, which its dialect batches its own way."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(table), list(rows))
        return
    keys = tuple(rows[0])
    sql, processors = _driver_insert(dialect, table, keys)
    values_of = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    # Processed a column at a time, then zipped back into rows.
    by_column: list[Sequence[Any]] = list(zip(*map(values_of, rows), strict=True))
    for index, processor in processors:
        by_column[index] = _processed(processor, by_column[index])
    connection.exec_driver_sql(sql, list(zip(*by_column, strict=True)))


@functools.lru_cache(maxsize=64)
def _driver_insert(
    dialect: Dialect, table: Table, keys: tuple[str, ...]
) -> tuple[str, list[tuple[int, Callable[[Any], Any]]]]:
    """The INSERT of `keys` into `table` in the driver's own terms, and the bind processor of
    each column that has one (by its place in `keys`): worked out once, a save needs them."""
    columns = [table.c[key] for key in keys]
    processors: list[tuple[int, Callable[[Any], Any]]] = [
        (index, processor)
        for index, column in enumerate(columns)
        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    preparer = dialect.identifier_preparer
    sql = (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.format_column(column) for column in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    return sql, processors


def _processed(processor: Callable[[Any], Any], values: Sequence[Any]) -> Sequence[Any]:
    """`processor` applied to each of `values`; once when they are all the one object (an
    import's one time for all its audit rows, an unset field)."""
    first = values[0]
    if all(map(operator.is_, values, repeat(first))):
        return [processor(first)] * len(values)
    return list(map(processor, values))


_STORED_IDS = select(_ENTRIES.c.id).where(_ENTRIES.c.id.in_(bindparam("ids", expanding=True)))


class _Stored:
    """What an import needs to know about rows already in the database, fetched in a few
    queries up front rather than one per entry."""

    CHUNK = 500  # stay well under SQLite's limit on bound parameters

    def __init__(self, session: Session) -> None:
        self.session = session
        self.blocks: dict[str, BlockRow] = {}
        self.entries: dict[str, EntryRow] = {}
        self.new_entry_ids: set[str] = set()
        # New entries and their scores, inserted in bulk once the patient and blocks are flushed:
        # building an ORM object per entry was most of an import's time.
        self.entry_rows: list[dict[str, Any]] = []
        self.score_rows: list[dict[str, Any]] = []

    @classmethod
    def load(cls, session: Session, diary: Diary) -> _Stored:
        stored = cls(session)
        block_ids = [block.id for block in diary.blocks]
        entry_ids = [entry.id for block in diary.blocks for entry in block.entries]
        for chunk in _chunks(block_ids, cls.CHUNK):
            for row in session.scalars(select(BlockRow).where(BlockRow.id.in_(chunk))):
                stored.blocks[row.id] = row
        # Which ids are stored first, in Core; ORM rows (with their scores) only for those: a
        # new diary's import needs none, and an ORM query's compiling was most of this.
        connection = session.connection()
        found: list[str] = []
        for chunk in _chunks(entry_ids, cls.CHUNK):
            found += connection.scalars(_STORED_IDS, {"ids": chunk})
        for chunk in _chunks(found, cls.CHUNK):
            query = (
                select(EntryRow)
                .where(EntryRow.id.in_(chunk))
                .options(selectinload(EntryRow.scores))
            )
            for entry_row in session.scalars(query):
                stored.entries[entry_row.id] = entry_row
        return stored

    def live_sites_at(self, block_id: str) -> dict[datetime, set[str]]:
        """For a stored block: which sites its live entries rate at each moment."""
        query = (
            select(EntryRow.at, EntryScoreRow.site)
            .join(EntryScoreRow, EntryScoreRow.entry_id == EntryRow.id)
            .where(EntryRow.block_id == block_id, EntryRow.deleted.is_(False))
        )
        sites_at: dict[datetime, set[str]] = {}
        for at, site in self.session.execute(query):
            sites_at.setdefault(at, set()).add(site)
        return sites_at


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Store(StoreUsers, NotesAndSignatures):
    """A paintrack database. Get one with `paintrack.store.open_store`; close it when done.
    Clinic mode's users and settings are in `StoreUsers`; notes and sign-offs in
    `NotesAndSignatures`."""

    def __init__(self, opened: OpenedDatabase, where: str, *, clock: Clock | None = None) -> None:
        self._engine = opened.engine
        self._write_engine = opened.write_engine
        self._db_path = opened.db_path
        self._writers_lock = opened.writers_lock
        self._read_only = opened.read_only
        self._is_server = opened.is_server
        self._where = where
        self._clock = clock or _system_clock
        self._closed = False
        self._actor: str | None = None

    # -- lifetime ------------------------------------------------------------------------------

    @property
    def db_path(self) -> Path | None:
        """The database file, or None for a server URL or an in-memory database."""
        return self._db_path

    @property
    def read_only(self) -> bool:
        """Opened read-only (a reading command): nothing can be written, not even the trail."""
        return self._read_only

    @property
    def is_server(self) -> bool:
        """A database server (a clinic's shared PostgreSQL): no file to lock or back up here."""
        return self._is_server

    @property
    def where(self) -> str:
        """The database as shown to the user: its file, or its URL without the password."""
        return self._where

    def close(self) -> None:
        self._engine.dispose()
        if self._db_path is not None and not self._closed:
            release_file(self._db_path)
        if self._writers_lock is not None:
            self._writers_lock.release()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self._where}>"

    # -- who is acting -------------------------------------------------------------------------

    @property
    def actor(self) -> str:
        """Who the audit trail names for a change or a view made through this store: the person
        signed in (clinic mode), else the operating-system user."""
        return self._actor or default_actor()

    def act_as(self, name: str | None) -> None:
        """Name `name` in every audit row from now on (None: the operating-system user again).
        Sign-in calls this; an explicit `actor=` on a call still wins."""
        self._actor = name

    # -- sessions ------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with user_errors(self._where), Session(self._engine) as session:
            yield session

    @contextmanager
    def _writing(self, actor: str | None) -> Iterator[_Unit]:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must return aware datetimes")
        with (
            user_errors(self._where),
            Session(self._write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield _Unit(session, actor or self.actor, now)

    # -- patients ------------------------------------------------------------------------------

    def add_patient(self, patient: Patient, *, actor: str | None = None) -> Patient:
        check_patient(patient)
        with self._writing(actor) as unit:
            if unit.session.get(PatientRow, patient.id) is not None:
                raise UserError(f"A patient with id {patient.id} is already in the diary.")
            unit.session.add(new_patient_row(patient, unit.now))
            unit.audit(
                "add_patient",
                "patient",
                patient.id,
                patient_id=patient.id,
                new=patient_to_json(patient),
            )
        return patient

    def list_patients(self) -> list[Patient]:
        """Every patient, ordered by name (case-insensitively), then id."""
        return patient_search.all_patients(self._reading)

    def has_patient(self, patient_id: str) -> bool:
        """Whether a patient of this id is in the diary (one indexed lookup)."""
        return patient_search.has_patient(self._reading, patient_id)

    def first_block_dates(self, patient_ids: Iterable[str] | None = None) -> dict[str, datetime]:
        """Each patient's earliest block time (patients without a block are left out): what,
        with the birth date and record number, tells two patients of the same name apart.
        Only the patients in `patient_ids` when given (those on screen). One GROUP BY query."""
        return patient_search.first_block_dates(self._reading, patient_ids)

    def find_patients(self, query: str, *, limit: int | None = None) -> PatientSearch:
        """Patients whose name or MRN contains `query` (ignoring case and accents), or whose id
        starts with it; all if blank; in list order (name, then id). An id is matched only from
        its start and only on 8 characters or more, so a search for a record number such as
        "B-1" never turns up a patient whose random id happens to contain those characters.
        At most `limit` patients (all when None); the result's `more` says how many more match.
        Searched in SQL on the patients' search keys (see search_keys.py)."""
        return patient_search.find_patients(self._reading, query, limit, server=self._is_server)

    def resolve_patient(self, name_or_id: str | None) -> Patient:
        """The one patient meant: an exact id, else an exact MRN, else a name (exact, ignoring
        case, then part of a name). With None, the only patient in the database. UserError,
        listing the candidates and how to choose, when there is none or more than one."""
        patients = self.list_patients()
        first = self.first_block_dates()
        if not patients:
            raise UserError(
                "There are no patients in this diary yet. Import a diary file first "
                "(paintrack import FILE)."
            )
        if name_or_id is None or not name_or_id.strip():
            if len(patients) == 1:
                return patients[0]
            raise UserError(
                f"This diary holds {len(patients)} patients; say which one with --patient ID:\n"
                + "\n".join(_describe(p, first) for p in patients)
            )
        wanted = name_or_id.strip()
        folded = wanted.casefold()
        for matches in (
            [p for p in patients if p.id == wanted],
            [p for p in patients if p.mrn is not None and p.mrn == wanted],
            [p for p in patients if p.name.strip().casefold() == folded],
            [p for p in patients if folded in p.name.casefold()],
        ):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise UserError(
                    f"{len(matches)} patients match {wanted!r}; choose one with --patient ID:\n"
                    + "\n".join(_describe(p, first) for p in matches)
                )
        raise UserError(
            f"No patient matches {wanted!r}. The patients in this diary are:\n"
            + "\n".join(_describe(p, first) for p in patients)
            + "\nChoose one with --patient ID (or a name or MRN)."
        )

    # -- reading the diary ---------------------------------------------------------------------

    def load_diary(self, patient_id: str) -> Diary:
        """A patient's blocks by time performed, each with its live entries by `at`."""
        with self._reading() as session:
            return read_diary(session, patient_id)

    def get_block(self, block_id: str) -> Block:
        with self._reading() as session:
            row = self._block_row(session, block_id)
            return block_from_row(row, live_entries(session, [block_id]).get(block_id, ()))

    @staticmethod
    def _block_row(session: Session, block_id: str) -> BlockRow:
        row = session.get(BlockRow, block_id)
        if row is None:
            raise UserError(f"There is no block with id {block_id} in this diary.")
        return row

    @staticmethod
    def _entry_row(session: Session, entry_id: str) -> EntryRow:
        row = session.get(EntryRow, entry_id, options=[selectinload(EntryRow.scores)])
        if row is None:
            raise UserError(f"There is no entry with id {entry_id} in this diary.")
        return row

    # -- blocks --------------------------------------------------------------------------------

    def add_block(self, patient_id: str, block: Block, *, actor: str | None = None) -> Block:
        """Add a block (and any entries it carries) to a patient's diary."""
        check_block(block)
        with self._writing(actor) as unit:
            if unit.session.get(PatientRow, patient_id) is None:
                raise UserError(f"There is no patient with id {patient_id} in this diary.")
            if unit.session.get(BlockRow, block.id) is not None:
                raise UserError(f"A block with id {block.id} is already in the diary.")
            self._insert_block(unit, patient_id, block, reason=None)
            seen: list[Entry] = []
            for entry in block.entries:
                check_entry(entry, block, now=unit.now)
                _refuse_same_time(entry, seen)
                seen.append(entry)
                self._insert_entry(unit, block.id, patient_id, entry, reason=None)
        return self.get_block(block.id)

    def update_block(self, block: Block, *, reason: str, actor: str | None = None) -> Block:
        """Change a block's own fields (its entries are left as they are: `block.entries` is
        ignored). The old and new values and the reason go into the audit trail."""
        why = _require_reason(reason, "change a block")
        check_block(block)
        with self._writing(actor) as unit:
            row = self._block_row(unit.session, block.id)
            stored = block_from_row(row, ())
            for entry in live_entries(unit.session, [block.id]).get(block.id, ()):
                try:
                    check_entry(entry, block)
                except UserError as error:
                    raise UserError(
                        f"This change would leave an entry of the block that no longer fits it. "
                        f"{error.message} Amend or delete that entry first."
                    ) from error
            old, new = block_to_json(stored), block_to_json(block)
            if old != new:
                fill_block_row(row, block)
                unit.audit(
                    "update_block",
                    "block",
                    block.id,
                    patient_id=row.patient_id,
                    reason=why,
                    old=old,
                    new=new,
                )
        return self.get_block(block.id)

    def _insert_block(self, unit: _Unit, patient_id: str, block: Block, reason: str | None) -> None:
        row = BlockRow(id=block.id, patient_id=patient_id)
        fill_block_row(row, block)
        unit.session.add(row)
        unit.audit(
            "add_block",
            "block",
            block.id,
            patient_id=patient_id,
            reason=reason,
            new=block_to_json(block),
        )

    # -- entries -------------------------------------------------------------------------------

    def add_entry(self, block_id: str, entry: Entry, *, actor: str | None = None) -> Entry:
        """Save a new entry; committed when this returns.

        An entry at the same `at` as a live entry of the block replaces it (clinical.md, 2):
        the stored entry is amended, keeping its id, with reason SAME_TIME_REASON. The new scores
        replace the old site by site; a site the new entry does not rate keeps its stored score.
        Adding an entry whose id is already stored with the same content changes nothing.
        """
        with self._writing(actor) as unit:
            return self._add_entry(unit, block_id, entry)

    def add_entries(
        self, block_id: str, entries: Sequence[Entry], *, actor: str | None = None
    ) -> list[Entry]:
        """Save several new entries (a paper log's lines) in one transaction: all or none.
        Each is added as `add_entry` adds it, in order."""
        with self._writing(actor) as unit:
            return [self._add_entry(unit, block_id, entry) for entry in entries]

    def _add_entry(self, unit: _Unit, block_id: str, entry: Entry) -> Entry:
        # The usual case, a new entry at a new time, in Core: one query for the block and a
        # clash (and the trail's end, the first time in this unit), three inserts (entry,
        # scores, audit). Pending ORM changes are flushed first, so an entry added earlier in the
        # same transaction is seen by the clash query.
        session = unit.session
        session.flush()
        connection = session.connection()
        chain_end = unit.chain_end
        query = _BLOCK if chain_end is not None else _BLOCK_AND_LAST_AUDIT
        found = connection.execute(
            query, {"block_id": block_id, "entry_id": entry.id, "at": entry.at}
        ).first()
        if found is None:
            raise UserError(f"There is no block with id {block_id} in this diary.")
        block = block_from_row(found, ())  # type: ignore[arg-type]  # a Row, read alike
        check_entry(entry, block, now=unit.now)
        if found.clash is not None:
            return self._add_entry_in_session(unit, block_id, entry)
        if chain_end is None:
            chain_end = ((found.last_seq or 0) + 1, found.last_hash or GENESIS)
        seq, prev_hash = chain_end
        content: dict[str, Any] = {
            "seq": seq,
            "id": new_id(),
            "at": unit.now,
            "actor": unit.actor,
            "action": "add_entry",
            "object_type": "entry",
            "object_id": entry.id,
            "patient_id": found.patient_id,
            "reason": None,
            "old": None,
            "new": EncodedJSON(_entry_json(entry, block_id)),  # serialised once, as in audit()
            "prev_hash": prev_hash,
        }
        row_hash = encoded_audit_hash(**content)
        content["hash"] = row_hash
        _insert_many(connection, _ENTRIES, [entry_row_values(entry, block_id)])
        _insert_many(
            connection,
            _SCORES,
            [
                {"entry_id": entry.id, "site": site, "score": int(score)}
                for site, score in entry.scores.items()
            ],
        )
        _insert_many(connection, _AUDIT, [content])
        unit.chained(seq, row_hash)
        return dataclasses.replace(entry, amended=False)

    def _add_entry_in_session(self, unit: _Unit, block_id: str, entry: Entry) -> Entry:
        """The same id, or a live entry at the same time, is stored: the unit of work decides."""
        block_row = self._block_row(unit.session, block_id)
        block = block_from_row(block_row, ())
        check_entry(entry, block, now=unit.now)
        existing = unit.session.get(EntryRow, entry.id)
        if existing is not None:
            stored = entry_from_row(existing)
            if (
                existing.block_id == block_id
                and not existing.deleted
                and entry_to_json(stored) == entry_to_json(entry)
            ):
                return stored
            raise UserError(
                f"An entry with id {entry.id} is already in the diary with other values; "
                "amend it instead of adding it again."
            )
        same_time = self._live_at(unit.session, block_id, entry.at)
        if same_time:
            target = next(
                (row for row in same_time if {s.site for s in row.scores} & set(entry.scores)),
                same_time[0],
            )
            merged = {score.site: score.score for score in target.scores}
            merged.update(entry.scores)
            replacement = dataclasses.replace(entry, id=target.id, scores=merged)
            return self._amend(unit, target, block, replacement, SAME_TIME_REASON)
        self._insert_entry(unit, block_id, block_row.patient_id, entry, reason=None)
        return dataclasses.replace(entry, amended=False)

    def amend_entry(
        self, entry_id: str, new: Entry, *, reason: str, actor: str | None = None
    ) -> Entry:
        """Replace an entry's values, keeping its id; the old values, new values and reason go into
        the audit trail and the entry is marked amended. Amending to identical values is a no-op."""
        why = _require_reason(reason, "amend an entry")
        with self._writing(actor) as unit:
            row = self._entry_row(unit.session, entry_id)
            if row.deleted:
                raise UserError(
                    f"The entry at {row.at.isoformat()} was deleted; it cannot be amended."
                )
            block = block_from_row(self._block_row(unit.session, row.block_id), ())
            replacement = dataclasses.replace(new, id=entry_id)
            check_entry(replacement, block, now=unit.now)
            for other in self._live_at(unit.session, row.block_id, replacement.at):
                if other.id != entry_id:
                    raise UserError(
                        f"Another entry of this block is already at {replacement.at.isoformat()}; "
                        "amend that one instead, or choose another time."
                    )
            return self._amend(unit, row, block, replacement, why)

    def delete_entry(self, entry_id: str, *, reason: str, actor: str | None = None) -> None:
        """Hide an entry from the diary. It stays in the database, and its values, who, when and
        why stay in the audit trail."""
        why = _require_reason(reason, "delete an entry")
        with self._writing(actor) as unit:
            row = self._entry_row(unit.session, entry_id)
            if row.deleted:
                raise UserError(f"The entry at {row.at.isoformat()} is already deleted.")
            old = _entry_json(entry_from_row(row), row.block_id)
            row.deleted = True
            unit.audit(
                "delete_entry",
                "entry",
                entry_id,
                patient_id=self._block_row(unit.session, row.block_id).patient_id,
                reason=why,
                old=old,
                new=None,
            )

    def _amend(
        self, unit: _Unit, row: EntryRow, block: Block, replacement: Entry, reason: str
    ) -> Entry:
        check_entry(replacement, block)
        current = entry_from_row(row)
        old, new = _entry_json(current, row.block_id), _entry_json(replacement, row.block_id)
        if old == new:
            return current
        fill_entry_row(row, replacement)
        row.amended = True
        unit.session.flush()
        unit.audit(
            "amend_entry",
            "entry",
            row.id,
            patient_id=self._block_row(unit.session, row.block_id).patient_id,
            reason=reason,
            old=old,
            new=new,
        )
        return entry_from_row(row)

    def _insert_entry(
        self, unit: _Unit, block_id: str, patient_id: str, entry: Entry, reason: str | None
    ) -> None:
        row = EntryRow(id=entry.id, block_id=block_id, amended=False, deleted=False)
        fill_entry_row(row, entry)
        unit.session.add(row)
        unit.audit(
            "add_entry",
            "entry",
            entry.id,
            patient_id=patient_id,
            reason=reason,
            new=_entry_json(entry, block_id),
        )

    @staticmethod
    def _live_at(session: Session, block_id: str, at: datetime) -> list[EntryRow]:
        return list(
            session.scalars(
                select(EntryRow)
                .where(
                    EntryRow.block_id == block_id,
                    EntryRow.at == at,
                    EntryRow.deleted.is_(False),
                )
                .options(selectinload(EntryRow.scores))
                .order_by(EntryRow.recorded_at, EntryRow.id)
            )
        )

    # -- audit trail ---------------------------------------------------------------------------

    def entry_history(self, entry_id: str) -> list[AuditRecord]:
        """Everything that happened to an entry, oldest first (its creation, amendments,
        deletion), each with the values before and after."""
        with self._reading() as session:
            self._entry_row(session, entry_id)
            rows = session.scalars(
                select(AuditRow)
                .where(AuditRow.object_type == "entry", AuditRow.object_id == entry_id)
                .order_by(AuditRow.seq)
            ).all()
            return [_audit_record(row) for row in rows]

    def record_access(
        self,
        action: str,
        patient_id: str,
        details: Mapping[str, Any],
        *,
        actor: str | None = None,
    ) -> AuditRecord:
        """Record that a patient's diary was viewed, exported, written as a PDF or printed
        (`action`, one of ACCESS_ACTIONS): one audit row in the same hash chain, in one short
        transaction, naming who (`store.actor`), when, and `details` (format, file, ...; never the
        diary's contents). UserError if the database cannot be written (a read-only store
        included) or the patient is not there: the caller must not go on unrecorded.

        The row is about object_type "diary", which the trail's comparison with the tables never
        replays, so access rows cannot make verify see a patient, block or entry as changed."""
        if action not in ACCESS_ACTIONS:
            raise ValueError(f"{action!r} is not an access action")
        if self._read_only:
            raise UserError(
                f"Cannot write to {self._where}: it was opened read-only, so nothing can be "
                "recorded in its audit trail."
            )
        with self._writing(actor) as unit:
            if unit.session.get(PatientRow, patient_id) is None:
                raise UserError(f"There is no patient with id {patient_id} in this diary.")
            record_id = unit.audit(
                action, ACCESS_OBJECT_TYPE, patient_id, patient_id=patient_id, new=details
            )
            actor_name, at = unit.actor, unit.now
        return AuditRecord(
            id=record_id,
            at=at,
            actor=actor_name,
            action=action,
            object_type=ACCESS_OBJECT_TYPE,
            object_id=patient_id,
            reason=None,
            old=None,
            new=_json_copy(details),
            patient_id=patient_id,
        )

    def audit_trail(
        self, patient_id: str | None = None, *, actions: Iterable[str] | None = None
    ) -> list[AuditRecord]:
        """The audit trail, oldest first; only one patient's rows when `patient_id` is given,
        only those of `actions` when they are."""
        with self._reading() as session:
            query = select(AuditRow).order_by(AuditRow.seq)
            if patient_id is not None:
                query = query.where(AuditRow.patient_id == patient_id)
            if actions is not None:
                query = query.where(AuditRow.action.in_([str(a) for a in actions]))
            return [_audit_record(row) for row in session.scalars(query)]

    def last_audit_records(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], AuditRecord]:
        """The last audit record of each (object_type, object_id) asked for that has one: what
        verify needs to describe a few differing records without reading the whole trail."""
        wanted: dict[str, list[str]] = {}
        for kind, object_id in set(keys):
            wanted.setdefault(kind, []).append(object_id)
        found: dict[tuple[str, str], AuditRecord] = {}
        with self._reading() as session:
            for kind, ids in wanted.items():
                ids.sort()
                for start in range(0, len(ids), 500):
                    query = (
                        select(AuditRow)
                        .where(
                            AuditRow.object_type == kind,
                            AuditRow.object_id.in_(ids[start : start + 500]),
                        )
                        .order_by(AuditRow.seq)
                    )
                    for row in session.scalars(query):
                        found[(kind, str(row.object_id))] = _audit_record(row)
        return found

    def check_audit_trail(self) -> AuditCheck:
        """Recompute the audit trail's hash chain and compare the diary with it.

        Reports the first audit row whose hash does not match its content (edited), or that does
        not follow the row before it (a row removed, inserted or reordered); and every patient,
        block or entry whose stored values differ from the last values the trail recorded for it
        (the diary edited behind paintrack's back). Read-only.
        """
        with self._reading() as session:
            return check_trail(session)

    def integrity_check(self) -> list[str] | None:
        """SQLite's own check of the file's structure: ["ok"] when sound. None for a database
        server, which checks its own storage (there is no file here to check)."""
        if self._is_server:
            return None
        with user_errors(self._where), self._engine.connect() as connection:
            return [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]

    # -- import --------------------------------------------------------------------------------

    def import_diary(
        self, diary: Diary, *, source_name: str, actor: str | None = None
    ) -> ImportResult:
        """Add a diary's patient, blocks and entries in one transaction: all or nothing.

        Idempotent by id: what is already stored is never overwritten (see ImportResult for how
        it is counted), so importing the same file twice adds nothing. A block id that belongs to
        another patient, an entry that does not fit its block, or a new entry at the same time
        as another for the same site is refused with a UserError, and nothing is imported.
        """
        patient = diary.patient
        check_patient(patient)
        for block in diary.blocks:
            check_block(block)
        reason = f"imported from {source_name}"
        counts: dict[str, int] = dict.fromkeys(
            (
                "patients_added",
                "blocks_added",
                "entries_added",
                "entries_unchanged",
                "entries_conflicting",
                "blocks_unchanged",
                "blocks_conflicting",
            ),
            0,
        )
        with self._writing(actor) as unit, unit.session.no_autoflush:
            session = unit.session
            unit.bulk_audit = []
            if session.get(PatientRow, patient.id) is None:
                session.add(new_patient_row(patient, unit.now))
                unit.audit(
                    "add_patient",
                    "patient",
                    patient.id,
                    patient_id=patient.id,
                    reason=reason,
                    new=patient_to_json(patient),
                )
                counts["patients_added"] += 1
            stored = _Stored.load(session, diary)
            for block in diary.blocks:
                self._import_block(unit, patient.id, block, reason, counts, stored)
            unit.audit(
                "import",
                "diary",
                patient.id,
                patient_id=patient.id,
                reason=reason,
                new={"source_name": source_name, **counts},
            )
            session.flush()  # the patient and blocks first: the entries refer to them
            # One executemany a table: the ORM's bulk insert, then Core's, spent most of an
            # import's time building their own parameter sets (see _insert_many).
            connection = session.connection()
            for table, rows in (
                (_ENTRIES, stored.entry_rows),
                (_SCORES, stored.score_rows),
                (_AUDIT, unit.bulk_audit),
            ):
                _insert_many(connection, table, rows)
        return ImportResult(patient_id=patient.id, **counts)

    def _import_block(
        self,
        unit: _Unit,
        patient_id: str,
        block: Block,
        reason: str,
        counts: dict[str, int],
        stored: _Stored,
    ) -> None:
        row = stored.blocks.get(block.id)
        if row is None:
            self._insert_block(unit, patient_id, block, reason)
            counts["blocks_added"] += 1
            stored_block = block
            sites_at: dict[datetime, set[str]] = {}
        else:
            if row.patient_id != patient_id:
                raise UserError(
                    f"Block {block.id} of this diary is already stored for another patient; "
                    "the file does not match this database. Nothing was imported."
                )
            stored_block = block_from_row(row, ())
            same = block_to_json(stored_block) == block_to_json(block)
            counts["blocks_unchanged" if same else "blocks_conflicting"] += 1
            sites_at = stored.live_sites_at(block.id)
        now = unit.now
        for entry in block.entries:
            existing = stored.entries.get(entry.id)
            if existing is not None:
                same = (
                    existing.block_id == block.id
                    and not existing.deleted
                    and entry_to_json(entry_from_row(existing)) == entry_to_json(entry)
                )
                counts["entries_unchanged" if same else "entries_conflicting"] += 1
                continue
            try:
                if entry.id in stored.new_entry_ids:
                    raise UserError(f"Entry id {entry.id} appears twice.")
                check_entry(entry, stored_block, now=now)
                taken = sites_at.get(entry.at)
                clash = set() if taken is None else taken & entry.scores.keys()
                if clash:
                    raise UserError(
                        f"Two entries score {', '.join(sorted(clash))} at the same time, "
                        f"{entry.at.isoformat()}; keep only one of them."
                    )
            except UserError as error:
                raise UserError(
                    f"Block of {block.performed_at.isoformat()}: {error.message} "
                    "Nothing was imported."
                ) from error
            if taken is None:
                sites_at[entry.at] = set(entry.scores)
            else:
                taken.update(entry.scores)
            stored.new_entry_ids.add(entry.id)
            stored.entry_rows.append(entry_row_values(entry, block.id))
            stored.score_rows.extend(
                {"entry_id": entry.id, "site": site, "score": int(score)}
                for site, score in entry.scores.items()
            )
            unit.audit(
                "add_entry",
                "entry",
                entry.id,
                patient_id=patient_id,
                reason=reason,
                new=_entry_json(entry, block.id),
            )
            counts["entries_added"] += 1

    # -- the worklist's cached summaries (see paintrack.operations.worklist) --------------------

    def load_diaries(self, patient_ids: Sequence[str]) -> list[Diary]:
        """Several patients' diaries (as load_diary), in a few queries per 500 patients; an id
        with no patient is left out."""
        with self._reading() as session:
            return read_diaries(session, patient_ids)

    def trail_end(self) -> int:
        """The audit trail's last sequence number (0 when empty)."""
        return worklist_cache.trail_end(self._reading)

    def worklist(self, settings_key: str, now: datetime, since: datetime) -> WorklistRead:
        """The cached summaries on the worklist at `now` (a block on or after `since`, or a
        follow-up due), and the patients whose summary is missing or stale."""
        return worklist_cache.read(self._reading, settings_key, now, since)

    def save_worklist(
        self,
        settings_key: str,
        computed_at: datetime,
        summaries: Sequence[PatientSummary],
        *,
        after_seq: int,
    ) -> int:
        """Cache `summaries` (worked out from diaries read when the trail ended at `after_seq`);
        a patient with any audit row since is skipped (their diary may have changed
        meanwhile). Not audited: derived data. Returns how many were saved; nothing on a
        read-only diary."""
        if self._read_only:
            return 0
        with user_errors(self._where), Session(self._write_engine) as session, session.begin():
            return worklist_cache.save(session, settings_key, computed_at, summaries, after_seq)

    # -- settings ------------------------------------------------------------------------------

    def get_settings(self) -> ClinicSettings:
        """The clinic's settings; anything never saved takes ClinicSettings' default."""
        with self._reading() as session:
            values = {row.key: row.value for row in session.scalars(select(SettingRow))}
        return settings_from_json(values)

    def save_settings(self, settings: ClinicSettings, *, actor: str | None = None) -> None:
        if settings.preset not in PRESET_VALUES:
            raise UserError(
                f"Clinic settings: {settings.preset!r} is not a rule preset; choose one of "
                f"{', '.join(PRESET_VALUES)}."
            )
        new = settings_to_json(settings)
        with self._writing(actor) as unit:
            rows = {row.key: row for row in unit.session.scalars(select(SettingRow))}
            old = settings_to_json(settings_from_json({k: r.value for k, r in rows.items()}))
            changed = False
            for key, value in new.items():
                if key in rows:
                    if rows[key].value != value:
                        rows[key].value = value
                        changed = True
                else:
                    unit.session.add(SettingRow(key=key, value=value))
                    changed = True
            if changed:
                unit.audit("save_settings", "settings", None, patient_id=None, old=old, new=new)


def _refuse_same_time(entry: Entry, others: Iterable[Entry]) -> None:
    for other in others:
        if other.at == entry.at and set(other.scores) & set(entry.scores):
            sites = ", ".join(sorted(set(other.scores) & set(entry.scores)))
            raise UserError(
                f"Two entries score {sites} at the same time, {entry.at.isoformat()}; "
                "keep only one of them."
            )


def _audit_record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        reason=row.reason,
        old=row.old,
        new=row.new,
        patient_id=row.patient_id,
    )

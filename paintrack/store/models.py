"""The database tables as SQLAlchemy 2 typed ORM classes. Private to the store: the repository
turns rows into `paintrack.clinical` dataclasses and nothing outside `paintrack.store` sees them.

Enumerations are stored as their plain text values with CHECK constraints (not native enum types)
so the same schema works on SQLite and Postgres and a bad value can never be written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from paintrack.clinical.model import (
    MAX_SCORE,
    MIN_SCORE,
    Ability,
    Agent,
    Region,
    Sedation,
    Side,
    Source,
)
from paintrack.clinical.people import Role
from paintrack.clinical.search_keys import search_key
from paintrack.store.types import UTCDateTime

# Named constraints, so later migrations (batch mode on SQLite) can refer to them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 36  # a UUID as text
# On PostgreSQL, the audit table's comment marks a trail that was hash-chained (schema 0002 on).
CHAIN_COMMENT = "paintrack: audit trail hash-chained"
ENUM_LENGTH = 16


def _one_of(column: str, values: Iterable[str], name: str, *, nullable: bool = False) -> Any:
    allowed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=name)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


class PatientRow(Base):
    __tablename__ = "patients"
    # A search walks this index in list order and stops after a screenful: LIKE '%part%' cannot
    # seek, but the keys are in the index, so only the patients shown are read from the table.
    __table_args__ = (Index("ix_patients_search", "search_name", "name", "id", "search_mrn"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    birth_date: Mapped[date | None] = mapped_column(Date)
    mrn: Mapped[str | None] = mapped_column(Text, index=True)
    created_at: Mapped[datetime]
    # The name and record number as a search compares them (clinical.search_keys.search_key), set on
    # every insert and update (below) and for older diaries by migration 0005. Not audited:
    # derived from `name` and `mrn`, which are.
    search_name: Mapped[str | None] = mapped_column(Text)
    search_mrn: Mapped[str | None] = mapped_column(Text)

    blocks: Mapped[list[BlockRow]] = relationship(back_populates="patient")


@event.listens_for(PatientRow, "before_insert")
@event.listens_for(PatientRow, "before_update")
def _fill_search_keys(_mapper: Any, _connection: Any, row: PatientRow) -> None:
    row.search_name = search_key(row.name)
    row.search_mrn = search_key(row.mrn)


class BlockRow(Base):
    __tablename__ = "blocks"
    __table_args__ = (
        _one_of("region", [r.value for r in Region], "region"),
        _one_of("side", [s.value for s in Side], "side"),
        _one_of("agent", [a.value for a in Agent], "agent"),
        _one_of("sedation", [s.value for s in Sedation], "sedation"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint("concentration_percent IS NULL OR concentration_percent >= 0", "conc"),
        CheckConstraint("volume_ml IS NULL OR volume_ml >= 0", name="volume"),
        Index("ix_blocks_patient_performed", "patient_id", "performed_at"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id"))
    performed_at: Mapped[datetime]
    region: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    side: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    agent: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    levels: Mapped[list[str]] = mapped_column(JSON)
    concentration_percent: Mapped[float | None] = mapped_column(Float)
    volume_ml: Mapped[float | None] = mapped_column(Float)
    sequence: Mapped[int] = mapped_column(Integer)
    sedation: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    steroid: Mapped[bool] = mapped_column(Boolean)
    sites: Mapped[list[str]] = mapped_column(JSON)
    activities: Mapped[list[str]] = mapped_column(JSON)
    protocol: Mapped[str] = mapped_column(Text)
    # The UTC offset the block was recorded in (clinical.md item 11), minutes; filled for every
    # block by migration 0003 and on every write since.
    utc_offset_minutes: Mapped[int | None] = mapped_column(Integer)

    patient: Mapped[PatientRow] = relationship(back_populates="blocks")
    entries: Mapped[list[EntryRow]] = relationship(back_populates="block")


class EntryRow(Base):
    """One diary line. Its scores live in `entry_scores`, one row per rated site.

    Why a child table rather than a JSON column: a score is the number every verdict rests on, so
    the database itself enforces that it is an integer 0-10 and that a site is rated at most once
    per entry (primary key), which a JSON blob cannot; and a site's scores can be queried
    directly. Entries are never removed: `deleted` hides them and the audit trail says why.
    """

    __tablename__ = "entries"
    __table_args__ = (
        _one_of("activity_ability", [a.value for a in Ability], "ability", nullable=True),
        _one_of("source", [s.value for s in Source], "source"),
        CheckConstraint(
            "patient_relief_percent IS NULL OR "
            "(patient_relief_percent >= 0 AND patient_relief_percent <= 100)",
            name="relief",
        ),
        Index("ix_entries_block_at", "block_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    block_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("blocks.id"))
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    patient_relief_percent: Mapped[float | None] = mapped_column(Float)
    activity: Mapped[str | None] = mapped_column(Text)
    activity_ability: Mapped[str | None] = mapped_column(String(ENUM_LENGTH))
    rescue_medication: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    note: Mapped[str] = mapped_column(Text)
    # Which rescue medicine and how much ("oxycodone 5 mg"); the estimate per side.
    rescue_medication_detail: Mapped[str | None] = mapped_column(Text)
    patient_relief_by_site: Mapped[dict[str, float] | None] = mapped_column(JSON(none_as_null=True))
    # Set when the entry has been amended at least once; the originals are in the audit trail.
    amended: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean)

    block: Mapped[BlockRow] = relationship(back_populates="entries")
    scores: Mapped[list[EntryScoreRow]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryScoreRow.site"
    )


class EntryScoreRow(Base):
    __tablename__ = "entry_scores"
    __table_args__ = (
        CheckConstraint(f"score >= {MIN_SCORE} AND score <= {MAX_SCORE}", name="score_range"),
    )

    entry_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("entries.id"), primary_key=True
    )
    site: Mapped[str] = mapped_column(String(ENUM_LENGTH), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)

    entry: Mapped[EntryRow] = relationship(back_populates="scores")


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class UserRow(Base):
    """A clinic-mode user. `name_key` is the name case-folded: names are unique ignoring case.
    `password_hash` is scrypt's self-describing string (store/passwords.py), never a password."""

    __tablename__ = "users"
    __table_args__ = (_one_of("role", [r.value for r in Role], "role"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text, unique=True)
    role: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    active: Mapped[bool] = mapped_column(Boolean)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditRow(Base):
    """One change to the record. Append-only: the repository has no way to alter or remove one.

    `seq` orders the trail (several rows may share a timestamp, e.g. within one import) and is
    what the later hash chain (`prev_hash`, `hash`) will follow. `patient_id` is deliberately not
    a foreign key: the trail must stay readable whatever happens to the rows it describes.
    """

    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id"),
        # The mark of a hash-chained trail on PostgreSQL (store.database.mark_chain sets it).
        {"comment": CHAIN_COMMENT},
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    patient_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    # none_as_null: "no value" (old on creation, new on deletion) is SQL NULL, not JSON 'null'.
    old: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    new: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    prev_hash: Mapped[str | None] = mapped_column(String(128))
    hash: Mapped[str | None] = mapped_column(String(128))


class NoteRow(Base):
    """One version of a clinician's note on a target's verdict (a region and side of a patient).
    Never updated: an edit inserts the next version of the same `note_id`."""

    __tablename__ = "target_notes"
    __table_args__ = (
        _one_of("region", [r.value for r in Region], "region"),
        _one_of("side", [s.value for s in Side], "side"),
        CheckConstraint("version >= 1", name="version"),
        UniqueConstraint("note_id", "version"),
        Index("ix_target_notes_patient", "patient_id"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    note_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    version: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id"))
    region: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    side: Mapped[str] = mapped_column(String(ENUM_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]


class SignatureRow(Base):
    """A clinician's sign-off of a patient's summary and the SHA-256 of the diary signed."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_patient", "patient_id"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id"))
    signer: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime]
    preset: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)


class WorklistRow(Base):
    """A patient's worklist summary, cached (see paintrack.operations.worklist): each target's
    status, compliance and next step as the clinical engine found them at `computed_at` under
    the clinic settings whose digest is `settings_key`. Derived data, never audited: a trigger
    (migration 0005) deletes the row whenever the patient's blocks, entries or scores change, and
    it is stale after `valid_until` (a block diary still in progress then)."""

    __tablename__ = "worklist_summaries"
    # The worklist reads the rows with a recent block or a follow-up due through these two
    # indexes (SQLite's OR optimisation), never the whole table.
    __table_args__ = (
        Index("ix_worklist_summaries_last_block_at", "last_block_at"),
        Index("ix_worklist_summaries_follow_up", "follow_up"),
    )

    patient_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    settings_key: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    last_block_at: Mapped[datetime | None]
    follow_up: Mapped[bool] = mapped_column(Boolean)
    targets: Mapped[list[Any]] = mapped_column(JSON)

"""`Store.check_audit_trail`, streamed: one pass over the audit trail (the hash chain, and the last
values recorded for each patient, block and entry), then one pass over each table comparing its
rows with those values. Memory stays bounded at clinic scale (660,000 audit rows):

- rows come as plain Core rows, 2,000 at a time, never as ORM objects;
- the trail's `old` and `new` are read as the stored JSON text. paintrack stores the canonical
  text it hashed (EncodedJSON), so that text is spliced into the hashed bytes as it is, and only a
  row whose spliced hash does not match (one written before EncodedJSON, or changed) is hashed
  again from its decoded values, as `audit_hash` always did. Either way the row passes only if
  SHA-256 of its canonical bytes is its stored hash;
- per object the summary keeps 25 bytes (the action's mark, the row's seq and a 16-byte digest of
  the recorded values), not the values.

On SQLite the same pass runs on the driver's own rows (store/trail_stored.py), the values digested
straight from their columns (store/stored_values.py): on a 10,000-patient clinic that is a third
of the time. A server goes through Core rows, as here (`check_core_trail`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, Text, cast, select
from sqlalchemy.orm import Session

from paintrack.store.audit_chain import (
    GENESIS,
    AuditCheck,
    ChainBreak,
    TrailMismatch,
    _canonical_value,
    audit_hash,
    stored_text_hash,
)
from paintrack.store.convert import (
    block_from_row,
    block_to_json,
    entry_from_row,
    entry_to_json,
    patient_from_row,
    patient_to_json,
    settings_from_json,
    settings_to_json,
)
from paintrack.store.models import (
    AuditRow,
    BlockRow,
    EntryRow,
    EntryScoreRow,
    PatientRow,
    SettingRow,
)
from paintrack.store.signoff import NOTE, SIGNATURE, audited_rows
from paintrack.store.stored_values import time_text
from paintrack.store.users import CLINIC_OBJECT, people_rows

BATCH = 2000
"""Rows fetched at a time: memory stays bounded whatever the size of the diary."""

# The kinds of object the trail's last values are compared with, and the one-letter prefix each
# gets in the summary's keys (one dict for all, so "missing" ones come out in the trail's order).
_KINDS = {
    "patient": "p",
    "block": "b",
    "entry": "e",
    "user": "u",  # clinic mode's users and its switch (store/users.py)
    CLINIC_OBJECT: "c",
    NOTE: "n",  # clinicians' notes and sign-offs (store/signoff.py)
    SIGNATURE: "s",
}
_KIND_OF = {prefix: kind for kind, prefix in _KINDS.items()}

# A summary value: mark byte, seq (8 bytes, signed), then the values' digest when there are any.
_DELETED = 1  # the last row is a delete_entry
_HAS_VALUES = 2  # the last row recorded values (`new` is not null)


def values_digest(values: Any) -> bytes | None:
    """A short digest of a record's values (canonical JSON): what verify keeps per object
    instead of the values themselves."""
    if values is None:
        return None
    return _text_digest(_canonical_value(values))


def _text_digest(canonical_text: str) -> bytes:
    return hashlib.blake2b(canonical_text.encode("utf-8"), digest_size=16).digest()


def _pack(seq: int, action: str, digest: bytes | None) -> bytes:
    mark = (_DELETED if action == "delete_entry" else 0) | (_HAS_VALUES if digest else 0)
    return bytes((mark,)) + seq.to_bytes(8, "big", signed=True) + (digest or b"")


def _seq(packed: bytes) -> int:
    return int.from_bytes(packed[1:9], "big", signed=True)


def _digest(packed: bytes) -> bytes | None:
    return packed[9:] if packed[0] & _HAS_VALUES else None


_RAW_DECODE = json.JSONDecoder().raw_decode  # what json.loads decodes with, less its checks


def _decoded(text: Any) -> Any:
    """A JSON column's value from its stored text (None for SQL NULL); a driver that hands back
    the decoded value already gets it as it is. `json.loads(text)`, whose answer (or error) it
    is: a str that is one JSON value from its first character to its last is decoded directly,
    and anything else (leading or trailing space, a byte-order mark, no JSON at all) is left to
    json.loads itself."""
    if text is None or not isinstance(text, str | bytes):
        return text
    if type(text) is str:
        try:
            value, end = _RAW_DECODE(text)
        except ValueError:
            return json.loads(text)  # its own error, or a value after leading space
        if end == len(text):
            return value
    return json.loads(text)


class TrailSummary:
    """One pass over the audit trail, row by row: the hash chain's first break, and what the
    diary's comparison with the trail needs (the last row per object, amended entries, the
    last settings)."""

    def __init__(self) -> None:
        self.records = 0
        self.first_break: ChainBreak | None = None
        # "e" + entry id (and "p", "b") -> _pack(seq, action, digest of `new`)
        self.last: dict[str, bytes] = {}
        self.amended: set[str] = set()
        self.last_settings: tuple[int, dict[str, Any] | None] | None = None
        self._prev = GENESIS

    def add(self, row: Any) -> None:
        """One audit row as a Core row (its `at` an aware datetime), in seq order."""
        at = row[2]
        at_text = None if at is None or at.tzinfo is None else at.astimezone(UTC).isoformat()
        self._add(row, at_text, lambda: row)

    def add_stored(self, stored: tuple[Any, ...], read: Callable[[tuple[Any, ...]], Any]) -> None:
        """One audit row as SQLite hands it back (`at` as its stored text), in seq order; `read`
        turns it into the Core row SQLAlchemy would have made, which only a row whose time is
        not in the stored form, or that breaks the chain, needs."""
        at_text = time_text(stored[2])
        if at_text is None:
            self.add(read(stored))
        else:
            self._add(stored, at_text, lambda: read(stored))

    def _add(self, row: Sequence[Any], at_text: str | None, full: Callable[[], Any]) -> None:
        """The row's place in the chain and in the summary. `at_text` is the row's time as
        hashed (`at.astimezone(UTC).isoformat()`, None when `at` is not an aware time), and
        `full()` the row as a Core row, for `_chain_break` and `_follows`."""
        (seq, id_, _at, actor, action, object_type, object_id, patient_id, reason) = row[:9]
        old_text, new_text, prev_hash, row_hash = row[9:]
        self.records += 1
        old, new = _decoded(old_text), _decoded(new_text)
        # The canonical text of `new`, once it is known (the spliced hash matched).
        new_canonical: str | None = None
        if self.first_break is None:
            if (
                bool(row_hash)
                and (old_text is None or isinstance(old_text, str))
                and (new_text is None or isinstance(new_text, str))
                and at_text is not None
                and row_hash
                == stored_text_hash(
                    seq,
                    id_,
                    at_text,
                    actor,
                    action,
                    object_type,
                    object_id,
                    patient_id,
                    reason,
                    old_text,
                    new_text,
                    prev_hash or "",
                )
            ):
                # Both texts are valid JSON (decoded above) and the bytes are those hashed
                # when the row was written, so each text is its value's canonical text.
                new_canonical = new_text
                if prev_hash == self._prev and seq == self.records:
                    self._prev = row_hash  # it follows the row before it (as _follows says)
                else:
                    self.first_break = self._follows(full(), self.records)
            else:
                self.first_break = self._chain_break(full(), old, new, self.records)
        prefix = _KINDS.get(object_type)
        if object_id is not None and prefix is not None:
            digest = (
                None
                if new is None
                else _text_digest(new_canonical)
                if new_canonical is not None
                else values_digest(new)
            )
            self.last[prefix + object_id] = _pack(seq, action, digest)
            if action == "amend_entry":
                self.amended.add(object_id)
        if object_type == "settings":
            self.last_settings = (
                seq,
                None if new is None else json.loads(json.dumps(dict(new), allow_nan=False)),
            )

    def _chain_break(self, row: Any, old: Any, new: Any, expected_seq: int) -> ChainBreak | None:
        """The row's hash recomputed from its decoded values (`audit_hash`), then its place."""
        if not row.hash:
            return _broken(row, "it has no hash (written outside paintrack)")
        recomputed = audit_hash(
            seq=row.seq,
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            patient_id=row.patient_id,
            reason=row.reason,
            old=old,
            new=new,
            prev_hash=row.prev_hash or "",
        )
        if recomputed != row.hash:
            return _broken(row, "its content was changed after it was written")
        return self._follows(row, expected_seq)

    def _follows(self, row: Any, expected_seq: int) -> ChainBreak | None:
        """A row whose hash matches its content: does it follow the row before it?"""
        if row.prev_hash != self._prev:
            return _broken(
                row,
                "it does not follow the record before it (a record was removed, inserted or moved)",
            )
        if row.seq != expected_seq:
            return _broken(row, f"records are missing before it (expected #{expected_seq})")
        self._prev = row.hash
        return None


def _broken(row: Any, problem: str) -> ChainBreak:
    return ChainBreak(seq=row.seq, at=row.at, action=row.action, problem=problem)


def audit_query() -> Select[*tuple[Any, ...]]:
    """Every audit row's columns, oldest first, `old` and `new` as their stored JSON text."""
    return (
        select(
            AuditRow.seq,
            AuditRow.id,
            AuditRow.at,
            AuditRow.actor,
            AuditRow.action,
            AuditRow.object_type,
            AuditRow.object_id,
            AuditRow.patient_id,
            AuditRow.reason,
            cast(AuditRow.old, Text).label("old"),
            cast(AuditRow.new, Text).label("new"),
            AuditRow.prev_hash,
            AuditRow.hash,
        )
        .order_by(AuditRow.seq)
        .execution_options(stream_results=True, yield_per=BATCH)
    )


def entries_query() -> Select[*tuple[Any, ...]]:
    """The entries joined to their scores (`score_entry`, `site`, `score`), in id order so one
    entry's rows come together."""
    entries = EntryRow.__table__
    return (
        select(
            entries,
            EntryScoreRow.entry_id.label("score_entry"),
            EntryScoreRow.site,
            EntryScoreRow.score,
        )
        .outerjoin(EntryScoreRow, EntryScoreRow.entry_id == entries.c.id)
        .order_by(entries.c.id)
        .execution_options(stream_results=True, yield_per=BATCH)
    )


ENTRY_COLUMNS = [column.name for column in EntryRow.__table__.columns]
"""The first columns of each row of `entries_query`."""


def by_entry(rows: Iterable[Sequence[Any]], id_at: int) -> Iterator[list[Sequence[Any]]]:
    """The rows of `entries_query`, one entry's at a time (`id_at`: where the entry's id is)."""
    group: list[Sequence[Any]] = []
    for row in rows:
        if group and row[id_at] != group[0][id_at]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def with_scores(rows: Sequence[Any]) -> Any:
    """One entry's rows of `entries_query` (Core rows) as what `entry_from_row` reads: the
    entry's columns and its scores."""
    entry = SimpleNamespace(**dict(zip(ENTRY_COLUMNS, rows[0], strict=False)))
    entry.scores = [
        SimpleNamespace(site=row.site, score=row.score)
        for row in rows
        if row.score_entry is not None
    ]
    return entry


def entry_values(rows: Sequence[Any]) -> dict[str, Any]:
    """The values the trail records for an entry, from its rows of `entries_query`."""
    return {"block_id": rows[0].block_id, **entry_to_json(entry_from_row(with_scores(rows)))}


class Comparison:
    """The diary's rows against the trail's last values, one at a time, and then what is left:
    problems in the order they are found."""

    def __init__(self, trail: TrailSummary) -> None:
        self.trail = trail
        self.problems: list[TrailMismatch] = []

    def compare(self, kind: str, object_id: str, current: Mapping[str, Any] | None) -> bytes | None:
        """One row's current values (None: deleted) against the trail's last ones for it; the
        trail's summary of the object, if it has one."""
        audit = self.trail.last.pop(_KINDS[kind] + object_id, None)
        if audit is None:
            self.problems.append(TrailMismatch(kind, object_id, "unaudited"))
        elif current is None:
            if not audit[0] & _DELETED:
                self.problems.append(TrailMismatch(kind, object_id, "undeleted", _seq(audit)))
        elif _digest(audit) != values_digest(current):
            self.problems.append(TrailMismatch(kind, object_id, "differs", _seq(audit)))
        return audit

    def compare_text(
        self,
        kind: str,
        object_id: str,
        text: str | None,
        current: Callable[[], Mapping[str, Any]],
    ) -> bytes | None:
        """`compare(kind, object_id, current())`, given `text`, the canonical text of
        `current()`'s values when it is known (store/stored_values.py): a row whose text digests
        to the trail's last values matches as it is, and only any other row has `current()`
        made and compared the long way."""
        key = _KINDS[kind] + object_id
        audit = self.trail.last.get(key)
        if (
            text is not None
            and audit is not None
            and audit[0] & _HAS_VALUES
            and audit[9:] == _text_digest(text)
        ):
            del self.trail.last[key]
            return audit
        return self.compare(kind, object_id, current())

    def amended_mark(self, entry_id: str, marked: bool, audit: bytes | None) -> None:
        """An entry's `amended` mark against the trail's amendments of it."""
        if marked != (entry_id in self.trail.amended):
            self.problems.append(
                TrailMismatch(
                    "entry",
                    entry_id,
                    "marked_amended" if marked else "unmarked_amended",
                    _seq(audit) if audit is not None else None,
                )
            )

    def finish(self, session: Session) -> tuple[TrailMismatch, ...]:
        """The users', clinic mode's, notes' and signatures' rows; then what the trail holds and
        the tables do not; then the clinic settings: every problem found."""
        for kind, object_id, values in people_rows(session):
            self.compare(kind, object_id, values)
        for kind, object_id, values in audited_rows(session, BATCH):
            self.compare(kind, object_id, values)
        # Everything the trail says was created and the tables no longer hold: removed outside
        # paintrack (paintrack itself never removes a row: a deleted entry stays, marked deleted).
        for key, audit in self.trail.last.items():
            self.problems.append(TrailMismatch(_KIND_OF[key[0]], key[1:], "missing", _seq(audit)))
        stored = {row.key: row.value for row in session.scalars(select(SettingRow))}
        try:
            current_settings: dict[str, Any] | None = settings_to_json(settings_from_json(stored))
        except (TypeError, ValueError, KeyError, AttributeError):
            current_settings = None  # values no paintrack writes
        last_settings = self.trail.last_settings
        expected_settings = (
            settings_to_json(settings_from_json({})) if last_settings is None else last_settings[1]
        )
        if current_settings != expected_settings:
            self.problems.append(
                TrailMismatch(
                    "settings",
                    "settings",
                    "differs" if last_settings is not None else "unaudited",
                    last_settings[0] if last_settings is not None else None,
                )
            )
        return tuple(self.problems)


def trail_mismatches(session: Session, trail: TrailSummary) -> tuple[TrailMismatch, ...]:
    """Diary rows whose values differ from the last values the audit trail holds for them; rows
    the trail says exist and the tables lack; an entry's `amended` mark that the trail does not
    account for; and clinic settings other than the trail's last saved ones. Through Core rows:
    any database (SQLite has a quicker way, store/trail_stored.py)."""
    comparison = Comparison(trail)
    streamed = {"stream_results": True, "yield_per": BATCH}
    connection = session.connection()  # Core rows, without the ORM's result layer
    patient_row: Any
    block_row: Any
    patients = PatientRow.__table__
    for patient_row in connection.execute(select(patients).execution_options(**streamed)):
        comparison.compare(
            "patient", patient_row.id, patient_to_json(patient_from_row(patient_row))
        )
    blocks = BlockRow.__table__
    for block_row in connection.execute(select(blocks).execution_options(**streamed)):
        comparison.compare("block", block_row.id, block_to_json(block_from_row(block_row, ())))
    id_at = ENTRY_COLUMNS.index("id")
    for rows in by_entry(connection.execute(entries_query()), id_at):
        entry_row: Any = rows[0]
        audit = comparison.compare(
            "entry", entry_row.id, None if entry_row.deleted else entry_values(rows)
        )
        comparison.amended_mark(entry_row.id, bool(entry_row.amended), audit)
    return comparison.finish(session)


def check_audit_trail(session: Session) -> AuditCheck:
    """The trail's hash chain and the diary's comparison with it (see Store.check_audit_trail).
    On SQLite from the driver's own rows (store/trail_stored.py: the same answers, in a
    fraction of the time); on a server through Core rows."""
    if session.get_bind().dialect.name == "sqlite":
        from paintrack.store.trail_stored import check_stored_trail

        return check_stored_trail(session)
    return check_core_trail(session)


def check_core_trail(session: Session) -> AuditCheck:
    """`check_audit_trail` through Core rows, on any database."""
    trail = TrailSummary()
    for row in session.connection().execute(audit_query()):
        trail.add(row)
    mismatches = trail_mismatches(session, trail)
    return AuditCheck(records=trail.records, first_break=trail.first_break, mismatches=mismatches)

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
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from paintrack.store.audit_chain import (
    GENESIS,
    AuditCheck,
    ChainBreak,
    TrailMismatch,
    _canonical_value,
    audit_hash,
    spliced_audit_hash,
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


def _decoded(text: Any) -> Any:
    """A JSON column's value from its stored text (None for SQL NULL); a driver that hands back
    the decoded value already gets it as it is."""
    if text is None or not isinstance(text, str | bytes):
        return text
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
        (seq, id_, at, actor, action, object_type, object_id, patient_id, reason) = row[:9]
        old_text, new_text, prev_hash, row_hash = row[9:]
        self.records += 1
        old, new = _decoded(old_text), _decoded(new_text)
        # The canonical text of `new`, once it is known (the spliced hash matched).
        new_canonical: str | None = None
        if self.first_break is None:
            spliced = (
                bool(row_hash)
                and (old_text is None or isinstance(old_text, str))
                and (new_text is None or isinstance(new_text, str))
                and at is not None
                and at.tzinfo is not None
            )
            if spliced:
                if row_hash == spliced_audit_hash(
                    seq=seq,
                    id=id_,
                    at=at,
                    actor=actor,
                    action=action,
                    object_type=object_type,
                    object_id=object_id,
                    patient_id=patient_id,
                    reason=reason,
                    old_text=old_text,
                    new_text=new_text,
                    prev_hash=prev_hash or "",
                ):
                    # Both texts are valid JSON (decoded above) and the bytes are those hashed
                    # when the row was written, so each text is its value's canonical text.
                    new_canonical = new_text
                    self.first_break = self._follows(row, self.records)
                else:
                    self.first_break = self._chain_break(row, old, new, self.records)
            else:
                self.first_break = self._chain_break(row, old, new, self.records)
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


def _audit_rows(session: Session) -> Iterator[Any]:
    """Every audit row's columns, oldest first, `old` and `new` as their stored JSON text."""
    query = (
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
    yield from session.connection().execute(query)


def _entries(session: Session) -> Iterator[tuple[Any, SimpleNamespace]]:
    """Each entry row with its scores (what `entry_from_row` reads), one entry at a time: the
    entries joined to their scores, in id order so one entry's rows come together."""
    entries = EntryRow.__table__
    query = (
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
    columns = [column.name for column in entries.columns]  # the first columns of each row
    current: SimpleNamespace | None = None
    current_row: Any = None
    for row in session.connection().execute(query):
        if current is None or row.id != current.id:
            if current is not None:
                yield current_row, current
            current_row = row
            current = SimpleNamespace(**dict(zip(columns, row, strict=False)))
            current.scores = []
        if row.score_entry is not None:
            current.scores.append(SimpleNamespace(site=row.site, score=row.score))
    if current is not None:
        yield current_row, current


def trail_mismatches(session: Session, trail: TrailSummary) -> tuple[TrailMismatch, ...]:
    """Diary rows whose values differ from the last values the audit trail holds for them; rows
    the trail says exist and the tables lack; an entry's `amended` mark that the trail does not
    account for; and clinic settings other than the trail's last saved ones."""
    last, amended = trail.last, trail.amended
    problems: list[TrailMismatch] = []

    def compare(kind: str, object_id: str, current: Mapping[str, Any] | None) -> bytes | None:
        audit = last.pop(_KINDS[kind] + object_id, None)
        if audit is None:
            problems.append(TrailMismatch(kind, object_id, "unaudited"))
        elif current is None:
            if not audit[0] & _DELETED:
                problems.append(TrailMismatch(kind, object_id, "undeleted", _seq(audit)))
        elif _digest(audit) != values_digest(current):
            problems.append(TrailMismatch(kind, object_id, "differs", _seq(audit)))
        return audit

    streamed = {"stream_results": True, "yield_per": BATCH}
    connection = session.connection()  # Core rows, without the ORM's result layer
    patient_row: Any
    block_row: Any
    with_scores: Any
    patients = PatientRow.__table__
    for patient_row in connection.execute(select(patients).execution_options(**streamed)):
        compare("patient", patient_row.id, patient_to_json(patient_from_row(patient_row)))
    blocks = BlockRow.__table__
    for block_row in connection.execute(select(blocks).execution_options(**streamed)):
        compare("block", block_row.id, block_to_json(block_from_row(block_row, ())))
    for entry_row, with_scores in _entries(session):
        current = (
            None
            if entry_row.deleted
            else {"block_id": entry_row.block_id, **entry_to_json(entry_from_row(with_scores))}
        )
        audit = compare("entry", entry_row.id, current)
        if bool(entry_row.amended) != (entry_row.id in amended):
            problems.append(
                TrailMismatch(
                    "entry",
                    entry_row.id,
                    "marked_amended" if entry_row.amended else "unmarked_amended",
                    _seq(audit) if audit is not None else None,
                )
            )
    for kind, object_id, values in people_rows(session):
        compare(kind, object_id, values)
    for kind, object_id, values in audited_rows(session, BATCH):
        compare(kind, object_id, values)
    # Everything the trail says was created and the tables no longer hold: removed outside
    # paintrack (paintrack itself never removes a row: a deleted entry stays, marked deleted).
    for key, audit in last.items():
        problems.append(TrailMismatch(_KIND_OF[key[0]], key[1:], "missing", _seq(audit)))
    stored = {row.key: row.value for row in session.scalars(select(SettingRow))}
    try:
        current_settings: dict[str, Any] | None = settings_to_json(settings_from_json(stored))
    except (TypeError, ValueError, KeyError, AttributeError):
        current_settings = None  # values no paintrack writes
    last_settings = trail.last_settings
    expected_settings = (
        settings_to_json(settings_from_json({})) if last_settings is None else last_settings[1]
    )
    if current_settings != expected_settings:
        problems.append(
            TrailMismatch(
                "settings",
                "settings",
                "differs" if last_settings is not None else "unaudited",
                last_settings[0] if last_settings is not None else None,
            )
        )
    return tuple(problems)


def check_audit_trail(session: Session) -> AuditCheck:
    """The trail's hash chain and the diary's comparison with it (see Store.check_audit_trail)."""
    trail = TrailSummary()
    for row in _audit_rows(session):
        trail.add(row)
    mismatches = trail_mismatches(session, trail)
    return AuditCheck(records=trail.records, first_break=trail.first_break, mismatches=mismatches)

"""The audit trail's hash chain: each audit row's `hash` is SHA-256 over a canonical JSON of its
content and the previous row's hash (by `seq`), so an edited, removed or reordered row breaks the
chain at that row and `paintrack verify` can name it.

The canonical form below is a file format: rows hashed years ago must still verify, so it must
never change. (Migration 0002 uses it to hash the rows written before the chain existed.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The "previous hash" of the first row: no row came before it.
GENESIS = "0" * 64


def canonical_audit_json(
    *,
    seq: int,
    id: str,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    patient_id: str | None,
    reason: str | None,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    prev_hash: str,
) -> bytes:
    """The exact bytes hashed for one audit row: sorted keys, no spaces, UTF-8, times in UTC."""
    if at.tzinfo is None:
        raise ValueError("audit times must be aware")
    content = {
        "seq": seq,
        "id": id,
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "patient_id": patient_id,
        "reason": reason,
        "old": old,
        "new": new,
        "prev_hash": prev_hash,
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def audit_hash(**content: Any) -> str:
    """SHA-256 (hex) of `canonical_audit_json(**content)`."""
    return hashlib.sha256(canonical_audit_json(**content)).hexdigest()


class EncodedJSON(dict[str, Any]):
    """An audit row's `old` or `new` value together with its canonical JSON text, so the value
    is serialised once: that text is spliced into the hashed bytes and is also what the JSON
    column stores (see `json_serializer`), so the column hands back exactly what was hashed."""

    __slots__ = ("text",)

    def __init__(self, value: Mapping[str, Any]) -> None:
        super().__init__(value)
        self.text = _canonical_value(value)


# One encoder each, built once: json.dumps with any option builds a new encoder per call. Their
# output is json.dumps's with the same options.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
_SCALAR = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_ENCODE_STR = json.encoder.encode_basestring  # what _SCALAR does with a str (ensure_ascii off)


def _canonical_value(value: Any) -> str:
    return _CANONICAL(value)


def json_serializer(value: Any) -> str:
    """The database engines' JSON serialiser: an EncodedJSON's own text, else `json.dumps` as
    SQLAlchemy would call it."""
    if type(value) is EncodedJSON:
        return value.text
    return json.dumps(value)


def _scalar(value: Any) -> str:
    # The encoder's own answers for the common types, without its per-call overhead (verify
    # hashes 660,000 rows): a str is `encode_basestring`, an int (not a bool) `int.__repr__`.
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _ENCODE_STR(value)
    if kind is int:
        return int.__repr__(value)
    return _SCALAR(value)


def encoded_audit_hash(
    *,
    seq: int,
    id: str,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    patient_id: str | None,
    reason: str | None,
    old: EncodedJSON | None,
    new: EncodedJSON | None,
    prev_hash: str,
) -> str:
    """`audit_hash` of the same content, built from the values' own canonical text instead of
    serialising them again: byte for byte the bytes `canonical_audit_json` returns (its keys in
    sorted order; a test compares the two)."""
    return stored_text_hash(
        seq,
        id,
        _utc_text(at),
        actor,
        action,
        object_type,
        object_id,
        patient_id,
        reason,
        None if old is None else old.text,
        None if new is None else new.text,
        prev_hash,
    )


def spliced_audit_hash(
    *,
    seq: int,
    id: str,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    patient_id: str | None,
    reason: str | None,
    old_text: str | None,
    new_text: str | None,
    prev_hash: str,
) -> str:
    """The hash of a row whose `old` and `new` are given as JSON text, spliced in as they are
    (None is null). With their canonical text this is `audit_hash` byte for byte; verify hands
    it the stored text, which is the canonical text for every row paintrack wrote with
    EncodedJSON, and falls back to `audit_hash` of the decoded values when it does not match."""
    return stored_text_hash(
        seq,
        id,
        _utc_text(at),
        actor,
        action,
        object_type,
        object_id,
        patient_id,
        reason,
        old_text,
        new_text,
        prev_hash,
    )


def _utc_text(at: datetime) -> str:
    """An audit time as it is hashed: its UTC ISO text (only an aware time has one)."""
    if at.tzinfo is None:
        raise ValueError("audit times must be aware")
    return at.astimezone(UTC).isoformat()


# The hashed bytes with every scalar spliced in (`%s`), keys in sorted order.
_SPLICED = (
    '{"action":%s,"actor":%s,"at":%s,"id":%s,"new":%s,"object_id":%s,"object_type":%s,'
    '"old":%s,"patient_id":%s,"prev_hash":%s,"reason":%s,"seq":%s}'
)


def stored_text_hash(
    seq: int,
    id: str,
    at_text: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    patient_id: str | None,
    reason: str | None,
    old_text: str | None,
    new_text: str | None,
    prev_hash: str,
) -> str:
    """`spliced_audit_hash` with the time already as its UTC ISO text
    (`at.astimezone(UTC).isoformat()`), positional: verify calls it 660,000 times on a clinic's
    trail, straight from the stored columns. Each scalar is `_scalar`'s text; a str or an int is
    encoded here without the call (the same answer, which is most of what a row holds)."""
    text = _SPLICED % (
        _ENCODE_STR(action) if type(action) is str else _scalar(action),
        _ENCODE_STR(actor) if type(actor) is str else _scalar(actor),
        _ENCODE_STR(at_text),
        _ENCODE_STR(id) if type(id) is str else _scalar(id),
        "null" if new_text is None else new_text,
        _ENCODE_STR(object_id) if type(object_id) is str else _scalar(object_id),
        _ENCODE_STR(object_type) if type(object_type) is str else _scalar(object_type),
        "null" if old_text is None else old_text,
        _ENCODE_STR(patient_id) if type(patient_id) is str else _scalar(patient_id),
        _ENCODE_STR(prev_hash) if type(prev_hash) is str else _scalar(prev_hash),
        _ENCODE_STR(reason) if type(reason) is str else _scalar(reason),
        int.__repr__(seq) if type(seq) is int else _scalar(seq),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first audit row where the chain does not hold, and why."""

    seq: int
    at: datetime
    action: str
    problem: str

    def describe(self) -> str:
        return (
            f"audit record #{self.seq} ({self.action} at "
            f"{self.at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}): {self.problem}"
        )


@dataclass(frozen=True)
class TrailMismatch:
    """A diary record that no longer matches what the audit trail says about it."""

    kind: str  # "patient", "block", "entry" or "settings" (the clinic settings, id "settings")
    object_id: str
    # "unaudited": no audit record at all; "undeleted": deleted in the trail, present in the
    # diary; "differs": its values are not those of its last audit record (number `seq`);
    # "missing": in the trail, not in the tables (removed outside paintrack); "marked_amended" /
    # "unmarked_amended": an entry's amended mark set with no amendment in the trail, or cleared
    # although the trail holds one.
    problem: str
    seq: int | None = None

    def __str__(self) -> str:
        if self.problem == "missing":
            return f"{self.kind} {self.object_id} is in the audit trail but missing from the diary"
        if self.problem == "marked_amended":
            return f"{self.kind} {self.object_id} is marked amended with no amendment in the trail"
        if self.problem == "unmarked_amended":
            return f"{self.kind} {self.object_id} was amended but is no longer marked amended"
        if self.problem == "unaudited":
            return f"{self.kind} {self.object_id} has no record in the audit trail"
        if self.problem == "undeleted":
            return f"{self.kind} {self.object_id} is deleted but the audit trail says not"
        return f"{self.kind} {self.object_id} differs from its last audit record (#{self.seq})"


@dataclass(frozen=True)
class AuditCheck:
    """The outcome of checking the whole audit trail."""

    records: int
    first_break: ChainBreak | None = None
    # Rows of the diary itself that no longer match what the audit trail says about them.
    mismatches: tuple[TrailMismatch, ...] = ()

    @property
    def intact(self) -> bool:
        return self.first_break is None and not self.mismatches

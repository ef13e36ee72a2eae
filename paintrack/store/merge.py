"""Merging a patient's home diary into the clinic's database (issue 15), never overwriting:

- blocks and entries the database does not hold are added;
- ones stored exactly as in the file are skipped;
- one the file changed (same id, content the database has never held) becomes an amendment of
  the stored one, with the reason "merged from home diary FILE": the stored values stay in the
  audit trail, as for any correction;
- one whose file content the database held before (the clinic amended or deleted it since) is
  kept as stored: the file is older, and undoing a clinic's correction is not a merge.

The plan is worked out first, in the same transaction that carries it out (or, for a dry run,
in a read-only session), so `--dry-run` says exactly what importing would do. All or nothing:
a refusal changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from paintrack.clinical.model import Block, Diary, Entry, Patient
from paintrack.errors import UserError
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
    new_patient_row,
    patient_from_row,
    patient_to_json,
)
from paintrack.store.models import AuditRow, BlockRow, EntryRow, EntryScoreRow, PatientRow
from paintrack.store.repository import Store, _Unit
from paintrack.wording.people import patient_description

_CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound parameters


def merge_reason(source_name: str) -> str:
    return f"merged from home diary {source_name}"


@dataclass(frozen=True)
class EntryChange:
    """An entry of the file, with its block as it will be (and the stored entry, if any)."""

    block: Block
    entry: Entry
    stored: Entry | None = None


@dataclass(frozen=True)
class BlockChange:
    block: Block
    stored: Block


@dataclass(frozen=True)
class KeptRecord:
    """A record whose stored version is kept although the file's differs, and why."""

    kind: str  # "block" or "entry"
    at: datetime  # the block's time, or the entry's moment
    block: Block
    why: str


@dataclass(frozen=True)
class MergePlan:
    """What merging a diary does (or, for a dry run, would do)."""

    patient: Patient  # the stored patient merged into, or the diary's when it is new
    diary_patient: Patient
    patient_is_new: bool
    matched: bool  # merged into a patient of another id, as --match-patient said
    patient_differs: bool  # stored name, birth date or record number differ (stored kept)
    blocks_added: tuple[Block, ...]
    entries_added: tuple[EntryChange, ...]
    blocks_same: int
    entries_same: int
    blocks_amended: tuple[BlockChange, ...]
    entries_amended: tuple[EntryChange, ...]
    kept: tuple[KeptRecord, ...]

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.patient_is_new
            or self.blocks_added
            or self.entries_added
            or self.blocks_amended
            or self.entries_amended
        )

    def counts(self) -> dict[str, int]:
        return {
            "patients_added": int(self.patient_is_new),
            "blocks_added": len(self.blocks_added),
            "entries_added": len(self.entries_added),
            "blocks_unchanged": self.blocks_same,
            "entries_unchanged": self.entries_same,
            "blocks_amended": len(self.blocks_amended),
            "entries_amended": len(self.entries_amended),
            "records_kept": len(self.kept),
        }


class PatientMatchNeeded(UserError):
    """The diary's patient is not stored by id, but patients of the same name and birth date
    are: which one (or none) is for a person to say, with --match-patient ID."""

    def __init__(self, patient: Patient, candidates: Sequence[Patient]) -> None:
        self.patient = patient
        self.candidates = tuple(candidates)
        count = len(candidates)
        who = "a patient" if count == 1 else f"{count} patients"
        super().__init__(
            f"The diary's patient ({patient_description(patient)}) is not in this database by "
            f"id, but {who} with the same name and birth date "
            f"{'is' if count == 1 else 'are'}:\n"
            + "\n".join(f"  {patient_description(p)} (id {p.id})" for p in candidates)
            + "\nIf the diary is theirs, say so with --match-patient ID. Nothing was imported."
        )


def _same_person(stored: Patient, diary_patient: Patient) -> bool:
    def key(name: str) -> str:
        return " ".join(name.split()).casefold()

    return (
        diary_patient.birth_date is not None
        and stored.birth_date == diary_patient.birth_date
        and key(stored.name) == key(diary_patient.name)
    )


def _target_patient(
    session: Session, patient: Patient, match_patient: str | None
) -> tuple[Patient, bool, bool]:
    """(the patient to merge into, whether it is new, whether --match-patient chose it)."""
    wanted = match_patient.strip() if match_patient is not None else None
    row = session.get(PatientRow, patient.id)
    if row is not None:
        stored = patient_from_row(row)
        if wanted is not None and wanted != stored.id:
            raise UserError(
                f"--match-patient {wanted}: the diary's patient is already in this database by "
                f"its own id, as {patient_description(stored)} (id {stored.id}); leave "
                "--match-patient out. Nothing was imported."
            )
        return stored, False, False
    everyone = [patient_from_row(r) for r in session.scalars(select(PatientRow))]
    everyone.sort(key=lambda p: (p.name.casefold(), p.id))
    candidates = [p for p in everyone if _same_person(p, patient)]
    if wanted is None:
        if candidates:
            raise PatientMatchNeeded(patient, candidates)
        return patient, True, False
    chosen = next((p for p in everyone if p.id == wanted), None)
    if chosen is None or chosen not in candidates:
        listed = (
            "The patients of the diary's name and birth date are:\n"
            + "\n".join(f"  {patient_description(p)} (id {p.id})" for p in candidates)
            if candidates
            else "No patient in this database has the diary's name and birth date; import it "
            "without --match-patient to add the patient."
        )
        what = (
            "there is no patient with that id in this database"
            if chosen is None
            else f"that is {patient_description(chosen)}, whose name and birth date are not the "
            f"diary's ({patient_description(patient)})"
        )
        raise UserError(f"--match-patient {wanted}: {what}. {listed}\nNothing was imported.")
    return chosen, False, True


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _canonical(value: Mapping[str, Any] | None) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=False)


def _history(session: Session, kind: str, ids: Sequence[str]) -> dict[str, set[str]]:
    """Every version of each record the audit trail has held (as canonical JSON)."""
    versions: dict[str, set[str]] = {}
    for chunk in _chunks(ids):
        query = select(AuditRow.object_id, AuditRow.old, AuditRow.new).where(
            AuditRow.object_type == kind, AuditRow.object_id.in_(chunk)
        )
        for object_id, old, new in session.execute(query):
            held = versions.setdefault(str(object_id), set())
            for value in (old, new):
                if value is not None:
                    held.add(_canonical(value))
    return versions


def _entry_json(entry: Entry, block_id: str) -> dict[str, Any]:
    """As the audit trail holds it (repository._entry_json, through JSON like the column)."""
    loaded: dict[str, Any] = json.loads(
        json.dumps({"block_id": block_id, **entry_to_json(entry)}, allow_nan=False)
    )
    return loaded


def _block_json(block: Block) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(block_to_json(block), allow_nan=False))
    return loaded


class _StoredRecords:
    """The stored rows a diary's records may be: by id, or (for the patient merged into) by
    what identifies them, so a home diary whose copies of a block or entry carry other ids
    merges with them instead of adding them twice. A block is known by its time, region, side
    and sequence; an entry, within its block, by its moment and the sites it rates."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.blocks: dict[str, BlockRow] = {}
        self.entries: dict[str, EntryRow] = {}
        self.blocks_by_key: dict[tuple[datetime, str, str, int], BlockRow] = {}
        self.entries_by_key: dict[tuple[str, datetime, frozenset[str]], EntryRow] = {}
        self.claimed: set[str] = set()
        self.history: dict[str, dict[str, set[str]]] = {}

    @classmethod
    def load(cls, session: Session, diary: Diary, patient_id: str | None) -> _StoredRecords:
        records = cls(session)
        block_ids = [block.id for block in diary.blocks]
        entry_ids = [entry.id for block in diary.blocks for entry in block.entries]
        for chunk in _chunks(block_ids):
            for row in session.scalars(select(BlockRow).where(BlockRow.id.in_(chunk))):
                records.blocks[row.id] = row
        for chunk in _chunks(entry_ids):
            query = (
                select(EntryRow)
                .where(EntryRow.id.in_(chunk))
                .options(selectinload(EntryRow.scores))
            )
            for entry_row in session.scalars(query):
                records.entries[entry_row.id] = entry_row
        if patient_id is not None:
            own = list(session.scalars(select(BlockRow).where(BlockRow.patient_id == patient_id)))
            for row in own:
                records.blocks_by_key.setdefault(_block_key_of_row(row), row)
            for chunk in _chunks([row.id for row in own]):
                query = (
                    select(EntryRow)
                    .where(EntryRow.block_id.in_(chunk))
                    .options(selectinload(EntryRow.scores))
                    .order_by(EntryRow.deleted, EntryRow.recorded_at, EntryRow.id)
                )
                for entry_row in session.scalars(query):  # live ones first
                    key = (
                        entry_row.block_id,
                        entry_row.at,
                        frozenset(score.site for score in entry_row.scores),
                    )
                    records.entries_by_key.setdefault(key, entry_row)
                    records.entries.setdefault(entry_row.id, entry_row)
            for row in own:
                records.blocks.setdefault(row.id, row)
        records.history = {
            "block": _history(session, "block", list(records.blocks)),
            "entry": _history(session, "entry", list(records.entries)),
        }
        return records

    def block_for(self, block: Block) -> BlockRow | None:
        row = self.blocks.get(block.id)
        if row is None:
            key = (block.performed_at, block.region.value, block.side.value, block.sequence)
            candidate = self.blocks_by_key.get(key)
            if candidate is not None and candidate.id not in self.claimed:
                row = candidate
        if row is not None:
            self.claimed.add(row.id)
        return row

    def entry_for(self, entry: Entry, block_id: str | None) -> EntryRow | None:
        row = self.entries.get(entry.id)
        if row is None and block_id is not None:
            candidate = self.entries_by_key.get((block_id, entry.at, frozenset(entry.scores)))
            if candidate is not None and candidate.id not in self.claimed:
                row = candidate
        if row is not None:
            self.claimed.add(row.id)
        return row

    def held_before(self, kind: str, object_id: str, value: Mapping[str, Any]) -> bool:
        """Whether the audit trail holds `value` as an earlier version of the record."""
        return _canonical(value) in self.history[kind].get(object_id, set())


def _block_key_of_row(row: BlockRow) -> tuple[datetime, str, str, int]:
    return (row.performed_at, row.region, row.side, row.sequence)


def plan_in(session: Session, diary: Diary, match_patient: str | None, now: datetime) -> MergePlan:
    """The merge plan against what `session` sees. UserError (nothing to do) when the diary
    cannot be merged: a block of another patient, entries that would not fit, and the like."""
    check_patient(diary.patient)
    for block in diary.blocks:
        check_block(block)
    target, is_new, matched = _target_patient(session, diary.patient, match_patient)
    stored = _StoredRecords.load(session, diary, None if is_new else target.id)

    blocks_added: list[Block] = []
    blocks_amended: list[BlockChange] = []
    entries_added: list[EntryChange] = []
    entries_amended: list[EntryChange] = []
    kept: list[KeptRecord] = []
    blocks_same = entries_same = 0
    for file_block in diary.blocks:
        block_row = stored.block_for(file_block)
        block = file_block if block_row is None else replace(file_block, id=block_row.id)
        final = block
        if block_row is None:
            blocks_added.append(block)
        else:
            if block_row.patient_id != target.id:
                raise UserError(
                    f"Block {block.id} of this diary is already stored for another patient; "
                    "the file does not match this database. Nothing was imported."
                )
            stored_block = block_from_row(block_row, ())
            if block_to_json(stored_block) == block_to_json(block):
                blocks_same += 1
                final = stored_block
            elif stored.held_before("block", block.id, _block_json(block)):
                kept.append(
                    KeptRecord(
                        "block", block.performed_at, stored_block, "changed in the clinic since"
                    )
                )
                final = stored_block
            else:
                blocks_amended.append(BlockChange(block=block, stored=stored_block))
        final = replace(final, entries=())
        for file_entry in block.entries:
            existing = stored.entry_for(file_entry, None if block_row is None else block_row.id)
            if existing is None:
                entries_added.append(EntryChange(final, file_entry))
                continue
            entry = replace(file_entry, id=existing.id)
            current = entry_from_row(existing)
            if existing.block_id != block.id:
                why = "stored under another block"
            elif existing.deleted:
                why = "deleted in the clinic since"
            elif entry_to_json(current) == entry_to_json(entry):
                entries_same += 1
                continue
            elif stored.held_before("entry", entry.id, _entry_json(entry, block.id)):
                why = "amended in the clinic since"
            else:
                entries_amended.append(EntryChange(final, entry, current))
                continue
            kept.append(KeptRecord("entry", entry.at, final, why))

    plan = MergePlan(
        patient=target,
        diary_patient=diary.patient,
        patient_is_new=is_new,
        matched=matched,
        patient_differs=not is_new
        and {**patient_to_json(target), "id": ""} != {**patient_to_json(diary.patient), "id": ""},
        blocks_added=tuple(blocks_added),
        entries_added=tuple(entries_added),
        blocks_same=blocks_same,
        entries_same=entries_same,
        blocks_amended=tuple(blocks_amended),
        entries_amended=tuple(entries_amended),
        kept=tuple(kept),
    )
    _check_fits(session, plan, now)
    return plan


def _check_fits(session: Session, plan: MergePlan, now: datetime) -> None:
    """Every added or amended entry fits its block as it will be; every stored entry of an
    amended block still fits it; and no site is scored twice at one moment."""

    def refuse(block: Block, message: str) -> UserError:
        return UserError(
            f"Block of {block.performed_at.isoformat()}: {message} Nothing was imported."
        )

    changed = [*plan.entries_added, *plan.entries_amended]
    for change in changed:
        try:
            check_entry(change.entry, change.block, now=now)
        except UserError as error:
            raise refuse(change.block, error.message) from error
    blocks = {change.block.id: change.block for change in changed}
    blocks.update({change.block.id: change.block for change in plan.blocks_amended})
    live: dict[str, dict[str, Entry]] = {block_id: {} for block_id in blocks}
    for chunk in _chunks(list(blocks)):
        query = (
            select(EntryRow)
            .where(EntryRow.block_id.in_(chunk), EntryRow.deleted.is_(False))
            .options(selectinload(EntryRow.scores))
        )
        for row in session.scalars(query):
            live[row.block_id][row.id] = entry_from_row(row)
    for change in changed:
        live[change.block.id][change.entry.id] = change.entry
    for amended in plan.blocks_amended:
        for entry in live[amended.block.id].values():
            try:
                check_entry(entry, amended.block)
            except UserError as error:
                raise refuse(
                    amended.block,
                    "the diary changes this block so that an entry already stored no longer "
                    f"fits it. {error.message}",
                ) from error
    for block_id, entries in live.items():
        seen: dict[tuple[datetime, str], str] = {}
        for entry in entries.values():
            for site in entry.scores:
                other = seen.setdefault((entry.at, site), entry.id)
                if other != entry.id:
                    raise refuse(
                        blocks[block_id],
                        f"two entries would score {site} at the same time, "
                        f"{entry.at.isoformat()}; keep only one of them.",
                    )


def plan_merge(store: Store, diary: Diary, *, match_patient: str | None = None) -> MergePlan:
    """What merge_diary would do, changing nothing (a read-only session)."""
    with store._reading() as session:
        return plan_in(session, diary, match_patient, store._clock())


def merge_diary(
    store: Store,
    diary: Diary,
    *,
    source_name: str,
    match_patient: str | None = None,
    actor: str | None = None,
) -> MergePlan:
    """Merge `diary` into the database in one transaction, and say what was done."""
    with store._writing(actor) as unit:
        plan = plan_in(unit.session, diary, match_patient, unit.now)
        _apply(store, unit, plan, source_name)
    return plan


def _apply(store: Store, unit: _Unit, plan: MergePlan, source_name: str) -> None:
    session = unit.session
    patient_id = plan.patient.id
    reason = f"imported from {source_name}" if plan.patient_is_new else merge_reason(source_name)
    # As Store.import_diary: audit rows, new entries and their scores are inserted in bulk at
    # the end (an ORM object per entry was most of a large import's time), in the order made.
    unit.bulk_audit = []
    if plan.patient_is_new:
        session.add(new_patient_row(plan.patient, unit.now))
        unit.audit(
            "add_patient",
            "patient",
            patient_id,
            patient_id=patient_id,
            reason=reason,
            new=patient_to_json(plan.patient),
        )
    for block_change in plan.blocks_amended:
        row = session.get(BlockRow, block_change.block.id)
        assert row is not None  # planned in this transaction
        fill_block_row(row, block_change.block)
        unit.audit(
            "update_block",
            "block",
            row.id,
            patient_id=patient_id,
            reason=reason,
            old=block_to_json(block_change.stored),
            new=block_to_json(block_change.block),
        )
    for block in plan.blocks_added:
        store._insert_block(unit, patient_id, replace(block, entries=()), reason)
    session.flush()  # the patient and blocks first: the entries refer to them
    entry_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    for change in plan.entries_added:
        entry_rows.append(entry_row_values(change.entry, change.block.id))
        score_rows.extend(
            {"entry_id": change.entry.id, "site": site, "score": int(score)}
            for site, score in change.entry.scores.items()
        )
        unit.audit(
            "add_entry",
            "entry",
            change.entry.id,
            patient_id=patient_id,
            reason=reason,
            new=_entry_json(change.entry, change.block.id),
        )
    for change in plan.entries_amended:
        entry_row = session.get(EntryRow, change.entry.id, options=[selectinload(EntryRow.scores)])
        assert entry_row is not None
        store._amend(unit, entry_row, change.block, change.entry, reason)
    unit.audit(
        "import",
        "diary",
        patient_id,
        patient_id=patient_id,
        reason=reason,
        new={
            "source_name": source_name,
            "merged": not plan.patient_is_new,
            "diary_patient_id": plan.diary_patient.id,
            **plan.counts(),
        },
    )
    session.flush()
    for model, rows in (
        (EntryRow, entry_rows),
        (EntryScoreRow, score_rows),
        (AuditRow, unit.bulk_audit),
    ):
        if rows:
            session.execute(insert(model), rows)

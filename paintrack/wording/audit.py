"""A patient's audit trail in plain words, for a privacy officer: when (local time), who, and what
was done ("Opened the diary in Review", "Corrected the entry of 2 Mar 2026 10:15: index pain
6 → 4 (reason: typo)"). Used by `paintrack audit`; no Qt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from paintrack.clinical.audit import AuditAction, AuditRecord
from paintrack.clinical.wording import MONTHS
from paintrack.wording.text import field_name, site_name

EXPORT_FORMAT_NAMES = {"json": "a diary file (JSON)", "csv": "CSV", "fhir": "a FHIR R4 Bundle"}
VIA_NAMES = {"window": "from the window", "command line": "from the command line"}
# Fields of a block or an entry that say nothing to a reader of the trail.
_HIDDEN = {"id", "block_id", "patient_id", "entry_id", "amended", "deleted"}
# Records an import writes for each patient, block and entry it adds: said once, in its line.
_IMPORTED_ITEMS = {AuditAction.ADD_PATIENT, AuditAction.ADD_BLOCK, AuditAction.ADD_ENTRY}


@dataclass(frozen=True)
class TrailLine:
    when: str
    who: str
    what: str


def local_time(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """A time in `zone`, else in this computer's own zone (a privacy officer reads the trail in
    their local time; each line says its UTC offset)."""
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset()
    minutes = round(delta.total_seconds() / 60) if delta is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def when_text(moment: datetime, zone: tzinfo | None = None) -> str:
    """ "2 Mar 2026 10:15:03 UTC+01:00" """
    shown = local_time(moment, zone)
    return f"{shown.day} {MONTHS[shown.month - 1]} {shown.year} {shown:%H:%M:%S} {_offset(shown)}"


def _moment_text(value: object, zone: tzinfo | None) -> str:
    if not isinstance(value, str):
        return "an unrecorded time"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    shown = local_time(moment, zone)
    return f"{shown.day} {MONTHS[shown.month - 1]} {shown.year} {shown:%H:%M}"


def _value(value: object) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "none"
    return str(value)


def _scores(scores: object) -> str:
    if not isinstance(scores, Mapping) or not scores:
        return "no score"
    return ", ".join(f"{site_name(str(site))} {score}" for site, score in scores.items())


def _changes(old: Mapping[str, object], new: Mapping[str, object], zone: tzinfo | None) -> str:
    """Field by field, "index pain 6 → 4; note none → rechecked"."""
    parts: list[str] = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in _HIDDEN or old.get(key) == new.get(key):
            continue
        before, after = old.get(key), new.get(key)
        if key == "scores" and isinstance(before, Mapping) and isinstance(after, Mapping):
            for site in [*before, *(s for s in after if s not in before)]:
                if before.get(site) != after.get(site):
                    parts.append(
                        f"{site_name(str(site))} {_value(before.get(site))} → "
                        f"{_value(after.get(site))}"
                    )
        elif key in ("at", "recorded_at", "performed_at"):
            parts.append(
                f"{field_name(key)} {_moment_text(before, zone)} → {_moment_text(after, zone)}"
            )
        else:
            parts.append(f"{field_name(key)} {_value(before)} → {_value(after)}")
    return "; ".join(parts) or "no field changed"


def _reason(record: AuditRecord) -> str:
    return f" (reason: {record.reason})" if record.reason else ""


def _via(details: Mapping[str, object]) -> str:
    via = details.get("via")
    return VIA_NAMES.get(str(via), f"from {via}") if via else ""


def _destination(details: Mapping[str, object]) -> str:
    if details.get("standard_output"):
        return "standard output"
    name = details.get("file_name") or "a file"
    folder = details.get("folder")
    return f"{name} in {folder}" if folder else str(name)


def _notes(*parts: str) -> str:
    shown = [p for p in parts if p]
    return f" ({'; '.join(shown)})" if shown else ""


def _import_text(details: Mapping[str, object]) -> str:
    added = []
    if details.get("patients_added"):
        added.append("the patient")
    for key, one, many in (
        ("blocks_added", "block", "blocks"),
        ("entries_added", "entry", "entries"),
    ):
        count = details.get(key) or 0
        if count:
            added.append(f"{count} {one if count == 1 else many}")
    said = " and ".join([", ".join(added[:-1]), added[-1]] if len(added) > 1 else added)
    source = details.get("source_name") or "a diary file"
    return f"Imported the diary file {source}: {said + ' added' if said else 'nothing new'}"


def describe(record: AuditRecord, zone: tzinfo | None = None) -> str:
    """What one record says was done, in plain words."""
    old, new = dict(record.old or {}), dict(record.new or {})
    action = record.action
    if action == AuditAction.VIEW_DIARY:
        where = new.get("where", "review")
        return "Opened the diary in Review" if where == "review" else f"Opened the diary ({where})"
    if action == AuditAction.EXPORT_DIARY:
        what = EXPORT_FORMAT_NAMES.get(str(new.get("format")), str(new.get("format")))
        deidentified = "de-identified" if new.get("deidentified") else ""
        return f"Exported the diary as {what} to {_destination(new)}" + _notes(
            deidentified, _via(new)
        )
    if action == AuditAction.WRITE_PDF:
        deidentified = "de-identified" if new.get("deidentified") else ""
        return f"Wrote the PDF summary to {_destination(new)}" + _notes(deidentified, _via(new))
    if action == AuditAction.PRINT_SUMMARY:
        deidentified = "de-identified" if new.get("deidentified") else ""
        copies = new.get("copies") or 1
        many = f"{copies} copies" if isinstance(copies, int) and copies > 1 else ""
        return f"Printed the PDF summary on {new.get('printer') or 'a printer'}" + _notes(
            many, deidentified, _via(new)
        )
    if action == AuditAction.IMPORT:
        return _import_text(new) + _reason_unless_import(record)
    if action == AuditAction.ADD_PATIENT:
        return "Added the patient to the database" + _reason(record)
    if action == AuditAction.ADD_BLOCK:
        side, region, agent = new.get("side"), new.get("region"), new.get("agent")
        about = ", ".join(str(v) for v in (region, side, agent) if v)
        return (
            f"Added the block of {_moment_text(new.get('performed_at'), zone)}"
            + (f" ({about})" if about else "")
            + _reason(record)
        )
    if action == AuditAction.UPDATE_BLOCK:
        return (
            f"Changed the block of {_moment_text(old.get('performed_at'), zone)}: "
            f"{_changes(old, new, zone)}" + _reason(record)
        )
    if action == AuditAction.ADD_ENTRY:
        paper = " (from paper)" if new.get("source") == "paper" else ""
        return (
            f"Added the entry of {_moment_text(new.get('at'), zone)}: {_scores(new.get('scores'))}"
            + paper
            + _reason(record)
        )
    if action == AuditAction.AMEND_ENTRY:
        return (
            f"Corrected the entry of {_moment_text(old.get('at'), zone)}: "
            f"{_changes(old, new, zone)}" + _reason(record)
        )
    if action == AuditAction.DELETE_ENTRY:
        return (
            f"Deleted the entry of {_moment_text(old.get('at'), zone)} "
            f"({_scores(old.get('scores'))})" + _reason(record)
        )
    if action == AuditAction.SAVE_SETTINGS:
        return f"Changed the clinic settings: {_changes(old, new, zone)}"
    if action == AuditAction.ADD_USER:
        return f"Added the user {new.get('name')} ({new.get('role')})" + _reason(record)
    if action == AuditAction.UPDATE_USER:
        if old.get("active") and not new.get("active"):
            return f"Deactivated the user {new.get('name')}" + _reason(record)
        if old == new:  # the values the trail keeps are the same: the password changed
            return f"Changed the password of {new.get('name')}"
        return f"Changed the user {new.get('name')}: {_changes(old, new, zone)}" + _reason(record)
    if action == AuditAction.CLINIC_MODE:
        if bool(old.get("clinic_mode")) != bool(new.get("clinic_mode")):
            return "Switched clinic mode " + ("on" if new.get("clinic_mode") else "off")
        return f"Changed clinic mode's settings: {_changes(old, new, zone)}"
    if action == AuditAction.SIGN_IN:
        return f"{new.get('name')} signed in" + _notes(_via(new))
    if action == AuditAction.SIGN_OUT:
        return f"{new.get('name')} signed out ({new.get('why') or 'signed out'})"
    if action in (AuditAction.ADD_NOTE, AuditAction.EDIT_NOTE):
        verb = "Wrote a note" if action == AuditAction.ADD_NOTE else "Changed a note"
        target = " ".join(str(new.get(k)) for k in ("region", "side") if new.get(k))
        return f'{verb} on the {target} verdict: "{new.get("text")}"' + _reason(record)
    if action == AuditAction.SIGN_SUMMARY:
        preset = f" under the {new.get('preset')} preset" if new.get("preset") else ""
        return f"Signed the summary{preset}"
    # An action this version does not word yet (a newer paintrack's): say what is known.
    return action.replace("_", " ").capitalize() + _reason(record)


def _reason_unless_import(record: AuditRecord) -> str:
    """An import's own reason repeats its file name ("imported from X"); a merge's says more."""
    reason = record.reason or ""
    return "" if not reason or reason.startswith("imported from") else f" (reason: {reason})"


def _folded(records: Sequence[AuditRecord]) -> list[AuditRecord]:
    """The records to word: an import's own patient, block and entry additions are left out,
    its line counts them (they share its time and reason)."""
    imports = {(r.at, r.reason) for r in records if r.action == AuditAction.IMPORT and r.reason}
    return [r for r in records if not (r.action in _IMPORTED_ITEMS and (r.at, r.reason) in imports)]


def trail_lines(records: Iterable[AuditRecord], zone: tzinfo | None = None) -> list[TrailLine]:
    """The trail, oldest first, one line per thing done."""
    ordered = list(records)  # the store hands them oldest first (by sequence)
    return [TrailLine(when_text(r.at, zone), r.actor, describe(r, zone)) for r in _folded(ordered)]


def trail_text(heading: str, records: Iterable[AuditRecord], zone: tzinfo | None = None) -> str:
    """The whole printout: a heading, then "when  who  what" lines in columns."""
    lines = trail_lines(records, zone)
    out = [heading, "Times are this computer's local time; oldest first.", ""]
    if not lines:
        out.append("Nothing has been recorded here yet.")
        return "\n".join(out) + "\n"
    when_width = max(len(line.when) for line in lines)
    who_width = max(len(line.who) for line in lines)
    out.append(f"{'When':<{when_width}}  {'Who':<{who_width}}  What")
    out.extend(f"{line.when:<{when_width}}  {line.who:<{who_width}}  {line.what}" for line in lines)
    return "\n".join(out) + "\n"

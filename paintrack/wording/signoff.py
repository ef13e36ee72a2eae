"""The words of notes and sign-off, the same in Review, the PDF and `verify`: who wrote or signed
what, and when (in UTC, never the computer's zone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timezone

from paintrack.clinical.model import Diary
from paintrack.clinical.signoff import SignOff, TargetNote
from paintrack.clinical.wording import offset_name, preset_label, target_text
from paintrack.wording.text import datetime_text

NO_NOTES = "No clinician notes."
NOT_SIGNED = "Not signed."


def shown_zone(diary: Diary | None) -> timezone:
    """The zone notes and signatures are shown in: UTC, as the report's "generated" time is.
    Not a block's recorded offset: that is fixed, without daylight saving time, so a note
    written in December would be shown at a March block's offset, an hour from the clock on
    the clinic's wall."""
    del diary
    return UTC


def when_text(moment: datetime, zone: timezone) -> str:
    """ "2 Dec 2026 14:05 UTC-05:00": a time with the zone it is shown in."""
    offset = zone.utcoffset(None)
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return f"{datetime_text(moment, zone)} {offset_name(minutes)}"


def note_byline(note: TargetNote, zone: timezone) -> str:
    """ "Dr Ana Rivera, 2 Dec 2026 14:05 UTC (edited)"."""
    edited = " (edited)" if note.edited else ""
    return f"{note.author}, {when_text(note.written_at, zone)}{edited}"


def note_line(note: TargetNote, zone: timezone) -> str:
    """ "plan right C3-C5 RFA — Dr Ana Rivera, 2 Dec 2026 14:05 UTC"."""
    return f"{note.text} — {note_byline(note, zone)}"


def signature_text(sign_off: SignOff, zone: timezone) -> str:
    """ "Signed by Dr X on 2 Dec 2026 14:05 UTC", or, when the diary changed since, "Signature
    outdated: the diary changed after Dr X signed on ...", or "Not signed."."""
    signature = sign_off.signature
    if signature is None:
        return NOT_SIGNED
    when = when_text(signature.signed_at, zone)
    if sign_off.outdated:
        return f"Signature outdated: the diary changed after {signature.signer} signed on {when}."
    return f"Signed by {signature.signer} on {when}"


def footer_text(sign_off: SignOff | None, zone: timezone) -> str | None:
    """What every page's footer says of the signature; None when never signed."""
    if sign_off is None or sign_off.signature is None:
        return None
    signature = sign_off.signature
    when = when_text(signature.signed_at, zone)
    if sign_off.outdated:
        return f"Signature outdated: diary changed after {signature.signer} signed on {when}"
    return f"Signed by {signature.signer} on {when}"


def sign_statement(diary: Diary, preset: str, shown_at: datetime) -> str:
    """What a clinician confirms by signing, in full."""
    entries = sum(len(block.entries) for block in diary.blocks)
    blocks = len(diary.blocks)
    targets = sorted({(b.region, b.side) for b in diary.blocks})
    where = "; ".join(target_text(region, side) for region, side in targets) or "no target"
    return (
        f"I have reviewed the pain diary summary of {diary.patient.name}: "
        f"{blocks} block{'s' if blocks != 1 else ''} ({where}) and "
        f"{entries} diary entr{'ies' if entries != 1 else 'y'}, with the verdicts under the "
        f"{preset_label(preset)}, as shown at {when_text(shown_at, shown_zone(diary))}."
    )


def mismatch_text(kind: str, problem: str, recorded: Mapping[str, object] | None) -> str:
    """`verify`'s words for a note or signature that differs from its audit trail."""
    values = recorded or {}
    if kind == "note":
        what = f"a clinician's note by {values.get('author', '?')}"
    else:
        what = f"the sign-off by {values.get('signer', '?')}"
    if problem == "missing":
        return (
            f"{what} is in the audit trail but missing from the diary: it was removed outside "
            "paintrack."
        )
    if problem == "unaudited":
        return f"{what} has no audit record: it was added outside paintrack."
    return f"{what} differs from its audit record: it was changed outside paintrack."

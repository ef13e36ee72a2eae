"""The audit trail in a privacy officer's words: each kind of record as a sentence, times in the
zone asked for, an import's own additions folded into its line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from paintrack.clinical.audit import AuditRecord
from paintrack.wording.audit import describe, trail_lines, trail_text, when_text

EASTERN = timezone(timedelta(hours=-5))
AT = datetime(2026, 3, 2, 15, 20, 5, tzinfo=UTC)
ENTRY = {"at": "2026-03-02T15:15:00+00:00", "scores": {"index": 6}, "note": "", "source": "app"}


def _record(
    action: str,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
    at: datetime = AT,
    object_type: str = "entry",
) -> AuditRecord:
    return AuditRecord(
        id=f"id-{action}",
        at=at,
        actor="Dr Rivera",
        action=action,
        object_type=object_type,
        object_id="x",
        reason=reason,
        old=old,
        new=new,
        patient_id="p",
    )


@pytest.mark.parametrize(
    ("record", "said"),
    [
        (_record("view_diary", new={"where": "review"}), "Opened the diary in Review"),
        (
            _record(
                "export_diary",
                new={
                    "format": "csv",
                    "file_name": "diary.csv",
                    "folder": "/tmp/x",
                    "via": "window",
                },
            ),
            "Exported the diary as CSV to diary.csv in /tmp/x (from the window)",
        ),
        (
            _record("export_diary", new={"format": "json", "standard_output": True}),
            "Exported the diary as a diary file (JSON) to standard output",
        ),
        (
            _record(
                "print_summary",
                new={"printer": "Ward 3", "copies": 2, "deidentified": True, "via": "window"},
            ),
            "Printed the PDF summary on Ward 3 (2 copies; de-identified; from the window)",
        ),
        (
            _record(
                "amend_entry",
                old=ENTRY,
                new={**ENTRY, "scores": {"index": 4}, "note": "rechecked"},
                reason="typo",
            ),
            "Corrected the entry of 2 Mar 2026 10:15: index pain 6 → 4; note none → rechecked "
            "(reason: typo)",
        ),
        (
            _record("delete_entry", old=ENTRY, reason="entered twice"),
            "Deleted the entry of 2 Mar 2026 10:15 (index pain 6) (reason: entered twice)",
        ),
        (
            _record("add_entry", new={**ENTRY, "source": "paper"}),
            "Added the entry of 2 Mar 2026 10:15: index pain 6 (from paper)",
        ),
        (
            _record(
                "update_block",
                old={"performed_at": "2026-03-02T14:30:00+00:00", "agent": "lidocaine"},
                new={"performed_at": "2026-03-02T14:30:00+00:00", "agent": "bupivacaine"},
                reason="wrong vial noted",
                object_type="block",
            ),
            "Changed the block of 2 Mar 2026 09:30: agent lidocaine → bupivacaine "
            "(reason: wrong vial noted)",
        ),
        (_record("countersign_summary"), "Countersign summary"),  # a newer paintrack's action
    ],
    ids=lambda value: value.action if isinstance(value, AuditRecord) else "",
)
def test_each_record_in_plain_words(record: AuditRecord, said: str) -> None:
    assert describe(record, EASTERN) == said


def test_times_are_in_the_zone_asked_for_with_their_offset() -> None:
    assert when_text(AT, EASTERN) == "2 Mar 2026 10:20:05 UTC-05:00"
    assert when_text(AT, UTC) == "2 Mar 2026 15:20:05 UTC"


def test_an_imports_own_additions_are_one_line() -> None:
    reason = "imported from ann.json"
    records = [
        _record("add_patient", new={"name": "Ann"}, reason=reason, object_type="patient"),
        _record("add_block", new={"performed_at": ENTRY["at"]}, reason=reason),
        _record("add_entry", new=ENTRY, reason=reason),
        _record(
            "import",
            new={"source_name": "ann.json", "patients_added": 1, "blocks_added": 1},
            reason=reason,
            object_type="diary",
        ),
        _record("add_entry", new=ENTRY, at=AT + timedelta(hours=1)),  # typed in later
    ]
    lines = trail_lines(records, UTC)
    assert [line.what for line in lines] == [
        "Imported the diary file ann.json: the patient and 1 block added",
        "Added the entry of 2 Mar 2026 15:15: index pain 6",
    ]
    text = trail_text("Audit trail of Ann", records, UTC)
    assert text.splitlines()[3].split() == ["When", "Who", "What"]
    assert trail_text("Audit trail of Ann", [], UTC).splitlines()[-1] == (
        "Nothing has been recorded here yet."
    )


NURSE = {"name": "Nurse Obi", "role": "staff", "active": True}


@pytest.mark.parametrize(
    ("record", "said"),
    [
        (_record("add_user", new=NURSE, object_type="user"), "Added the user Nurse Obi (staff)"),
        (
            _record("update_user", old=NURSE, new=NURSE, reason="password changed"),
            "Changed the password of Nurse Obi",
        ),
        (
            _record("update_user", old=NURSE, new={**NURSE, "active": False}),
            "Deactivated the user Nurse Obi",
        ),
        (
            _record(
                "clinic_mode",
                old=None,
                new={"clinic_mode": True, "idle_lock_minutes": 10},
                object_type="clinic",
            ),
            "Switched clinic mode on",
        ),
        (
            _record(
                "clinic_mode",
                old={"clinic_mode": True, "idle_lock_minutes": 10},
                new={"clinic_mode": True, "idle_lock_minutes": 5},
                object_type="clinic",
            ),
            "Changed clinic mode's settings: idle lock minutes 10 → 5",
        ),
    ],
)
def test_clinic_mode_records_in_words(record: AuditRecord, said: str) -> None:
    assert describe(record) == said


def test_notes_and_sign_off_in_words() -> None:
    note = {"region": "cervical", "side": "right", "text": "plan right C3-C5 RFA", "version": 1}
    assert (
        describe(_record("add_note", new=note, object_type="note"))
        == 'Wrote a note on the cervical right verdict: "plan right C3-C5 RFA"'
    )
    assert describe(
        _record("edit_note", old=note, new={**note, "text": "RFA booked"}, object_type="note")
    ).startswith('Changed a note on the cervical right verdict: "RFA booked"')
    signed = {"preset": "medicare-lcd", "signer": "Dr Rivera", "fingerprint": "ab" * 32}
    assert (
        describe(_record("sign_summary", new=signed, object_type="signature"))
        == "Signed the summary under the medicare-lcd preset"
    )

"""One field list per record type and one writer of their values (clinical/fields.py), which the
diary file, the audit trail and the CSV export all lay out from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paintrack.clinical.fields import (
    BLOCK_FIELDS,
    ENTRY_FIELDS,
    ENTRY_LATER_FIELDS,
    PATIENT_FIELDS,
    block_values,
    entry_values,
    ordered_sites,
    patient_values,
)
from paintrack.clinical.model import BILATERAL_SITES, Agent, Block, Entry, Patient, Region, Side
from paintrack.exchange import csv_export, diary_json

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
BLOCK = Block(
    performed_at=T0,
    region=Region.LUMBAR,
    side=Side.BILATERAL,
    agent=Agent.LIDOCAINE,
    sites=BILATERAL_SITES,
)
ENTRY = Entry(at=T0, recorded_at=T0 + timedelta(minutes=1), scores={"right": 2, "left": 3})


def test_the_writer_gives_every_field_in_order() -> None:
    assert list(patient_values(Patient(name="A"))) == list(PATIENT_FIELDS)
    assert list(block_values(BLOCK, datetime.isoformat)) == list(BLOCK_FIELDS)
    assert list(entry_values(ENTRY, datetime.isoformat)) == list(ENTRY_FIELDS)
    assert set(ENTRY_LATER_FIELDS) <= set(ENTRY_FIELDS)


def test_scores_in_the_blocks_order_or_by_name() -> None:
    assert ordered_sites(ENTRY) == ["left", "right"]
    assert ordered_sites(ENTRY, ("right", "left")) == ["right", "left"]
    assert list(entry_values(ENTRY, datetime.isoformat, ("right", "left"))["scores"]) == [
        "right",
        "left",
    ]


def test_the_diary_file_and_the_csv_lay_out_the_same_fields() -> None:
    assert diary_json._PATIENT_KEYS == PATIENT_FIELDS
    assert (*BLOCK_FIELDS[:-1], "entries") == diary_json._BLOCK_KEYS
    assert set(diary_json._ENTRY_KEYS) == set(ENTRY_FIELDS) - {"patient_relief_by_site"}
    assert set(csv_export._PATIENT_COLUMNS.values()) <= set(PATIENT_FIELDS)
    assert set(csv_export._BLOCK_COLUMNS.values()) <= set(BLOCK_FIELDS)
    assert set(csv_export._ENTRY_COLUMNS.values()) <= set(ENTRY_FIELDS)
    shown = {*csv_export._PATIENT_COLUMNS, *csv_export._BLOCK_COLUMNS, *csv_export._ENTRY_COLUMNS}
    assert shown | {"minutes_after_block", "site", "score", "late"} == set(csv_export.CSV_COLUMNS)

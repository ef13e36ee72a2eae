"""The diary reader runs the record checks every layer shares (clinical/validation.py) on what
it read, and reports what they find at the JSON path of the field."""

from __future__ import annotations

from typing import Any

import pytest
from exchange_samples import format_error, parse_document, valid_document

from paintrack.clinical.model import Block, Entry, Patient, Site
from paintrack.clinical.validation import RecordProblem
from paintrack.exchange import diary_json


def test_a_valid_diary_passes_the_shared_checks() -> None:
    diary = parse_document(valid_document())
    assert diary.blocks[1].sites == (Site.LEFT, Site.RIGHT)


def test_the_shared_checks_are_reported_at_their_json_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def block_problems(block: Block) -> tuple[RecordProblem, ...]:
        return (RecordProblem("levels", "a level says nothing.", (0,)),)

    def entry_problems(entry: Entry, block: Block, **_: Any) -> tuple[RecordProblem, ...]:
        return (RecordProblem("scores", "that score does not count.", ("index",)),)

    def patient_problems(patient: Patient) -> tuple[RecordProblem, ...]:
        return (RecordProblem("name", "A patient needs a name."),)

    monkeypatch.setattr(diary_json, "block_problems", block_problems)
    monkeypatch.setattr(diary_json, "entry_problems", entry_problems)
    monkeypatch.setattr(diary_json, "patient_problems", patient_problems)
    document = valid_document()
    document["blocks"] = document["blocks"][:1]
    document["blocks"][0]["entries"] = document["blocks"][0]["entries"][:1]
    error = format_error(document)
    assert [(p.path, p.message) for p in error.problems] == [
        ("patient.name", "A patient needs a name."),
        ("blocks[0].levels[0]", "a level says nothing."),
        ("blocks[0].entries[0].scores.index", "that score does not count."),
    ]

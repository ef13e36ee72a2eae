"""Sample diaries for the exchange tests: the files in tests/data/diaries and a small valid
document that each validation test breaks in one place."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from paintrack.clinical.model import Diary
from paintrack.exchange.diary_json import DiaryFormatError, parse_diary

ROOT = Path(__file__).resolve().parents[2]
DIARIES = ROOT / "tests" / "data" / "diaries"
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
SAMPLES = sorted(DIARIES.glob("*.json"))
SAMPLE_IDS = [path.stem for path in SAMPLES]

PATIENT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
BLOCK_IDS = ("7c9e6679-7425-40de-944b-e07fc1f90ae7", "1b4e28ba-2fa1-41d2-883f-0016d3cca427")
ENTRY_IDS = (
    "6fa459ea-ee8a-4ca4-894e-db77e160355e",
    "16fd2706-8baf-433b-82eb-8c7fada847da",
    "886313e1-3b8a-4372-9b90-0c9aee199e5d",
    "c56a4180-65aa-42ec-a945-5fd21dec0538",
    "a8098c1a-f86e-41d1-91c5-1e2a6b5b3c9a",
)

_VALID: dict[str, Any] = {
    "format": "paintrack-diary",
    "version": 1,
    "patient": {"id": PATIENT_ID, "name": "Jane Example", "birth_date": "1958-03-14", "mrn": None},
    "blocks": [
        {
            "id": BLOCK_IDS[0],
            "performed_at": "2026-03-02T09:30:00-05:00",
            "region": "lumbar",
            "side": "right",
            "levels": ["L3 MB", "L4 MB", "L5 DR"],
            "agent": "lidocaine",
            "concentration_percent": 2.0,
            "volume_ml": 0.5,
            "sequence": 1,
            "sedation": "none",
            "steroid": False,
            "sites": ["index"],
            "activities": ["standing 10 minutes", "bending forward"],
            "protocol": "standard",
            "entries": [
                {
                    "id": ENTRY_IDS[0],
                    "at": "2026-03-02T09:20:00-05:00",
                    "recorded_at": "2026-03-02T09:20:40-05:00",
                    "scores": {"index": 7},
                    "patient_relief_percent": None,
                    "activity": "standing 10 minutes",
                    "activity_ability": "no",
                    "rescue_medication": False,
                    "source": "app",
                    "note": "",
                },
                {
                    "id": ENTRY_IDS[1],
                    "at": "2026-03-02T10:00:00-05:00",
                    "recorded_at": "2026-03-02T10:01:00-05:00",
                    "scores": {"index": 1},
                    "patient_relief_percent": 90,
                    "activity": None,
                    "activity_ability": None,
                    "rescue_medication": False,
                    "source": "app",
                    "note": "much better",
                },
            ],
        },
        {
            "id": BLOCK_IDS[1],
            "performed_at": "2026-03-17T09:30:00-04:00",
            "region": "lumbar",
            "side": "bilateral",
            "levels": ["L4 MB"],
            "agent": "bupivacaine",
            "concentration_percent": 0.5,
            "volume_ml": 0.5,
            "sequence": 2,
            "sedation": "minimal",
            "steroid": False,
            "sites": ["left", "right"],
            "activities": [],
            "protocol": "standard",
            "entries": [
                {
                    "id": ENTRY_IDS[2],
                    "at": "2026-03-17T09:20:00-04:00",
                    "recorded_at": "2026-03-17T09:20:30-04:00",
                    "scores": {"left": 7, "right": 6},
                    "source": "app",
                },
                {
                    "id": ENTRY_IDS[3],
                    "at": "2026-03-17T10:00:00-04:00",
                    "recorded_at": "2026-03-17T10:00:30-04:00",
                    "scores": {"left": 2},
                },
                {
                    "id": ENTRY_IDS[4],
                    "at": "2026-03-17T10:30:00-04:00",
                    "scores": {"left": 2, "right": 1},
                    "source": "paper",
                },
            ],
        },
    ],
}


def valid_document() -> dict[str, Any]:
    """A fresh copy of a small valid diary: an index block and a bilateral block."""
    return copy.deepcopy(_VALID)


def parse_document(document: Any, name: str = "diary.json") -> Diary:
    return parse_diary(json.dumps(document), name)


def format_error(document: Any, name: str = "diary.json") -> DiaryFormatError:
    with pytest.raises(DiaryFormatError) as caught:
        parse_document(document, name)
    return caught.value


def entry_count(diary: Diary) -> int:
    return sum(len(block.entries) for block in diary.blocks)

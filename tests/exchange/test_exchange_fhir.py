"""The FHIR R4 export (issue 15, part 1): bundles that fhir.resources' R4B models accept, with
the counts, codes, times and references docs/fhir.md promises, and CPT codes from the levels."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from exchange_samples import DEMO, DIARIES, SAMPLE_IDS, SAMPLES
from fhir.resources.R4B.bundle import Bundle

from paintrack.clinical.model import Diary, Region
from paintrack.exchange.cpt import cpt_codes, facet_joint_levels
from paintrack.exchange.diary_json import format_time, read_diary_file
from paintrack.exchange.fhir import (
    LATERALITY_EXTENSION,
    PAIN_SCORE_CODE,
    diary_to_bundle,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BILATERAL = DIARIES / "bilateral.json"
RIGHT, LEFT, BOTH = "24028007", "7771000", "51440002"


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _laterality(body_site: dict[str, Any]) -> str:
    (extension,) = body_site["extension"]
    assert extension["url"] == LATERALITY_EXTENSION
    (coding,) = extension["valueCodeableConcept"]["coding"]
    assert coding["system"] == "http://snomed.info/sct"
    return str(coding["code"])


def _cpt(procedure: dict[str, Any]) -> list[str]:
    return [c["code"] for c in procedure["code"].get("coding", [])]


def _bundle(path: Path, *, deidentify: bool = False) -> tuple[Diary, dict[str, Any]]:
    diary = read_diary_file(path)
    bundle = diary_to_bundle(diary, now=NOW, deidentify=deidentify)
    # Through JSON, as a file would carry it, then into the R4B models: a failure names the field.
    bundle = json.loads(json.dumps(bundle))
    Bundle.model_validate(bundle)
    return diary, bundle


@pytest.mark.parametrize("path", SAMPLES, ids=SAMPLE_IDS)
@pytest.mark.parametrize("deidentify", [False, True], ids=["full", "deidentified"])
def test_every_sample_gives_a_valid_r4_collection(path: Path, deidentify: bool) -> None:
    diary, bundle = _bundle(path, deidentify=deidentify)
    assert bundle["type"] == "collection"
    assert bundle["timestamp"] == "2026-11-01T12:00:00Z"
    scores = sum(len(e.scores) for b in diary.blocks for e in b.entries)
    assert len(_resources(bundle, "Patient")) == 1
    assert len(_resources(bundle, "Procedure")) == len(diary.blocks)
    assert len(_resources(bundle, "Observation")) == scores
    # Every reference points at a resource in the bundle, and every fullUrl is unique.
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    references = re.findall(r'"reference": "([^"]+)"', json.dumps(bundle))
    assert references and set(references) <= set(urls)


def test_the_demo_diary() -> None:
    diary, bundle = _bundle(DEMO)
    (patient,) = _resources(bundle, "Patient")
    procedures = _resources(bundle, "Procedure")
    observations = _resources(bundle, "Observation")
    assert (len(procedures), len(observations)) == (2, 23)
    assert patient["name"] == [{"text": "Alex Sample"}]
    assert patient["birthDate"] == "1961-07-22"
    assert "DEMO-0001" in [identifier["value"] for identifier in patient["identifier"]]

    for block, procedure in zip(diary.blocks, procedures, strict=True):
        assert procedure["status"] == "completed"
        assert procedure["id"] == block.id
        assert procedure["performedDateTime"] == format_time(block.performed_at)
        # L3 MB, L4 MB, L5 DR: three nerves, two facet joints (L4-L5, L5-S1).
        assert _cpt(procedure) == ["64493", "64494"]
        (site,) = procedure["bodySite"]
        assert site["coding"][0]["code"] == "1141985005"  # lumbar
        assert _laterality(site) == RIGHT
        assert procedure["subject"]["reference"] == f"urn:uuid:{patient['id']}"
    assert procedures[0]["usedCode"] == [{"text": "lidocaine 2%, 0.5 mL"}]
    assert procedures[1]["usedCode"] == [{"text": "bupivacaine 0.5%, 0.5 mL"}]

    by_block: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in procedures}
    for observation in observations:
        assert observation["code"]["coding"][0]["system"] == "http://loinc.org"
        assert observation["code"]["coding"][0]["code"] == PAIN_SCORE_CODE == "72514-3"
        assert observation["status"] == "final"
        (part_of,) = observation["partOf"]
        by_block[part_of["reference"].removeprefix("urn:uuid:")].append(observation)
    for block in diary.blocks:
        got = by_block[block.id]
        assert [o["valueInteger"] for o in got] == [e.scores["index"] for e in block.entries]
        assert [o["effectiveDateTime"] for o in got] == [format_time(e.at) for e in block.entries]
        assert [o["issued"] for o in got] == [format_time(e.recorded_at) for e in block.entries]
        assert {_laterality(o["bodySite"]) for o in got} == {RIGHT}

    notes = [" ".join(n["text"] for n in o.get("note", [])) for o in observations]
    assert sum("Transcribed from the patient's paper diary." in n for n in notes) == 1
    # Late at 240 min (block 1), 360 min (block 2) and the paper entry written later too.
    assert sum("Recorded late: written down" in n for n in notes) == 3
    late_entries = [e for b in diary.blocks for e in b.entries if e.is_late or e.is_transcribed]
    assert len(late_entries) == 3


def test_a_bilateral_diary_rates_each_side_in_its_own_observation() -> None:
    diary, bundle = _bundle(BILATERAL)
    (procedure,) = _resources(bundle, "Procedure")
    observations = _resources(bundle, "Observation")
    assert _laterality(procedure["bodySite"][0]) == BOTH
    assert _cpt(procedure) == ["64493"]  # L4 MB, L5 DR: the L5-S1 joint
    (block,) = diary.blocks
    expected = [(site, score) for e in block.entries for site, score in e.scores.items()]
    assert len(observations) == len(expected) == 19
    sides = {LEFT: "left", RIGHT: "right"}
    got = [(sides[_laterality(o["bodySite"])], o["valueInteger"]) for o in observations]
    assert got == expected
    assert {o["bodySite"]["text"] for o in observations} == {
        "left side (lumbar spine, left)",
        "right side (lumbar spine, right)",
    }
    # Two scores of one entry are two Observations with different, stable ids.
    again = diary_to_bundle(diary, now=NOW)
    assert [o["id"] for o in _resources(again, "Observation")] == [o["id"] for o in observations]
    assert len({o["id"] for o in observations}) == 19


def test_deidentified_bundle_has_no_identifier_name_or_birth_date() -> None:
    diary, bundle = _bundle(DEMO, deidentify=True)
    text = json.dumps(bundle)
    assert '"identifier"' not in text
    for secret in ("Alex", "Sample", "DEMO-0001", "1961-07-22", diary.patient.id):
        assert secret not in text
    for block in diary.blocks:
        assert block.id not in text
        for entry in block.entries:
            assert entry.id not in text
    (patient,) = _resources(bundle, "Patient")
    assert patient["name"] == [{"text": "AS"}]
    assert patient["birthDate"] == "1961"
    # What the clinician needs stays: the block times, the scores and their times.
    procedures = _resources(bundle, "Procedure")
    assert [p["performedDateTime"] for p in procedures] == [
        format_time(b.performed_at) for b in diary.blocks
    ]
    assert len(_resources(bundle, "Observation")) == 23


def test_deidentified_free_text_loses_the_name_but_keeps_paintracks_words() -> None:
    diary = read_diary_file(DIARIES / "paper.json")  # Pat Paperlog
    block = diary.blocks[0]
    entry = block.entries[0]
    noted = dataclasses.replace(entry, note="Pat Paperlog felt better")
    diary = Diary(diary.patient, (dataclasses.replace(block, entries=(noted,)),))
    bundle = diary_to_bundle(diary, now=NOW, deidentify=True)
    Bundle.model_validate(bundle)
    (observation,) = _resources(bundle, "Observation")
    texts = [n["text"] for n in observation["note"]]
    assert "Patient's note: [removed] felt better" in texts
    assert "Transcribed from the patient's paper diary." in texts  # not "[removed]ient's"


def test_amended_entries_are_amended_observations() -> None:
    diary = read_diary_file(BILATERAL)
    (block,) = diary.blocks
    first = dataclasses.replace(block.entries[0], amended=True)
    amended = Diary(
        diary.patient, (dataclasses.replace(block, entries=(first, *block.entries[1:])),)
    )
    bundle = diary_to_bundle(amended, now=NOW)
    Bundle.model_validate(bundle)
    statuses = [o["status"] for o in _resources(bundle, "Observation")]
    assert statuses[: len(first.scores)] == ["amended"] * len(first.scores)
    assert set(statuses[len(first.scores) :]) == {"final"}


@pytest.mark.parametrize(
    ("region", "levels", "codes"),
    [
        (Region.LUMBAR, ["L3 MB", "L4 MB", "L5 DR"], ["64493", "64494"]),
        (Region.LUMBAR, ["L4 MB", "L5 DR"], ["64493"]),
        (Region.LUMBAR, ["L2 MB", "L3 MB", "L4 MB", "L5 DR"], ["64493", "64494", "64495"]),
        (Region.LUMBAR, ["L1 MB", "L2 MB", "L3 MB", "L4 MB", "L5 DR"], ["64493", "64494", "64495"]),
        (Region.LUMBAR, ["L4-L5", "L5-S1"], ["64493", "64494"]),
        (Region.LUMBAR, ["L4/5"], ["64493"]),
        (Region.SACRAL, ["L5-S1"], ["64493"]),
        (Region.CERVICAL, ["C4 MB", "C5 MB", "C6 MB"], ["64490", "64491"]),
        (Region.CERVICAL, ["C3-C4", "C4-C5", "C5-C6"], ["64490", "64491", "64492"]),
        (Region.THORACIC, ["T7 MB", "T8 MB"], ["64490"]),
        (Region.CERVICAL, ["C7 MB", "T1 MB"], ["64490"]),
        # What does not say how many joints: no code rather than a guess.
        (Region.LUMBAR, [], []),
        (Region.LUMBAR, ["L4 MB"], []),  # one nerve: half a joint
        (Region.LUMBAR, ["L3 MB", "L5 DR"], []),  # a gap
        (Region.LUMBAR, ["L4", "L5"], []),  # bare levels: nerves or joints?
        (Region.LUMBAR, ["L3-L5"], []),  # a range over two joints
        (Region.LUMBAR, ["L4-L5", "L4 MB", "L5 DR"], []),  # joints and nerves mixed
        (Region.LUMBAR, ["C4 MB", "C5 MB"], []),  # levels of another region
        (Region.CERVICAL, ["L4 MB", "L5 DR"], []),
        (Region.LUMBAR, ["left side"], []),
    ],
)
def test_cpt_codes_follow_the_facet_joint_levels(
    region: Region, levels: list[str], codes: list[str]
) -> None:
    assert [c.code for c in cpt_codes(region, levels)] == codes
    if not codes:
        assert facet_joint_levels(region, levels) is None


def test_three_or_more_joints_add_the_further_level_code_once() -> None:
    levels = ["L1 MB", "L2 MB", "L3 MB", "L4 MB", "L5 DR"]
    assert facet_joint_levels(Region.LUMBAR, levels) == 4
    assert [c.code for c in cpt_codes(Region.LUMBAR, levels)].count("64495") == 1


def test_blocks_without_known_levels_have_no_cpt_coding_but_keep_their_text() -> None:
    _, bundle = _bundle(DIARIES / "minimal.json")
    (procedure,) = _resources(bundle, "Procedure")
    assert "coding" not in procedure["code"]
    assert procedure["code"]["text"] == "Lumbar medial branch block, left (diagnostic block 1)"
    assert "Levels: not recorded." in procedure["note"][0]["text"]

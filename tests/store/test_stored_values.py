"""store/stored_values.py makes a patient's, block's or entry's audit values as canonical text
straight from the columns SQLite hands back. Wherever it answers, its text is byte for byte the
one the long way makes (Core row -> clinical dataclass -> dict -> canonical JSON), and it never
answers for a row the long way refuses: verify's SQLite pass leans on exactly that.

The examples are the same on every run (tests/conftest.py's profile); the odd-value tests draw the
most, since each of their examples spoils only one or two columns. To hunt with fresh ones, run
with HYPOTHESIS_PROFILE=explore."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import sqlite
from store_builders import sample_diary

from paintrack.clinical.model import Ability, Agent, Region, Sedation, Side, Source
from paintrack.store import open_store
from paintrack.store.audit_chain import _canonical_value
from paintrack.store.convert import block_from_row, block_to_json, patient_from_row, patient_to_json
from paintrack.store.models import BlockRow, PatientRow
from paintrack.store.stored_values import (
    BLOCK_TEXT_COLUMNS,
    ENTRY_TEXT_COLUMNS,
    block_text,
    entry_text,
    patient_text,
    time_text,
)
from paintrack.store.trail_check import entries_query, entry_values
from paintrack.store.trail_stored import StoredQuery

DIALECT = sqlite.dialect()
ENTRIES = StoredQuery(entries_query(), DIALECT)
BLOCKS = StoredQuery(select(BlockRow.__table__), DIALECT)
PATIENTS = StoredQuery(select(PatientRow.__table__), DIALECT)


def _long_way(make: Callable[[], dict[str, Any]]) -> str | None:
    """The canonical text the long way makes, None when it raises (as verify would)."""
    try:
        return _canonical_value(make())
    except Exception:
        return None


def _entry_rows(columns: dict[str, Any], scores: list[tuple[Any, Any]]) -> list[tuple[Any, ...]]:
    """The rows of `entries_query` SQLite would hand back for one entry and its score rows."""
    joined = [(columns["id"], site, score) for site, score in scores] or [(None, None, None)]
    entry = [columns[key] for key in ENTRIES.keys[:-3]]
    return [(*entry, *score_columns) for score_columns in joined]


def _entry_texts(rows: list[tuple[Any, ...]]) -> tuple[str | None, str | None]:
    """(the stored_values text, the long way's text) of one entry's rows."""
    first = rows[0]
    site_at, score_at, joined_at = (
        ENTRIES.at("site"),
        ENTRIES.at("score"),
        ENTRIES.at("score_entry"),
    )
    scores = {row[site_at]: row[score_at] for row in rows if row[joined_at] is not None}
    text = entry_text(
        tuple(first[ENTRIES.at(key)] for key in ENTRY_TEXT_COLUMNS),
        scores,
        ENTRIES.processor("patient_relief_by_site"),
    )
    return text, _long_way(lambda: entry_values([ENTRIES.read(row) for row in rows]))


def _stored_time(moment: datetime) -> str:
    """A time as SQLAlchemy stores it in SQLite (naive UTC, microseconds always written)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
STORED_TIMES = MOMENTS.map(_stored_time)
# Times in other forms: some read the same (fromisoformat takes them), some not at all.
ODD_TIMES = st.one_of(
    MOMENTS.map(lambda m: m.replace(tzinfo=None).isoformat()),
    MOMENTS.map(lambda m: m.isoformat()),
    MOMENTS.map(lambda m: m.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
    st.sampled_from(["2026-13-01 10:00:00.000000", "yesterday", "", "2026-02-30 10:00:00"]),
    st.integers(),
    st.none(),
)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
ODD = st.one_of(st.none(), st.integers(), st.floats(), TEXT, st.binary(max_size=3))
FLOATS = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))
ODD_FLOATS = st.one_of(
    FLOATS, st.floats(), st.sampled_from([math.nan, math.inf, -math.inf]), st.integers(), TEXT
)
BOOLEANS = st.sampled_from([0, 1])
ODD_BOOLEANS = st.one_of(BOOLEANS, st.none(), st.integers(), TEXT)
BY_SITE = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["left", "right"]), st.floats(0, 100, allow_nan=False)).map(
        json.dumps
    ),
)
ODD_BY_SITE = st.one_of(
    BY_SITE,
    st.sampled_from(
        [
            *('{"left": 20, "right": 90}', '{"left": "70"}', '{"left": NaN}', '{"left": true}'),
            *("null", "[1, 2]", '"left"', "not json", "{}", '{"left": 1e400}', "5"),
        ]
    ),
    st.integers(),
)
SITES = st.sampled_from(["index", "left", "right"])


def _plain_or_odd(
    fields: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]], odd: bool
) -> st.SearchStrategy[dict[str, Any]]:
    """Columns as paintrack writes them; with `odd`, one or two of them (drawn) hold anything
    else, so each odd value is met beside otherwise plain columns."""

    @st.composite
    def columns(draw: st.DrawFn) -> dict[str, Any]:
        drawn = {key: draw(plain) for key, (plain, _) in fields.items()}
        if odd:
            oddities = st.sampled_from(
                [key for key, (_, other) in fields.items() if other is not NOTHING]
            )
            for key in draw(st.lists(oddities, min_size=1, max_size=2, unique=True)):
                drawn[key] = draw(fields[key][1])
        return drawn

    return columns()


NOTHING: st.SearchStrategy[Any] = st.nothing()
ENTRY_FIELDS = {
    "id": (TEXT, ODD),
    "block_id": (TEXT, ODD),
    "at": (STORED_TIMES, ODD_TIMES),
    "recorded_at": (STORED_TIMES, ODD_TIMES),
    "patient_relief_percent": (FLOATS, ODD_FLOATS),
    "activity": (st.none() | TEXT, ODD),
    "activity_ability": (
        st.none() | st.sampled_from([a.value for a in Ability]),
        st.sampled_from(["", "YES", "maybe", 0, 1]),
    ),
    "rescue_medication": (BOOLEANS, ODD_BOOLEANS),
    "source": (st.sampled_from([s.value for s in Source]), ODD),
    "note": (TEXT, ODD),
    "rescue_medication_detail": (st.none() | TEXT, ODD),
    "patient_relief_by_site": (BY_SITE, ODD_BY_SITE),
    "amended": (BOOLEANS, ODD_BOOLEANS),
    "deleted": (st.just(0), NOTHING),
}


def _entry_columns(odd: bool) -> st.SearchStrategy[dict[str, Any]]:
    return _plain_or_odd(ENTRY_FIELDS, odd)


def _scores(odd: bool) -> st.SearchStrategy[list[tuple[Any, Any]]]:
    site = st.one_of(SITES, ODD) if odd else SITES
    score = st.one_of(st.integers(0, 10), ODD) if odd else st.integers(0, 10)
    return st.lists(st.tuples(site, score), max_size=3, unique_by=lambda pair: pair[0])


@settings(max_examples=200, deadline=None)
@given(columns=_entry_columns(odd=False), scores=_scores(odd=False))
def test_an_entry_as_paintrack_stores_it_has_the_long_ways_text(
    columns: dict[str, Any], scores: list[tuple[Any, Any]]
) -> None:
    text, long_way = _entry_texts(_entry_rows(columns, scores))
    assert text is not None
    assert text == long_way


@settings(max_examples=800, deadline=None)
@given(columns=_entry_columns(odd=True), scores=_scores(odd=True))
def test_an_entry_with_any_stored_values_has_the_long_ways_text_or_none(
    columns: dict[str, Any], scores: list[tuple[Any, Any]]
) -> None:
    text, long_way = _entry_texts(_entry_rows(columns, scores))
    if text is not None:
        assert text == long_way  # never an answer where the long way refuses the row


def _listed(items: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    return st.lists(items, max_size=3).map(json.dumps)


ODD_LISTS = st.one_of(
    _listed(st.one_of(st.none(), st.integers(), st.floats(), TEXT)),
    st.sampled_from(['"L3"', '{"a": 1}', "[NaN]", "not json", "null", "[[1], {}]"]),
    st.integers(),
    st.none(),
)
BLOCK_FIELDS = {
    "id": (TEXT, ODD),
    "patient_id": (TEXT, NOTHING),
    "performed_at": (STORED_TIMES, ODD_TIMES),
    "region": (st.sampled_from([r.value for r in Region]), ODD),
    "side": (st.sampled_from([s.value for s in Side]), ODD),
    "agent": (st.sampled_from([a.value for a in Agent]), ODD),
    "levels": (_listed(TEXT), ODD_LISTS),
    "concentration_percent": (FLOATS, ODD_FLOATS),
    "volume_ml": (FLOATS, ODD_FLOATS),
    "sequence": (st.integers(1, 999), ODD),
    "sedation": (st.sampled_from([s.value for s in Sedation]), ODD),
    "steroid": (BOOLEANS, ODD_BOOLEANS),
    "sites": (_listed(SITES), ODD_LISTS),
    "activities": (_listed(TEXT), ODD_LISTS),
    "protocol": (TEXT, ODD),
    "utc_offset_minutes": (
        st.none() | st.integers(-18 * 60, 18 * 60),
        st.one_of(st.integers(), st.floats(), TEXT),
    ),
}


def _block_columns(odd: bool) -> st.SearchStrategy[dict[str, Any]]:
    return _plain_or_odd(BLOCK_FIELDS, odd)


def _block_texts(columns: dict[str, Any]) -> tuple[str | None, str | None]:
    stored = tuple(columns[key] for key in BLOCKS.keys)
    text = block_text(tuple(columns[key] for key in BLOCK_TEXT_COLUMNS), BLOCKS.processor("levels"))
    return text, _long_way(lambda: block_to_json(block_from_row(BLOCKS.read(stored), ())))


@settings(max_examples=150, deadline=None)
@given(columns=_block_columns(odd=False))
def test_a_block_as_paintrack_stores_it_has_the_long_ways_text(columns: dict[str, Any]) -> None:
    text, long_way = _block_texts(columns)
    assert text is not None
    assert text == long_way


@settings(max_examples=500, deadline=None)
@given(columns=_block_columns(odd=True))
def test_a_block_with_any_stored_values_has_the_long_ways_text_or_none(
    columns: dict[str, Any],
) -> None:
    text, long_way = _block_texts(columns)
    if text is not None:
        assert text == long_way


@settings(max_examples=250, deadline=None)
@given(
    id_=st.one_of(TEXT, ODD),
    name=st.one_of(TEXT, ODD),
    birth_date=st.one_of(
        st.none(),
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(["19580314", "1958-02-30", "", "1958-03-14T00:00"]),
        ODD,
    ),
    mrn=st.one_of(st.none(), TEXT, ODD),
)
def test_a_patient_has_the_long_ways_text_or_none(
    id_: Any, name: Any, birth_date: Any, mrn: Any
) -> None:
    columns = {"id": id_, "name": name, "birth_date": birth_date, "mrn": mrn}
    stored = tuple(columns.get(key, "2026-01-01 00:00:00.000000") for key in PATIENTS.keys)
    text = patient_text(id_, name, birth_date, mrn)
    long_way = _long_way(lambda: patient_to_json(patient_from_row(PATIENTS.read(stored))))
    if text is not None:
        assert text == long_way
    if all(type(v) is str for v in (id_, name)) and birth_date is None and mrn is None:
        assert text is not None


def test_a_time_is_read_as_sqlalchemy_reads_it() -> None:
    moment = datetime(2026, 3, 2, 14, 30, 5, 120, tzinfo=UTC)
    assert time_text(_stored_time(moment)) == moment.isoformat()
    assert time_text(_stored_time(moment.replace(microsecond=0))) == "2026-03-02T14:30:05+00:00"
    assert time_text("2026-03-02 14:30:05+02:00") is None  # aware: the long way converts it
    assert time_text("2026-02-30 10:00:00.000000") is None
    assert time_text(b"2026-03-02") is None


def test_rows_the_store_wrote_have_the_long_ways_text(tmp_path: Path) -> None:
    """Every patient, block and entry row of a diary with every field set, amended, deleted and
    bilateral entries: each is vouched for, with the long way's text."""
    path = tmp_path / "diary.db"
    with open_store(str(path)) as store:
        result = store.import_diary(sample_diary(), source_name="test")
        diary = store.load_diary(result.patient_id)
        block = diary.blocks[-1]
        entries = block.entries
        store.amend_entry(
            entries[0].id,
            replace(
                entries[0],
                rescue_medication=True,
                rescue_medication_detail="oxycodone 5 mg",
                patient_relief_by_site={"left": 20, "right": 90.5},
            ),
            reason="as the patient wrote it",
        )
        store.delete_entry(entries[1].id, reason="duplicate")
        store.update_block(replace(block, utc_offset_minutes=-300), reason="zone")
    connection = sqlite3.connect(path)
    try:
        patients = connection.execute(PATIENTS.sql).fetchall()
        blocks = connection.execute(BLOCKS.sql).fetchall()
        entry_rows = connection.execute(ENTRIES.sql).fetchall()
    finally:
        connection.close()
    assert patients and len(blocks) == 2 and len(entry_rows) >= 5
    for stored in patients:
        pick = [stored[PATIENTS.at(key)] for key in ("id", "name", "birth_date", "mrn")]
        expected = _canonical_value(patient_to_json(patient_from_row(PATIENTS.read(stored))))
        assert patient_text(*pick) == expected
    for stored in blocks:
        text, long_way = _block_texts(dict(zip(BLOCKS.keys, stored, strict=True)))
        assert text is not None and text == long_way
    by_id: dict[str, list[tuple[Any, ...]]] = {}
    for stored in entry_rows:
        by_id.setdefault(stored[ENTRIES.at("id")], []).append(stored)
    detailed = 0
    for rows in by_id.values():
        text, long_way = _entry_texts(rows)
        assert text is not None and text == long_way
        detailed += '"patient_relief_by_site":{"left":20.0,"right":90.5}' in text
    assert detailed == 1

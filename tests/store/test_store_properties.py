"""Property tests: whatever valid entry the app can build comes back from the store unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from postgres_server import PostgresServer

from paintrack.clinical.model import Ability, Agent, Block, Entry, Patient, Region, Side, Source
from paintrack.store import Store, open_store

OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
MOMENTS = st.datetimes(
    # up to the recent past: the store refuses a score recorded in the future
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2025, 12, 1),
    timezones=OFFSETS,
)
ACTIVITIES = ("walking", "standing 10 minutes", "bücken ✓")


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    at = draw(MOMENTS)
    sites = draw(st.sampled_from([("left",), ("right",), ("left", "right")]))
    return Entry(
        at=at,
        # never before `at`: the store refuses that, as the diary file format does
        recorded_at=at + draw(st.timedeltas(timedelta(0), timedelta(days=30))),
        scores={site: draw(st.integers(0, 10)) for site in sites},
        patient_relief_percent=draw(
            st.none() | st.floats(0, 100, allow_nan=False, allow_infinity=False)
        ),
        activity=draw(st.none() | st.sampled_from(ACTIVITIES)),
        activity_ability=draw(st.none() | st.sampled_from(list(Ability))),
        rescue_medication=draw(st.booleans()),
        source=draw(st.sampled_from(list(Source))),
        note=draw(
            st.text(
                st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
            )
        ),
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """One database for every example (each gets its own block): migrating a fresh database per
    example would make this test slow. In memory, then on the real PostgreSQL server."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        target = server.new_database()
    else:
        target = "sqlite://"
    store = open_store(target)
    try:
        yield store
    finally:
        store.close()


@settings(max_examples=40, deadline=None)
@given(drawn=st.lists(entries(), min_size=1, max_size=6, unique_by=lambda e: e.at))
def test_any_valid_entries_round_trip_exactly(shared_store: Store, drawn: list[Entry]) -> None:
    store = shared_store
    patient = store.add_patient(Patient(name="Property Patient"))
    block = store.add_block(
        patient.id,
        Block(
            performed_at=datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
            region=Region.LUMBAR,
            side=Side.BILATERAL,
            agent=Agent.LIDOCAINE,
            sites=("left", "right"),
            activities=ACTIVITIES,
        ),
    )
    for entry in drawn:
        store.add_entry(block.id, entry)
    stored = store.get_block(block.id).entries
    assert list(stored) == sorted(drawn, key=lambda e: e.at)
    assert all(e.at.tzinfo is UTC and e.recorded_at.tzinfo is UTC for e in stored)

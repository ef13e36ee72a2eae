"""Finding a patient in SQL (issue 13 item 4): a fragment of the name or record number, ignoring
case and accents, at most a screenful with the count of the rest; on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from paintrack.clinical.model import Agent, Block, Patient, Region, Side
from paintrack.clinical.search_keys import search_key
from paintrack.store import Store, open_store
from paintrack.store.database import alembic_config

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _block(at: datetime) -> Block:
    return Block(
        performed_at=at,
        region=Region.LUMBAR,
        side=Side.RIGHT,
        agent=Agent.LIDOCAINE,
        levels=("L4 MB",),
        sequence=1,
    )


def test_search_key_folds_case_and_strips_accents() -> None:
    assert search_key("Émile ZOLA") == "emile zola"
    assert search_key(unicodedata.normalize("NFD", "Zoë")) == search_key("Zoë") == "zoe"
    assert search_key("Straße") == "strasse"
    assert search_key(None) is None


def test_a_fragment_of_the_name_ignoring_case_and_accents(any_store: Store) -> None:
    for name in ("Émile Zola", "Zoë Smith", "Anna Goldsmith", "Bob Marsh"):
        any_store.add_patient(Patient(name=name))
    assert [p.name for p in any_store.find_patients("smith")] == ["Anna Goldsmith", "Zoë Smith"]
    assert [p.name for p in any_store.find_patients("EMILE")] == ["Émile Zola"]
    assert [p.name for p in any_store.find_patients("zoe")] == ["Zoë Smith"]
    assert [p.name for p in any_store.find_patients("Zoë")] == ["Zoë Smith"]
    decomposed = unicodedata.normalize("NFD", "Zoë")
    assert [p.name for p in any_store.find_patients(decomposed)] == ["Zoë Smith"]
    assert any_store.find_patients("nobody") == []
    # LIKE's own wildcards are plain characters in a search
    assert any_store.find_patients("%") == []
    assert any_store.find_patients("_") == []


def test_record_number_and_id(any_store: Store) -> None:
    bob = any_store.add_patient(Patient(name="Bob Marsh", mrn="B-1"))
    odd = any_store.add_patient(
        Patient(name="Émile Zola", id="0000000b-1000-4000-8000-000000000000")
    )
    assert any_store.find_patients("b-1") == [bob]  # not the id that contains "b-1"
    assert any_store.find_patients(odd.id[:8]) == [odd]
    assert any_store.find_patients(odd.id.upper()) == [odd]


def test_at_most_the_limit_and_how_many_more(any_store: Store) -> None:
    for number in range(12):
        any_store.add_patient(Patient(name=f"Pat Smith {number:02d}", mrn=f"H-{number}"))
    any_store.add_patient(Patient(name="Ann Other"))
    found = any_store.find_patients("smith", limit=5)
    assert [p.name for p in found] == [f"Pat Smith {n:02d}" for n in range(5)]
    assert found.more == 7
    exactly = any_store.find_patients("smith", limit=12)
    assert len(exactly) == 12
    assert exactly.more == 0
    everyone = any_store.find_patients("", limit=10)
    assert len(everyone) == 10
    assert everyone.more == 3
    assert any_store.find_patients("smith").more == 0
    assert len(any_store.find_patients("smith")) == 12


def test_first_block_dates_of_the_patients_shown(any_store: Store) -> None:
    first = any_store.add_patient(Patient(name="First"))
    second = any_store.add_patient(Patient(name="Second"))
    nobody = any_store.add_patient(Patient(name="No Blocks"))
    any_store.add_block(first.id, _block(T0 + timedelta(days=20)))
    any_store.add_block(first.id, _block(T0))
    any_store.add_block(second.id, _block(T0 + timedelta(days=3)))
    assert any_store.first_block_dates([first.id, nobody.id]) == {first.id: T0}
    assert any_store.first_block_dates() == {first.id: T0, second.id: T0 + timedelta(days=3)}


def test_the_upgrade_fills_the_search_keys_of_patients_already_stored(db_target: str) -> None:
    """A diary from before migration 0005: its patients are found by a fragment afterwards."""
    from alembic import command

    with open_store(db_target) as store:
        store.add_patient(Patient(name="Seed Patient"))
    url = db_target if "://" in db_target else f"sqlite:///{db_target}"
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0003")
        with engine.begin() as connection:
            for number, name in enumerate(("Émile Zola", "José Núñez"), start=1):
                connection.execute(
                    text(
                        "INSERT INTO patients (id, name, mrn, created_at) "
                        "VALUES (:id, :name, :mrn, :at)"
                    ),
                    {
                        "id": f"{number:08d}-0000-4000-8000-000000000000",
                        "name": name,
                        "mrn": f"OLD-{number}",
                        "at": T0.replace(tzinfo=None),
                    },
                )
    finally:
        engine.dispose()
    with open_store(db_target) as store:
        assert [p.name for p in store.find_patients("nunez")] == ["José Núñez"]
        assert [p.name for p in store.find_patients("ZOLA")] == ["Émile Zola"]
        assert [p.name for p in store.find_patients("old-2")] == ["José Núñez"]
        assert [p.name for p in store.find_patients("seed")] == ["Seed Patient"]

"""`check_audit_trail` on SQLite, from the driver's own rows: the same queries as the Core pass
(store/trail_check.py), compiled once and run on the sqlite3 cursor under the session's
transaction, so SQLAlchemy's row and type machinery stays out of the 1.3 million rows of a
clinic's trail and diary. Profiled on a 10,000-patient database, that machinery (above all a
datetime made, marked UTC and written back as text for every time column) was half the time.

What is the same as the Core pass, and why:
- the chain: each audit row's time is hashed as its UTC ISO text, made from the stored text
  (stored_values.time_text); every other column is hashed as SQLite hands it back, which is what
  the Core row holds (their types have no result processor on SQLite). A row whose time is not
  in the stored form, and a row that breaks the chain, is made into the Core row (`read`: each
  column through its type's own result processor) and judged by the Core pass's own code;
- the comparison: each patient's, block's and entry's values are compared as their canonical
  text, made from the columns (store/stored_values.py); a row that text does not vouch for, or
  whose text does not match the trail, is made into Core rows and judged the long way, so every
  mismatch is named and described as before, in the same order.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Select, literal_column, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from paintrack.store.audit_chain import AuditCheck
from paintrack.store.convert import block_from_row, block_to_json, patient_from_row, patient_to_json
from paintrack.store.models import BlockRow, PatientRow
from paintrack.store.stored_values import (
    BLOCK_TEXT_COLUMNS,
    ENTRY_TEXT_COLUMNS,
    block_text,
    entry_text,
    patient_text,
)
from paintrack.store.trail_check import (
    BATCH,
    Comparison,
    TrailSummary,
    audit_query,
    by_entry,
    entries_query,
    entry_values,
)

Processor = Callable[[Any], Any]


class StoredQuery:
    """A Core select as SQLite runs it: its SQL compiled once for the session's dialect, its rows
    as the driver hands them back (`rows`), and `read` to make of one of them the Core row
    SQLAlchemy would have made (each column through its type's result processor)."""

    def __init__(self, query: Select[*tuple[Any, ...]], dialect: Dialect) -> None:
        compiled = query.compile(dialect=dialect)
        if compiled.params:
            raise ValueError("a stored query takes no parameters")
        self.sql = str(compiled)
        columns = list(query.selected_columns)
        self.keys: list[str] = [str(column.key) for column in columns]
        self.processors: list[Processor | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]
        self._row = namedtuple("_StoredRow", self.keys)  # type: ignore[misc]

    def at(self, key: str) -> int:
        """Where column `key` is in each row."""
        return self.keys.index(key)

    def processor(self, key: str) -> Processor:
        """Column `key`'s result processor (the identity when its type has none)."""
        found = self.processors[self.at(key)]
        return found if found is not None else _same

    def rows(self, driver: Any) -> Iterator[tuple[Any, ...]]:
        """The rows as sqlite3 hands them back, BATCH at a time (memory stays bounded)."""
        cursor = driver.cursor()
        try:
            cursor.execute(self.sql)
            while batch := cursor.fetchmany(BATCH):
                yield from batch
        finally:
            cursor.close()

    def read(self, stored: tuple[Any, ...]) -> Any:
        """The Core row of a stored row: each column as its type's result processor reads it,
        by position and by name."""
        return self._row(
            *(
                value if process is None else process(value)
                for process, value in zip(self.processors, stored, strict=True)
            )
        )


def _same(value: Any) -> Any:
    return value


# The long way for one row (Comparison.compare_text calls it only when the text does not match).
Read = Callable[[tuple[Any, ...]], Any]


def _patient_values(read: Read, stored: tuple[Any, ...]) -> dict[str, Any]:
    return patient_to_json(patient_from_row(read(stored)))


def _block_values(read: Read, stored: tuple[Any, ...]) -> dict[str, Any]:
    return block_to_json(block_from_row(read(stored), ()))


def _entry_values(read: Read, rows: Sequence[Any]) -> dict[str, Any]:
    return entry_values([read(row) for row in rows])


def check_stored_trail(session: Session) -> AuditCheck:
    """The trail's hash chain and the diary's comparison with it, on SQLite (see the module)."""
    connection = session.connection()  # begins the session's transaction: one snapshot
    dialect = connection.dialect
    driver = connection.connection.dbapi_connection
    trail = TrailSummary()
    audit = StoredQuery(audit_query(), dialect)
    for stored in audit.rows(driver):
        trail.add_stored(stored, audit.read)
    comparison = Comparison(trail)
    _compare_patients(comparison, driver, dialect)
    _compare_blocks(comparison, driver, dialect)
    _compare_entries(comparison, driver, dialect)
    mismatches = comparison.finish(session)
    return AuditCheck(records=trail.records, first_break=trail.first_break, mismatches=mismatches)


def _compare_patients(comparison: Comparison, driver: Any, dialect: Dialect) -> None:
    patients = StoredQuery(select(PatientRow.__table__), dialect)
    pick = itemgetter(*(patients.at(key) for key in ("id", "name", "birth_date", "mrn")))
    id_at = patients.at("id")
    for stored in patients.rows(driver):
        comparison.compare_text(
            "patient",
            stored[id_at],
            patient_text(*pick(stored)),
            partial(_patient_values, patients.read, stored),
        )


def _compare_blocks(comparison: Comparison, driver: Any, dialect: Dialect) -> None:
    blocks = StoredQuery(select(BlockRow.__table__), dialect)
    pick = itemgetter(*(blocks.at(key) for key in BLOCK_TEXT_COLUMNS))
    id_at = blocks.at("id")
    # The three JSON columns are of one type: one processor reads them all.
    json_value = blocks.processor("levels")
    for stored in blocks.rows(driver):
        comparison.compare_text(
            "block",
            stored[id_at],
            block_text(pick(stored), json_value),
            partial(_block_values, blocks.read, stored),
        )


def _sqlite_order(value: Any) -> tuple[int, Any]:
    """Where SQLite's ORDER BY puts a stored value: NULL first, then numbers, then text (by its
    UTF-8 bytes, which is the order of Python's str), then blobs."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, bytes(value))


def _has_rowid(driver: Any, table: str) -> bool:
    """Whether `table` has SQLite's rowid (a table made WITHOUT ROWID outside paintrack has
    none, and `ORDER BY rowid` would fail on it)."""
    found = driver.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return found is None or "WITHOUT ROWID" not in " ".join(str(found[0]).upper().split())


def _compare_entries(comparison: Comparison, driver: Any, dialect: Dialect) -> None:
    """The entries as `entries_query` has them, read in the table's own order (rowid: one pass
    down the table, each entry's scores beside it, instead of a walk down the id index that reads
    each row's page again), their problems then put in id order, as the Core pass finds them.

    An entry whose values cannot even be read the long way raises, as in the Core pass; read in
    rowid order, the one raised is that of the smallest id, the one the Core pass meets first."""
    query = entries_query()
    if _has_rowid(driver, "entries"):
        query = query.order_by(None).order_by(literal_column("entries.rowid"))
    entries = StoredQuery(query, dialect)
    pick = itemgetter(*(entries.at(key) for key in ENTRY_TEXT_COLUMNS))
    id_at, site_at, score_at = entries.at("id"), entries.at("site"), entries.at("score")
    score_entry_at = entries.at("score_entry")
    deleted, amended = entries.processor("deleted"), entries.processor("amended")
    deleted_at, amended_at = entries.at("deleted"), entries.at("amended")
    json_value = entries.processor("patient_relief_by_site")
    read = entries.read
    first_problem = len(comparison.problems)

    def compare(rows: Sequence[Any]) -> None:
        first = rows[0]
        entry_id = first[id_at]
        if deleted(first[deleted_at]):
            audit = comparison.compare("entry", entry_id, None)
        else:
            scores = {
                row[site_at]: row[score_at] for row in rows if row[score_entry_at] is not None
            }
            audit = comparison.compare_text(
                "entry",
                entry_id,
                entry_text(pick(first), scores, json_value),
                partial(_entry_values, read, rows),
            )
        comparison.amended_mark(entry_id, bool(amended(first[amended_at])), audit)

    failed: tuple[tuple[int, Any], Exception] | None = None  # the first, in id order, to raise
    for rows in by_entry(entries.rows(driver), id_at):
        try:
            compare(rows)
        except Exception as error:  # raised below: the one the Core pass would meet first
            where = _sqlite_order(rows[0][id_at])
            if failed is None or where < failed[0]:
                failed = (where, error)
    if failed is not None:
        raise failed[1]
    # Stable: an entry's own problems (differs, then its mark) keep their order. Every id is
    # text here: any other has already made the comparison raise.
    comparison.problems[first_problem:] = sorted(
        comparison.problems[first_problem:], key=attrgetter("object_id")
    )

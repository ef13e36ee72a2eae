"""Review's worklist and patient search at clinic scale (issues 13 and 14), each beside a
baseline measured in the same run.

- opening the worklist: the cached summaries read (`open_worklist`) and handed to the Qt model
  (sorted by date, the first page), against the bare SQL read of the same rows;
- sorting it: the model re-sorted by each column in turn, against Python's sort of as many
  integers;
- a keystroke in Review's patient search: the limited SQL search, first-block dates of the
  patients shown and the list refilled (a real ReviewMode), against SQL LIKE on name and MRN.

The clinic's data are from 2024-2025 (benchmarks/clinic_db.py), so the worklist's window is set
to end at the clinic's last block: "the last 30 days" of that clinic, and once "every patient"
(a window of 10,000 days) as the stress case. Summaries not yet cached are worked out once,
before anything is timed (on the full clinic that is the one-time cost reported separately).
Each case returns (measured seconds, baseline seconds). Run alone:
`QT_QPA_PLATFORM=offscreen python benchmarks/worklist_rows.py CLINIC.db`.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

Times = tuple[list[float], list[float]]


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def _window_days(clinic: Path, now: datetime, days: int) -> int:
    """The worklist window, in days back from `now`, that holds the clinic's last `days` days."""
    with sqlite3.connect(f"file:{clinic}?mode=ro", uri=True) as raw:
        (last,) = raw.execute("SELECT max(performed_at) FROM blocks").fetchone()
    latest = datetime.fromisoformat(str(last)).replace(tzinfo=UTC)
    return max(days, (now - latest).days + days)


@contextmanager
def _clinic(clinic: Path) -> Iterator[Any]:
    from paintrack.operations import worklist as worklist_ops
    from paintrack.store import open_store
    from paintrack.ui.app import ensure_application

    ensure_application()
    store = open_store(str(clinic))
    try:
        now = datetime.now(UTC)
        cold = worklist_ops.open_worklist(store, now, days=10_000)
        if cold.stale:
            start = time.perf_counter()
            worklist_ops.refresh_worklist(store, cold)
            print(
                f"  worked out {len(cold.stale):,} summaries once: "
                f"{time.perf_counter() - start:.1f} s",
                flush=True,
            )
        yield store, now
    finally:
        store.close()


def open_case(clinic: Path, repeat: int, *, every_patient: bool = False) -> Times:
    from paintrack.operations import worklist as worklist_ops
    from paintrack.ui.worklist import WorklistModel

    with _clinic(clinic) as (store, now):
        days = 10_000 if every_patient else _window_days(clinic, now, 30)
        since = f"{now - timedelta(days=days):%Y-%m-%d %H:%M:%S}"

        def measured() -> None:
            worklist = worklist_ops.open_worklist(store, now, days=days)
            model = WorklistModel()
            model.set_lines(worklist.lines)
            for column in range(model.columnCount()):  # the first screenful, as the view asks
                for row in range(min(40, model.rowCount())):
                    model.data(model.index(row, column))

        raw = sqlite3.connect(f"file:{clinic}?mode=ro", uri=True)

        def baseline() -> None:
            raw.execute(
                "SELECT w.patient_id, w.targets, p.name, p.birth_date, p.mrn "
                "FROM worklist_summaries w JOIN patients p ON p.id = w.patient_id "
                "WHERE w.last_block_at >= ? OR w.follow_up",
                (since,),
            ).fetchall()

        try:
            measured()  # warm: the first query pays for reading the pages from disk
            return _timed(measured, repeat), _timed(baseline, repeat)
        finally:
            raw.close()


def sort_case(clinic: Path, repeat: int) -> Times:
    from paintrack.operations import worklist as worklist_ops
    from paintrack.ui.worklist import WorklistModel

    with _clinic(clinic) as (store, now):
        days = _window_days(clinic, now, 30)
        worklist = worklist_ops.open_worklist(store, now, days=days)
        model = WorklistModel()
        model.set_lines(worklist.lines)
        columns = model.columnCount()
        turn = iter(range(10**9))
        numbers = list(range(len(worklist.lines)))[::-1]
        model.set_lines(worklist.lines)

        def measured() -> None:
            # From cold: new rows, so the column's sort keys are worked out again.
            model.set_lines(worklist.lines)
            model.sort(next(turn) % columns)

        def baseline() -> None:
            sorted(range(len(numbers)), key=numbers.__getitem__)

        return _timed(measured, repeat * columns), _timed(baseline, repeat * columns)


def search_case(clinic: Path, repeat: int) -> Times:
    from paintrack.ui.review import ReviewMode

    with _clinic(clinic) as (store, now):
        review = ReviewMode(store, now=lambda: now, quiet=True)
        review.resize(1200, 800)
        raw = sqlite3.connect(f"file:{clinic}?mode=ro", uri=True)
        typed = ["s", "sm", "smi", "smit", "smith", "smithe", "h-00", "h-000", "h-0001"]
        turn = iter(range(10**9))

        def measured() -> None:
            review.search.setText(typed[next(turn) % len(typed)])
            review.flush_search()

        def baseline() -> None:
            raw.execute(
                "SELECT id, name, birth_date, mrn FROM patients WHERE name LIKE '%smith%' "
                "OR mrn LIKE '%smith%'"
            ).fetchall()

        try:
            return _timed(measured, repeat * 3), _timed(baseline, repeat * 3)
        finally:
            raw.close()
            review.deleteLater()


def main(argv: list[str]) -> int:
    clinic = Path(argv[0])
    for name, case in (
        ("worklist opens", lambda: open_case(clinic, 5)),
        ("worklist opens, every patient", lambda: open_case(clinic, 3, every_patient=True)),
        ("worklist sorts", lambda: sort_case(clinic, 3)),
        ("search keystroke", lambda: search_case(clinic, 5)),
    ):
        measured, baseline = case()
        print(
            f"{name}: {statistics.median(measured) * 1000:.1f} ms "
            f"(baseline {statistics.median(baseline) * 1000:.1f} ms)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

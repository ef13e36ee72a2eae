"""Store rows of the benchmark table: a save, an import, a verify, each beside a baseline.

Each case returns (measured_seconds_list, baseline_seconds_list); benchmarks/run.py takes their
medians. Run alone, `python benchmarks/store_rows.py [--audit-rows N]`, it prints the medians
and verify's peak RSS (the verify runs in a child process, so its peak is its own).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"

Times = tuple[list[float], list[float]]


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def _raw_sqlite(path: Path) -> sqlite3.Connection:
    """sqlite3 with the store's pragmas (database.py): WAL, synchronous=FULL, foreign keys."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS e (id INTEGER PRIMARY KEY, body TEXT)")
    return connection


def long_diary(entries_per_block: int = 2000, tag: str = "") -> Any:
    """The demo diary with `entries_per_block` more entries per block (4,001 in all at 2,000);
    `tag` makes every id new, so a database can hold many copies."""
    from paintrack.exchange.diary_json import read_diary_file

    diary = read_diary_file(DEMO)

    def fresh(identifier: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, tag + identifier)) if tag else identifier

    blocks = []
    for block in diary.blocks:
        template = block.entries[-1]
        extra = tuple(
            replace(
                template,
                id=fresh(f"{block.id[:-12]}{i:012d}"),
                at=block.performed_at + timedelta(days=3, minutes=i),
                recorded_at=block.performed_at + timedelta(days=3, minutes=i),
            )
            for i in range(entries_per_block)
        )
        entries = tuple(replace(e, id=fresh(e.id)) for e in block.entries) + extra
        blocks.append(replace(block, id=fresh(block.id), entries=entries))
    patient = replace(diary.patient, id=fresh(diary.patient.id))
    return replace(diary, patient=patient, blocks=tuple(blocks))


def add_entry_case(repeat: int = 25) -> Times:
    """Store.add_entry (durable, committed) against a raw sqlite3 INSERT + COMMIT."""
    from paintrack.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        diary = long_diary(0)
        store = open_store(str(Path(tmp) / "store.db"))
        store.import_diary(diary, source_name="bench")
        block = diary.blocks[-1]
        template = block.entries[-1]
        counter = iter(range(10**6))

        def save() -> None:
            i = next(counter)
            at = block.performed_at + timedelta(days=5, minutes=i)
            store.add_entry(
                block.id,
                replace(template, id=f"{block.id[:-12]}{i:012d}", at=at, recorded_at=at),
            )

        save()  # warm-up
        measured = _timed(save, repeat)
        store.close()
        raw = _raw_sqlite(Path(tmp) / "raw.db")
        body = json.dumps({"at": template.at.isoformat(), "scores": dict(template.scores)})

        def insert() -> None:
            raw.execute("BEGIN")
            raw.execute("INSERT INTO e (body) VALUES (?)", (body,))
            raw.execute("COMMIT")

        insert()
        baseline = _timed(insert, repeat)
        raw.close()
    return measured, baseline


def import_case(repeat: int = 5) -> Times:
    """Importing the 4,001-entry diary into a new, empty database against raw sqlite3
    executemany of as many entry rows and score rows, one transaction, the same pragmas.

    Only the import is timed, on both sides: the store is opened (its schema created) and the
    raw side's table created before the clock starts, and both are closed after it stops. The
    row is "import of 4,001 entries", not "create a database": opening a new store runs the
    migrations, which took most of what this row used to time. What is timed of the import is
    all of it: the checks, the rows, the audit rows and their hash chain, and the commit (one
    transaction, fsync'd)."""
    from paintrack.store import open_store

    diary = long_diary(2000)
    entries = [e for b in diary.blocks for e in b.entries]
    entry_rows = [(json.dumps({"at": e.at.isoformat(), "id": e.id}),) for e in entries]
    score_rows = [(f"{e.id}:{site}:{score}",) for e in entries for site, score in e.scores.items()]
    counter = iter(range(10**6))
    with tempfile.TemporaryDirectory() as tmp:

        def raw() -> float:
            connection = _raw_sqlite(Path(tmp) / f"raw{next(counter)}.db")
            start = time.perf_counter()
            connection.execute("BEGIN")
            connection.executemany("INSERT INTO e (body) VALUES (?)", entry_rows)
            connection.executemany("INSERT INTO e (body) VALUES (?)", score_rows)
            connection.execute("COMMIT")
            seconds = time.perf_counter() - start
            connection.close()
            return seconds

        def real() -> float:
            store = open_store(str(Path(tmp) / f"store{next(counter)}.db"))
            start = time.perf_counter()
            store.import_diary(diary, source_name="bench")
            seconds = time.perf_counter() - start
            store.close()
            return seconds

        real()  # warm-up (imports, first open)
        baseline = [raw() for _ in range(repeat)]
        measured = [real() for _ in range(repeat)]
    return measured, baseline


def build_audit_database(path: Path, copies: int) -> int:
    """A database holding `copies` imports of the 4,001-entry diary, each with new ids: about
    4,000 audit rows a copy. Returns the number of audit rows."""
    from paintrack.store import open_store

    store = open_store(str(path))
    for copy in range(copies):
        store.import_diary(long_diary(2000, tag=f"{copy:06x}"), source_name="bench")
    store.close()
    connection = sqlite3.connect(path)
    (count,) = connection.execute("SELECT count(*) FROM audit").fetchone()
    connection.close()
    return int(count)


def verify_case(repeat: int = 3, copies: int = 10, path: Path | None = None) -> Times:
    """`paintrack verify` (a child process) on a database of many audit rows against reading
    every audit row with raw sqlite3."""
    with tempfile.TemporaryDirectory() as tmp:
        db = path or Path(tmp) / "audit.db"
        if not db.exists():
            build_audit_database(db, copies)
        argv = [sys.executable, "-m", "paintrack", "verify", "--db", str(db)]

        def verify() -> None:
            subprocess.run(argv, check=True, capture_output=True)

        def raw() -> None:
            connection = sqlite3.connect(db)
            for _ in connection.execute("SELECT * FROM audit ORDER BY seq"):
                pass
            connection.close()

        measured = _timed(verify, repeat)
        baseline = _timed(raw, repeat)
    return measured, baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=10, help="diaries in verify's database")
    parser.add_argument("--db", type=Path, help="verify this database (built if missing)")
    parser.add_argument("--only", choices=("add_entry", "import", "verify"))
    args = parser.parse_args()
    cases: dict[str, Callable[[], Times]] = {
        "add_entry": add_entry_case,
        "import": import_case,
        "verify": lambda: verify_case(copies=args.copies, path=args.db),
    }
    for name, case in cases.items():
        if args.only and name != args.only:
            continue
        measured, baseline = case()
        m, b = statistics.median(measured), statistics.median(baseline)
        print(f"{name}: median {m * 1000:.1f} ms, baseline {b * 1000:.1f} ms, ratio {m / b:.1f}")
        if name == "verify":
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"verify: peak RSS of a verify child {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

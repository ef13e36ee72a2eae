"""Build a clinic-scale paintrack database through the product's own import path.

The full size is issue 13's clinic: 10,000 patients, 4 blocks each (40,000), 15 entries per
block (600,000), written by the product's import (`Store.import_diary`, one transaction per
patient, audited and hash-chained like any import), the diaries built 200 at a time so memory
stays flat.
Seeded, so every build holds the same names, times and scores. About 1 in 30 patients is a
Smith (or a Smithers, a Goldsmith), so `find_patients('smith')` finds more than one screenful.

    python benchmarks/clinic_db.py clinic.db            # the full clinic (a few minutes)
    python benchmarks/clinic_db.py --quick small.db     # 300 patients, for CI
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side, Source

FULL = {"patients": 10_000, "blocks_per_patient": 4, "entries_per_block": 15}
QUICK = {"patients": 300, "blocks_per_patient": 4, "entries_per_block": 15}
BATCH = 200  # diaries built at a time

FIRST = [
    "Ann",
    "Bob",
    "Carla",
    "Dev",
    "Emma",
    "Femi",
    "Grace",
    "Hugo",
    "Ines",
    "Jon",
    "Kira",
    "Leo",
    "Maya",
    "Nils",
    "Olga",
    "Pat",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vic",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
    "Émile",
    "Åsa",
    "Jürgen",
    "Siobhán",
]
LAST = [
    "Lee",
    "Marsh",
    "Jones",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Hughes",
    "Turner",
    "Young",
    "Novak",
    "Müller",
    "Øster",
    "Zola",
    "Leeds",
    "Okafor",
    "Patel",
    "Nguyen",
    "Kowalski",
    "Rossi",
]
SMITHS = ("Smith", "Smithers", "Goldsmith")
# Minutes after the block of the standard protocol's points, and one score from before it.
POINTS = (-10, 15, 30, 45, 60, 90, 120, 180, 240, 300, 360, 420, 480, 720, 1440)


@dataclass(frozen=True)
class Built:
    path: Path
    patients: int
    blocks: int
    entries: int
    seconds: float
    size_bytes: int
    bytes_by_table: dict[str, int]

    def summary(self) -> dict[str, object]:
        total = sum(self.bytes_by_table.values()) or 1
        return {
            "patients": self.patients,
            "blocks": self.blocks,
            "entries": self.entries,
            "seconds": round(self.seconds, 1),
            "size_mb": round(self.size_bytes / 1e6, 1),
            "share_by_table": {
                table: round(size / total, 3)
                for table, size in sorted(self.bytes_by_table.items(), key=lambda kv: -kv[1])
            },
        }


def _diary(rng: random.Random, number: int, blocks: int, entries: int) -> Diary:
    last = rng.choice(SMITHS) if rng.random() < 1 / 30 else rng.choice(LAST)
    patient = Patient(
        name=f"{rng.choice(FIRST)} {last}",
        birth_date=date(1935 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28)),
        mrn=f"H-{number:06d}",
        id=f"{number:08x}-0000-4000-8000-{rng.getrandbits(48):012x}",
    )
    first = datetime(2024, 1, 8, 8, 0, tzinfo=UTC) + timedelta(days=rng.randrange(600))
    made: list[Block] = []
    for sequence in range(1, blocks + 1):
        performed = first + timedelta(days=14 * (sequence - 1), minutes=rng.randrange(480))
        baseline = rng.randint(5, 9)
        agent = Agent.LIDOCAINE if sequence % 2 else Agent.BUPIVACAINE
        rows = []
        for point in POINTS[:entries]:
            at = performed + timedelta(minutes=point)
            relief = max(0, min(10, baseline - rng.randint(0, 6))) if point > 0 else baseline
            rows.append(
                Entry(
                    at=at,
                    recorded_at=at + timedelta(minutes=rng.randrange(4)),
                    scores={"index": relief},
                    source=Source.APP if rng.random() < 0.9 else Source.PAPER,
                    note="" if rng.random() < 0.9 else "walked to the shop",
                )
            )
        made.append(
            Block(
                performed_at=performed,
                region=Region.LUMBAR,
                side=rng.choice((Side.LEFT, Side.RIGHT, Side.BILATERAL)),
                agent=agent,
                levels=("L3 MB", "L4 MB"),
                volume_ml=0.5,
                sequence=sequence,
                entries=tuple(rows),
            )
        )
    return Diary(patient=patient, blocks=tuple(made))


def diaries(patients: int, blocks: int, entries: int, *, seed: int = 13) -> Iterator[Diary]:
    rng = random.Random(seed)
    for number in range(1, patients + 1):
        yield _diary(rng, number, blocks, entries)


def _bytes_by_table(path: Path) -> dict[str, int]:
    """Bytes per table, its indexes counted with it (SQLite's dbstat, when compiled in)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            rows = connection.execute(
                "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d "
                "LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1"
            ).fetchall()
        except sqlite3.OperationalError:
            rows = []
    connection.close()
    return {str(name): int(size) for name, size in rows}


def build(
    path: Path,
    *,
    patients: int,
    blocks_per_patient: int,
    entries_per_block: int,
    progress: Callable[[str], None] | None = None,
) -> Built:
    """Create a new database at `path` (which must not exist) and import the clinic into it."""
    from paintrack.store import open_store

    if path.exists():
        raise SystemExit(f"{path} exists already; give a new file name.")
    start = time.perf_counter()
    done = 0
    with open_store(str(path)) as store:
        source = diaries(patients, blocks_per_patient, entries_per_block)
        while done < patients:
            batch = [next(source) for _ in range(min(BATCH, patients - done))]
            # Each diary is its own import: one transaction, audited and hash-chained, as
            # `paintrack import` makes it (the diaries are built a batch at a time).
            for diary in batch:
                store.import_diary(diary, source_name="clinic-generator.json")
            done += len(batch)
            if progress is not None and (done % 1000 == 0 or done == patients):
                progress(f"  {done:,} patients imported, {time.perf_counter() - start:.0f} s")
    seconds = time.perf_counter() - start
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return Built(
        path=path,
        patients=patients,
        blocks=patients * blocks_per_patient,
        entries=patients * blocks_per_patient * entries_per_block,
        seconds=seconds,
        size_bytes=path.stat().st_size,
        bytes_by_table=_bytes_by_table(path),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the new database file")
    parser.add_argument("--quick", action="store_true", help="a small clinic (300 patients)")
    parser.add_argument("--patients", type=int, help="override the number of patients")
    args = parser.parse_args(argv)
    shape = dict(QUICK if args.quick else FULL)
    if args.patients:
        shape["patients"] = args.patients
    built = build(args.path, **shape, progress=lambda line: print(line, file=sys.stderr))
    print(json.dumps(built.summary(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""paintrack benchmarks: each measurement runs beside a baseline in the same run.

The machine is shared and noisy, so absolute times mean little; the ratio to a baseline that
does the unavoidable part of the same work (start Qt, read the JSON, write rows with sqlite3)
is what to compare across changes. Run: `make bench` (or `python benchmarks/run.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
PY = sys.executable


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(argv, check=True, capture_output=True, env=env)


def _row(name: str, measured: float, baseline_name: str, baseline: float) -> dict[str, object]:
    return {
        "benchmark": name,
        "median_s": round(measured, 4),
        "baseline": baseline_name,
        "baseline_median_s": round(baseline, 4),
        "ratio": round(measured / baseline, 2) if baseline else None,
    }


def bench_startup(repeat: int, tmp: Path) -> dict[str, object]:
    """Window to first paint (`--smoke-test`) against a bare QMainWindow shown and painted."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    db = tmp / "startup.db"
    _run([PY, "-m", "paintrack", "--db", str(db), "import", str(DEMO)], env)
    bare = (
        "from PySide6.QtWidgets import QApplication, QMainWindow\n"
        "from PySide6.QtCore import QTimer\n"
        "app = QApplication([]); w = QMainWindow(); w.resize(1100, 760); w.show()\n"
        "QTimer.singleShot(0, app.quit); app.exec()\n"
    )
    baseline = _median_seconds(lambda: _run([PY, "-c", bare], env), repeat)
    measured = _median_seconds(
        lambda: _run([PY, "-m", "paintrack", "--db", str(db), "--smoke-test"], env), repeat
    )
    return _row(
        "start-up to first paint (paintrack --smoke-test)",
        measured,
        "bare QMainWindow shown",
        baseline,
    )


def bench_analyze_cli(repeat: int) -> dict[str, object]:
    """`paintrack analyze FILE --json` against a Python that only reads the same JSON."""
    baseline = _median_seconds(
        lambda: _run([PY, "-c", f"import json; json.load(open({str(DEMO)!r}))"]), repeat
    )
    measured = _median_seconds(
        lambda: _run([PY, "-m", "paintrack", "analyze", str(DEMO), "--json"]), repeat
    )
    return _row(
        "paintrack analyze demo --json (whole process)",
        measured,
        "python reading the JSON",
        baseline,
    )


def _long_diary(entries_per_block: int):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from paintrack.exchange.diary_json import read_diary_file

    diary = read_diary_file(DEMO)
    blocks = []
    for block in diary.blocks:
        template = block.entries[-1]
        extra = tuple(
            replace(
                template,
                id=f"{block.id[:-12]}{i:012d}",
                at=block.performed_at + timedelta(days=3, minutes=i),
                recorded_at=block.performed_at + timedelta(days=3, minutes=i),
            )
            for i in range(entries_per_block)
        )
        blocks.append(replace(block, entries=block.entries + extra))
    return replace(diary, blocks=tuple(blocks))


def bench_analysis(repeat: int) -> dict[str, object]:
    """analyze_diary on 2 blocks x 5,000 entries against sorting and walking the same entries."""
    from datetime import UTC, datetime

    from paintrack.clinical.analysis import analyze_diary
    from paintrack.clinical.settings import ClinicSettings

    diary = _long_diary(5000)
    now = datetime.now(UTC)

    def walk() -> None:
        for block in diary.blocks:
            ordered = sorted(block.entries, key=lambda e: e.at)
            sum(e.scores.get("index", 0) for e in ordered)

    baseline = _median_seconds(walk, repeat)
    measured = _median_seconds(lambda: analyze_diary(diary, ClinicSettings(), now=now), repeat)
    return _row(
        "analyze_diary, 2 blocks x 5,000 entries",
        measured,
        "sort + one pass over the entries",
        baseline,
    )


def bench_import(repeat: int, tmp: Path) -> dict[str, object]:
    """Importing 2 x 2,000 entries into a fresh database against raw sqlite3 inserts of as many
    rows with the same durability (WAL, synchronous=FULL, one transaction)."""
    from paintrack.exchange.diary_json import diary_to_dict
    from paintrack.store import open_store

    diary = _long_diary(2000)
    count = sum(len(b.entries) for b in diary.blocks)
    rows = [(json.dumps(diary_to_dict(diary)["blocks"][0]["entries"][0]),)] * count
    counter = iter(range(10**6))

    def raw() -> None:
        con = sqlite3.connect(tmp / f"raw{next(counter)}.db")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, body TEXT)")
        with con:
            con.executemany("INSERT INTO e (body) VALUES (?)", rows)
        con.close()

    def real() -> None:
        store = open_store(str(tmp / f"store{next(counter)}.db"))
        store.import_diary(diary, source_name="bench")
        store.close()

    baseline = _median_seconds(raw, repeat)
    measured = _median_seconds(real, repeat)
    return _row(
        f"import {count} entries into a new database",
        measured,
        "raw sqlite3 executemany of as many rows",
        baseline,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["PAINTRACK_DB"] = str(tmp / "default.db")
        results = [
            bench_startup(args.repeat, tmp),
            bench_analyze_cli(args.repeat),
            bench_analysis(args.repeat),
            bench_import(args.repeat, tmp),
        ]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for row in results:
            print(
                f"{row['benchmark']}: {row['median_s']} s median; "
                f"{row['baseline']}: {row['baseline_median_s']} s; ratio {row['ratio']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

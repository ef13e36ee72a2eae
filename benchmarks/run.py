"""paintrack benchmarks: each measurement runs beside a baseline in the same run.

The machine is shared and noisy, so absolute times mean little on their own: every row is the
median of several runs, measured alternately with a baseline that does the unavoidable part of
the same work (start Qt, write the same rows with sqlite3, ...), in two rounds. The ratio to
the baseline is what to compare across changes. Run: `make bench` (or `python
benchmarks/run.py`); `--quick` (CI) uses few repetitions and a small clinic database.

Adding a row: write a function taking a `Context` and returning a `Case`, decorate it with
`@row("key", title=..., target=...)`, and `make bench` runs it. A measurement that repeats
itself (the window's rows in ui_rows.py) hands its lists over through `_measured_elsewhere`.
Results go to benchmarks/results.json; a row that fails to run makes the exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
PY = sys.executable
RESULTS = ROOT / "benchmarks" / "results.json"

Sample = Callable[[], float]
"""One run of a measurement: does the work and returns the seconds that count."""


def timed(action: Callable[[], object]) -> Sample:
    """A Sample timing the whole of `action`."""

    def sample() -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    return sample


@dataclass
class Target:
    """What the row must reach: a ratio to its baseline and/or an absolute median (seconds),
    and a peak memory (MB) for rows that measure one."""

    ratio: float | None = None
    seconds: float | None = None
    peak_mb: float | None = None

    def describe(self) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"<= {self.ratio:g}x")
        if self.seconds is not None:
            parts.append(f"<= {_fmt(self.seconds)}")
        if self.peak_mb is not None:
            parts.append(f"<= {self.peak_mb:g} MB")
        return ", ".join(parts) or "-"


@dataclass
class Case:
    """What a row function hands the runner."""

    measured: Sample
    baseline: Sample | None = None
    baseline_name: str = "-"
    repeat: int | None = None  # runs per round, when the row needs fewer than the default
    # Filled by samples that measure more than time (e.g. peak RSS): name -> values.
    extra: dict[str, list[float]] = field(default_factory=dict)
    cleanup: Callable[[], None] | None = None
    title: str | None = None  # when the row's size depends on --quick
    # A measurement that runs its own repetitions (and its baseline's, alternately): given the
    # runs per round it returns (measured seconds, baseline seconds) for one round.
    rounds: Callable[[int], tuple[list[float], list[float]]] | None = None


@dataclass
class Context:
    quick: bool
    repeat: int
    tmp: Path
    clinic: Path | None = None  # a prebuilt clinic database (--clinic-db)
    _clinic_built: Path | None = None

    def clinic_db(self) -> Path:
        """The clinic database: --clinic-db, else built once per run (small with --quick)."""
        if self.clinic is not None:
            return self.clinic
        if self._clinic_built is None:
            import clinic_db

            path = self.tmp / "clinic.db"
            shape = clinic_db.QUICK if self.quick else clinic_db.FULL
            print(f"building the clinic database ({shape['patients']:,} patients)...", flush=True)
            clinic_db.build(path, **shape, progress=lambda line: print(line, flush=True))
            self._clinic_built = path
        return self._clinic_built

    def fresh_path(self, stem: str) -> Path:
        for number in range(10**6):
            path = self.tmp / f"{stem}-{number}.db"
            if not path.exists():
                return path
        raise RuntimeError("no free file name")


@dataclass
class Registered:
    key: str
    title: str
    target: Target
    make: Callable[[Context], Case]


REGISTRY: dict[str, Registered] = {}


def row(key: str, *, title: str, target: Target | None = None) -> Callable[..., Any]:
    """Register a benchmark row (see the module docstring)."""

    def register(make: Callable[[Context], Case]) -> Callable[[Context], Case]:
        REGISTRY[key] = Registered(key, title, target or Target(), make)
        return make

    return register


# ---------------------------------------------------------------------------------------------
# Helpers


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, env=env or _env(), check=False)
    if done.returncode != 0:
        tail = (done.stderr or b"").decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"exit {done.returncode}: {' | '.join(tail)}")


def _run_with_peak(argv: list[str], peaks: list[float]) -> float:
    """Run a process; its wall time, and its peak RSS (MB, from wait4) appended to `peaks`."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"exit {process.returncode}: {stderr.strip()[-200:]}")
    peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return seconds


def _paintrack(*args: str) -> list[str]:
    return [PY, "-m", "paintrack", *args]


def _raw_connection(path: Path) -> sqlite3.Connection:
    """sqlite3 with the store's pragmas (database.py: busy timeout, WAL, foreign keys,
    synchronous=FULL), transactions issued by hand."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "foreign_keys = ON"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def _long_diary(entries_per_block: int):  # type: ignore[no-untyped-def]
    from dataclasses import replace as change

    from paintrack.exchange.diary_json import read_diary_file

    diary = read_diary_file(DEMO)
    blocks = []
    for block in diary.blocks:
        template = block.entries[-1]
        extra = tuple(
            change(
                template,
                id=f"{block.id[:-12]}{i:012d}",
                at=block.performed_at + timedelta(days=3, minutes=i),
                recorded_at=block.performed_at + timedelta(days=3, minutes=i),
            )
            for i in range(entries_per_block)
        )
        blocks.append(change(block, entries=block.entries + extra))
    return change(diary, blocks=tuple(blocks))


def _diary_of(entries: int):  # type: ignore[no-untyped-def]
    """The demo diary grown to exactly `entries` entries (issue 13: 4,001)."""
    from dataclasses import replace as change

    from paintrack.exchange.diary_json import read_diary_file

    demo = sum(len(b.entries) for b in read_diary_file(DEMO).blocks)
    per_block, left = divmod(max(entries - demo, 0), 2)
    diary = _long_diary(per_block)
    if left:
        block = diary.blocks[0]
        template = block.entries[-1]
        at = block.performed_at + timedelta(days=3, minutes=per_block + 1)
        one = change(template, id=f"{block.id[:-12]}{999999999999:012d}", at=at, recorded_at=at)
        first = change(block, entries=(*block.entries, one))
        diary = change(diary, blocks=(first, *diary.blocks[1:]))
    return diary


# ---------------------------------------------------------------------------------------------
# Rows


def _demo_database(ctx: Context, stem: str) -> Path:
    db = ctx.fresh_path(stem)
    _run(_paintrack("--db", str(db), "import", str(DEMO)))
    return db


_BARE_WINDOW = (
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "from PySide6.QtCore import QTimer\n"
    "app = QApplication([]); w = QMainWindow(); w.resize(1100, 760); w.show()\n"
    "QTimer.singleShot(0, app.quit); app.exec()\n"
)


@row(
    "smoke-test",
    title="`--smoke-test`, whole process, demo diary",
    target=Target(ratio=1.5),
)
def bench_startup(ctx: Context) -> Case:
    """Window to first paint (`--smoke-test`) against a bare QMainWindow shown and painted."""
    db = _demo_database(ctx, "startup")
    return Case(
        measured=timed(lambda: _run(_paintrack("--db", str(db), "--smoke-test"))),
        baseline=timed(lambda: _run([PY, "-c", _BARE_WINDOW])),
        baseline_name="bare QMainWindow to first paint",
    )


@row(
    "first-paint",
    title="window on screen: launch to first paint, demo diary",
    target=Target(ratio=1.5),
)
def bench_first_paint(ctx: Context) -> Case:
    """From launching `paintrack --smoke-test` to the window's first paint (the moment run_app
    notes in PAINTRACK_TIMES_FILE; the diary opens after it), against a bare QMainWindow's
    launch to first paint measured the same way."""
    db = _demo_database(ctx, "first-paint")
    times = ctx.tmp / "times"
    bare = (
        "import time, os\n"
        "from PySide6.QtWidgets import QApplication, QMainWindow\n"
        "from PySide6.QtCore import QEvent, QObject, QTimer\n"
        "class F(QObject):\n"
        "    def eventFilter(self, w, e):\n"
        "        if e.type() == QEvent.Type.Paint:\n"
        "            open(os.environ['PAINTRACK_TIMES_FILE'], 'a').write(\n"
        "                f'first_paint {time.time():.6f}\\n')\n"
        "            QTimer.singleShot(0, app.quit)\n"
        "        return False\n"
        "app = QApplication([]); w = QMainWindow(); f = F(); w.installEventFilter(f)\n"
        "w.resize(1100, 760); w.show(); app.exec()\n"
    )

    def to_first_paint(argv: list[str]) -> float:
        times.unlink(missing_ok=True)
        start = time.time()
        _run(argv, {**_env(), "PAINTRACK_TIMES_FILE": str(times)})
        first = next(line for line in times.read_text().splitlines() if "first_paint" in line)
        return float(first.split()[1]) - start

    return Case(
        measured=lambda: to_first_paint(_paintrack("--db", str(db), "--smoke-test")),
        baseline=lambda: to_first_paint([PY, "-c", bare]),
        baseline_name="bare QMainWindow, launch to first paint",
    )


@row(
    "smoke-test-clinic",
    title="`--smoke-test` on the clinic database",
    target=Target(ratio=2.0),
)
def bench_startup_clinic(ctx: Context) -> Case:
    clinic = ctx.clinic_db()
    return Case(
        measured=timed(lambda: _run(_paintrack("--db", str(clinic), "--smoke-test"))),
        baseline=timed(lambda: _run([PY, "-c", _BARE_WINDOW])),
        baseline_name="bare QMainWindow to first paint",
        repeat=min(ctx.repeat, 3),
    )


@row("version", title="`paintrack --version`", target=Target(ratio=1.5))
def bench_version(ctx: Context) -> Case:
    return Case(
        measured=timed(lambda: _run(_paintrack("--version"))),
        baseline=timed(lambda: _run([PY, "-c", "pass"])),
        baseline_name="python -c pass",
    )


@row(
    "add-entry",
    title="`Store.add_entry`, durable",
    target=Target(ratio=2.0, seconds=0.005),
)
def bench_add_entry(ctx: Context) -> Case:
    """One saved score (committed, synchronous=FULL) against raw sqlite3 writing the same rows
    (the entry, its score, its audit row with a precomputed hash) in one BEGIN IMMEDIATE ...
    COMMIT on a copy of the same database, same pragmas."""
    from paintrack.clinical.model import new_id
    from paintrack.exchange.diary_json import read_diary_file
    from paintrack.store import open_store

    diary = read_diary_file(DEMO)
    store_path = ctx.fresh_path("add-entry")
    store = open_store(str(store_path))
    store.import_diary(diary, source_name="bench")
    raw_path = ctx.fresh_path("add-entry-raw")
    store.close()
    shutil.copy(store_path, raw_path)
    store = open_store(str(store_path))
    block = diary.blocks[0]
    template = block.entries[-1]
    moments = iter(range(1, 10**7))

    def save() -> float:
        at = block.performed_at + timedelta(days=2, seconds=next(moments))
        entry = replace(template, id=new_id(), at=at, recorded_at=at)
        start = time.perf_counter()
        store.add_entry(block.id, entry)
        return time.perf_counter() - start

    raw = _raw_connection(raw_path)
    audit_json = json.dumps({"block_id": block.id, "note": "", "scores": {"index": 4}})
    seqs = iter(range(10**6, 10**7))

    def raw_save() -> float:
        entry_id = new_id()
        at = (block.performed_at + timedelta(days=2, seconds=next(moments))).replace(tzinfo=None)
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO entries (id, block_id, at, recorded_at, rescue_medication, source, "
            "note, amended, deleted) VALUES (?, ?, ?, ?, 0, 'app', '', 0, 0)",
            (entry_id, block.id, str(at), str(at)),
        )
        raw.execute(
            "INSERT INTO entry_scores (entry_id, site, score) VALUES (?, 'index', 4)", (entry_id,)
        )
        raw.execute(
            "INSERT INTO audit (id, seq, at, actor, action, object_type, object_id, patient_id, "
            "new, prev_hash, hash) VALUES (?, ?, ?, 'bench', 'add_entry', 'entry', ?, ?, ?, ?, ?)",
            (new_id(), next(seqs), str(at), entry_id, diary.patient.id, audit_json, "0" * 64, "f"),
        )
        raw.execute("COMMIT")
        return time.perf_counter() - start

    def cleanup() -> None:
        store.close()
        raw.close()

    return Case(
        measured=save,
        baseline=raw_save,
        baseline_name="raw sqlite3: the same 3 INSERTs + COMMIT, same pragmas",
        repeat=max(ctx.repeat * 4, 12),
        cleanup=cleanup,
    )


@row("import", title="import of 4,001 entries", target=Target(ratio=5.0))
def bench_import(ctx: Context) -> Case:
    """`Store.import_diary` of 4,001 entries into a new database, against raw sqlite3
    executemany of as many entries and scores into a new copy of the same empty schema, one
    transaction, same pragmas."""
    from paintrack.store import open_store

    count = 1001 if ctx.quick else 4001
    diary = _diary_of(count)
    empty = ctx.fresh_path("import-empty")
    open_store(str(empty)).close()
    block_id = diary.blocks[0].id
    entry_rows = [
        (f"{i:036d}", block_id, "2026-01-01 00:00:00.000000", "2026-01-01 00:00:00.000000")
        for i in range(count)
    ]
    score_rows = [(f"{i:036d}",) for i in range(count)]

    def raw() -> float:
        path = ctx.fresh_path("import-raw")
        shutil.copy(empty, path)
        connection = _raw_connection(path)
        connection.execute("PRAGMA foreign_keys = OFF")  # the raw rows' block is not stored
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO entries (id, block_id, at, recorded_at, rescue_medication, source, "
            "note, amended, deleted) VALUES (?, ?, ?, ?, 0, 'app', '', 0, 0)",
            entry_rows,
        )
        connection.executemany(
            "INSERT INTO entry_scores (entry_id, site, score) VALUES (?, 'index', 4)", score_rows
        )
        connection.execute("COMMIT")
        seconds = time.perf_counter() - start
        connection.close()
        return seconds

    def real() -> float:
        path = ctx.fresh_path("import")
        shutil.copy(empty, path)
        with open_store(str(path)) as store:
            start = time.perf_counter()
            store.import_diary(diary, source_name="bench")
            return time.perf_counter() - start

    return Case(
        measured=real,
        baseline=raw,
        baseline_name=f"raw executemany of {count:,} entries + scores",
        title=f"import of {count:,} entries",
    )


@row(
    "find-patients",
    title="`find_patients('smith')`, clinic database",
    target=Target(seconds=0.050),
)
def bench_find_patients(ctx: Context) -> Case:
    from paintrack.store import open_store

    clinic = ctx.clinic_db()
    store = open_store(str(clinic), read_only=True)
    raw = sqlite3.connect(f"file:{clinic}?mode=ro", uri=True)

    def like() -> None:
        raw.execute(
            "SELECT id, name, birth_date, mrn FROM patients WHERE name LIKE '%smith%' "
            "OR mrn LIKE '%smith%'"
        ).fetchall()

    def cleanup() -> None:
        store.close()
        raw.close()

    return Case(
        measured=timed(lambda: store.find_patients("smith")),
        baseline=timed(like),
        baseline_name="SQL LIKE on name and MRN",
        repeat=max(ctx.repeat, 7),
        cleanup=cleanup,
    )


@row(
    "verify",
    title="`paintrack verify`, clinic database (whole process)",
    target=Target(seconds=30.0, peak_mb=300),
)
def bench_verify(ctx: Context) -> Case:
    clinic = ctx.clinic_db()
    case = Case(
        measured=lambda: 0.0,
        repeat=1 if not ctx.quick else 2,
        baseline_name="sqlite3: integrity_check, then SHA-256 of every audit row as stored",
    )
    peaks = case.extra.setdefault("peak_rss_mb", [])
    case.measured = lambda: _run_with_peak(_paintrack("--db", str(clinic), "verify"), peaks)
    case.baseline = timed(lambda: _run([PY, "-c", _VERIFY_FLOOR, str(clinic)]))
    return case


# What any verify must do, in a child process with nothing but sqlite3: SQLite's own check of
# the file, then every audit row read in order and hashed once (its stored columns as text).
_VERIFY_FLOOR = """
import hashlib, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
for row in db.execute("SELECT * FROM audit ORDER BY seq"):
    hashlib.sha256("|".join(map(str, row)).encode()).hexdigest()
"""


@row(
    "analyze-cli",
    title="`paintrack analyze demo --json` (whole process)",
)
def bench_analyze_cli(ctx: Context) -> Case:
    return Case(
        measured=timed(lambda: _run(_paintrack("analyze", str(DEMO), "--json"))),
        baseline=timed(lambda: _run([PY, "-c", f"import json; json.load(open({str(DEMO)!r}))"])),
        baseline_name="python reading the JSON",
    )


@row("analysis", title="`analyze_diary`, 2 blocks x 5,000 entries")
def bench_analysis(ctx: Context) -> Case:
    from paintrack.clinical.analysis import analyze_diary
    from paintrack.clinical.settings import ClinicSettings

    diary = _long_diary(1000 if ctx.quick else 5000)
    now = datetime.now(UTC)

    def walk() -> None:
        for block in diary.blocks:
            ordered = sorted(block.entries, key=lambda e: e.at)
            sum(e.scores.get("index", 0) for e in ordered)

    per_block = len(diary.blocks[0].entries)
    return Case(
        title=f"`analyze_diary`, {len(diary.blocks)} blocks x {per_block:,} entries",
        measured=timed(lambda: analyze_diary(diary, ClinicSettings(), now=now)),
        baseline=timed(walk),
        baseline_name="sort + one pass over the entries",
    )


def _measured_elsewhere(module: str, function: str, baseline_name: str) -> Case:
    """A row measured by a function of another benchmarks module that returns
    (measured seconds, baseline seconds), running its own repetitions."""
    make = getattr(importlib.import_module(module), function)

    def one_round(repeat: int) -> tuple[list[float], list[float]]:
        measured, baseline = make(max(repeat, 3))
        return list(measured), list(baseline)

    return Case(measured=lambda: 0.0, baseline_name=baseline_name, rounds=one_round)


@row(
    "chart-update",
    title="chart update after a save",
    target=Target(ratio=1.0),
)
def bench_chart_update(ctx: Context) -> Case:
    return _measured_elsewhere("ui_rows", "chart_update_case", "from-scratch `canvas.draw()`")


@row(
    "save-reaction",
    title="the window's whole reaction to one save",
    target=Target(ratio=1.2),
)
def bench_save_reaction(ctx: Context) -> Case:
    return _measured_elsewhere("ui_rows", "save_reaction_case", "one draw")


def _clinic_case(ctx: Context, function: str, baseline_name: str, **options: object) -> Case:
    """A worklist or search row (benchmarks/worklist_rows.py) on the clinic database."""
    make = getattr(importlib.import_module("worklist_rows"), function)
    clinic = ctx.clinic_db()

    def one_round(repeat: int) -> tuple[list[float], list[float]]:
        measured, baseline = make(clinic, max(repeat, 3), **options)
        return list(measured), list(baseline)

    return Case(measured=lambda: 0.0, baseline_name=baseline_name, rounds=one_round)


@row(
    "worklist-open",
    title="Review's worklist opens, clinic database (its last 30 days)",
    target=Target(seconds=0.200),
)
def bench_worklist_open(ctx: Context) -> Case:
    return _clinic_case(ctx, "open_case", "SQL read of the same summaries")


@row(
    "worklist-open-all",
    title="Review's worklist opens, every patient of the clinic on it",
    target=Target(seconds=0.200),
)
def bench_worklist_open_all(ctx: Context) -> Case:
    return _clinic_case(ctx, "open_case", "SQL read of the same summaries", every_patient=True)


@row(
    "worklist-sort",
    title="worklist sorted by a column (each in turn, from cold), clinic database",
    target=Target(seconds=0.200),
)
def bench_worklist_sort(ctx: Context) -> Case:
    return _clinic_case(ctx, "sort_case", "Python sort of as many integers")


@row(
    "search-keystroke",
    title="Review search, per keystroke, clinic database",
    target=Target(seconds=0.050),
)
def bench_search_keystroke(ctx: Context) -> Case:
    return _clinic_case(ctx, "search_case", "SQL LIKE on name and MRN")


# ---------------------------------------------------------------------------------------------
# Running


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _span(values: list[float], show: Callable[[float], str]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return show(low) if show(low) == show(high) else f"{show(low)}-{show(high)}"


def measure(entry: Registered, ctx: Context, rounds: int) -> dict[str, Any]:
    result: dict[str, Any] = {"key": entry.key, "what": entry.title}
    try:
        case = entry.make(ctx)
    except Exception as error:  # a row that cannot be set up is reported, not fatal
        return {**result, "error": f"{type(error).__name__}: {error}"}
    if case.title:
        result["what"] = case.title
    repeat = case.repeat or ctx.repeat
    medians: list[float] = []
    baselines: list[float] = []
    try:
        for _ in range(rounds):
            runs: list[float] = []
            base_runs: list[float] = []
            if case.rounds is not None:
                runs, base_runs = case.rounds(repeat)
            for _ in range(repeat if case.rounds is None else 0):
                # alternately, so both see the same machine
                if case.baseline is not None:
                    base_runs.append(case.baseline())
                runs.append(case.measured())
            medians.append(statistics.median(runs))
            if base_runs:
                baselines.append(statistics.median(base_runs))
    except Exception as error:
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        if case.cleanup is not None:
            case.cleanup()
    ratios = [m / b for m, b in zip(medians, baselines, strict=False) if b]
    result.update(
        baseline=case.baseline_name,
        runs_per_round=repeat,
        median_s=medians,
        baseline_median_s=baselines,
        ratio=[round(r, 2) for r in ratios],
        target=entry.target.describe(),
    )
    for name, values in case.extra.items():
        result[name] = [round(v, 1) for v in values]
    result["met"] = _met(entry.target, medians, ratios, case.extra) if medians else False
    return result


def _met(
    target: Target, medians: list[float], ratios: list[float], extra: dict[str, list[float]]
) -> bool | None:
    checks: list[bool] = []
    if target.ratio is not None:
        checks.append(bool(ratios) and max(ratios) <= target.ratio)
    if target.seconds is not None:
        checks.append(max(medians) <= target.seconds)
    if target.peak_mb is not None:
        checks.append(max(extra.get("peak_rss_mb", [float("inf")])) <= target.peak_mb)
    return all(checks) if checks else None


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| what | now | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        if "error" in result and not result.get("median_s"):
            lines.append(f"| {result['what']} | failed: {result['error']} | | | | no |")
            continue
        now = _span(result["median_s"], _fmt)
        if "peak_rss_mb" in result:
            now += f", peak RSS {_span(result['peak_rss_mb'], lambda v: f'{v:.0f} MB')}"
        base = result.get("baseline_median_s") or []
        baseline = f"{result['baseline']} {_span(base, _fmt)}" if base else "-"
        ratio = _span(result["ratio"], lambda v: f"{v:.2f}") if result["ratio"] else "-"
        met = {True: "yes", False: "**no**", None: "-"}[result["met"]]
        if "error" in result:
            met += f" (failed: {result['error']})"
        lines.append(
            f"| {result['what']} | {now} | {baseline} | {ratio} | {result['target']} | {met} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        info["load_average"] = [round(v, 2) for v in os.getloadavg()]
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs, a small clinic (CI)")
    parser.add_argument("--repeat", type=int, help="runs per round (default 5, quick 2)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="*", metavar="KEY", help="run only these rows")
    parser.add_argument("--skip", nargs="*", default=[], metavar="KEY", help="skip these rows")
    parser.add_argument("--clinic-db", type=Path, help="a clinic database built beforehand")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    args = parser.parse_args(argv)
    if args.list:
        for key, entry in REGISTRY.items():
            print(f"{key:20} {entry.title}")
        return 0
    keys = [k for k in (args.only or list(REGISTRY)) if k not in args.skip]
    unknown = [k for k in keys if k not in REGISTRY]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)} (see --list)")
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="paintrack-bench-") as folder:
        tmp = Path(folder)
        os.environ["PAINTRACK_DB"] = str(tmp / "default.db")
        ctx = Context(
            quick=args.quick,
            repeat=args.repeat or (2 if args.quick else 5),
            tmp=tmp,
            clinic=args.clinic_db,
        )
        for key in keys:
            result = measure(REGISTRY[key], ctx, args.rounds)
            results.append(result)
            print(f"  {key}: {table([result]).splitlines()[-1]}", flush=True)
    report = {
        "machine": machine(),
        "quick": args.quick,
        "rounds": args.rounds,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": results,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(results))
    print(f"\n{len(results)} rows in {report['seconds']} s; written to {args.output}")
    failed = [result["key"] for result in results if "error" in result]
    if failed:
        # A target missed is a finding; a row that no longer runs is a broken instrument.
        print(f"rows that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

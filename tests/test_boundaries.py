"""The layering of architecture.md, checked in fresh interpreters rather than trusted.

clinical/ knows nothing of databases, files, Qt or matplotlib; store/ and exchange/ know nothing
of Qt or matplotlib; charts and report never touch Qt; headless commands never load the window.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"

IMPORT_ALL = """
import importlib, json, pkgutil, sys
for name in {packages!r}:
    module = importlib.import_module(name)
    if hasattr(module, "__path__"):
        for info in pkgutil.walk_packages(module.__path__, name + "."):
            importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_import(*packages: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL.format(packages=list(packages))],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def _loaded(modules: set[str], top: str) -> list[str]:
    return sorted(m for m in modules if m == top or m.startswith(top + "."))


@pytest.mark.parametrize(
    ("packages", "forbidden"),
    [
        (
            ("paintrack.clinical",),
            (
                "PySide6",
                "matplotlib",
                "sqlalchemy",
                "alembic",
                "paintrack.store",
                "paintrack.exchange",
                "paintrack.ui",
            ),
        ),
        (("paintrack.store", "paintrack.exchange"), ("PySide6", "matplotlib", "paintrack.ui")),
        (
            ("paintrack.charts", "paintrack.report", "paintrack.commands.report"),
            ("PySide6", "paintrack.ui"),
        ),
        (("paintrack.cli",), ("PySide6", "matplotlib", "sqlalchemy", "paintrack.ui")),
    ],
)
def test_layer_imports_nothing_above_it(
    packages: tuple[str, ...], forbidden: tuple[str, ...]
) -> None:
    modules = _modules_after_import(*packages)
    for top in forbidden:
        assert _loaded(modules, top) == [], f"{packages} imported {top}"


# The headless commands, run one after the other in one fresh interpreter: what each command
# imports is what appears in sys.modules while it runs, so one interpreter tells them apart
# as well as ten do (ten were 4 s of start-up).
HEADLESS = {
    "import": ["import", str(DEMO)],
    "export": ["export", "{tmp}/out.json"],
    "export-csv": ["export", "--csv", "{tmp}/out.csv"],
    "export-fhir": ["export", "--fhir", "{tmp}/out.fhir.json", "--deidentify"],
    "analyze-file": ["analyze", str(DEMO), "--json"],
    "analyze-patient": ["analyze", "--patient", "DEMO-0001"],
    "audit": ["audit", "--patient", "DEMO-0001"],
    "audit-json": ["audit", "--json"],
    "users": ["users", "list"],
    "clinic": ["clinic", "status"],
}
RUN_COMMANDS = """
import contextlib, io, json, os, sys
from paintrack.cli import main
report = {}
for name, folder, argv in json.loads(sys.argv[1]):
    os.chdir(folder)
    before = set(sys.modules)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    report[name] = {"code": code, "stderr": err.getvalue(),
                    "loaded": sorted(set(sys.modules) - before)}
print("\\n" + json.dumps(report))
"""


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo diary in a database, made once for the commands below (each gets a copy)."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_store(str(db)) as store:
        store.import_diary(read_diary_file(DEMO), source_name=DEMO.name)
    return db


@pytest.fixture(scope="module")
def headless_runs(
    tmp_path_factory: pytest.TempPathFactory, demo_database: Path
) -> dict[str, dict[str, Any]]:
    """Every command of HEADLESS on its own copy of the demo database, in one new interpreter
    (only the commands run there: the database was made in this process)."""
    runs = []
    for name, argv in HEADLESS.items():
        folder = tmp_path_factory.mktemp(name)
        db = folder / "b.db"
        shutil.copyfile(demo_database, db)
        runs.append([name, str(folder), ["--db", str(db)] + [a.format(tmp=folder) for a in argv]])
    result = subprocess.run(
        [sys.executable, "-c", RUN_COMMANDS, json.dumps(runs)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, dict[str, Any]] = json.loads(result.stdout.splitlines()[-1])
    assert list(report) == list(HEADLESS)
    assert "paintrack.store.repository" in report["import"]["loaded"]  # a real run: it loaded
    return report


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HEADLESS))
def test_headless_commands_never_load_qt_or_matplotlib(
    name: str, headless_runs: dict[str, dict[str, Any]]
) -> None:
    run = headless_runs[name]
    assert run["code"] == 0, run["stderr"]
    loaded = set(run["loaded"])
    assert _loaded(loaded, "PySide6") == []
    assert _loaded(loaded, "matplotlib") == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--version"], set()),
        (["--help"], set()),
        (["--db", "verify", "analyze", str(DEMO), "--json"], {"paintrack.commands.analyze"}),
        (["verify", "--help"], {"paintrack.commands.verify"}),
    ],
    ids=["version", "help", "db-named-like-a-command", "command-help"],
)
def test_a_command_line_imports_only_the_command_it_runs(
    argv: list[str], expected: set[str], tmp_path: Path
) -> None:
    """`paintrack --version` or `paintrack verify` does not pay for every command's module."""
    run = (
        "import json, sys\nfrom paintrack.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n' + json.dumps({'modules': sorted(sys.modules)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", run],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    report = json.loads(result.stdout.splitlines()[-1])
    commands = {
        name
        for name in report["modules"]
        if name.startswith("paintrack.commands.") and name != "paintrack.commands.common"
    }
    assert commands == expected, result.stderr


def test_the_window_paints_before_the_store_is_imported(tmp_path: Path) -> None:
    """The window and Review import no SQLAlchemy: run_app shows the window ("Opening your
    diary…") and only then imports the store to lock, check and open the diary."""
    modules = _modules_after_import("paintrack.ui.app", "paintrack.ui.main_window")
    assert _loaded(modules, "sqlalchemy") == []
    assert _loaded(modules, "paintrack.store") == []
    times = tmp_path / "times"
    db = tmp_path / "d.db"
    subprocess.run(
        [sys.executable, "-m", "paintrack", "--db", str(db), "import", str(DEMO)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PAINTRACK_TIMES_FILE": str(times), "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(
        [sys.executable, "-m", "paintrack", "--db", str(db), "--smoke-test"],
        check=True,
        capture_output=True,
        env=env,
    )
    moments = dict(line.split() for line in times.read_text().splitlines())
    assert list(moments) == ["first_paint", "diary_open"]
    assert float(moments["first_paint"]) <= float(moments["diary_open"])

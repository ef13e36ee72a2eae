"""The import-linter contracts in pyproject.toml hold, and they do catch what they forbid: a
copy of the package whose window imports the store's database module breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(project / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        check=False,
    )


def _copy_of_the_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(
        ROOT / "paintrack", project / "paintrack", ignore=shutil.ignore_patterns("__pycache__")
    )
    return project


def test_the_project_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy_of_the_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_window_module_importing_the_database_breaks_the_contracts(tmp_path: Path) -> None:
    project = _copy_of_the_project(tmp_path)
    widgets = project / "paintrack" / "ui" / "widgets.py"
    widgets.write_text(widgets.read_text() + "\nfrom paintrack.store import database  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "The window reaches the store only through operations BROKEN" in result.stdout
    assert "paintrack.ui.widgets -> paintrack.store.database" in result.stdout


def test_the_clinical_core_importing_qt_breaks_the_contracts(tmp_path: Path) -> None:
    project = _copy_of_the_project(tmp_path)
    model = project / "paintrack" / "clinical" / "model.py"
    model.write_text(model.read_text() + "\nimport PySide6  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "The clinical core is pure: no database, files, Qt or drawing BROKEN" in result.stdout
    assert "Nothing below the window knows Qt BROKEN" in result.stdout

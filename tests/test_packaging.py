"""The wheel carries everything a non-editable install needs, found with importlib.resources."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("paintrack-*.whl")
    return found


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.slow
def test_wheel_carries_resources_and_migrations(wheel: Path) -> None:
    names = _names(wheel)
    assert "paintrack/resources/demo/demo-diary.json" in names
    assert "paintrack/store/migrations/env.py" in names
    assert "paintrack/store/migrations/script.py.mako" in names
    assert any(
        n.startswith("paintrack/store/migrations/versions/")
        and n.endswith(".py")
        and not n.endswith("__init__.py")
        for n in names
    )
    assert any(n.startswith("paintrack/resources/icons/") and n.endswith(".svg") for n in names)
    # Every sub-package in the source tree is in the wheel (pyproject lists them by hand).
    for init in (ROOT / "paintrack").rglob("__init__.py"):
        assert str(init.relative_to(ROOT)) in names, f"{init} is missing from the wheel"
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_installed_wheel_runs_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "PAINTRACK_DB": str(tmp_path / "w.db")}
    run = dict(cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    version = subprocess.run([sys.executable, "-m", "paintrack", "--version"], **run)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("paintrack ")

    probe = (
        "import importlib.resources as r, paintrack, paintrack.store as s\n"
        "demo = r.files('paintrack.resources') / 'demo' / 'demo-diary.json'\n"
        "assert demo.is_file() and len(demo.read_bytes()) > 1000\n"
        "print(paintrack.__file__)\n"
        "print(str(demo))\n"
    )
    located = subprocess.run([sys.executable, "-c", probe], **run)
    assert located.returncode == 0, located.stderr
    for line in located.stdout.splitlines():
        assert line.startswith(str(site)), f"{line} came from outside the installed wheel"

    # Opening a database runs the migrations shipped in the wheel, then the import works.
    demo = ROOT / "resources" / "demo" / "demo-diary.json"
    imported = subprocess.run([sys.executable, "-m", "paintrack", "import", str(demo)], **run)
    assert imported.returncode == 0, imported.stderr
    assert (tmp_path / "w.db").stat().st_size > 0

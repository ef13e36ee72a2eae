"""`paintrack export --fhir` as a user types it: the file, its mode, the summary, bad options."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from paintrack.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "clinic.db"
    assert _run(capsys, "--db", path, "import", DEMO)[0] == 0
    return path


def test_export_fhir_writes_a_private_valid_bundle(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "alex.fhir.json"
    code, out, err = _run(capsys, "--db", db, "export", "--fhir", target, "--patient", "DEMO-0001")
    assert (code, err) == (0, "")
    assert out == (
        "Exported Alex Sample as a FHIR R4 Bundle: 1 Patient, 2 Procedures, 23 Observations "
        f"to {target}.\n"
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    bundle = Bundle.model_validate_json(target.read_bytes())
    assert bundle.type == "collection"
    assert len(bundle.entry or []) == 1 + 2 + 23
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file


def test_export_fhir_deidentified_to_standard_output(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--db", db, "export", "--fhir", "-", "--deidentify")
    assert code == 0
    assert err.startswith("Exported a de-identified patient as a FHIR R4 Bundle")
    Bundle.model_validate_json(out)
    assert "Alex" not in out and "DEMO-0001" not in out and '"identifier"' not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--csv", "--fhir"], "choose either --fhir or --csv, not both."),
        (["--deidentify"], "--deidentify applies to a FHIR export (--fhir)"),
    ],
)
def test_bad_option_pairs_exit_2_and_write_nothing(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    target = tmp_path / "out.json"
    code, out, err = _run(capsys, "--db", db, "export", target, *extra)
    assert (code, out) == (2, "")
    assert err.startswith(f"paintrack: {message}")
    assert not target.exists()


def test_export_fhir_never_replaces_a_file_without_force(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bundle.json"
    target.write_text("keep me", "utf-8")
    code, _, err = _run(capsys, "--db", db, "export", "--fhir", target)
    assert code == 2
    assert "already exists" in err
    assert target.read_text("utf-8") == "keep me"
    assert _run(capsys, "--db", db, "export", "--fhir", target, "--force")[0] == 0
    assert json.loads(target.read_text("utf-8"))["resourceType"] == "Bundle"

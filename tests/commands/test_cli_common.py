"""What the reading commands share: they never create a database, and --now is checked alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from paintrack.cli import main

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-diary.json"


@pytest.mark.parametrize(
    "argv",
    [["export", "{tmp}/out.json"], ["analyze"], ["report", "-o", "{tmp}/out.pdf"]],
    ids=["export", "analyze", "report"],
)
def test_reading_commands_never_create_a_database(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    code = main(["--db", str(missing), *[a.format(tmp=tmp_path) for a in argv]])
    assert code == 2
    assert f"There is no paintrack database at {missing} yet" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["analyze", "report"])
@pytest.mark.parametrize(
    ("now", "message"),
    [("2026-03-02T10:00", "needs a UTC offset"), ("yesterday", "give an ISO 8601 time")],
)
def test_now_without_an_offset_is_refused(
    command: str, now: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["-o", str(tmp_path / "r.pdf")] if command == "report" else []
    code = main([command, str(DEMO), "--now", now, *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()

"""A bug in a command is logged with its traceback and reported calmly, not as a traceback."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import paintrack.commands.analyze as analyze_command
from paintrack.cli import main
from paintrack.crashlog import log_file
from paintrack.exchange.diary_json import read_diary_file, write_diary_file

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-diary.json"


def test_unexpected_error_is_logged_and_reported_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("deliberate test failure 7f3a")

    monkeypatch.setattr(analyze_command, "run", broken)
    code = main(["analyze", "whatever.json"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert "a bug, not something you did" in err
    assert str(log_file()) in err
    logged = log_file().read_text(encoding="utf-8")
    assert "deliberate test failure 7f3a" in logged
    assert "Traceback" in logged
    assert oct(log_file().parent.stat().st_mode & 0o777) == oct(0o700)


def test_user_errors_are_not_logged_as_bugs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["analyze", "no-such-diary.json"])
    assert code == 2
    assert "a bug" not in capsys.readouterr().err


def test_output_cut_short_by_a_pipe_prints_no_traceback(tmp_path: Path) -> None:
    # A diary long enough that its analysis overflows the pipe's buffer (64 KiB).
    diary = read_diary_file(DEMO)
    first = diary.blocks[0]
    template = first.entries[-1]
    extra = tuple(
        replace(
            template,
            id=str(uuid.UUID(int=i + 1)),
            at=first.performed_at + timedelta(days=2, minutes=i),
            recorded_at=first.performed_at + timedelta(days=2, minutes=i),
        )
        for i in range(1500)
    )
    long_diary = replace(
        diary, blocks=(replace(first, entries=first.entries + extra), *diary.blocks[1:])
    )
    path = tmp_path / "long.json"
    write_diary_file(long_diary, path)
    script = f"{sys.executable} -m paintrack analyze {path} --json | head -c 10 > /dev/null"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert result.stderr == ""  # no traceback, and no "bug" message either

"""A bug in a command is logged with its traceback and reported calmly, not as a traceback."""

from __future__ import annotations

import pytest

import paintrack.commands.analyze as analyze_command
from paintrack.cli import main
from paintrack.crashlog import log_file


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

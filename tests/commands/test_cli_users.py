"""`paintrack users` and `paintrack clinic`: the first clinician from the command line (the
password asked twice, or from standard input), listing, deactivating, a new password, and
switching a database to clinic mode; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from paintrack.cli import main
from paintrack.store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database file, and a database on a real PostgreSQL server (tests/postgres_server.py)."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        yield url
    else:
        yield str(tmp_path / "clinic.db")


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_first_clinician_then_clinic_mode(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, "--db", db, "clinic", "enable")
    assert code == 2
    assert "paintrack users add NAME --role clinician" in err
    code, out, _ = _run(
        monkeypatch,
        capsys,
        *("--db", db, "users", "add", "Dr Rivera", "--role", "clinician", "--password-stdin"),
        stdin="a long secret\n",
    )
    assert code == 0 and "Added Dr Rivera (clinician)" in out
    assert "a long secret" not in out
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "clinic", "status")
    assert code == 0 and "patient mode" in out
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "clinic", "enable")
    assert code == 0 and "now in clinic mode" in out
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "clinic", "status")
    assert "is in clinic mode" in out and "10 minutes" in out
    with open_store(db) as store:
        assert store.clinic_state().clinic_mode
        assert store.check_password("Dr Rivera", "a long secret") is not None
        assert store.check_audit_trail().intact


def test_the_password_is_asked_twice_on_the_terminal(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["first secret", "other secret"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    code, _, err = _run(monkeypatch, capsys, "--db", db, "users", "add", "Obi", "--role", "staff")
    assert code == 2 and "not the same" in err
    assert "secret" not in err
    answers = iter(["same secret", "same secret"])
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "users", "add", "Obi", "--role", "staff")
    assert code == 0 and "Added Obi (staff)" in out
    with open_store(db) as store:
        assert store.check_password("Obi", "same secret") is not None


def test_list_deactivate_and_a_new_password(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "users", "list")
    assert code == 2  # no database yet: a reading command never creates one
    for name, role in (("Dr Rivera", "clinician"), ("Obi", "staff")):
        code, _, _ = _run(
            monkeypatch,
            capsys,
            *("--db", db, "users", "add", name, "--role", role, "--password-stdin"),
            stdin="first password\n",
        )
        assert code == 0
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "users", "list")
    assert code == 0
    assert [line.split() for line in out.splitlines()] == [
        ["Dr", "Rivera", "clinician", "active"],
        ["Obi", "staff", "active"],
    ]
    code, out, _ = _run(
        monkeypatch,
        capsys,
        *("--db", db, "users", "password", "obi", "--password-stdin"),
        stdin="second password\n",
    )
    assert code == 0 and "Set a new password for Obi" in out
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "users", "deactivate", "Obi")
    assert code == 0 and "Obi can no longer sign in" in out
    code, out, _ = _run(monkeypatch, capsys, "--db", db, "users", "list")
    assert out.splitlines()[1].split() == ["Obi", "staff", "deactivated"]
    code, _, err = _run(monkeypatch, capsys, "--db", db, "users", "deactivate", "Nobody")
    assert code == 2 and "no user called 'Nobody'" in err
    code, _, err = _run(
        monkeypatch,
        capsys,
        *("--db", db, "users", "add", "OBI", "--role", "staff", "--password-stdin"),
        stdin="third password\n",
    )
    assert code == 2 and "already a user called Obi" in err
    with open_store(db) as store:
        assert store.check_password("Obi", "second password") is None  # deactivated
        assert store.check_audit_trail().intact

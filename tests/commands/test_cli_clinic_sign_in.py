"""In clinic mode the command line names a signed-in person too: `--user NAME` and the password,
never the computer's login; staff may not manage users. Patient mode is unchanged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from paintrack.cli import main
from paintrack.clinical.people import Role
from paintrack.operations import clinic as clinic_ops
from paintrack.store import open_store

DEMO = Path(__file__).parents[2] / "resources" / "demo" / "demo-diary.json"
DOCTOR, NURSE = "Dr Rivera", "Nurse Obi"
SECRET = {DOCTOR: "doctor's long secret", NURSE: "nurse's long secret"}


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def clinic_db(tmp_path: Path) -> str:
    db = str(tmp_path / "clinic.db")
    with open_store(db) as store:
        store.import_diary(_demo(), source_name="demo")
        store.add_user(DOCTOR, Role.CLINICIAN, SECRET[DOCTOR])
        store.add_user(NURSE, Role.STAFF, SECRET[NURSE])
        clinic_ops.enable_clinic_mode(store)
    return db


def _demo():  # type: ignore[no-untyped-def]
    from paintrack.exchange.diary_json import read_diary_file

    return read_diary_file(str(DEMO))


def test_an_export_in_clinic_mode_names_the_person_not_the_login(
    clinic_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_file = tmp_path / "diary.csv"
    code, _, err = _run(monkeypatch, capsys, "--db", clinic_db, "export", str(out_file), "--csv")
    assert code == 2 and "is in clinic mode" in err and "--user NAME" in err
    assert not out_file.exists()

    code, _, err = _run(
        monkeypatch,
        capsys,
        *("--db", clinic_db, "--user", NURSE, "export", str(out_file), "--csv"),
        stdin="not her password\n",
    )
    assert code == 2 and "do not match an active user" in err
    assert not out_file.exists()

    code, _, err = _run(
        monkeypatch,
        capsys,
        *("--db", clinic_db, "--user", NURSE, "export", str(out_file), "--csv"),
        stdin=SECRET[NURSE] + "\n",
    )
    assert code == 0, err
    assert out_file.exists()
    with open_store(clinic_db) as store:
        (patient,) = store.list_patients()
        last = store.audit_trail(patient.id)[-1]
        assert (last.action, last.actor) == ("export_diary", NURSE)
        assert store.check_audit_trail().intact


def test_in_clinic_mode_only_a_clinician_adds_a_user(
    clinic_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ("users", "add", "Dr Two", "--role", "clinician", "--password-stdin")
    code, _, err = _run(
        monkeypatch,
        capsys,
        *("--db", clinic_db, "--user", NURSE, *add),
        stdin=SECRET[NURSE] + "\na new long secret\n",
    )
    assert code == 2 and "Only a clinician can add a user" in err
    code, out, err = _run(
        monkeypatch,
        capsys,
        *("--db", clinic_db, "--user", DOCTOR, *add),
        stdin=SECRET[DOCTOR] + "\na new long secret\n",
    )
    assert code == 0, err
    assert "Added Dr Two (clinician)" in out
    with open_store(clinic_db) as store:
        assert store.find_user("Dr Two") is not None
        added = [r for r in store.audit_trail() if r.action == "add_user"][-1]
        assert added.actor == DOCTOR


def test_patient_mode_needs_no_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "home.db")
    code, _, err = _run(monkeypatch, capsys, "--db", db, "import", str(DEMO))
    assert code == 0, err
    code, out, err = _run(monkeypatch, capsys, "--db", db, "audit")
    assert code == 0, err
    assert "Imported the diary file" in out


def test_audit_people_lists_who_added_users_and_switched_clinic_mode(
    clinic_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        monkeypatch,
        capsys,
        *("--db", clinic_db, "--user", DOCTOR, "audit", "--people"),
        stdin=SECRET[DOCTOR] + "\n",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Clinic mode's users and settings"
    what = "\n".join(lines[3:])
    assert "Added the user Dr Rivera (clinician)" in what
    assert "Added the user Nurse Obi (staff)" in what
    assert what.index("Nurse Obi (staff)") < what.index("Switched clinic mode on")
    assert "Imported" not in what and SECRET[DOCTOR] not in out


def test_sign_ins_and_sign_outs_are_in_the_trail_and_verify_passes(clinic_db: str) -> None:
    from paintrack.operations.audit import people_trail
    from paintrack.wording.audit import describe

    with open_store(clinic_db) as store:
        clinic_ops.sign_in(store, NURSE, SECRET[NURSE])
        clinic_ops.sign_in(store, DOCTOR, SECRET[DOCTOR])  # switch user: the nurse signs out
        clinic_ops.sign_out(store, why="locked after 10 minutes idle")
        with pytest.raises(clinic_ops.WrongSignIn):
            clinic_ops.sign_in(store, NURSE, "a wrong guess")  # not recorded: may be a password
        said = [
            (r.actor, describe(r))
            for r in people_trail(store)
            if r.action in ("sign_in", "sign_out")
        ]
        assert store.check_audit_trail().intact
    assert said == [
        (NURSE, "Nurse Obi signed in (from the window)"),
        (NURSE, "Nurse Obi signed out (another person signed in)"),
        (DOCTOR, "Dr Rivera signed in (from the window)"),
        (DOCTOR, "Dr Rivera signed out (locked after 10 minutes idle)"),
    ]
    with open_store(clinic_db, read_only=True) as reading:  # a reading command records nothing
        clinic_ops.sign_in(reading, NURSE, SECRET[NURSE])
        assert reading.actor == NURSE
    with open_store(clinic_db) as store:
        assert len([r for r in people_trail(store) if r.action == "sign_in"]) == 2

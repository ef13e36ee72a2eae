from __future__ import annotations

import pytest

from paintrack.clinical.people import Role, SignedIn
from paintrack.operations.people import NotAllowed, require_clinician


def test_only_a_clinician_passes_the_clinician_check() -> None:
    doctor = SignedIn("Dr Rivera", Role.CLINICIAN)
    assert require_clinician(doctor, "sign a summary") is doctor
    with pytest.raises(NotAllowed, match="Nurse Obi is signed in as staff"):
        require_clinician(SignedIn("Nurse Obi", Role.STAFF), "sign a summary")
    with pytest.raises(NotAllowed, match="Only a clinician can sign a summary"):
        require_clinician(None, "sign a summary")


def test_role_values_are_what_the_users_table_stores() -> None:
    assert [role.value for role in Role] == ["clinician", "staff"]

"""exchange/ is plain Python over the clinical dataclasses: no Qt, no matplotlib, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import paintrack.exchange.diary_json, paintrack.exchange.csv_export
import paintrack.commands.import_diary, paintrack.commands.export_diary, paintrack.commands.demo
print(json.dumps(sorted(sys.modules)))
"""


def test_exchange_and_its_commands_import_nothing_heavy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    assert "paintrack.exchange.diary_json" in modules
    for top in (
        "PySide6",
        "matplotlib",
        "sqlalchemy",
        "alembic",
        "paintrack.store",
        "paintrack.ui",
    ):
        assert not [m for m in modules if m == top or m.startswith(top + ".")], top

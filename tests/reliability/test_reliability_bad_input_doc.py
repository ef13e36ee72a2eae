"""docs/bad-input.md: every row of every table names a test, and every test it names exists
(the function in its file, and a parametrized case's id)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "bad-input.md"
VALIDATION = "tests/exchange/test_exchange_validation.py"
VALIDATION_TEST = "test_each_rule_names_file_path_and_expectation"
REFERENCE = re.compile(r"^(?:(?P<abbr>[A-Z]+)(?:::(?P<func>test_\w+))?)?(?:\[(?P<case>[\w-]+)\])?$")


def _abbreviations(text: str) -> dict[str, str]:
    found = {}
    for abbr, path in re.findall(r"^\| `([A-Z]+)` \| `([^`]+)` \|$", text, flags=re.MULTILINE):
        found[abbr] = path.split("::")[0]
    return found


def _test_rows(text: str) -> list[tuple[str, list[str]]]:
    """(row, the backtick references in its last cell) for each body row of the tables after
    the abbreviation table."""
    rows = []
    body = text.split("## Command-line arguments", 1)[1]
    for line in body.splitlines():
        if not line.startswith("|") or set(line) <= {"|", "-"} or line.startswith("| Input"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] in ("Field", "Trouble"):
            continue
        rows.append((line, re.findall(r"`([^`]+)`", cells[-1])))
    return rows


def test_every_row_names_a_test_and_every_named_test_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    files = _abbreviations(text)
    assert {"BAD", "VAL", "CHK", "START"} <= set(files)
    rows = _test_rows(text)
    assert len(rows) > 80
    checked = 0
    for row, references in rows:
        assert references, f"no test named in: {row}"
        path: str | None = None
        func: str | None = None
        for reference in references:
            match = REFERENCE.match(reference)
            assert match, f"not a test reference: {reference!r} in {row}"
            if match["abbr"]:
                path = files[match["abbr"]]
                func = VALIDATION_TEST if match["abbr"] == "VAL" else match["func"]
            assert path is not None and func is not None, f"no file for {reference!r}"
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {func}\(", source, flags=re.MULTILINE), f"{path}::{func}"
            if match["case"]:
                assert f'"{match["case"]}"' in source, f"{path}::{func}[{match['case']}]"
            checked += 1
    assert checked > 150


def test_the_validation_file_abbreviation_points_at_the_rule_test() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"`{VALIDATION}::{VALIDATION_TEST}[<case>]`" in text

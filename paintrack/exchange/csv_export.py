"""A diary as CSV for spreadsheets: one row per entry per rated site.

Choices, for the spreadsheet user:
- UTF-8 with a byte order mark: Excel reads a BOM-less CSV in the system code page and mangles
  names like "José"; LibreOffice, Numbers, pandas (`encoding="utf-8-sig"`) and Python's csv
  module all accept the BOM.
- Times in ISO 8601 with their UTC offset, in the local time zone (where the clinic reads them)
  unless told otherwise; `minutes_after_block` is there for arithmetic.
- Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
  return) get a leading apostrophe (OWASP "CSV injection"): a patient's note must never run.
  Text starting with `;` too, and any cell holding a `;` is quoted, for spreadsheets that split
  on semicolons.
  So CSV is for reading and charts; the JSON diary file is the lossless format.
- Blocks without entries have no rows; the JSON file keeps them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from typing import Any

from paintrack.clinical.fields import (
    BLOCK_FIELDS,
    ENTRY_FIELDS,
    block_values,
    entry_values,
    patient_values,
)
from paintrack.clinical.model import Block, Diary, Entry
from paintrack.exchange.files import write_atomic

__all__ = ["CSV_COLUMNS", "csv_rows", "diary_to_csv", "write_csv"]

CSV_COLUMNS: tuple[str, ...] = (
    "patient_name",
    "patient_mrn",
    "patient_birth_date",
    "block_id",
    "block_performed_at",
    "region",
    "side",
    "levels",
    "agent",
    "concentration_percent",
    "volume_ml",
    "sequence",
    "sedation",
    "steroid",
    "entry_id",
    "at",
    "recorded_at",
    "minutes_after_block",
    "site",
    "score",
    "patient_relief_percent",
    "activity",
    "activity_ability",
    "rescue_medication",
    "source",
    "late",
    "note",
)

# The columns that show a record's field (clinical/fields.py), by column name; the rest are worked
# out per row (minutes after the block, the site and its score, late or not).
_PATIENT_COLUMNS = {
    "patient_name": "name",
    "patient_mrn": "mrn",
    "patient_birth_date": "birth_date",
}
_BLOCK_COLUMNS = {
    "block_id": "id",
    "block_performed_at": "performed_at",
    **{column: column for column in CSV_COLUMNS if column in BLOCK_FIELDS},
}
_ENTRY_COLUMNS = {
    "entry_id": "id",
    **{column: column for column in CSV_COLUMNS if column in ENTRY_FIELDS},
}

# ";" too: a spreadsheet told to split on semicolons reads ";=1+1" as an empty cell and a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", ";", "\t", "\r")
LEVEL_SEPARATOR = "; "


def _safe_text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _number(value: float | int | None) -> str:
    """Whole numbers without ".0", others as Python writes them (shortest exact form)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _time(moment: datetime, tz: tzinfo | None) -> str:
    local = moment.astimezone(tz)  # tz None: the machine's local time zone
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


def _minutes_after(entry: Entry, block: Block) -> str:
    minutes = (entry.at - block.performed_at).total_seconds() / 60
    return _number(round(minutes, 2))


def _cell(value: Any) -> str:
    """A JSON-ready field value (clinical/fields.py) as a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):  # the levels
        return _safe_text(LEVEL_SEPARATOR.join(value))
    return _safe_text(str(value))


def _cells(values: dict[str, Any], columns: dict[str, str]) -> dict[str, str]:
    return {column: _cell(values[field]) for column, field in columns.items()}


def csv_rows(diary: Diary, *, tz: tzinfo | None = None) -> Iterator[dict[str, str]]:
    """The rows `write_csv` writes, as dicts keyed by CSV_COLUMNS (in that order)."""

    def time(moment: datetime) -> str:
        return _time(moment, tz)

    patient_cells = _cells(patient_values(diary.patient), _PATIENT_COLUMNS)
    for block in diary.blocks:
        block_cells = _cells(block_values(block, time), _BLOCK_COLUMNS)
        for entry in block.entries:
            values = entry_values(entry, time, block.sites)
            entry_cells = _cells(values, _ENTRY_COLUMNS)
            for site, score in values["scores"].items():
                cells = {
                    **patient_cells,
                    **block_cells,
                    **entry_cells,
                    "minutes_after_block": _minutes_after(entry, block),
                    "site": site,
                    "score": str(score),
                    "late": _yes_no(entry.is_late),
                }
                yield {column: cells[column] for column in CSV_COLUMNS}


def diary_to_csv(diary: Diary, *, tz: tzinfo | None = None) -> str:
    """The CSV text (without the byte order mark), lines ending in CRLF as RFC 4180 has it."""
    lines = [_csv_line(CSV_COLUMNS)]
    lines.extend(_csv_line([row[name] for name in CSV_COLUMNS]) for row in csv_rows(diary, tz=tz))
    return "".join(lines)


# A cell holding any of these is quoted. RFC 4180 needs only the comma, quote and line breaks;
# the semicolon too, because a spreadsheet that splits on semicolons (as many locales' do) would
# otherwise cut an unquoted "';=1+1" into "'" and a formula "=1+1".
_QUOTE_WHEN = (",", '"', "\r", "\n", ";")


def _csv_line(cells: Sequence[str]) -> str:
    quoted = (
        '"' + cell.replace('"', '""') + '"' if any(c in cell for c in _QUOTE_WHEN) else cell
        for cell in cells
    )
    return ",".join(quoted) + "\r\n"


def write_csv(diary: Diary, path: str | os.PathLike[str], *, tz: tzinfo | None = None) -> None:
    """Write the diary as CSV to `path`: UTF-8 with BOM, atomic, mode 0600.

    Times are shown in `tz` (default: this machine's local time zone), always with the offset.
    """
    write_atomic(path, diary_to_csv(diary, tz=tz).encode("utf-8-sig"))

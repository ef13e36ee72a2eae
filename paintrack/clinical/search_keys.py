"""Patients' search keys: a name or record number as a search compares it, so finding part of a
name runs in SQL (an indexed column) instead of reading every patient into Python."""

from __future__ import annotations

import unicodedata


def search_key(text: str | None) -> str | None:
    """`text` casefolded with its accents stripped ("Émile Zoë" -> "emile zoe"): NFKD, the
    combining marks dropped, then Python's casefold (which SQL's lower() is not: SQLite folds only
    ASCII, and "ß" folds to "ss"). The same text typed decomposed or composed gets the same key.
    Migration 0005 fills the stored keys with a copy of this rule."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped.casefold())


def like_pattern(needle: str) -> str:
    """`needle` (already a search key) as a LIKE '%...%' pattern, escaped with backslash."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

"""Spinal levels as a clinic writes them ("L4 MB", "L4-L5", "L4/5"): reading what was typed.

Pure functions, no Qt: the block form uses them to say inline when a part is not a level.
"""

from __future__ import annotations

import re

# Spinal levels: C2-C7, T1-T12, L1-L5, S1-S2, alone or as a range ("L4-L5", "L4-S1", "L4/5"),
# optionally followed by what was blocked ("L4 MB", "L5 DR", "medial branch").
_LEVEL = r"(?:C[2-7]|T(?:1[0-2]|[1-9])|L[1-5]|S[12])"
_LEVEL_RE = re.compile(
    rf"(?P<first>{_LEVEL})(?:\s*(?:-|\u2013|\u2014|/|to)\s*(?P<second>{_LEVEL}|\d{{1,2}}))?"
    r"(?:\s+(?:MB|DR|medial\s+branch(?:es)?|dorsal\s+ram(?:us|i)))?",
    re.IGNORECASE,
)
_REGION_ORDER = "CTLS"


def _level_rank(text: str, region: str = "") -> int | None:
    """An order for spinal levels (C2 < ... < T12 < L1 < ... < S2); None if not a level."""
    text = text.strip().upper()
    if text.isdigit():
        text = region + text
    if not re.fullmatch(_LEVEL, text, re.IGNORECASE):
        return None
    return _REGION_ORDER.index(text[0]) * 100 + int(text[1:])


def _is_level(text: str) -> bool:
    match = _LEVEL_RE.fullmatch(text.strip())
    if match is None:
        return False
    second = match["second"]
    if second is None:
        return True
    first = _level_rank(match["first"])
    last = _level_rank(second, match["first"][0].upper())
    return first is not None and last is not None and last > first


def parse_levels(text: str) -> tuple[tuple[str, ...], list[str]]:
    """The levels typed (split at commas or semicolons, blanks dropped; "L3 L4" is two levels)
    and the parts that are not spinal levels."""
    levels: list[str] = []
    unreadable: list[str] = []
    for part in text.replace(";", ",").split(","):
        part = " ".join(part.split())
        if not part:
            continue
        if _is_level(part):
            levels.append(part)
        elif all(_is_level(word) for word in part.split()):
            levels.extend(part.split())
        else:
            unreadable.append(part)
    return tuple(levels), unreadable

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


_NERVE_RE = re.compile(
    rf"(?P<level>{_LEVEL})(?:\s+(?:MB|DR|medial\s+branch(?:es)?|dorsal\s+ram(?:us|i)))?",
    re.IGNORECASE,
)


def _level_name(rank: int) -> str:
    return f"{_REGION_ORDER[rank // 100]}{rank % 100}"


def _joint_name(upper: int) -> str:
    """The facet joint between vertebra `upper` and the next: "L4-5", "L5-S1", "T12-L1"."""
    region, number = _REGION_ORDER[upper // 100], upper % 100
    following = {"C": 7, "T": 12, "L": 5}
    if number == following.get(region):
        nxt = {"C": "T1", "T": "L1", "L": "S1"}[region]
        return f"{region}{number}-{nxt}"
    return f"{region}{number}-{number + 1}"


def _rank_after(rank: int) -> int:
    region, number = _REGION_ORDER[rank // 100], rank % 100
    last = {"C": 7, "T": 12, "L": 5}
    if region in last and number == last[region]:
        return (_REGION_ORDER.index(region) + 1) * 100 + 1
    return rank + 1


def joints_covered(region: str, levels: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The facet joints whose two nerves were all blocked, from levels like "L3 MB", "L5 DR".

    Thoracic, lumbar and sacral: the joint below vertebra n (L4-5 for n = L4) is supplied by the
    medial branches of n - 1 and n (L3 MB + L4 MB; L5-S1 by L4 MB + the L5 dorsal ramus).
    Cervical (C3-4 down): by the medial branches of n and n + 1 (C4-5 by C4 + C5).
    Ranges ("L4-L5") and anything not a single level are left out: what they name is unclear.
    """
    nerves: set[int] = set()
    for text in levels:
        match = _NERVE_RE.fullmatch(" ".join(text.split()))
        if match is None:
            continue
        rank = _level_rank(match["level"])
        if rank is not None:
            nerves.add(rank)
    joints: list[str] = []
    for rank in sorted(nerves):
        following = _rank_after(rank)
        if following not in nerves:
            continue
        if region.lower() == "cervical":
            if rank // 100 == 0 and rank % 100 >= 3:
                joints.append(_joint_name(rank))  # C4 + C5 -> C4-5
        elif following // 100 != 0:
            joints.append(_joint_name(following))  # L3 + L4 -> L4-5
    return tuple(joints)

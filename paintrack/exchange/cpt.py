"""CPT codes for a facet joint nerve block (64490-64495), when its region and levels say them.

CPT counts facet joint levels, not nerves: a joint is numbed by blocking the two nerves that
supply it (L4-L5 by the L3 and L4 medial branches, L5-S1 by the L4 medial branch and the L5
dorsal ramus), so k neighbouring nerves cover k - 1 joints. A level written as a joint ("L4-L5",
"L4/5") counts as one joint. Anything else (a lone nerve, nerves with a gap, a bare "L4", joints
mixed with nerves, a level outside the block's region) leaves the count unknown and the block
without a CPT code, rather than guessing a bill.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paintrack.clinical.levels import parse_levels
from paintrack.clinical.model import Region

CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"

# Every level from the top of the neck to the sacrum, in order: neighbours are one apart.
_ORDER: tuple[str, ...] = (
    *(f"C{n}" for n in range(2, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    "S1",
    "S2",
)
_LEVEL = r"(?:C[2-7]|T(?:1[0-2]|[1-9])|L[1-5]|S[12])"
_NERVE_RE = re.compile(
    rf"(?P<level>{_LEVEL})\s+(?:MB|DR|MEDIAL\s+BRANCH(?:ES)?|DORSAL\s+RAM(?:US|I))",
    re.IGNORECASE,
)
_JOINT_RE = re.compile(
    rf"(?P<first>{_LEVEL})\s*(?:-|\u2013|\u2014|/|TO)\s*(?P<second>{_LEVEL}|\d{{1,2}})",
    re.IGNORECASE,
)

# (first level, second level, third and any further level), by the block's region.
_CODES: dict[Region, tuple[str, str, str]] = {
    Region.CERVICAL: ("64490", "64491", "64492"),
    Region.THORACIC: ("64490", "64491", "64492"),
    Region.LUMBAR: ("64493", "64494", "64495"),
    Region.SACRAL: ("64493", "64494", "64495"),
}
_REGION_LETTERS: dict[Region, str] = {
    Region.CERVICAL: "CT",
    Region.THORACIC: "CT",
    Region.LUMBAR: "LS",
    Region.SACRAL: "LS",
}
_DISPLAY: dict[str, str] = {
    "64490": "Facet joint injection or nerve block, cervical or thoracic, with imaging; "
    "single level",
    "64491": "Facet joint injection or nerve block, cervical or thoracic; second level (add-on)",
    "64492": "Facet joint injection or nerve block, cervical or thoracic; third and any "
    "additional level (add-on)",
    "64493": "Facet joint injection or nerve block, lumbar or sacral, with imaging; single level",
    "64494": "Facet joint injection or nerve block, lumbar or sacral; second level (add-on)",
    "64495": "Facet joint injection or nerve block, lumbar or sacral; third and any additional "
    "level (add-on)",
}


@dataclass(frozen=True)
class CptCode:
    code: str
    display: str


def _position(text: str, region_letter: str = "") -> int | None:
    text = text.strip().upper()
    if text.isdigit():
        text = region_letter + text
    return _ORDER.index(text) if text in _ORDER else None


def _in_region(level: str, region: Region) -> bool:
    return level.strip()[0].upper() in _REGION_LETTERS[region]


def facet_joint_levels(region: Region, levels: Sequence[str]) -> int | None:
    """How many facet joint levels the block's levels cover, or None when they do not say."""
    if not levels:
        return None
    readable, unreadable = parse_levels(", ".join(levels))
    if unreadable or not readable:
        return None
    nerves: set[int] = set()
    joints: set[tuple[int, int]] = set()
    for level in readable:
        text = " ".join(level.split())
        nerve = _NERVE_RE.fullmatch(text)
        joint = _JOINT_RE.fullmatch(text)
        if nerve is not None:
            position = _position(nerve["level"])
            if position is None or not _in_region(nerve["level"], region):
                return None
            nerves.add(position)
        elif joint is not None:
            first = _position(joint["first"])
            second = _position(joint["second"], joint["first"][0].upper())
            if first is None or second is None or second - first != 1:
                return None  # a range over several joints is written too many ways to count
            if not (_in_region(joint["first"], region) and _in_region(_ORDER[second], region)):
                return None
            joints.add((first, second))
        else:
            return None  # a bare level ("L4"): a nerve or a joint, it does not say
    if nerves and joints:
        return None
    if joints:
        return len(joints)
    ordered = sorted(nerves)
    runs: list[list[int]] = []
    for position in ordered:
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    if any(len(run) < 2 for run in runs):
        return None  # one nerve alone numbs half a joint: not a level CPT counts
    return sum(len(run) - 1 for run in runs)


def cpt_codes(region: Region, levels: Sequence[str]) -> tuple[CptCode, ...]:
    """The block's CPT codes, the primary first, then the add-on codes; () when unknown.

    One joint: the primary code (64490 / 64493); two: also the second-level add-on (64491 /
    64494); three or more: also the third-and-further add-on (64492 / 64495), listed once.
    """
    count = facet_joint_levels(region, levels)
    if count is None or count < 1:
        return ()
    first, second, further = _CODES[region]
    codes = [first]
    if count >= 2:
        codes.append(second)
    if count >= 3:
        codes.append(further)
    return tuple(CptCode(code, _DISPLAY[code]) for code in codes)

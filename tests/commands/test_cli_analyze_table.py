"""Review: `paintrack analyze` (the readable table) says what `analyze --json` says.

Checked on the shipped demo diary and on the thresholds 50/80/100, line by line: baseline, peak,
every threshold's duration, bounds and expected-duration wording, the patient's estimate,
compliance, rescue notes, flags, comparisons, the preset verdict and the settings echo
(clinical.md, Wording: every report names its preset, thresholds and expected durations).
The durations are re-formatted here from the JSON numbers, independently of wording.py.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from paintrack.cli import main

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-diary.json"
NOW = "2026-06-01T00:00:00Z"
FLAG_WORDS = {
    "sedation": "sedation",
    "steroid": "steroid",
    "rescue_medication": "rescue pain medicine",
    "late_entries": "over 15 min after",
    "transcribed_entries": "paper diary",
    "amended_entries": "amended",
    "no_baseline": "no baseline",
    "baseline_zero": "baseline score was 0",
    "baseline_below_4": "below 4/10",
    "late_onset": "relief started late",
}


def _hm(minutes: float) -> str:
    """Whole minutes as "2 h 41 min", "45 min", "2 h" (from a 1-decimal JSON number)."""
    total = math.floor(minutes + 0.5)
    h, m = divmod(total, 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h else f"{m} min"


def _pct(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0") + "%"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["analyze", str(DEMO), "--now", NOW, *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _threshold_line(t: str, found: dict[str, Any], agent: str) -> str:
    if found["reached"] is None:
        return f">= {t}%: not computed"
    if not found["reached"]:
        return f">= {t}%: not reached"
    # Version 2 (items 6 and 9): "until" for the time from the block, then from onset.
    least = "at least " if found["censored"] else ""
    text = (
        f">= {t}%: until {least}{_hm(found['duration_minutes'])} after the block,"
        f" {least}{_hm(found['duration_from_onset_minutes'])} from onset"
    )
    if found["censored"]:
        extras = []
    else:
        extras = [
            f"between {_hm(found['duration_lower_minutes'])}"
            f" and {_hm(found['duration_upper_minutes'])}"
        ]
    if found["expected"] is not None:
        word = {
            "consistent": "consistent with",
            "shorter": "shorter than",
            "indeterminate": "indeterminate against",
        }[found["expected"]]
        extras.append(
            f"{word} the expected duration for {agent} (at least {_hm(found['expected_minutes'])})"
        )
    return text + (f" ({'; '.join(extras)})" if extras else "")


def _estimate_line(t: str, found: dict[str, Any]) -> str:
    if not found["reached"]:
        return f">= {t}%: not reached"
    least = "at least " if found["censored"] else ""
    return f">= {t}%: {least}{_hm(found['duration_minutes'])}"


def _sections(table: str) -> list[list[str]]:
    """The lines of each "Block N:" section, stripped."""
    sections: list[list[str]] = []
    for line in table.splitlines():
        if line.startswith("Block "):
            sections.append([line])
        elif sections and line.startswith("  "):
            sections[-1].append(line.strip())
        elif sections and not line.strip():
            sections.append([])
    return [s for s in sections if s]


@pytest.mark.parametrize("thresholds", [(), ("50", "80", "100"), ("75",)])
def test_table_says_what_the_json_says(
    capsys: pytest.CaptureFixture[str], thresholds: tuple[str, ...]
) -> None:
    options = [x for t in thresholds for x in ("--threshold", t)]
    data = json.loads(_run(capsys, "--json", *options))
    table = _run(capsys, *options)
    sections = _sections(table)
    assert len(data["blocks"]) == 2
    for block, lines in zip(data["blocks"], sections, strict=False):
        assert lines[0].startswith(f"Block {block['sequence']}: ")
        assert f", {block['agent']}, {block['region']} {block['side']}" in lines[0]
        body = lines[1:]
        expected: list[str] = []
        for name, site in block["sites"].items():
            side = block["side"] if name == "index" else name
            expected.append(f"Site {name} ({side} side)")
            baseline = "none" if site["baseline"] is None else f"{site['baseline']}/10"
            expected.append(f"baseline: {baseline}")
            figures = [site]
            if site["before_rescue"] is not None:
                # Item 10: the verdict figures first, then all entries, each labelled.
                expected.append(
                    f"from the scores before rescue medicine at {_hm(block['rescue_at_minutes'])}"
                    " (these decide the verdicts):"
                )
                figures = [site["before_rescue"], site]
            for k, shown in enumerate(figures):
                if k == 1:
                    expected.append("from all entries, including scores after rescue medicine:")
                if shown["peak_relief_percent"] is None:
                    expected.append("peak relief: -")
                else:
                    expected.append(
                        f"peak relief: {_pct(shown['peak_relief_percent'])}"
                        f" at {_hm(shown['time_to_peak_minutes'])}"
                    )
                for t, found in shown["thresholds"].items():
                    expected.append(_threshold_line(t, found, block["agent"]))
        estimate = block["patient_estimate"]
        if estimate is not None:
            expected.append("Patient's own estimate (not used for verdicts)")
            expected.append(
                f"peak: {_pct(estimate['peak_relief_percent'])}"
                f" at {_hm(estimate['time_to_peak_minutes'])}"
            )
            for t, found in estimate["thresholds"].items():
                expected.append(_estimate_line(t, found))
        c = block["compliance"]
        expected.append(
            f"Compliance: {c['kept_on_time']} of {c['due']} due points on time"
            f" ({c['percent']:g}%), {c['kept_late']} late or from paper, {c['missed']} missed"
        )
        expected += [
            f"Note: rescue medicine taken at {_hm(m)}" for m in block["rescue_medication_minutes"]
        ]
        assert body[: len(expected)] == expected
        flag_lines = body[len(expected) :]
        assert len(flag_lines) == len(block["flags"])
        for flag, line in zip(block["flags"], flag_lines, strict=True):
            assert line.startswith("Flag: ") and FLAG_WORDS[flag] in line
    outcome_lines = re.findall(r"^  lumbar right, (\w+), >= (\d+)%: ([a-z ]+):", table, re.M)
    assert [(s, int(t), r) for s, t, r in outcome_lines] == [
        (c["site"], c["threshold"], c["result"]) for c in data["comparisons"]
    ]
    preset = data["preset"]
    assert f"Checklist: {preset['label']} (>= {preset['threshold']}%)" in table
    for target in preset["targets"]:
        where = f"{target['region'].capitalize()}, " + (
            "both sides" if target["side"] == "bilateral" else f"{target['side']} side"
        )
        assert f"  {where}: {target['verdict']}\n" in table
        assert re.fullmatch(
            r"(meets|does not meet|not enough information to say whether it meets"
            r"|not known yet whether it meets|pending for)"
            r" the \d+% rule \(.+ preset\)( — the diary is still in progress \(.+\))?"
            r"(: a .+ is needed(, on or after \d+ \w+ \d{4})?)?(, with cautions: .+)?",
            target["verdict"],
        )
    settings = data["settings"]
    names = ", ".join(f"{t}%" for t in data["thresholds"])
    assert f"Settings: {settings['preset_label']}; thresholds {names};" in table
    for agent, minutes in settings["expected_minutes"].items():
        assert f"{agent} {_hm(minutes)}" in table.split("Settings: ")[1]
    assert "candidate" not in table.lower() and "rfa" not in table.lower()


def test_demo_figures_against_hand_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's block 1 (lidocaine, baseline 8) by hand from its entries:
    15 min 2 (75%), 31 min 1 (87.5%), 46 1, 61 1, 122 2 (75%), 181 5 (37.5%), 240 7, ...
    peak 87.5% first at 31 min; 80%: i = 31, j = 122 -> 61 + 61 * 7.5/12.5 = 97.6;
    50%: i = 15, j = 181 -> 122 + 59 * 25/37.5 = 161.33. Lidocaine expects >= 60 min:
    lower bounds 61 and 122 -> consistent."""
    data = json.loads(_run(capsys, "--json"))
    index = data["blocks"][0]["sites"]["index"]
    assert index["baseline"] == 8
    assert (index["peak_relief_percent"], index["time_to_peak_minutes"]) == (87.5, 31.0)
    t80, t50 = index["thresholds"]["80"], index["thresholds"]["50"]
    assert (t80["duration_lower_minutes"], t80["duration_upper_minutes"]) == (61.0, 122.0)
    assert t80["duration_minutes"] == round(61 + 61 * 7.5 / 12.5, 1)
    assert (t50["duration_lower_minutes"], t50["duration_upper_minutes"]) == (122.0, 181.0)
    assert t50["duration_minutes"] == round(122 + 59 * 25 / 37.5, 1)
    assert t80["expected"] == t50["expected"] == "consistent"

"""Review's worklist: the targets with a block in the clinic's last N days (setting
`worklist_days`, default 30) and those with a follow-up due, one line per patient and target,
each with the clinical engine's status, compliance and next step.

Why a cache, and how it stays true. Analysing a diary takes about 4 ms (four blocks of fifteen
entries), so analysing a 10,000-patient clinic each time Review opens would take 40 s or more;
the worklist must open in under 200 ms. So each patient's summary (`clinical.worklist.summarize`
of `analyze_diary`) is kept in the table `worklist_summaries`, and opening the worklist reads
those rows (one query) instead of the diaries. A summary is trusted only while it is true:

- on write: database triggers (migration 0005) delete a patient's summary whenever one of their
  blocks, entries or scores is inserted, changed or removed, by any code path, this version's
  or a later one. Views, exports and PDFs write only audit rows, so they leave it alone;
- in time: an analysis depends on the clock only while a block's diary is in progress, so a
  summary made then carries `valid_until`, the last open protocol window's end;
- in settings: each summary carries a digest of the settings the analysis read (and of the
  summary's version, `SUMMARY_VERSION`); other settings make every summary stale.

The patients whose summary is missing or stale are analysed again off the UI thread, in batches
(`refresh_worklist`), and their lines join the worklist as each batch lands; at a clinic that
is a handful after a day's work, and the whole clinic only once (the first opening after the
upgrade, or after a change of clinic settings). Refreshing on every write instead would put an
analysis into each save the patient makes, which has its own time target; a batch refresh that
reads several diaries at once is also several times cheaper per patient. A summary saved for a
patient whose trail grew while it was being worked out is not kept (see `Store.save_worklist`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from paintrack.clinical.analysis import analyze_diary, thresholds_with_preset
from paintrack.clinical.model import Patient
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.worklist import (
    PatientSummary,
    TargetJSON,
    TargetSummary,
    settings_key,
    shown,
    shown_json,
    summarize,
)

if TYPE_CHECKING:
    from paintrack.store import Store

BATCH = 200  # patients read, analysed and saved at a time
Progress = Callable[[int, int], None]


class WorklistLine:
    """One row of the worklist: a patient and one of their treatment targets. Read from the
    cache, the target stays in its JSON form (`raw`) until something asks for `target`: a
    worklist of thousands of rows decodes only those on screen."""

    __slots__ = ("_raw", "_target", "patient")

    def __init__(
        self,
        patient: Patient,
        target: TargetSummary | None = None,
        *,
        raw: TargetJSON | None = None,
    ) -> None:
        if target is None and raw is None:
            raise ValueError("a worklist line needs its target")
        self.patient = patient
        self._target = target
        self._raw = raw

    @property
    def target(self) -> TargetSummary:
        if self._target is None:
            assert self._raw is not None
            self._target = TargetSummary.from_json(self._raw)
        return self._target

    @property
    def raw(self) -> TargetJSON:
        """The target's JSON form (TargetSummary.to_json)."""
        if self._raw is None:
            assert self._target is not None
            self._raw = self._target.to_json()
        return self._raw

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorklistLine):
            return NotImplemented
        return self.patient == other.patient and self.target == other.target

    def __hash__(self) -> int:
        return hash((self.patient.id, self.target.region, self.target.side))

    def __repr__(self) -> str:
        return f"WorklistLine({self.patient.name!r}, {self.target!r})"


@dataclass(frozen=True)
class Worklist:
    """The worklist at `now`, from the cache; `stale`: patients still to be analysed (their
    lines come from `refresh_worklist`)."""

    lines: tuple[WorklistLine, ...]
    stale: tuple[str, ...]
    days: int
    now: datetime
    settings: ClinicSettings


def lines_of(
    found: Sequence[tuple[Patient, PatientSummary]], now: datetime, days: int
) -> list[WorklistLine]:
    return [
        WorklistLine(patient, target)
        for patient, summary in found
        for target in summary.targets
        if shown(target, now, days)
    ]


def _cached_lines(
    found: Sequence[tuple[Patient, Sequence[TargetJSON]]], since: datetime
) -> list[WorklistLine]:
    return [
        WorklistLine(patient, raw=raw)
        for patient, targets in found
        for raw in targets
        if shown_json(raw, since)
    ]


def open_worklist(store: Store, now: datetime, *, days: int | None = None) -> Worklist:
    """The worklist as the cache knows it: fast (one query for the lines, one for the stale).
    `days`: the window instead of the clinic's setting (benchmarks)."""
    settings = store.get_settings()
    days = settings.worklist_days if days is None else days
    since = now - timedelta(days=days)
    read = store.worklist(settings_key(settings), now, since)
    return Worklist(
        lines=tuple(_cached_lines(read.summaries, since)),
        stale=read.stale,
        days=days,
        now=now,
        settings=settings,
    )


def summarize_diaries(
    store: Store, patient_ids: Sequence[str], settings: ClinicSettings, now: datetime
) -> list[tuple[Patient, PatientSummary]]:
    """Read and analyse these patients' diaries (under the clinic's default preset, with its
    threshold beside the clinic's, as Review first shows them) and cache the summaries. A diary
    the engine cannot analyse is left out (its patient stays stale and is shown in Review)."""
    after_seq = store.trail_end()
    thresholds = thresholds_with_preset(settings)
    found: list[tuple[Patient, PatientSummary]] = []
    for diary in store.load_diaries(patient_ids):
        try:
            analysis = analyze_diary(diary, settings, now=now, thresholds=thresholds)
        except ValueError:
            continue
        found.append((diary.patient, summarize(analysis)))
    store.save_worklist(settings_key(settings), now, [s for _p, s in found], after_seq=after_seq)
    return found


def refresh_worklist(
    store: Store,
    worklist: Worklist,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> list[WorklistLine]:
    """Analyse the worklist's stale patients in batches and cache their summaries; the lines
    among them that belong on the worklist. `progress(done, total)` after each batch (called on
    the caller's thread: off the UI thread, hand it over with a signal)."""
    lines: list[WorklistLine] = []
    total = len(worklist.stale)
    for start in range(0, total, batch):
        chunk = worklist.stale[start : start + batch]
        found = summarize_diaries(store, chunk, worklist.settings, worklist.now)
        lines.extend(lines_of(found, worklist.now, worklist.days))
        if progress is not None:
            progress(min(total, start + batch), total)
    return lines

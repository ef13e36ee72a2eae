"""A simulated patient who answers each reminder after a random delay, for measuring how many
protocol points reminders keep on time. Drives the window's own `Reminders` with a fake clock
and the clinical engine's schedule, refreshed every 15 seconds as the window does.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/simulated_patient.py  (prints the figure)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from paintrack.clinical.model import Agent, Block, Entry, Region, Side
from paintrack.clinical.results import PointState
from paintrack.clinical.schedule import schedule
from paintrack.clinical.settings import STANDARD_POINTS
from paintrack.ui.clock import FakeClock
from paintrack.ui.reminders import Reminders

REFRESH = timedelta(seconds=15)


@dataclass(frozen=True)
class Outcome:
    points: int
    on_time: int
    missed: int

    @property
    def percent(self) -> float:
        return 100.0 * self.on_time / self.points


def simulate(
    days: int, *, seed: int, max_delay_minutes: float = 6.0, snooze_chance: float = 0.25
) -> Outcome:
    """`days` block days; each reminder is answered after 0 to `max_delay_minutes` (uniform),
    and with `snooze_chance` the patient first presses the snooze, then answers the same way
    once it comes back."""
    rng = random.Random(seed)
    points = on_time = missed = 0
    for day in range(days):
        t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC) + timedelta(
            days=day, minutes=rng.randrange(0, 120), seconds=rng.randrange(0, 60)
        )
        block = Block(
            performed_at=t0,
            region=Region.LUMBAR,
            side=Side.RIGHT,
            agent=Agent.LIDOCAINE,
            sequence=1,
            sites=("index",),
            entries=(Entry(at=t0 - timedelta(minutes=5), recorded_at=t0, scores={"index": 7}),),
        )
        clock = FakeClock(t0)
        reminders = Reminders(clock)
        answer_at: datetime | None = None
        snoozed_once = False
        end = t0 + timedelta(minutes=STANDARD_POINTS[-1] + 60)
        # The reminders read the points' times and entries, not their states: the schedule
        # is made again only when an entry is added (the window makes it every refresh).
        reminders.set_schedule(block.id, schedule(block, STANDARD_POINTS, t0))
        while clock.now() < end:
            clock.advance(seconds=REFRESH.total_seconds())
            now = clock.now()
            fired = reminders.check()
            if fired is not None and answer_at is None:
                if not snoozed_once and rng.random() < snooze_chance and reminders.snooze():
                    snoozed_once = True
                else:
                    answer_at = now + timedelta(seconds=rng.uniform(0, 60 * max_delay_minutes))
            if answer_at is not None and now >= answer_at:
                scored = Entry(at=now, recorded_at=now, scores={"index": 3})
                block = replace(block, entries=(*block.entries, scored))
                reminders.set_schedule(block.id, schedule(block, STANDARD_POINTS, now))
                answer_at, snoozed_once = None, False
        final = schedule(block, STANDARD_POINTS, end)
        points += len(final)
        on_time += sum(1 for p in final if p.state == PointState.ON_TIME)
        missed += sum(1 for p in final if p.state == PointState.MISSED)
        reminders.deleteLater()
    return Outcome(points=points, on_time=on_time, missed=missed)


if __name__ == "__main__":
    from paintrack.ui.app import ensure_application

    ensure_application()
    for chance in (0.0, 0.25):
        outcome = simulate(200, seed=20260302, snooze_chance=chance)
        print(
            f"snooze chance {chance:.0%}: {outcome.on_time} of {outcome.points} points on time "
            f"({outcome.percent:.1f}%), {outcome.missed} missed"
        )

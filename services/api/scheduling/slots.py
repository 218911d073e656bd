"""Expanding availability into bookable times: pure functions, no database.

Rules and overrides are wall times in the psychiatrist's zone. Each local date's windows are
turned into real instants with `zoneinfo`, so a 09:00 rule is 09:00 local on both sides of a
DST change (a different UTC instant), a window across the spring-forward gap is an hour
shorter and one across the fall-back hour an hour longer. Start times are stepped in real
time from the window's start, so every offered slot lasts exactly the visit's duration.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Window:
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Span:
    start: datetime  # aware
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant a wall time names on a day. In the spring-forward gap, the wall time is read
    with the offset in force before the change (fold=0), which lands after the gap."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def windows_for_day(
    day: date, rules: Sequence[tuple[int, Window]], overrides: dict[date, list[Window]]
) -> list[Window]:
    if day in overrides:
        return overrides[day]
    return [w for weekday, w in rules if weekday == day.weekday()]


def expand(
    *,
    zone: ZoneInfo,
    rules: Sequence[tuple[int, Window]],
    overrides: dict[date, list[Window]],
    time_off: Iterable[Span],
    busy: Iterable[Span],
    duration: timedelta,
    buffer: timedelta,
    step: timedelta,
    earliest: datetime,
    latest: datetime,
    within: Span,
) -> list[Span]:
    """Every open start in `within` (UTC), no earlier than `earliest` and no later than `latest`.

    A slot is open when it fits in one window, does not touch time off, and its range plus the
    buffer does not overlap a busy range (busy ranges already include their own buffer).
    """
    off = list(time_off)
    taken = list(busy)
    first = within.start.astimezone(zone).date() - timedelta(days=1)
    last = within.end.astimezone(zone).date() + timedelta(days=1)
    found: list[Span] = []
    day = first
    while day <= last:
        for w in windows_for_day(day, rules, overrides):
            w_start = local_instant(day, w.start, zone)
            w_end = local_instant(day, w.end, zone)
            start = w_start
            if start < within.start:
                # Jump to the first step at or after `within` (earlier starts are never offered):
                # checking one time must not walk every step of three days.
                start += -((w_start - within.start) // step) * step
            while start + duration <= w_end and start < within.end:
                slot = Span(start, start + duration)
                blocked = Span(start, start + duration + buffer)
                if (
                    within.start <= start < within.end
                    and earliest <= start <= latest
                    and not any(slot.overlaps(o) for o in off)
                    and not any(blocked.overlaps(b) for b in taken)
                ):
                    found.append(slot)
                start += step
        day += timedelta(days=1)
    found.sort(key=lambda s: s.start)
    return found


def parse_windows(raw: Sequence[Sequence[str]]) -> list[Window]:
    return [Window(time.fromisoformat(a), time.fromisoformat(b)) for a, b in raw]


def windows_overlap(windows: Sequence[Window]) -> tuple[Window, Window] | None:
    ordered = sorted(windows, key=lambda w: w.start)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            return a, b
    return None

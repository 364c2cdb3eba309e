"""Breaks in an officer's day: nobody drives or visits during them. Pure.

PyVRP has no breaks, and a client has one time window. The solver therefore plans on a
*work clock* from which the breaks every vehicle shares are cut out (`WorkClock`): a window
around lunch stays one window, and a drive that reaches lunch simply resumes after it. The
answer is then timed on the real clock with `drive` and `visit_start`: a drive reaching a
break pauses for it (the break time is added where it falls), and a visit that would overlap
a break starts when the break ends. That push (at most one visit's length per break) is the
only place where real time and the solver's view differ; the solver's repair drops a visit
if it breaks a window or the shift.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[int, int]


def normalise(breaks: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, non-empty, overlapping or touching intervals merged."""
    merged: list[Interval] = []
    for start, end in sorted(b for b in breaks if b[1] > b[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def common(sets: Sequence[Sequence[Interval]]) -> tuple[Interval, ...]:
    """The time that is a break in every one of `sets`."""
    if not sets:
        return ()
    shared = normalise(sets[0])
    for other in sets[1:]:
        shared = normalise(
            (max(a0, b0), min(a1, b1)) for a0, a1 in shared for b0, b1 in normalise(other)
        )
    return shared


def overlap(breaks: Sequence[Interval], start: int, end: int) -> int:
    """Seconds of `breaks` inside [start, end]."""
    return sum(max(0, min(end, b1) - max(start, b0)) for b0, b1 in breaks)


@dataclass(frozen=True)
class WorkClock:
    """Real seconds <-> seconds with `breaks` cut out (sorted, disjoint)."""

    breaks: tuple[Interval, ...] = ()

    def to_work(self, t: int) -> int:
        return t - sum(min(max(t - b0, 0), b1 - b0) for b0, b1 in self.breaks)


def drive(clock: int, seconds: int, breaks: Sequence[Interval]) -> int:
    """Arrival after driving `seconds` from `clock`, pausing for every break on the way."""
    if seconds <= 0:
        return clock
    remaining = seconds
    for b0, b1 in breaks:
        if clock >= b1:
            continue
        if clock >= b0:  # leaving during a break: leave when it ends
            clock = b1
            continue
        if clock + remaining <= b0:
            break
        remaining -= b0 - clock
        clock = b1
    return clock + remaining


def visit_start(earliest: int, service_s: int, breaks: Sequence[Interval]) -> int:
    """The first start at or after `earliest` for a visit that overlaps no break."""
    begin = earliest
    for b0, b1 in breaks:
        if begin < b1 and begin + service_s > b0:
            begin = b1
    return begin

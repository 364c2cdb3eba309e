"""Breaks (pure): the work clock the solver plans on, and timing on the real clock."""

from __future__ import annotations

from api.routing.breaks import WorkClock, common, drive, normalise, overlap, visit_start

LUNCH = ((100, 160),)


def test_normalise_and_common() -> None:
    assert normalise([(50, 60), (10, 20), (15, 30), (40, 40)]) == ((10, 30), (50, 60))
    assert common([[(100, 160)], [(130, 190)]]) == ((130, 160),)
    assert common([[(100, 160)], []]) == ()
    assert common([]) == ()
    assert overlap(LUNCH, 90, 120) == 20


def test_the_work_clock_cuts_breaks_out() -> None:
    clock = WorkClock(LUNCH)
    assert [clock.to_work(t) for t in (50, 100, 130, 160, 200)] == [50, 100, 100, 100, 140]


def test_a_drive_pauses_for_a_break_and_a_visit_never_overlaps_one() -> None:
    assert drive(50, 30, LUNCH) == 80  # before the break
    assert drive(90, 30, LUNCH) == 180  # 10 s before, lunch, 20 s after
    assert drive(120, 30, LUNCH) == 190  # leaving during lunch: after it
    assert drive(120, 0, LUNCH) == 120  # no drive, no wait
    assert visit_start(50, 40, LUNCH) == 50
    assert visit_start(70, 40, LUNCH) == 160  # would end at 110, inside lunch
    assert visit_start(130, 10, LUNCH) == 160
    assert visit_start(60, 40, LUNCH) == 60  # ends exactly when lunch starts

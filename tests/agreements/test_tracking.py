"""Promises and schedule lines against payments (pure)."""

from __future__ import annotations

from datetime import date

from api.agreements.tracking import (
    AgreementTrack,
    PaymentFact,
    PromiseFact,
    track_agreement,
    track_promises,
)
from models.enums import PromiseStatus, ScheduleLineStatus

D = date.fromisoformat


def pay(day: str, fen: int, ref: str = "") -> PaymentFact:
    return PaymentFact(D(day), fen, ref or f"{day}-{fen}")


def test_a_promise_is_kept_by_payments_in_its_window_and_broken_after_grace() -> None:
    promises = [
        PromiseFact("kept", D("2026-11-23"), D("2026-11-30"), 50_000),
        PromiseFact("late", D("2026-11-23"), D("2026-12-05"), 80_000),
        PromiseFact("open", D("2026-11-23"), D("2026-12-20"), 10_000),
    ]
    payments = [
        pay("2026-11-22", 99_999),  # before the promises were made: not theirs
        pay("2026-11-29", 30_000),
        pay("2026-12-03", 20_000),  # within the grace days of "kept"
        pay("2026-12-09", 80_000),  # after "late"'s grace days (Dec 8)
    ]
    result = track_promises(promises, payments, today=D("2026-12-10"), grace_days=3)
    assert result["kept"].status == PromiseStatus.kept and result["kept"].paid_fen == 50_000
    assert result["late"].status == PromiseStatus.broken and result["late"].paid_fen == 0
    assert result["open"].status == PromiseStatus.kept  # the Dec 9 payment keeps it early
    # On the last day of the grace period a short promise is still open.
    on_time = track_promises(promises[1:2], [], today=D("2026-12-08"), grace_days=3)
    assert on_time["late"].status == PromiseStatus.open


def test_each_payment_counts_once_across_promises() -> None:
    promises = [
        PromiseFact("a", D("2026-11-23"), D("2026-11-30"), 50_000),
        PromiseFact("b", D("2026-11-24"), D("2026-12-01"), 50_000),
    ]
    result = track_promises(
        promises, [pay("2026-11-28", 70_000)], today=D("2026-12-10"), grace_days=3
    )
    assert (result["a"].status, result["a"].paid_fen) == (PromiseStatus.kept, 50_000)
    assert (result["b"].status, result["b"].paid_fen) == (PromiseStatus.broken, 20_000)


def test_agreement_allocates_oldest_first_and_breaks_after_two_missed_lines() -> None:
    lines = [
        (1, D("2026-12-23"), 100_000),
        (2, D("2027-01-23"), 100_000),
        (3, D("2027-02-23"), 100_000),
    ]

    def track(today: str, *payments: PaymentFact) -> AgreementTrack:
        return track_agreement(
            signed_on=D("2026-11-23"),
            down_payment_fen=50_000,
            lines=lines,
            payments=payments,
            today=D(today),
            grace_days=3,
            broken_after=2,
        )

    early = track("2026-12-01", pay("2026-11-20", 50_000), pay("2026-11-23", 80_000))
    assert early.down_payment.status == ScheduleLineStatus.paid
    assert early.lines[1].paid_fen == 30_000
    assert early.lines[1].status == ScheduleLineStatus.due
    assert early.target == "active"

    one_missed = track("2026-12-27", pay("2026-11-23", 80_000))
    assert one_missed.lines[1].status == ScheduleLineStatus.missed
    assert (one_missed.missed, one_missed.target) == (1, "active")

    broken = track("2027-01-27", pay("2026-11-23", 80_000))
    assert (broken.missed, broken.target) == (2, "broken")

    # Paid in full but the first line late (Dec 30 > Dec 26): paid, and one miss on record.
    late = track(
        "2027-03-01",
        pay("2026-11-23", 50_000),
        pay("2026-12-30", 100_000),
        pay("2027-01-20", 100_000),
        pay("2027-02-20", 100_000),
    )
    assert late.lines[1].status == ScheduleLineStatus.paid
    assert late.lines[1].paid_on == D("2026-12-30")
    assert (late.missed, late.target, late.paid_fen) == (1, "fulfilled", 350_000)


def test_no_down_payment_counts_as_paid_on_the_signing_day() -> None:
    track = track_agreement(
        signed_on=D("2026-11-23"),
        down_payment_fen=0,
        lines=[(1, D("2026-12-23"), 100)],
        payments=[pay("2026-12-01", 100)],
        today=D("2026-12-02"),
        grace_days=0,
        broken_after=1,
    )
    assert track.down_payment.status == ScheduleLineStatus.paid
    assert track.lines[1].paid_on == D("2026-12-01")
    assert track.target == "fulfilled"

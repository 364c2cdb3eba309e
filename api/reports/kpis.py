"""KPI arithmetic over visit and promise facts. Pure: no database, no FastAPI.

Definitions (domain.md):
- contact rate = visits where the borrower was met / visits completed
- PTP rate = visits with a promise or agreement / visits where the borrower was met
- PTP kept rate = promises paid in full by their date / promises due
- recovery after visit = payments within 30 days after a visit / overdue amount at visit
- cure rate = loans back to 0 DPD within 30 days after a visit / loans visited
- cost per visit = km per completed visit; cost per unit recovered = travel cost per 100 CNY
- follow-up calls (回访): of the calls answered, the share where the officer was courteous,
  lawful, explained the agreement, and the mean satisfaction (1-5); by officer or overall
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

GroupBy = str  # "all" | "officer" | "bucket" | "segment"
GROUPINGS = ("all", "officer", "bucket", "segment")


@dataclass(frozen=True)
class VisitFact:
    visit_id: str
    officer_ids: tuple[str, ...]
    plan_date: date
    completed: bool
    met: bool
    promised: bool
    bucket: str
    segment: str
    overdue_fen: int
    recovered_fen: int
    loans: int
    cured_loans: int
    distance_m: int


@dataclass(frozen=True)
class PromiseFact:
    officer_id: str
    bucket: str
    segment: str
    due_date: date
    kept: bool


@dataclass(frozen=True)
class FeedbackFact:
    """An answered follow-up call about a visit led by `officer_id`."""

    officer_id: str
    plan_date: date
    courteous: bool
    lawful: bool
    explained: bool
    satisfied: int


@dataclass
class KpiRow:
    group: str
    visits_planned: int = 0
    visits_completed: int = 0
    met: int = 0
    promised: int = 0
    promises_due: int = 0
    promises_kept: int = 0
    overdue_at_visit_fen: int = 0
    recovered_fen: int = 0
    loans_visited: int = 0
    loans_cured: int = 0
    distance_m: int = 0
    feedback_calls: int = 0
    feedback_courteous: int = 0
    feedback_lawful: int = 0
    feedback_explained: int = 0
    feedback_satisfaction_sum: int = 0
    cost_per_km_fen: int = field(default=0, repr=False)

    @property
    def courteous_rate(self) -> float | None:
        return _ratio(self.feedback_courteous, self.feedback_calls)

    @property
    def lawful_rate(self) -> float | None:
        return _ratio(self.feedback_lawful, self.feedback_calls)

    @property
    def explained_rate(self) -> float | None:
        return _ratio(self.feedback_explained, self.feedback_calls)

    @property
    def mean_satisfaction(self) -> float | None:
        return _ratio(self.feedback_satisfaction_sum, self.feedback_calls)

    @property
    def contact_rate(self) -> float | None:
        return _ratio(self.met, self.visits_completed)

    @property
    def ptp_rate(self) -> float | None:
        return _ratio(self.promised, self.met)

    @property
    def ptp_kept_rate(self) -> float | None:
        return _ratio(self.promises_kept, self.promises_due)

    @property
    def recovery_rate(self) -> float | None:
        return _ratio(self.recovered_fen, self.overdue_at_visit_fen)

    @property
    def cure_rate(self) -> float | None:
        return _ratio(self.loans_cured, self.loans_visited)

    @property
    def km(self) -> float:
        return round(self.distance_m / 1000, 1)

    @property
    def km_per_visit(self) -> float | None:
        ratio = _ratio(self.distance_m, self.visits_completed)
        return None if ratio is None else ratio / 1000

    @property
    def travel_cost_fen(self) -> int:
        return round(self.distance_m / 1000 * self.cost_per_km_fen)

    @property
    def cost_per_100_recovered_fen(self) -> int | None:
        """Travel cost per 100 CNY recovered (in fen)."""
        if self.recovered_fen <= 0:
            return None
        return round(self.travel_cost_fen * 10_000 / self.recovered_fen)


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _visit_keys(group_by: GroupBy) -> Callable[[VisitFact], Iterable[str]]:
    if group_by == "officer":
        return lambda f: f.officer_ids  # every member of the team shares the visit
    if group_by == "bucket":
        return lambda f: (f.bucket,)
    if group_by == "segment":
        return lambda f: (f.segment,)
    return lambda f: ("all",)


def _promise_key(group_by: GroupBy, fact: PromiseFact) -> str:
    return {"officer": fact.officer_id, "bucket": fact.bucket, "segment": fact.segment}.get(
        group_by, "all"
    )


def _feedback_key(group_by: GroupBy, fact: FeedbackFact) -> str | None:
    """Calls rate the officer: by officer or overall; a bucket or segment row has none."""
    return {"officer": fact.officer_id, "all": "all"}.get(group_by)


def _add_feedback(
    row: Callable[[str], KpiRow], feedback: Iterable[FeedbackFact], group_by: GroupBy
) -> None:
    for fact in feedback:
        key = _feedback_key(group_by, fact)
        if key is None:
            continue
        r = row(key)
        r.feedback_calls += 1
        r.feedback_courteous += fact.courteous
        r.feedback_lawful += fact.lawful
        r.feedback_explained += fact.explained
        r.feedback_satisfaction_sum += fact.satisfied


def compute(
    visits: Iterable[VisitFact],
    promises: Iterable[PromiseFact],
    *,
    group_by: GroupBy = "all",
    cost_per_km_fen: int = 150,
    feedback: Iterable[FeedbackFact] = (),
) -> list[KpiRow]:
    """One row per group, sorted by group name. Every rate is None when its denominator
    is zero, never a made-up 0 %."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)}")
    rows: dict[str, KpiRow] = defaultdict(lambda: KpiRow(group="", cost_per_km_fen=0))

    def row(key: str) -> KpiRow:
        found = rows[key]
        found.group, found.cost_per_km_fen = key, cost_per_km_fen
        return found

    keys = _visit_keys(group_by)
    for fact in visits:
        for key in keys(fact):
            r = row(key)
            r.visits_planned += 1
            if not fact.completed:
                continue
            r.visits_completed += 1
            r.met += fact.met
            r.promised += fact.met and fact.promised
            r.overdue_at_visit_fen += fact.overdue_fen
            r.recovered_fen += fact.recovered_fen
            r.loans_visited += fact.loans
            r.loans_cured += fact.cured_loans
            r.distance_m += fact.distance_m
    for promise in promises:
        r = row(_promise_key(group_by, promise))
        r.promises_due += 1
        r.promises_kept += promise.kept
    _add_feedback(row, feedback, group_by)
    return [rows[k] for k in sorted(rows)]

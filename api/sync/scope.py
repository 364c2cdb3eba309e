"""What an officer's phone should hold now: every record with its version, and the data
of any record on demand (built only for the records a pull sends)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Date, Integer, Uuid, and_, bindparam, cast, func, literal, null, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from api.agreements.plan import settings_from_branch
from api.agreements.text import AGREEMENT_TEMPLATES
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.history.service import PHONE_DAYS, recent_histories
from api.review.effects import agreement_requests
from api.scoping import branch_column
from api.sync.cvr import composite_version, record_key, split_key
from api.visits import assessment
from api.visits.contacts import CONTACT_RESULTS, SKIP_REASONS, reference_items, sms_template
from api.visits.schemas import BorrowerPublic, LoanPublic
from models import (
    Agreement,
    AgreementLine,
    Borrower,
    Branch,
    ChangeRequest,
    Complaint,
    ContactLog,
    FeedbackCall,
    HardshipReason,
    Loan,
    Note,
    Payment,
    PlanTeam,
    Promise,
    User,
    Visit,
    VisitOfficer,
    VisitOutcome,
    VisitPlan,
)
from models.enums import AgreementStatus, PlanStatus, PromiseStatus, VisitStatus
from models.types import UTCDateTime

RECENT_CONTACTS = 5
# A phone follow-up becomes a call task on the officer's phone from the day before it is due.
PHONE_FOLLOW_UP = "phone_follow_up"
CALL_TASK_DAYS_AHEAD = 1
RESOLVED_KEPT_DAYS = 30
CONTACT_CODES = [
    ("borrower", "借款人本人", "Borrower"),
    ("family", "家属", "Family member"),
    ("guarantor", "担保人", "Guarantor"),
    ("third_party", "其他人员", "Third party"),
    ("nobody", "无人在家", "Nobody home"),
    ("refused", "拒绝沟通", "Refused to talk"),
]
_REFERENCE_NAMESPACE = uuid.UUID("5b0f8c1e-4a43-4d5e-9d0e-6f1c2a7b9e11")
# Kept on the phone while they matter at the door; broken ones too (missed instalments).
OPEN_AGREEMENT = (
    AgreementStatus.pending_approval,
    AgreementStatus.signed,
    AgreementStatus.active,
    AgreementStatus.broken,
)


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


@dataclass
class Scope:
    """versions: {"entity:id": version} of every record the phone should hold. Versions come
    from a few narrow queries; data is loaded only for the records a pull sends."""

    officer: User
    branch: Branch
    policy: Policy
    versions: dict[str, int] = field(default_factory=dict)
    teams: dict[uuid.UUID, list[str]] = field(default_factory=dict)
    history_since: date | None = None

    _names: dict[uuid.UUID, str] | None = field(default=None, init=False, repr=False)

    def officer_names(self, session: Session) -> dict[uuid.UUID, str]:
        """Names of the branch's staff, for records that say who did what (loaded once)."""
        if self._names is None:
            self._names = dict(
                session.execute(
                    sa_select(col(User.id), col(User.full_name)).where(
                        branch_column(User) == self.branch.id
                    )
                ).all()
            )
        return self._names

    def build(self, session: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
        wanted: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            entity, row_id = split_key(key)
            wanted[entity].append(row_id)
        data: dict[str, dict[str, Any]] = {}
        for entity, ids in wanted.items():
            loaded = _LOADERS[entity](session, self, [_parse_id(entity, i) for i in ids])
            data.update({record_key(entity, row_id): row for row_id, row in loaded.items()})
        return data


def _parse_id(entity: str, raw: str) -> Any:
    if entity == "route":  # "<plan_id>:<route>"
        plan_id, _, route = raw.partition(":")
        return uuid.UUID(plan_id), int(route)
    return uuid.UUID(raw)


_OFFICER = bindparam("officer_id", type_=Uuid)
_BRANCH = bindparam("branch_id", type_=Uuid)
_FIRST_DAY, _LAST_DAY = bindparam("first_day", type_=Date), bindparam("last_day", type_=Date)


def _visits_in_scope() -> Any:
    """The officer's visits of the days the phone holds. A draft plan's visits stay off the
    phones until it is published; visits assigned by hand (no plan) go out at once; a
    replaced plan keeps only its visits that were not cancelled (started or done)."""
    mine = aliased(VisitOfficer)
    return (
        select(Visit.id, Visit.version, Visit.borrower_id)
        .join(mine, and_(col(mine.visit_id) == Visit.id, col(mine.user_id) == _OFFICER))
        .outerjoin(VisitPlan, col(VisitPlan.id) == Visit.plan_id)
        .where(
            branch_column(Visit) == _BRANCH,
            col(Visit.plan_date) >= _FIRST_DAY,
            col(Visit.plan_date) <= _LAST_DAY,
            Visit.status != VisitStatus.cancelled,
            or_(col(Visit.plan_id).is_(None), col(VisitPlan.status) != PlanStatus.draft),
        )
        # Materialised: computed and planned once, though five parts of the union use it.
        .cte("in_scope")
        .prefix_with("MATERIALIZED")
    )


def _routes_in_scope(no_parent: Any) -> Any:
    """The routes of published plans the officer is on: (plan id, plan version, route)."""
    return (
        sa_select(
            literal("route"),
            col(VisitPlan.id),
            col(VisitPlan.version),
            no_parent,
            col(PlanTeam.route),
        )
        .join(PlanTeam, col(PlanTeam.plan_id) == VisitPlan.id)
        .where(
            col(PlanTeam.user_id) == _OFFICER,
            branch_column(VisitPlan) == _BRANCH,
            col(VisitPlan.plan_date) >= _FIRST_DAY,
            col(VisitPlan.plan_date) <= _LAST_DAY,
            col(VisitPlan.status) == PlanStatus.published,
        )
    )


@cache
def _versions_statement() -> Any:
    """Every version the scope needs besides the officer, branch and policy, in one round
    trip. Built once with bound parameters, so SQLAlchemy and the driver reuse its plan."""
    team = aliased(VisitOfficer)
    in_scope = _visits_in_scope()
    borrowers = select(in_scope.c.borrower_id)
    since = bindparam("since", type_=Date)
    since_at = bindparam("since_at", type_=UTCDateTime)
    no_parent, not_lead = cast(null(), Uuid), literal(0)
    return union_all(
        sa_select(
            literal("visit"),
            in_scope.c.id,
            in_scope.c.version,
            col(team.user_id),
            cast(team.is_lead, Integer),
        ).join(team, col(team.visit_id) == in_scope.c.id),
        sa_select(
            literal("hardship_reason"),
            col(HardshipReason.id),
            col(HardshipReason.version),
            no_parent,
            not_lead,
        ).where(col(HardshipReason.active).is_(True)),
        sa_select(
            literal("borrower"), col(Borrower.id), col(Borrower.version), no_parent, not_lead
        ).where(col(Borrower.id).in_(borrowers)),
        sa_select(
            literal("loan"), col(Loan.id), col(Loan.version), col(Loan.borrower_id), not_lead
        ).where(col(Loan.borrower_id).in_(borrowers)),
        sa_select(
            literal("promise"), col(Promise.id), col(Promise.version), no_parent, not_lead
        ).where(
            col(Promise.borrower_id).in_(borrowers),
            or_(col(Promise.status) == PromiseStatus.open, col(Promise.due_date) >= since),
        ),
        sa_select(
            literal("agreement"), col(Agreement.id), col(Agreement.version), no_parent, not_lead
        ).where(
            col(Agreement.borrower_id).in_(borrowers),
            or_(col(Agreement.status).in_(OPEN_AGREEMENT), col(Agreement.received_at) >= since_at),
        ),
        _routes_in_scope(no_parent),
        *_history_parts(borrowers),
    )


def _history_part(source: str, borrower_id: Any, version: Any, *where: Any) -> Any:
    """(history:<source>, borrower, row count, -, sum of row versions) since the window's
    start: a new, changed or expired row changes the borrower's history version."""
    return (
        sa_select(
            literal(f"history:{source}"),
            borrower_id,
            func.count(),
            cast(null(), Uuid),
            func.coalesce(func.sum(version), 0),
        )
        .where(*where)
        .group_by(borrower_id)
    )


def _history_parts(borrowers: Any) -> list[Any]:
    """What the phone's `history` records are made of, counted per borrower in scope
    (location changes bump the borrower's own version, which the record includes)."""
    at = bindparam("history_at", type_=UTCDateTime)
    day = bindparam("history_day", type_=Date)
    one = literal(1)
    seen = aliased(Visit)
    # (source, borrower column, version, window condition, other conditions)
    sources: list[tuple[str, Any, Any, Any, tuple[Any, ...]]] = [
        ("visit", col(seen.borrower_id), col(VisitOutcome.version), col(VisitOutcome.at) >= at,
         (col(VisitOutcome.visit_id) == seen.id,)),
        ("skip", col(Visit.borrower_id), col(Visit.version), col(Visit.skipped_at) >= at,
         (Visit.status == VisitStatus.skipped,)),
        ("note", col(Note.borrower_id), one, col(Note.at) >= at, ()),
        ("contact", col(ContactLog.borrower_id), one, col(ContactLog.at) >= at, ()),
        ("promise", col(Promise.borrower_id), col(Promise.version),
         col(Promise.made_at) >= at, ()),
        ("agreement", col(Agreement.borrower_id), col(Agreement.version),
         col(Agreement.signed_at) >= at, ()),
        ("payment", col(Loan.borrower_id), one, col(Payment.paid_on) >= day,
         (col(Payment.loan_id) == Loan.id,)),
        ("change_request", col(ChangeRequest.borrower_id), col(ChangeRequest.version),
         col(ChangeRequest.created_at) >= at, ()),
        ("complaint", col(Complaint.borrower_id), col(Complaint.version),
         col(Complaint.at) >= at, ()),
        ("feedback", col(FeedbackCall.borrower_id), col(FeedbackCall.version),
         col(FeedbackCall.called_at) >= at, ()),
    ]  # fmt: skip
    return [
        _history_part(name, borrower, version, borrower.in_(borrowers), window, *where)
        for name, borrower, version, window, where in sources
    ]


def load_scope(
    session: Session,
    *,
    officer: User,
    branch: Branch,
    today: date,
    days_ahead: int,
    policy: Policy | None = None,
) -> Scope:
    policy = policy or current_policy(session, branch)
    scope = Scope(officer=officer, branch=branch, policy=policy)
    add = scope.versions.__setitem__
    add(record_key("officer", officer.id), officer.version)
    add(record_key("branch", branch.id), branch.version)
    add(record_key("policy", branch.id), composite_version(branch.version, policy.as_data()))
    for ref_id, data in _REFERENCES.items():
        add(record_key("reference", ref_id), composite_version(data))
    since = today - timedelta(days=RESOLVED_KEPT_DAYS)
    history_since = today - timedelta(days=PHONE_DAYS)
    rows = session.execute(
        _versions_statement(),
        {
            "officer_id": officer.id,
            "branch_id": branch.id,
            "first_day": today - timedelta(days=1),
            "last_day": today + timedelta(days=days_ahead),
            "since": since,
            "since_at": datetime.combine(since, time(0), tzinfo=UTC),
            "history_at": datetime.combine(history_since, time(0), tzinfo=UTC),
            "history_day": history_since,
        },
    ).all()
    visit_versions: dict[uuid.UUID, int] = {}
    members: dict[uuid.UUID, list[tuple[int, str]]] = defaultdict(list)
    loans: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    borrower_versions: dict[uuid.UUID, int] = {}
    history: dict[uuid.UUID, list[tuple[str, int, int]]] = defaultdict(list)
    for entity, row_id, version, parent, lead in rows:
        if entity.startswith("history:"):
            history[row_id].append((entity, int(version), int(lead)))
        elif entity == "visit":
            visit_versions[row_id] = version
            members[row_id].append((-lead, str(parent)))  # the lead first
        elif entity == "loan":
            loans[parent].append((str(row_id), version))
        elif entity == "borrower":
            borrower_versions[row_id] = version
        elif entity == "route":
            add(record_key("route", f"{row_id}:{lead}"), composite_version(version, lead))
        else:
            add(record_key(entity, row_id), version)
    _add_call_tasks(session, scope, today=today, borrowers=borrower_versions, loans=loans)
    for visit_id, version in visit_versions.items():
        scope.teams[visit_id] = [member for _, member in sorted(members[visit_id])]
        add(record_key("visit", visit_id), composite_version(version, scope.teams[visit_id]))
    for borrower_id, version in borrower_versions.items():
        embedded = sorted(loans[borrower_id])
        add(record_key("borrower", borrower_id), composite_version(version, embedded))
    _add_histories(scope, borrower_versions, history, history_since)
    return scope


def _add_call_tasks(
    session: Session,
    scope: Scope,
    *,
    today: date,
    borrowers: dict[uuid.UUID, int],
    loans: dict[uuid.UUID, list[tuple[str, int]]],
) -> None:
    """The officer's call tasks; a task opens its borrower, so the borrower comes along
    though no visit holds it."""
    tasks = _call_tasks(session, officer=scope.officer, branch=scope.branch, today=today)
    for outcome_id, version, _ in tasks:
        scope.versions[record_key("call_task", outcome_id)] = version
    _add_borrowers(session, {b for _, _, b in tasks} - borrowers.keys(), borrowers, loans)


def _add_borrowers(
    session: Session,
    ids: set[uuid.UUID],
    versions: dict[uuid.UUID, int],
    loans: dict[uuid.UUID, list[tuple[str, int]]],
) -> None:
    """Versions of borrowers (and their loans) the visits did not bring into the scope."""
    if not ids:
        return
    for borrower_id, version in session.execute(
        sa_select(col(Borrower.id), col(Borrower.version)).where(col(Borrower.id).in_(ids))
    ):
        versions[borrower_id] = version
    for borrower_id, loan_id, version in session.execute(
        sa_select(col(Loan.borrower_id), col(Loan.id), col(Loan.version)).where(
            col(Loan.borrower_id).in_(ids)
        )
    ):
        loans[borrower_id].append((str(loan_id), version))


def _call_tasks(
    session: Session, *, officer: User, branch: Branch, today: date
) -> list[tuple[uuid.UUID, int, uuid.UUID]]:
    """Phone follow-ups due today or tomorrow, from the latest outcome of a borrower, for
    the officer who was on that visit: (outcome id, version, borrower id). Starts from the indexed
    follow-up date, so a pull never ranks the branch's whole history."""
    newer, newer_visit = aliased(VisitOutcome), aliased(Visit)
    superseded = (
        sa_select(literal(1))
        .select_from(newer)
        .join(newer_visit, col(newer_visit.id) == col(newer.visit_id))
        .where(
            col(newer_visit.borrower_id) == col(Visit.borrower_id),
            or_(
                col(newer.at) > col(VisitOutcome.at),
                and_(col(newer.at) == col(VisitOutcome.at), col(newer.id) > col(VisitOutcome.id)),
            ),
        )
        .exists()
    )
    rows = session.execute(
        sa_select(col(VisitOutcome.id), col(VisitOutcome.version), col(Visit.borrower_id))
        .join(Visit, col(Visit.id) == col(VisitOutcome.visit_id))
        .join(VisitOfficer, col(VisitOfficer.visit_id) == col(Visit.id))
        .where(
            branch_column(Visit) == branch.id,
            col(VisitOfficer.user_id) == officer.id,
            col(VisitOutcome.next_action) == PHONE_FOLLOW_UP,
            col(VisitOutcome.follow_up_on) >= today,
            col(VisitOutcome.follow_up_on) <= today + timedelta(days=CALL_TASK_DAYS_AHEAD),
            ~superseded,
        )
    ).all()
    return [(outcome_id, version, borrower_id) for outcome_id, version, borrower_id in rows]


def _load_call_tasks(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    rows = session.exec(
        select(VisitOutcome, Visit, Borrower)
        .join(Visit, col(Visit.id) == col(VisitOutcome.visit_id))
        .join(Borrower, col(Borrower.id) == col(Visit.borrower_id))
        .where(col(VisitOutcome.id).in_(ids), branch_column(Visit) == scope.branch.id)
    )
    return {
        str(outcome.id): {
            "borrower_id": str(borrower.id),
            "borrower_name": borrower.name,
            "borrower_phone": borrower.phone,
            "village": borrower.village,
            "due_on": _iso(outcome.follow_up_on),
            "visit_id": str(visit.id),
            "outcome_id": str(outcome.id),
            "visited_on": _iso(visit.plan_date),
        }
        for outcome, visit, borrower in rows
    }


def _add_histories(
    scope: Scope,
    borrower_versions: dict[uuid.UUID, int],
    parts: dict[uuid.UUID, list[tuple[str, int, int]]],
    since: date,
) -> None:
    """A `history` record per borrower in scope: its version changes with the borrower's
    and with any source's count or version sum in the window."""
    scope.history_since = since
    for borrower_id, version in borrower_versions.items():
        key = record_key("history", borrower_id)
        scope.versions[key] = composite_version(version, sorted(parts[borrower_id]))


def _load_officer(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    return {str(scope.officer.id): _officer_data(scope.officer)}


def _load_branch(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    return {str(scope.branch.id): _branch_data(scope.branch)}


def _load_policy(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    return {str(scope.branch.id): scope.policy.as_data()}


def _load_reference(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    return {str(i): _REFERENCES[i] for i in ids}


def _load_reasons(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    rows = session.exec(select(HardshipReason).where(col(HardshipReason.id).in_(ids)))
    return {str(r.id): _reason_data(r) for r in rows}


def _load_visits(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    latest: dict[uuid.UUID, VisitOutcome] = {}
    for outcome in session.exec(
        select(VisitOutcome)
        .where(col(VisitOutcome.visit_id).in_(ids))
        .order_by(col(VisitOutcome.at).desc())
    ):
        latest.setdefault(outcome.visit_id, outcome)
    requests: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for request in session.exec(
        select(ChangeRequest)
        .where(col(ChangeRequest.visit_id).in_(ids))
        .order_by(col(ChangeRequest.created_at))
    ):
        requests[request.visit_id].append(
            {
                "id": str(request.id),
                "kind": request.kind,
                "status": request.status,
                "decision_reason": request.decision_reason,
                "decided_at": _iso(request.decided_at),
            }
        )
    names = {str(user_id): name for user_id, name in scope.officer_names(session).items()}
    visits = session.exec(select(Visit).where(col(Visit.id).in_(ids)))
    return {
        str(v.id): {
            **_visit_data(v, scope.teams.get(v.id, []), latest.get(v.id)),
            # Team members by name, so "with my colleague 张伟" can be offered at check-in.
            "officer_names": [names.get(i, "") for i in scope.teams.get(v.id, [])],
            "change_requests": requests.get(v.id, []),
        }
        for v in visits
    }


# The columns of the public shapes (api.visits.schemas), but for those built here.
_LOAN_FIELDS = tuple(name for name in LoanPublic.model_fields if name != "id")
_BORROWER_FIELDS = tuple(
    name
    for name in BorrowerPublic.model_fields
    if name not in ("id", "loans", "version", "open_proposals")
)


@cache
def _borrower_statements() -> tuple[Any, Any, Any, Any]:
    """Borrowers, their loans and their latest contacts as plain rows (no ORM objects: a
    pull after a busy hour sends most of an officer's borrowers). Built once."""
    ids = bindparam("ids", expanding=True, type_=Uuid)
    borrowers = sa_select(
        col(Borrower.id), *(getattr(Borrower, f) for f in _BORROWER_FIELDS)
    ).where(col(Borrower.id).in_(ids))
    loans = (
        sa_select(col(Loan.borrower_id), col(Loan.id), *(getattr(Loan, f) for f in _LOAN_FIELDS))
        .where(col(Loan.borrower_id).in_(ids))
        .order_by(col(Loan.dpd).desc())
    )
    outcomes = _newest_per_borrower(
        ids,
        col(Visit.borrower_id),
        col(VisitOutcome.at),
        col(VisitOutcome.id),
        col(VisitOutcome.at),
        col(VisitOutcome.contact),
        col(VisitOutcome.officer_id),
        col(VisitOutcome.hardship_reasons),
        col(VisitOutcome.hardship_detail),
        join=(Visit, col(Visit.id) == VisitOutcome.visit_id),
    )
    notes = _newest_per_borrower(
        ids,
        col(Note.borrower_id),
        col(Note.at),
        col(Note.id),
        col(Note.at),
        col(Note.author_id),
        col(Note.text),
    )
    return borrowers, loans, outcomes, notes


def _newest_per_borrower(
    ids: Any, borrower_id: Any, at: Any, *columns: Any, join: tuple[Any, Any] | None = None
) -> Any:
    """(borrower_id, *columns) of the RECENT_CONTACTS newest rows per borrower, ranked in
    SQL so that only those leave the database."""
    rank = func.row_number().over(partition_by=borrower_id, order_by=at.desc())
    ranked = sa_select(borrower_id, *columns, rank.label("rank"))
    if join is not None:
        ranked = ranked.join(*join)
    newest = ranked.where(borrower_id.in_(ids)).subquery()
    return sa_select(*(c for c in newest.c if c.name != "rank")).where(
        newest.c.rank <= RECENT_CONTACTS
    )


def _load_borrowers(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    borrowers_query, loans_query, outcomes_query, notes_query = _borrower_statements()
    params = {"ids": ids}
    loans: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for borrower_id, loan_id, *values in session.execute(loans_query, params):
        loan = {"id": str(loan_id), **dict(zip(_LOAN_FIELDS, values, strict=True))}
        loan["last_payment_date"] = _iso(loan["last_payment_date"])
        loans[borrower_id].append(loan)
    names = scope.officer_names(session)
    history: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for borrower_id, row_id, at, contact, officer_id, reasons, detail in session.execute(
        outcomes_query, params
    ):
        history[borrower_id].append(
            {
                "id": str(row_id),
                "at": _iso(at),
                "kind": "visit",
                "contact": contact,
                "officer_name": names.get(officer_id, ""),
                "hardship_reasons": reasons,
                "text": detail,
            }
        )
    for borrower_id, row_id, at, author_id, text in session.execute(notes_query, params):
        history[borrower_id].append(
            {
                "id": str(row_id),
                "at": _iso(at),
                "kind": "note",
                "contact": None,
                "officer_name": names.get(author_id, ""),
                "hardship_reasons": [],
                "text": text,
            }
        )
    for items in history.values():
        items.sort(key=lambda c: c["at"] or "", reverse=True)
        del items[RECENT_CONTACTS:]
    requested = agreement_requests(session, ids)
    return {
        str(borrower_id): {
            **dict(zip(_BORROWER_FIELDS, values, strict=True)),
            "located_at": _iso(values[_BORROWER_FIELDS.index("located_at")]),
            "loans": loans.get(borrower_id, []),
            "recent_contacts": history.get(borrower_id, []),
            "agreement_requested": requested.get(borrower_id),
        }
        for borrower_id, *values in session.execute(borrowers_query, params)
    }


def _load_promises(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    return {
        str(p.id): _promise_data(p)
        for p in session.exec(select(Promise).where(col(Promise.id).in_(ids)))
    }


def _load_agreements(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    lines: dict[uuid.UUID, list[AgreementLine]] = defaultdict(list)
    for line in session.exec(
        select(AgreementLine)
        .where(col(AgreementLine.agreement_id).in_(ids))
        .order_by(col(AgreementLine.seq))
    ):
        lines[line.agreement_id].append(line)
    return {
        str(a.id): _agreement_data(a, lines.get(a.id, []))
        for a in session.exec(select(Agreement).where(col(Agreement.id).in_(ids)))
    }


def _load_routes(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    """Routes as the plan's summary has them: the figures the console shows too."""
    plan_ids = list({plan_id for plan_id, _ in ids})
    plans = {
        p.id: p for p in session.exec(select(VisitPlan).where(col(VisitPlan.id).in_(plan_ids)))
    }
    teams: dict[tuple[uuid.UUID, int], list[str]] = defaultdict(list)
    for row in session.exec(
        select(PlanTeam)
        .where(col(PlanTeam.plan_id).in_(plan_ids))
        .order_by(col(PlanTeam.route), col(PlanTeam.position))
    ):
        teams[(row.plan_id, row.route)].append(str(row.user_id))
    return {
        f"{plan_id}:{route}": _route_data(plans[plan_id], route, teams[(plan_id, route)])
        for plan_id, route in ids
        if plan_id in plans
    }


def _route_data(plan: VisitPlan, route: int, team: list[str]) -> dict[str, Any]:
    routes: list[dict[str, Any]] = plan.summary.get("routes", [])
    # Summary routes follow plan_team's numbering; match by team in case they drifted.
    same = [r for r in routes if sorted(r.get("officer_ids", [])) == sorted(team)]
    figures = routes[route] if route < len(routes) and routes[route] in same else None
    figures = figures or (same[0] if same else {})
    return {
        "id": f"{plan.id}:{route}",
        "plan_id": str(plan.id),
        "route": route,
        "plan_date": _iso(plan.plan_date),
        "officer_ids": team,
        "visit_ids": figures.get("visit_ids", []),
        "distance_m": figures.get("distance_m", 0),
        "duration_s": figures.get("duration_s", 0),
        "start_at": figures.get("start_at"),
        "end_at": figures.get("end_at"),
    }


def _load_history(session: Session, scope: Scope, ids: list[Any]) -> dict[str, dict[str, Any]]:
    """The borrower's file of the last PHONE_DAYS days (at most PHONE_ITEMS items), for the
    phone to show offline: {"borrower_id", "since", "items": [HistoryItem]}."""
    since = scope.history_since
    if since is None:  # only a scope from load_scope has a window
        return {}
    got = recent_histories(
        session,
        branch_id=scope.branch.id,
        borrower_ids=ids,
        since=datetime.combine(since, time(0), tzinfo=UTC),
        names=scope.officer_names(session),
    )
    return {
        str(b): {"borrower_id": str(b), "since": since.isoformat(), "items": items}
        for b, items in got.items()
    }


Loader = Callable[[Session, Scope, list[Any]], dict[str, dict[str, Any]]]
_LOADERS: dict[str, Loader] = {
    "officer": _load_officer,
    "branch": _load_branch,
    "policy": _load_policy,
    "reference": _load_reference,
    "hardship_reason": _load_reasons,
    "visit": _load_visits,
    "borrower": _load_borrowers,
    "promise": _load_promises,
    "agreement": _load_agreements,
    "route": _load_routes,
    "call_task": _load_call_tasks,
    "history": _load_history,
}


def _columns(row: object, *names: str) -> dict[str, Any]:
    """Attributes copied as stored, by name."""
    return {name: getattr(row, name) for name in names}


def _officer_data(user: User) -> dict[str, Any]:
    return {
        **_columns(user, "username", "full_name", "role"),
        "branch_id": str(user.branch_id),
        "phone": user.phone,
    }


def _branch_data(branch: Branch) -> dict[str, Any]:
    return {
        **_columns(branch, "name", "address", "phone", "lat", "lon", "timezone"),
        "work_start": branch.work_start.strftime("%H:%M"),
        "work_end": branch.work_end.strftime("%H:%M"),
        # What an officer may agree alone: the phone warns before signing beyond it.
        "agreement_limits": settings_from_branch(branch.settings).model_dump(),
        "sms_template": sms_template(branch.settings),
    }


_REFERENCES: dict[uuid.UUID, dict[str, Any]] = {
    uuid.uuid5(_REFERENCE_NAMESPACE, "contact_codes"): {
        "kind": "contact_codes",
        "items": [{"code": c, "label_zh": zh, "label_en": en} for c, zh, en in CONTACT_CODES],
    },
    uuid.uuid5(_REFERENCE_NAMESPACE, "skip_reasons"): {
        "kind": "skip_reasons",
        "items": reference_items(SKIP_REASONS),
    },
    uuid.uuid5(_REFERENCE_NAMESPACE, "contact_results"): {
        "kind": "contact_results",
        "items": reference_items(CONTACT_RESULTS),
    },
    uuid.uuid5(_REFERENCE_NAMESPACE, "assessment_codes"): assessment.reference_data(),
    uuid.uuid5(_REFERENCE_NAMESPACE, "agreement_template"): {
        "kind": "agreement_template",
        "templates": AGREEMENT_TEMPLATES,
    },
}


def _reason_data(reason: HardshipReason) -> dict[str, Any]:
    return _columns(reason, "code", "label_zh", "label_en", "sort_order")


def _visit_data(visit: Visit, team: list[str], last: VisitOutcome | None) -> dict[str, Any]:
    return {
        "borrower_id": str(visit.borrower_id),
        "loan_ids": visit.loan_ids,
        "officer_ids": team,
        "plan_date": _iso(visit.plan_date),
        "route_position": visit.route_position,
        "window_start": _iso(visit.window_start),
        "window_end": _iso(visit.window_end),
        "planned_arrival": _iso(visit.planned_arrival),
        "leg_distance_m": visit.leg_distance_m,
        "status": visit.status,
        "priority": visit.priority,
        "reasons": visit.reasons,
        "checked_in_at": _iso(visit.checked_in_at),
        "checked_out_at": _iso(visit.checked_out_at),
        "skip_reason": visit.skip_reason,
        "skipped_at": _iso(visit.skipped_at),
        "last_outcome": {"contact": last.contact, "at": _iso(last.at)} if last else None,
    }


def _owners(row: Promise | Agreement) -> dict[str, str | None]:
    """The visit (if any), loan and borrower a promise or an agreement belongs to."""
    return {
        "visit_id": str(row.visit_id) if row.visit_id else None,
        "loan_id": str(row.loan_id),
        "borrower_id": str(row.borrower_id),
    }


def _promise_data(promise: Promise) -> dict[str, Any]:
    return {
        **_owners(promise),
        "amount_fen": promise.amount_fen,
        "due_date": _iso(promise.due_date),
        "status": promise.status,
        "paid_fen": promise.paid_fen,
    }


def _agreement_data(agreement: Agreement, lines: list[AgreementLine]) -> dict[str, Any]:
    return {
        **_owners(agreement),
        "principal_fen": agreement.principal_fen,
        "down_payment_fen": agreement.down_payment_fen,
        "schedule": [
            {
                "seq": line.seq,
                "due_date": _iso(line.due_date),
                "amount_fen": line.amount_fen,
                "paid_fen": line.paid_fen,
                "status": line.status,
            }
            for line in lines
        ],
        "status": agreement.status,
        "signed_at": _iso(agreement.signed_at),
        "decision_reason": agreement.decision_reason,
    }

"""What an officer's phone should hold now: every record with its version, and the data
of any record on demand (built only for the records a pull sends)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlmodel import Session, col, or_, select

from api.compliance.policy import policy_from_settings
from api.sync.cvr import composite_version, record_key
from models import (
    Agreement,
    AgreementLine,
    Borrower,
    Branch,
    HardshipReason,
    Loan,
    Note,
    Promise,
    User,
    Visit,
    VisitOfficer,
    VisitOutcome,
)
from models.enums import AgreementStatus, PromiseStatus, VisitStatus

RECENT_CONTACTS = 5
RESOLVED_KEPT_DAYS = 30
CONTACT_CODES = [
    ("borrower", "借款人本人", "Borrower"),
    ("family", "家属", "Family member"),
    ("guarantor", "担保人", "Guarantor"),
    ("third_party", "其他人员", "Third party"),
    ("nobody", "无人在家", "Nobody home"),
    ("refused", "拒绝沟通", "Refused to talk"),
]
AGREEMENT_TEMPLATES = {
    "zh-CN": (
        "分期还款协议\n\n借款人{borrower_name}(身份证号{national_id_masked})确认截至{date}"
        "在{branch_name}的贷款(账号{account_number})逾期金额为{principal}。经双方协商,"
        "借款人同意首付{down_payment},其余按以下计划分期偿还:\n{schedule}\n"
        "借款人承诺按期足额还款。如未按期还款,银行有权依法采取进一步措施。\n"
        "本协议经借款人与客户经理签字后生效。"
    ),
    "en": (
        "Instalment Agreement\n\nThe borrower {borrower_name} (ID {national_id_masked}) "
        "confirms that as of {date} the overdue amount of loan {account_number} at "
        "{branch_name} is {principal}. Both parties agree that the borrower pays "
        "{down_payment} now and the rest by the following schedule:\n{schedule}\n"
        "The borrower undertakes to pay each instalment in full and on time. If an "
        "instalment is missed, the bank may take further lawful steps.\n"
        "This agreement takes effect when signed by the borrower and the officer."
    ),
}
_REFERENCE_NAMESPACE = uuid.UUID("5b0f8c1e-4a43-4d5e-9d0e-6f1c2a7b9e11")
OPEN_AGREEMENT = (
    AgreementStatus.pending_approval,
    AgreementStatus.signed,
    AgreementStatus.active,
)


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


@dataclass
class Scope:
    """versions: {"entity:id": version}; build(key) gives the record's data."""

    versions: dict[str, int] = field(default_factory=dict)
    _builders: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)

    def add(
        self, entity: str, row_id: object, version: int, build: Callable[[], dict[str, Any]]
    ) -> None:
        key = record_key(entity, row_id)
        self.versions[key] = version
        self._builders[key] = build

    def build(self, key: str) -> dict[str, Any]:
        return self._builders[key]()


def load_scope(
    session: Session, *, officer: User, branch: Branch, today: date, days_ahead: int
) -> Scope:
    scope = Scope()
    scope.add("officer", officer.id, officer.version, lambda: _officer_data(officer))
    scope.add("branch", branch.id, branch.version, lambda: _branch_data(branch))
    policy = policy_from_settings(branch.settings)
    scope.add(
        "policy", branch.id, composite_version(branch.version, policy.as_data()), policy.as_data
    )
    for kind, data in _reference_data().items():
        ref_id = uuid.uuid5(_REFERENCE_NAMESPACE, kind)
        scope.add("reference", ref_id, composite_version(data), partial(dict, data))
    for reason in session.exec(select(HardshipReason).where(HardshipReason.active == True)):  # noqa: E712
        scope.add("hardship_reason", reason.id, reason.version, partial(_reason_data, reason))

    visits = list(
        session.exec(
            select(Visit)
            .join(VisitOfficer, col(VisitOfficer.visit_id) == Visit.id)
            .where(
                VisitOfficer.user_id == officer.id,
                Visit.branch_id == branch.id,
                col(Visit.plan_date) >= today - timedelta(days=1),
                col(Visit.plan_date) <= today + timedelta(days=days_ahead),
                Visit.status != VisitStatus.cancelled,
            )
        )
    )
    if not visits:
        return scope
    visit_ids = [v.id for v in visits]
    borrower_ids = list({v.borrower_id for v in visits})

    teams: dict[uuid.UUID, list[str]] = defaultdict(list)
    for link in session.exec(
        select(VisitOfficer)
        .where(col(VisitOfficer.visit_id).in_(visit_ids))
        .order_by(col(VisitOfficer.is_lead).desc(), col(VisitOfficer.user_id))
    ):
        teams[link.visit_id].append(str(link.user_id))
    names = {
        u.id: u.full_name for u in session.exec(select(User).where(User.branch_id == branch.id))
    }

    # Outcomes of every visit of these borrowers: the visit's latest, and contact history.
    outcomes = list(
        session.exec(
            select(VisitOutcome, Visit.borrower_id)
            .join(Visit, col(Visit.id) == VisitOutcome.visit_id)
            .where(col(Visit.borrower_id).in_(borrower_ids))
            .order_by(col(VisitOutcome.at).desc())
        )
    )
    latest_outcome: dict[uuid.UUID, VisitOutcome] = {}
    contacts: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for outcome, borrower_id in outcomes:
        latest_outcome.setdefault(outcome.visit_id, outcome)
        contacts[borrower_id].append(
            {
                "id": str(outcome.id),
                "at": _iso(outcome.at),
                "kind": "visit",
                "contact": outcome.contact,
                "officer_name": names.get(outcome.officer_id, ""),
                "hardship_reasons": outcome.hardship_reasons,
                "text": outcome.hardship_detail,
            }
        )
    for note in session.exec(
        select(Note).where(col(Note.borrower_id).in_(borrower_ids)).order_by(col(Note.at).desc())
    ):
        contacts[note.borrower_id].append(
            {
                "id": str(note.id),
                "at": _iso(note.at),
                "kind": "note",
                "contact": None,
                "officer_name": names.get(note.author_id, ""),
                "hardship_reasons": [],
                "text": note.text,
            }
        )

    for visit in visits:
        team = teams.get(visit.id, [])
        last = latest_outcome.get(visit.id)
        version = composite_version(visit.version, team, str(last.id) if last else None)
        scope.add("visit", visit.id, version, partial(_visit_data, visit, team, last))

    loans: dict[uuid.UUID, list[Loan]] = defaultdict(list)
    for loan in session.exec(
        select(Loan).where(col(Loan.borrower_id).in_(borrower_ids)).order_by(col(Loan.dpd).desc())
    ):
        loans[loan.borrower_id].append(loan)
    for borrower in session.exec(select(Borrower).where(col(Borrower.id).in_(borrower_ids))):
        history = sorted(contacts.get(borrower.id, []), key=lambda c: c["at"] or "", reverse=True)
        history = history[:RECENT_CONTACTS]
        mine = loans.get(borrower.id, [])
        version = composite_version(
            borrower.version, [(str(x.id), x.version) for x in mine], [c["id"] for c in history]
        )
        scope.add(
            "borrower",
            borrower.id,
            version,
            partial(_borrower_data, borrower, mine, history),
        )

    since = today - timedelta(days=RESOLVED_KEPT_DAYS)
    for promise in session.exec(
        select(Promise).where(
            col(Promise.borrower_id).in_(borrower_ids),
            or_(col(Promise.status) == PromiseStatus.open, col(Promise.due_date) >= since),
        )
    ):
        scope.add("promise", promise.id, promise.version, partial(_promise_data, promise))

    agreements = list(
        session.exec(
            select(Agreement).where(
                col(Agreement.borrower_id).in_(borrower_ids),
                col(Agreement.status).in_(OPEN_AGREEMENT)
                | (col(Agreement.received_at) >= datetime.combine(since, time(0), tzinfo=UTC)),
            )
        )
    )
    lines: dict[uuid.UUID, list[AgreementLine]] = defaultdict(list)
    if agreements:
        for line in session.exec(
            select(AgreementLine)
            .where(col(AgreementLine.agreement_id).in_([a.id for a in agreements]))
            .order_by(col(AgreementLine.seq))
        ):
            lines[line.agreement_id].append(line)
    for agreement in agreements:
        mine_lines = lines.get(agreement.id, [])
        version = composite_version(
            agreement.version, [(x.seq, x.paid_fen, x.status) for x in mine_lines]
        )
        scope.add(
            "agreement",
            agreement.id,
            version,
            partial(_agreement_data, agreement, mine_lines),
        )
    return scope


def _officer_data(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "branch_id": str(user.branch_id),
        "phone": user.phone,
    }


def _branch_data(branch: Branch) -> dict[str, Any]:
    return {
        "name": branch.name,
        "address": branch.address,
        "phone": branch.phone,
        "lat": branch.lat,
        "lon": branch.lon,
        "timezone": branch.timezone,
        "work_start": branch.work_start.strftime("%H:%M"),
        "work_end": branch.work_end.strftime("%H:%M"),
    }


def _reference_data() -> dict[str, dict[str, Any]]:
    return {
        "contact_codes": {
            "kind": "contact_codes",
            "items": [{"code": c, "label_zh": zh, "label_en": en} for c, zh, en in CONTACT_CODES],
        },
        "agreement_template": {"kind": "agreement_template", "templates": AGREEMENT_TEMPLATES},
    }


def _reason_data(reason: HardshipReason) -> dict[str, Any]:
    return {
        "code": reason.code,
        "label_zh": reason.label_zh,
        "label_en": reason.label_en,
        "sort_order": reason.sort_order,
    }


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
        "last_outcome": {"contact": last.contact, "at": _iso(last.at)} if last else None,
    }


def _borrower_data(
    borrower: Borrower, loans: list[Loan], history: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": borrower.name,
        "national_id_masked": borrower.national_id_masked,
        "phone": borrower.phone,
        "address": borrower.address,
        "village": borrower.village,
        "lat": borrower.lat,
        "lon": borrower.lon,
        "segment": borrower.segment,
        "language": borrower.language,
        "safety_flags": borrower.safety_flags,
        "preferred_times": borrower.preferred_times,
        "loans": [
            {
                "id": str(loan.id),
                "account_number": loan.account_number,
                "product": loan.product,
                "principal_fen": loan.principal_fen,
                "outstanding_fen": loan.outstanding_fen,
                "overdue_fen": loan.overdue_fen,
                "dpd": loan.dpd,
                "last_payment_date": _iso(loan.last_payment_date),
                "status": loan.status,
            }
            for loan in loans
        ],
        "recent_contacts": history,
    }


def _promise_data(promise: Promise) -> dict[str, Any]:
    return {
        "visit_id": str(promise.visit_id) if promise.visit_id else None,
        "loan_id": str(promise.loan_id),
        "borrower_id": str(promise.borrower_id),
        "amount_fen": promise.amount_fen,
        "due_date": _iso(promise.due_date),
        "status": promise.status,
        "paid_fen": promise.paid_fen,
    }


def _agreement_data(agreement: Agreement, lines: list[AgreementLine]) -> dict[str, Any]:
    return {
        "visit_id": str(agreement.visit_id) if agreement.visit_id else None,
        "loan_id": str(agreement.loan_id),
        "borrower_id": str(agreement.borrower_id),
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

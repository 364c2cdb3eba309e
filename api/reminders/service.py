"""Instalments due soon, with the reminder the branch sends, and marking one sent."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from api.agreements.lifecycle import TRACKED
from api.agreements.repository import readable_agreements
from api.audit import record_audit
from api.errors import NotFound
from api.reminders import template as sms
from api.reminders.schemas import Reminder, ReminderSent, ReminderTemplate
from models import Agreement, AgreementLine, Borrower, Branch, ContactLog, Loan, User
from models.base import mark_changed
from models.enums import ScheduleLineStatus

# A branch's list for two weeks stays far below this; the bound keeps one answer small.
MAX_ROWS = 2000
# A reminder's contact id comes from its instalment: marking it sent twice (even at the same
# moment, from two screens) can only ever store one row.
_NAMESPACE = uuid.UUID("0b8f6b5e-93a4-4c0e-8f0e-7a52f1c3d9a4")


def reminder_contact_id(line_id: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"reminder:{line_id}")


def local_today(branch: Branch, now: datetime) -> date:
    return now.astimezone(ZoneInfo(branch.timezone)).date()


def _rows(user: User) -> Any:
    """Unpaid instalments of the running agreements `user` may read (a manager: the
    branch's; an officer: those of their visits), with borrower, loan, officer and sent."""
    readable = readable_agreements(user).with_only_columns(col(Agreement.id))
    sent = and_(
        col(ContactLog.agreement_line_id) == col(AgreementLine.id),
        col(ContactLog.channel) == "sms",
        col(ContactLog.result) == "sent",
    )
    return (
        sa_select(
            AgreementLine,
            Agreement,
            Borrower,
            col(Loan.account_number),
            col(User.full_name),
            col(ContactLog.at),
        )
        .join(Agreement, col(Agreement.id) == col(AgreementLine.agreement_id))
        .join(Borrower, col(Borrower.id) == col(Agreement.borrower_id))
        .join(Loan, col(Loan.id) == col(Agreement.loan_id))
        .join(User, col(User.id) == col(Agreement.officer_id))
        .outerjoin(ContactLog, sent)
        .where(
            col(Agreement.id).in_(readable),
            col(Agreement.status).in_(TRACKED),
            col(AgreementLine.status) != ScheduleLineStatus.paid,
            col(AgreementLine.paid_fen) < col(AgreementLine.amount_fen),
        )
    )


def _reminder(row: Any, branch: Branch, template: str) -> Reminder:
    line, agreement, borrower, account, officer_name, sent_at = row
    due = line.amount_fen - line.paid_fen
    return Reminder(
        line_id=line.id,
        agreement_id=agreement.id,
        seq=line.seq,
        borrower_id=borrower.id,
        borrower_name=borrower.name,
        phone=borrower.phone,
        account_number=account,
        amount_fen=due,
        due_date=line.due_date,
        officer_id=agreement.officer_id,
        officer_name=officer_name,
        sms_text=sms.render(
            template,
            name=borrower.name,
            amount_fen=due,
            due_date=line.due_date.isoformat(),
            branch_phone=branch.phone,
        ),
        sent_at=sent_at,
    )


def list_reminders(
    *, session: Session, user: User, branch: Branch, date_from: date, date_to: date
) -> list[Reminder]:
    """Instalments due from `date_from` to `date_to` (both included), soonest first."""
    template, _ = sms.stored_template(branch.settings)
    rows = session.execute(
        _rows(user)
        .where(col(AgreementLine.due_date) >= date_from, col(AgreementLine.due_date) <= date_to)
        .order_by(col(AgreementLine.due_date), col(Borrower.name), col(AgreementLine.id))
        .limit(MAX_ROWS)
    )
    seen: set[int] = set()
    found = []
    for row in rows:
        if row[0].id not in seen:  # a line marked sent by two contacts is listed once
            seen.add(row[0].id)
            found.append(_reminder(row, branch, template))
    return found


def mark_sent(
    *, session: Session, user: User, branch: Branch, line_id: int, now: datetime
) -> ReminderSent:
    """Record the reminder for instalment `line_id` as an SMS sent (a contact in the file),
    once: marking it again answers with the first record."""
    contact_id = reminder_contact_id(line_id)
    row = session.execute(_rows(user).where(col(AgreementLine.id) == line_id)).first()
    if row is None:
        raise NotFound("No unpaid instalment with this id among the agreements you can read.")
    reminder = _reminder(row, branch, sms.stored_template(branch.settings)[0])
    borrower: Borrower = row[2]
    contact = ContactLog(
        id=contact_id,
        branch_id=borrower.branch_id,
        borrower_id=borrower.id,
        officer_id=user.id,
        channel="sms",
        result="sent",
        note=reminder.sms_text[:500],
        agreement_line_id=line_id,
        at=now,
        received_at=now,
    )
    existing = _first_contact(session, contact)
    if existing is not None:
        return ReminderSent(
            line_id=line_id, contact_id=contact_id, sent_at=existing.at, already_sent=True
        )
    mark_changed(borrower)  # the phone's borrower record lists recent contacts
    session.add(borrower)
    record_audit(
        session,
        at=now,
        action="reminder.sent",
        entity="contact_log",
        entity_id=contact_id,
        actor_id=user.id,
        branch_id=branch.id,
        data={"agreement_line_id": line_id, "borrower_id": str(borrower.id)},
    )
    session.flush()
    return ReminderSent(line_id=line_id, contact_id=contact_id, sent_at=now, already_sent=False)


def _first_contact(session: Session, contact: ContactLog) -> ContactLog | None:
    """Insert `contact` unless its id is stored already; the stored one if it is (also when
    another request stored it a moment ago: the savepoint keeps this transaction usable)."""
    existing = session.get(ContactLog, contact.id)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            session.add(contact)
            session.flush()
    except IntegrityError:
        return session.get(ContactLog, contact.id)
    return None


def put_template(
    *, session: Session, manager: User, branch: Branch, values: ReminderTemplate, now: datetime
) -> str:
    """Replace the branch's reminder template (audited with the text before and after)."""
    before, _ = sms.stored_template(branch.settings)
    # A new dict: the JSON column only sees a change when the value is replaced.
    branch.settings = {**branch.settings, sms.SETTINGS_KEY: values.template}
    session.add(branch)
    record_audit(
        session,
        at=now,
        action="branch.settings.reminder_template",
        entity="branch",
        entity_id=branch.id,
        actor_id=manager.id,
        branch_id=branch.id,
        data={"before": before, "after": values.template},
    )
    session.flush()
    return values.template


def window(branch: Branch, now: datetime, days: int) -> tuple[date, date]:
    today = local_today(branch, now)
    return today, today + timedelta(days=days)

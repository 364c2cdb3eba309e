"""Instalment reminders for the manager (the branch) and the officer (their visits)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import ClockDep, CurrentBranch, CurrentManager, CurrentUser, SessionDep
from api.exports import file_responses, table_response
from api.reminders import service
from api.reminders.schemas import (
    ReminderList,
    ReminderQuery,
    ReminderSent,
    ReminderTemplate,
    ReminderTemplatePublic,
)
from api.reminders.template import PLACEHOLDERS, stored_template, yuan

router = APIRouter(tags=["reminders"])
# Instalment ids are 32-bit keys: a larger number is no instalment, not a database error.
LineId = Annotated[int, Path(ge=1, le=2**31 - 1)]
COLUMNS = [
    ("due_date", "还款日 due date"),
    ("borrower_name", "借款人 borrower"),
    ("phone", "电话 phone"),
    ("account_number", "账号 account"),
    ("amount", "金额(元) amount (CNY)"),
    ("officer_name", "客户经理 officer"),
    ("sms_text", "短信内容 SMS text"),
    ("sent_at", "已发送 sent at"),
]


@router.get(
    "/reminders",
    operation_id="reminders-list",
    response_model=ReminderList,
    responses=file_responses("csv", "xlsx"),
)
def list_reminders(
    user: CurrentUser,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
    query: Annotated[ReminderQuery, Query()],
) -> ReminderList | Response:
    """Unpaid instalments due from today to today + `days`, with the branch's SMS text: a
    manager sees the branch's, an officer those of their visits' agreements."""
    date_from, date_to = service.window(branch, now, query.days)
    items = service.list_reminders(
        session=session, user=user, branch=branch, date_from=date_from, date_to=date_to
    )
    if query.format != "json":
        rows = [r.model_dump(mode="json") | {"amount": yuan(r.amount_fen)} for r in items]
        name = f"reminders-{date_from}-{date_to}"
        return table_response(rows, COLUMNS, filename=name, fmt=query.format)
    return ReminderList(date_from=date_from, date_to=date_to, items=items)


@router.post(
    "/reminders/{line_id}/sent", operation_id="reminders-mark-sent", response_model=ReminderSent
)
def mark_sent(
    line_id: LineId, user: CurrentUser, branch: CurrentBranch, session: SessionDep, now: ClockDep
) -> ReminderSent:
    """Record the reminder as an SMS sent to the borrower (once; again is a no-op)."""
    return service.mark_sent(session=session, user=user, branch=branch, line_id=line_id, now=now)


def _public(text: str, is_default: bool) -> ReminderTemplatePublic:
    return ReminderTemplatePublic(
        template=text, is_default=is_default, placeholders=list(PLACEHOLDERS)
    )


@router.get(
    "/branches/current/settings/reminder-template",
    operation_id="reminders-template-get",
    response_model=ReminderTemplatePublic,
)
def get_template(manager: CurrentManager, branch: CurrentBranch) -> ReminderTemplatePublic:
    """The branch's reminder SMS (the default when none is set)."""
    return _public(*stored_template(branch.settings))


@router.put(
    "/branches/current/settings/reminder-template",
    operation_id="reminders-template-put",
    response_model=ReminderTemplatePublic,
)
def put_template(
    body: ReminderTemplate,
    manager: CurrentManager,
    branch: CurrentBranch,
    session: SessionDep,
    now: ClockDep,
) -> ReminderTemplatePublic:
    """Replace the branch's reminder SMS; placeholders {name} {amount} {due_date}
    {branch_phone}."""
    text = service.put_template(
        session=session, manager=manager, branch=branch, values=body, now=now
    )
    return _public(text, False)

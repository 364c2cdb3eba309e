"""Visits that could not be made and contacts at a distance: the skip reasons and contact
results (reference data in zh-CN and en), the arguments of `visit.skip` and `contact.log`,
and the handler of `contact.log` (a call or a text message recorded on the phone).

A call or message counts as a contact: in the borrower's file (ContactLog rows), in the
candidates' last contact (a call the borrower answered) and in the compliance rules (hours,
holidays, at most `MAX_CALLS_PER_DAY` calls to a borrower on one day)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field
from sqlmodel import col, func, select

from api.compliance import rules as compliance
from api.writes.args import Moment, MutationArgs
from api.writes.context import Context, Outcome
from api.writes.rules import Flag, Rejected
from models import ContactLog
from models.enums import Contact

# (code, zh-CN, en): why a planned visit could not be made.
SKIP_REASONS: list[tuple[str, str, str]] = [
    ("absent", "借款人不在家", "Borrower absent"),
    ("wrong_address", "地址错误", "Wrong address"),
    ("unsafe", "现场不安全", "Unsafe on site"),
    ("refused_entry", "拒绝入户", "Refused entry"),
    ("other", "其他", "Other"),
]
# (code, zh-CN, en): what came of a call or a message ("sent" is the message's own result).
CONTACT_RESULTS: list[tuple[str, str, str]] = [
    ("promised", "承诺还款", "Promised to pay"),
    ("will_pay_later", "稍后还款", "Will pay later"),
    ("disputes", "有异议", "Disputes the debt"),
    ("refused", "拒绝", "Refused"),
    ("no_answer", "无人接听", "No answer"),
    ("wrong_number", "号码错误", "Wrong number"),
    ("sent", "已发送", "Sent"),
]
# The phrase a candidate's reason uses for each skip: "absent at the last visit (date)".
SKIP_PHRASES: dict[str, tuple[str, str]] = {
    "absent": ("absent at the last visit", "上次走访借款人不在家"),
    "wrong_address": ("wrong address at the last visit", "上次走访地址错误"),
    "unsafe": ("unsafe at the last visit", "上次走访现场不安全"),
    "refused_entry": ("refused entry at the last visit", "上次走访拒绝入户"),
    "other": ("last visit not made", "上次走访未能完成"),
}
SkipReason = Literal["absent", "wrong_address", "unsafe", "refused_entry", "other"]
ContactResult = Literal[
    "promised", "will_pay_later", "disputes", "refused", "no_answer", "wrong_number", "sent"
]
AnsweredBy = Literal["", "borrower", "family", "guarantor", "third_party", "nobody", "refused"]
MAX_NOTE = 500
# Calls to one borrower on one local day before a call is flagged (`call_frequency`): the
# CBA guideline asks that collection calls not harass; a branch rule, not a policy setting.
MAX_CALLS_PER_DAY = 3


# The text message the phone opens (`sms:`) unless the branch sets `settings["sms_template"]`.
DEFAULT_SMS_TEMPLATE = (
    "{name}您好，您在本行的贷款已逾期，欠款{amount}元，请尽快还款。如有困难请致电{branch_phone}。"
)
MAX_SMS_TEMPLATE = 500


def sms_template(settings: object) -> str:
    """The branch's message template (placeholders {name}, {amount}, {branch_phone}); the
    default when unset or not a usable text."""
    value = settings.get("sms_template") if isinstance(settings, dict) else None
    if isinstance(value, str) and value.strip() and len(value) <= MAX_SMS_TEMPLATE:
        return value.strip()
    return DEFAULT_SMS_TEMPLATE


def reference_items(codes: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"code": c, "label_zh": zh, "label_en": en} for c, zh, en in codes]


class SkipArgs(MutationArgs):
    visit_id: uuid.UUID
    reason: SkipReason
    note: str = Field(default="", max_length=MAX_NOTE)
    at: Moment


class ContactLogArgs(MutationArgs):
    id: uuid.UUID
    borrower_id: uuid.UUID
    visit_id: uuid.UUID | None = None
    channel: Literal["call", "sms"]
    answered_by: AnsweredBy = ""
    result: ContactResult
    note: str = Field(default="", max_length=MAX_NOTE)
    at: Moment


def log_contact(ctx: Context, args: ContactLogArgs) -> Outcome:
    """A call or a message to a borrower of the officer's visits: stored, audited, flagged
    by the hours rules and, for calls, the calls-per-day rule."""
    if ctx.received_before(
        ContactLog,
        args.id,
        conflict=f"Contact {args.id} already exists with other content.",
        borrower_id=args.borrower_id,
        result=args.result,
    ):
        return Outcome([], duplicate_of_entity=True)
    _check_combination(args)
    borrower = ctx.known.borrowers.get(args.borrower_id)
    if borrower is None:
        raise Rejected(f"Unknown borrower {args.borrower_id}.", "unknown_borrower")
    flags: list[Flag] = []
    if args.visit_id is not None:
        visit = ctx.visit(args.visit_id)
        if visit.borrower_id != borrower.id:
            raise Rejected("The contact's visit is not a visit of this borrower.", "visit_mismatch")
        flags = ctx.assignment_flags(visit)
    else:
        ctx.check_borrower_visited(borrower.id)
    flags += _contact_flags(ctx, args)
    ctx.insert(
        ContactLog,
        id=args.id,
        branch_id=ctx.branch.id,
        borrower_id=borrower.id,
        visit_id=args.visit_id,
        **ctx.from_phone(),
        channel=args.channel,
        answered_by=args.answered_by,
        result=args.result,
        note=args.note,
        at=args.at,
    )
    ctx.touch_borrower(borrower.id)
    ctx.audit(
        "contact.log",
        "contact_log",
        args.id,
        channel=args.channel,
        result=args.result,
        flags=[f.code for f in flags],
    )
    return Outcome(flags)


def _check_combination(args: ContactLogArgs) -> None:
    """A message is `sent` and answered by nobody yet; a call has a call's result."""
    if args.channel == "sms" and (args.result != "sent" or args.answered_by):
        raise Rejected(
            "A message (sms) is recorded with result 'sent' and no answered_by.", "invalid_args"
        )
    if args.channel == "call" and args.result == "sent":
        raise Rejected("'sent' is a message's result: pick what came of the call.", "invalid_args")


def _contact_flags(ctx: Context, args: ContactLogArgs) -> list[Flag]:
    check = compliance.Context(policy=ctx.policy, tz=ctx.tz, at=args.at)
    flags = [v for rule in (compliance.holiday, compliance.lawful_hours) if (v := rule(check))]
    if args.channel == "call":
        calls = compliance.call_frequency(
            check, calls_that_day=_calls_that_day(ctx, args), limit=MAX_CALLS_PER_DAY
        )
        if calls is not None:
            flags.append(calls)
    return flags


def _calls_that_day(ctx: Context, args: ContactLogArgs) -> int:
    """Other calls to the borrower on the call's local day: stored and queued in this push."""
    local = args.at.astimezone(ctx.tz)
    start = datetime.combine(local.date(), datetime.min.time(), tzinfo=ctx.tz)
    end = start + timedelta(days=1)
    with ctx.session.no_autoflush:
        stored = ctx.session.exec(
            select(func.count())
            .select_from(ContactLog)
            .where(
                ContactLog.borrower_id == args.borrower_id,
                ContactLog.channel == "call",
                col(ContactLog.at) >= start,
                col(ContactLog.at) < end,
            )
        ).one()
    queued = sum(
        1
        for row in ctx.known.pending.get(ContactLog, [])
        if row["borrower_id"] == args.borrower_id
        and row["channel"] == "call"
        and start <= row["at"] < end
    )
    return int(stored) + queued


def answered_by_borrower(answered_by: str) -> bool:
    return answered_by == Contact.borrower

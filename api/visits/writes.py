"""What an officer records at a visit, as the phone sends it (through sync): check-in,
outcome, check-out, a note, a change request. Each handler checks everything before it
writes, so a refused entry leaves nothing behind; facts from the field are kept and flagged
rather than refused when the plan changed meanwhile."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from api.compliance import rules as compliance
from api.geo.learned import learn_from_check_in
from api.visits import assessment
from api.visits.contacts import SkipArgs
from api.visits.schemas import (
    ChangeRequestArgs,
    CheckInArgs,
    CheckOutArgs,
    NoteArgs,
    RecordOutcomeArgs,
)
from api.writes.context import NOT_ON_TEAM, Context, Outcome, location_columns
from api.writes.rules import Flag, Rejected
from models import ChangeRequest, Loan, Note, Visit, VisitEvent, VisitOutcome
from models.enums import Contact, LoanStatus, Role, VisitEventKind, VisitStatus

# Who may go on a visit (api.planning.assignment.TEAM_ROLES).
VISITING_ROLES = (Role.officer, Role.manager)


def check_in(ctx: Context, args: CheckInArgs) -> Outcome:
    """Applied always; flagged by the compliance rules (hours, holiday, staff, frequency,
    distance) and when the visit is no longer the officer's."""
    visit = ctx.visit(args.visit_id)
    flags = ctx.assignment_flags(visit)
    borrower = ctx.known.borrowers.get(visit.borrower_id)
    co_visitors, unknown = _co_visitors(ctx, visit, args.co_visitor_ids)
    if unknown is not None:
        flags.append(unknown)
    team = {ctx.user.id, *co_visitors}
    location = args.location
    flags += compliance.evaluate(
        compliance.Context(
            policy=ctx.policy,
            tz=ctx.tz,
            at=args.at,
            team_size=len(team),
            other_visit_days=_other_visit_days(ctx, visit, args.at),
            location=(location.lat, location.lon, location.accuracy_m) if location else None,
            address=(borrower.lat, borrower.lon) if borrower else None,
        )
    )
    ctx.insert(
        VisitEvent,
        **_fact(ctx, visit, args.at, flags),
        kind=VisitEventKind.check_in,
        co_visitor_ids=[str(i) for i in co_visitors],
        **location_columns(location),
    )
    ctx.known.checked_in.add(visit.id)
    learn_from_check_in(ctx, visit, borrower, location, flags)
    if visit.status == VisitStatus.planned:
        visit.status = VisitStatus.checked_in
    if visit.checked_in_at is None or args.at < visit.checked_in_at:
        visit.checked_in_at = args.at
    ctx.touch(visit)
    ctx.audit(
        "visit.check_in",
        "visit",
        visit.id,
        location,
        flags=[f.code for f in flags],
        policy_version=ctx.policy.version,
    )
    return Outcome(flags)


def record_outcome(ctx: Context, args: RecordOutcomeArgs) -> Outcome:
    """Who was met and why they cannot pay. A second outcome for a visit is kept, flagged."""
    visit = ctx.visit(args.visit_id)
    if ctx.known.existing(VisitOutcome, args.outcome_id) is not None:
        raise Rejected(
            f"Outcome {args.outcome_id} was already recorded by another entry.", "id_taken"
        )
    assessment = _assessment(args)
    follow_up_on = _follow_up_on(ctx, visit, args)
    flags = ctx.assignment_flags(visit)
    if visit.id in ctx.known.with_outcome:
        flags.append(Flag("second_outcome", "another outcome was already recorded for this visit"))
    unknown = [code for code in args.hardship_reasons if code not in ctx.known.hardship_codes]
    if unknown:
        flags.append(Flag("unknown_hardship_reason", f"unknown codes {', '.join(unknown)}"))
    flags += compliance.evaluate(
        compliance.Context(
            policy=ctx.policy,
            tz=ctx.tz,
            contact=args.contact,
            texts=(args.hardship_detail, args.next_action),
            hardship_reasons=tuple(args.hardship_reasons),
        )
    )
    ctx.known.with_outcome.add(visit.id)
    ctx.insert(
        VisitOutcome,
        id=args.outcome_id,
        **_fact(ctx, visit, args.at, flags),
        contact=Contact(args.contact),
        hardship_reasons=args.hardship_reasons,
        hardship_detail=args.hardship_detail,
        next_action=args.next_action,
        follow_up_on=follow_up_on,
        **assessment,
    )
    ctx.touch(visit)
    ctx.touch_borrower(visit.borrower_id)
    ctx.audit("visit.record_outcome", "visit_outcome", args.outcome_id, contact=args.contact)
    return Outcome(flags)


def _assessment(args: RecordOutcomeArgs) -> dict[str, str]:
    """The doorstep assessment; an unknown code is refused (the phone has the lists)."""
    values = {
        "income_source": args.income_source,
        "business_condition": args.business_condition,
        "willingness": args.willingness,
    }
    unknown = assessment.unknown_codes(values)
    if unknown:
        raise Rejected(
            f"Unknown assessment codes {', '.join(unknown)}: use the codes of the "
            "assessment_codes reference record.",
            "unknown_assessment_code",
        )
    return values


def _follow_up_on(ctx: Context, visit: Visit, args: RecordOutcomeArgs) -> date | None:
    """The date sent (1..90 days after the visit), else the branch's cadence for the next
    action and the DPD of the borrower's worst open loan."""
    visited_on = args.at.astimezone(ctx.tz).date()
    if args.follow_up_on is not None:
        problem = assessment.follow_up_problem(args.follow_up_on, visited_on=visited_on)
        if problem:
            raise Rejected(f"{problem}.", "bad_follow_up_date")
        return args.follow_up_on
    if args.next_action not in assessment.NEXT_ACTIONS or args.next_action == "none":
        return None
    settings = assessment.merge_follow_up(ctx.branch.settings.get("follow_up"))
    with ctx.session.no_autoflush:
        dpd = ctx.session.exec(
            select(func.max(Loan.dpd)).where(
                Loan.borrower_id == visit.borrower_id,
                col(Loan.status).not_in([LoanStatus.legal, LoanStatus.closed]),
            )
        ).one()
    return assessment.default_follow_up(
        settings,
        next_action=args.next_action,
        dpd=dpd or 0,
        visited_on=visited_on,
        min_visit_days=ctx.policy.visit_frequency_days,
    )


def check_out(ctx: Context, args: CheckOutArgs) -> Outcome:
    """Applied always; flagged without a check-in and when the visit ran too long."""
    visit = ctx.visit(args.visit_id)
    flags = ctx.assignment_flags(visit)
    if visit.id not in ctx.known.checked_in:
        flags.append(Flag("no_check_in", "checked out without a check-in"))
    flags += compliance.evaluate(
        compliance.Context(
            policy=ctx.policy,
            tz=ctx.tz,
            checked_in_at=visit.checked_in_at,
            checked_out_at=args.at,
        )
    )
    ctx.insert(
        VisitEvent,
        **_fact(ctx, visit, args.at, flags),
        kind=VisitEventKind.check_out,
        **location_columns(args.location),
    )
    if visit.status in (VisitStatus.planned, VisitStatus.checked_in):
        visit.status = VisitStatus.done
    if visit.checked_out_at is None or args.at > visit.checked_out_at:
        visit.checked_out_at = args.at
    ctx.touch(visit)
    ctx.audit("visit.check_out", "visit", visit.id, args.location, flags=[f.code for f in flags])
    return Outcome(flags)


def add_note(ctx: Context, args: NoteArgs) -> Outcome:
    """A note on a borrower, optionally made at one of their visits."""
    if _resent(ctx, Note, args.note_id, "Note", text=args.text, borrower_id=args.borrower_id):
        return Outcome([], duplicate_of_entity=True)
    borrower = ctx.known.borrowers.get(args.borrower_id)
    if borrower is None:
        raise Rejected(f"Unknown borrower {args.borrower_id}.", "unknown_borrower")
    flags = []
    if args.visit_id is not None:
        visit = ctx.visit(args.visit_id)
        if visit.borrower_id != borrower.id:
            raise Rejected("The note's visit is not a visit of this borrower.", "visit_mismatch")
        flags = ctx.assignment_flags(visit)
        ctx.touch(visit)
    else:
        ctx.check_borrower_visited(borrower.id)
    ctx.insert(
        Note,
        id=args.note_id,
        borrower_id=borrower.id,
        visit_id=args.visit_id,
        author_id=ctx.user.id,
        device_id=ctx.device.id,
        text=args.text,
        at=args.at,
        received_at=ctx.now,
    )
    ctx.touch_borrower(borrower.id)
    ctx.audit("note.add", "note", args.note_id)
    return Outcome(flags)


def request_change(ctx: Context, args: ChangeRequestArgs) -> Outcome:
    """The officer asks the manager to reschedule, extend, restructure or go legal."""
    if _resent(
        ctx, ChangeRequest, args.request_id, "Change request", kind=args.kind, reason=args.reason
    ):
        return Outcome([], duplicate_of_entity=True)
    visit = ctx.visit(args.visit_id)
    flags = ctx.assignment_flags(visit)
    ctx.insert(
        ChangeRequest,
        id=args.request_id,
        **ctx.at_visit(visit),
        branch_id=ctx.branch.id,
        kind=args.kind,
        reason=args.reason,
        proposed=args.proposed,
        created_at=ctx.client_time or ctx.now,
    )
    ctx.touch(visit)  # the visit's pulled record lists its change requests
    ctx.audit("visit.request_change", "change_request", args.request_id, kind=args.kind)
    return Outcome(flags)


SKIPPABLE = (VisitStatus.planned, VisitStatus.checked_in)
# The note of a skip is kept as a note on the borrower, under an id the visit determines (a
# resent skip finds it).
SKIP_NOTE_NAMESPACE = uuid.UUID("0f6b1d52-7c1e-4a8e-b7f0-3c4e5d6a7b80")


def skip_visit(ctx: Context, args: SkipArgs) -> Outcome:
    """The team could not make the visit: it is closed as skipped with the reason (it stays
    on the phone's route, shown as skipped). Only a planned or checked-in visit of the
    officer's current team; the same skip resent is a duplicate."""
    visit = ctx.visit(args.visit_id)
    if visit.status == VisitStatus.skipped:
        if visit.skip_reason == args.reason:
            return Outcome([], duplicate_of_entity=True)
        raise Rejected(
            f"Visit {visit.id} was already skipped (reason {visit.skip_reason}).", "already_skipped"
        )
    if visit.status not in SKIPPABLE:
        raise Rejected(
            f"Visit {visit.id} is {visit.status}: only a planned or checked-in visit can be "
            "skipped.",
            f"visit_{visit.status}",
        )
    if ctx.user.id not in ctx.known.teams.get(visit.id, set()):
        raise Rejected(
            f"Visit {visit.id} is not assigned to you or your team: only its team can skip it.",
            NOT_ON_TEAM,
        )
    visit.status = VisitStatus.skipped
    visit.skip_reason = args.reason
    visit.skipped_at = args.at
    if args.note:
        ctx.insert(
            Note,
            id=uuid.uuid5(SKIP_NOTE_NAMESPACE, str(visit.id)),
            borrower_id=visit.borrower_id,
            visit_id=visit.id,
            author_id=ctx.user.id,
            device_id=ctx.device.id,
            text=args.note,
            at=args.at,
            received_at=ctx.now,
        )
    ctx.touch(visit)
    ctx.touch_borrower(visit.borrower_id)
    ctx.audit("visit.skip", "visit", visit.id, reason=args.reason, note=args.note)
    return Outcome([])


def _resent(ctx: Context, model: type[SQLModel], row_id: uuid.UUID, what: str, **same: Any) -> bool:
    """Whether this note or change request was received before with the same content (the
    phone resent it); the same id with other content is refused."""
    return ctx.received_before(
        model, row_id, conflict=f"{what} {row_id} already exists with other content.", **same
    )


def _co_visitors(
    ctx: Context, visit: Visit, claimed: list[uuid.UUID]
) -> tuple[list[uuid.UUID], Flag | None]:
    """The colleagues a check-in names that count for the staff minimum: active officers
    (or managers) of the branch on the visit's team, now or before (the plan or a manager
    put them there). Others are left out of the count and of the stored check-in, and
    flagged (`unknown_co_visitor`); the pushed entry keeps what the phone sent."""
    counted: list[uuid.UUID] = []
    ignored: list[str] = []
    for user_id in dict.fromkeys(claimed):
        user = ctx.known.users.get(user_id)
        if user_id == ctx.user.id:
            continue
        if (
            user is not None
            and user.is_active
            and user.role in VISITING_ROLES
            and ctx.known.ever_on_team(ctx.session, visit.id, user_id)
        ):
            counted.append(user_id)
        else:
            ignored.append(str(user_id))
    if not ignored:
        return counted, None
    text = f"not counted as co-visitors (not on this visit's team): {', '.join(ignored)}"
    return counted, Flag("unknown_co_visitor", text)


def _fact(ctx: Context, visit: Visit, at: datetime, flags: list[Flag]) -> dict[str, object]:
    """The columns a check-in, check-out or outcome share: which visit, who, when, under
    which policy version and with which flags."""
    return {
        "visit_id": visit.id,
        **ctx.from_phone(),
        "at": at,
        "policy_version": ctx.policy.version,
        "flags": [f.code for f in flags],
    }


def _other_visit_days(ctx: Context, visit: Visit, at: datetime) -> tuple[date, ...]:
    """Local days of the borrower's check-ins on other visits near `at` (frequency rule):
    the stored ones in one indexed query, plus those queued earlier in this batch."""
    days = ctx.policy.visit_frequency_days
    if days <= 0:
        return ()
    window = timedelta(days=days)
    with ctx.session.no_autoflush:
        stored = ctx.session.exec(
            select(VisitEvent.at)
            .join(Visit, col(Visit.id) == col(VisitEvent.visit_id))
            .where(
                Visit.borrower_id == visit.borrower_id,
                VisitEvent.visit_id != visit.id,
                VisitEvent.kind == VisitEventKind.check_in,
                col(VisitEvent.at) > at - window,
                col(VisitEvent.at) < at + window,
            )
        ).all()
    queued = [
        row["at"]
        for row in ctx.known.pending.get(VisitEvent, [])
        if row["kind"] == VisitEventKind.check_in
        and row["visit_id"] != visit.id
        and (other := ctx.known.visits.get(row["visit_id"])) is not None
        and other.borrower_id == visit.borrower_id
    ]
    return tuple(sorted({t.astimezone(ctx.tz).date() for t in [*stored, *queued]}))

"""Pull and push: the database side of sync protocol v1."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from api.audit import audit_row, write_audit_rows
from api.compliance import rules as compliance
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.db import at_commit
from api.errors import (
    DeviceRevoked,
    Forbidden,
    MutationGap,
    PayloadTooLarge,
    UpgradeRequired,
)
from api.sync import cvr, rules
from api.sync.known import Known
from api.sync.protocol import (
    MAX_CHANGES_PER_PAGE,
    MAX_MUTATIONS,
    PROTOCOL_VERSION,
    AgreementArgs,
    Change,
    ChangeRequestArgs,
    CheckInArgs,
    CheckOutArgs,
    Location,
    Mutation,
    MutationResult,
    MutationStatus,
    NoteArgs,
    PromiseArgs,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    RecordOutcomeArgs,
    SosArgs,
)
from api.sync.rules import Flag, Rejected
from api.sync.scope import load_scope
from models import (
    Agreement,
    AgreementLine,
    Borrower,
    Branch,
    ChangeRequest,
    ClientView,
    Device,
    Loan,
    MutationLog,
    Note,
    Promise,
    SafetyAlert,
    User,
    Visit,
    VisitEvent,
    VisitOutcome,
)
from models.enums import (
    AgreementStatus,
    Contact,
    DeviceStatus,
    PromiseStatus,
    VisitEventKind,
    VisitStatus,
)

COOKIES_KEPT = 3
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
DEFAULT_DAYS_AHEAD = 7


def _check_protocol(protocol: int) -> None:
    if protocol != PROTOCOL_VERSION:
        raise UpgradeRequired(
            f"Sync protocol {protocol} is not supported; this server speaks protocol "
            f"{PROTOCOL_VERSION}. Update the app: your unsent entries are kept on the phone.",
            supported=[PROTOCOL_VERSION],
        )


def _device(session: Session, *, user: User, device_id: uuid.UUID, lock: bool) -> Device:
    if lock:
        # Two pushes from one phone (a retry racing the original) must not interleave.
        # populate_existing: the sign-in check read this row before the lock was taken.
        locked = (
            select(Device)
            .where(Device.id == device_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        device = session.exec(locked).first()
    else:
        device = session.get(Device, device_id)  # the sign-in check has loaded it
    if device is None or device.user_id != user.id:
        raise Forbidden("This device is not registered to you. Register it again.")
    if device.status == DeviceStatus.revoked:
        raise DeviceRevoked()
    return device


def _branch(session: Session, user: User) -> Branch:
    branch = session.get(Branch, user.branch_id)
    assert branch is not None  # a user always belongs to a branch (foreign key)
    return branch


# --- pull ------------------------------------------------------------------------------


def pull(*, session: Session, user: User, request: PullRequest, now: datetime) -> PullResponse:
    """Answer the difference between what the device holds (its cookie) and its scope now."""
    _check_protocol(request.protocol)
    device = _device(session, user=user, device_id=request.device_id, lock=False)
    branch = _branch(session, user)
    policy = current_policy(session, branch)
    # Written at most once a minute, so an empty pull stays a read.
    if device.last_pull_at is None or now - device.last_pull_at > LAST_SEEN_RESOLUTION:
        device.last_pull_at = device.last_seen_at = now
        session.add(device)
    expires_at = now + timedelta(hours=policy.device_data_hours)
    if device.status == DeviceStatus.retired:
        # A retired phone may still push its outbox; then it must erase what it holds.
        return PullResponse(
            cookie=request.cookie or "",
            reset=False,
            has_more=False,
            control="wipe",
            last_mutation_id=device.last_mutation_id,
            server_time=now,
            expires_at=now,
            changes=[],
        )

    held = _client_view(session, device=device, cookie=request.cookie)
    today = now.astimezone(ZoneInfo(branch.timezone)).date()
    days_ahead = int((branch.settings.get("sync") or {}).get("days_ahead", DEFAULT_DAYS_AHEAD))
    scope = load_scope(
        session, officer=user, branch=branch, today=today, days_ahead=days_ahead, policy=policy
    )
    full = cvr.diff(held.records if held else {}, scope.versions)
    sent, has_more = cvr.page(full, MAX_CHANGES_PER_PAGE)

    if held is not None and not len(sent):
        cookie = str(held.id)
    else:
        view = ClientView(
            device_id=device.id,
            records=cvr.advance(held.records if held else {}, scope.versions, sent),
            created_at=now,
        )
        session.add(view)
        session.flush()
        _prune_cookies(session, device_id=device.id, keep=view.id)
        cookie = str(view.id)

    data = scope.build(session, sent.puts)
    changes = [
        Change(op="put", entity=entity, id=row_id, version=scope.versions[key], data=data[key])
        for key in sent.puts
        for entity, row_id in [cvr.split_key(key)]
    ] + [
        Change(op="del", entity=entity, id=row_id)
        for key in sent.dels
        for entity, row_id in [cvr.split_key(key)]
    ]
    return PullResponse(
        cookie=cookie,
        reset=held is None,
        has_more=has_more,
        control=None,
        last_mutation_id=device.last_mutation_id,
        server_time=now,
        expires_at=expires_at,
        changes=changes,
    )


def _client_view(session: Session, *, device: Device, cookie: str | None) -> ClientView | None:
    if not cookie:
        return None
    try:
        view_id = uuid.UUID(cookie)
    except ValueError:
        return None
    view = session.get(ClientView, view_id)
    if view is None or view.device_id != device.id:
        return None
    return view


def _prune_cookies(session: Session, *, device_id: uuid.UUID, keep: uuid.UUID) -> None:
    """Keep the newest few cookies: a phone that lost a pull answer retries with an older one."""
    newest = (
        select(ClientView.id)
        .where(ClientView.device_id == device_id, ClientView.id != keep)
        .order_by(col(ClientView.created_at).desc())
        .limit(COOKIES_KEPT - 1)
    )
    session.execute(
        delete(ClientView).where(
            col(ClientView.device_id) == device_id,
            col(ClientView.id) != keep,
            col(ClientView.id).not_in(newest),
        )
    )


# --- push ------------------------------------------------------------------------------


@dataclass
class Context:
    session: Session
    user: User
    device: Device
    branch: Branch
    policy: Policy
    tz: ZoneInfo
    now: datetime
    client_time: datetime | None
    mutation_id: int
    known: Known


@dataclass
class Outcome:
    flags: list[Flag]
    duplicate_of_entity: bool = False


def push(*, session: Session, user: User, request: PushRequest, now: datetime) -> PushResponse:
    """Apply each new mutation once, in order, each in its own savepoint."""
    _check_protocol(request.protocol)
    if len(request.mutations) > MAX_MUTATIONS:
        raise PayloadTooLarge(
            f"{len(request.mutations)} mutations in one push; send at most {MAX_MUTATIONS} "
            "per request."
        )
    device = _device(session, user=user, device_id=request.device_id, lock=True)
    mutations = request.mutations
    last = device.last_mutation_id
    if mutations:
        first = mutations[0].id
        if first > last + 1:
            raise MutationGap(
                f"Mutation {first} arrived but {last + 1} was expected next. "
                "Send the outbox from the oldest entry.",
                expected=last + 1,
            )
        for offset, mutation in enumerate(mutations):
            if mutation.id != first + offset:
                raise MutationGap(
                    f"Mutation ids in a push must be consecutive; {mutation.id} follows "
                    f"{first + offset - 1}.",
                    expected=last + 1,
                )

    replayed = [m.id for m in mutations if m.id <= last]
    previous = _previous_statuses(session, device_id=device.id, ids=replayed)
    branch = _branch(session, user)
    policy = current_policy(session, branch)
    tz = ZoneInfo(branch.timezone)
    results = [
        MutationResult(
            id=m.id,
            status="duplicate",
            reason="already processed",
            original_status=previous.get(m.id),
        )
        for m in mutations
        if m.id <= last
    ]
    fresh = [m for m in mutations if m.id > last]
    if fresh:

        def context(m: Mutation, known: Known) -> Context:
            return Context(
                session, user, device, branch, policy, tz, now, m.client_time, m.id, known
            )

        try:
            # Fast path: every entry is checked against rows loaded up front before it
            # writes, so the whole batch reaches the database in a few bulk INSERTs.
            with session.begin_nested():
                known = Known.load(session, branch_id=branch.id, args=[m.args for m in fresh])
                applied = [_apply(context(m, known), m, own_savepoint=False) for m in fresh]
                session.flush()
                known.write(session)
            audit_rows, touched = known.audit_rows, known.touched_borrowers
        except IntegrityError:
            # Another writer raced us to an id: redo the batch, one savepoint per entry.
            applied, audit_rows, touched = [], [], []
            for m in fresh:
                known = Known.load(session, branch_id=branch.id, args=[m.args])
                applied.append(_apply(context(m, known), m, own_savepoint=True))
                known.write(session)
                audit_rows += known.audit_rows
                touched += known.touched_borrowers
        results += applied
        device.last_mutation_id = fresh[-1].id
        # Right before the commit, as they lock rows other pushes want: borrowers a
        # teammate's phone may touch too, and the audit chain.
        at_commit(session, lambda s: _touch_borrowers(s, touched, now))
        at_commit(session, lambda s: write_audit_rows(s, audit_rows))
    device.last_seen_at = now  # set late: one UPDATE of the device row, not two
    session.add(device)
    session.flush()
    return PushResponse(last_mutation_id=device.last_mutation_id, results=results)


def _previous_statuses(
    session: Session, *, device_id: uuid.UUID, ids: list[int]
) -> dict[int, MutationStatus]:
    if not ids:
        return {}
    rows = session.exec(
        select(MutationLog.mutation_id, MutationLog.status).where(
            MutationLog.device_id == device_id, col(MutationLog.mutation_id).in_(ids)
        )
    )
    return {mid: status for mid, status in rows}  # type: ignore[misc]


def _apply(ctx: Context, mutation: Mutation, *, own_savepoint: bool) -> MutationResult:
    status: MutationStatus
    codes: list[str] = []
    handler = HANDLERS.get(mutation.name)
    audited, touched = len(ctx.known.audit_rows), len(ctx.known.touched_borrowers)
    try:
        if handler is None:
            raise Rejected(
                f"Unknown mutation '{mutation.name}'. Known: {', '.join(sorted(HANDLERS))}.",
                "unknown_mutation",
            )
        args_model, apply = handler
        args = args_model.model_validate(mutation.args)
        # Handlers check everything before they write, so a Rejected leaves nothing behind.
        with ctx.session.begin_nested() if own_savepoint else nullcontext():
            outcome = apply(ctx, args)
            if own_savepoint:
                ctx.session.flush()
                ctx.known.write(ctx.session)
        skew = rules.clock_skew_flag(ctx.client_time, ctx.now, ctx.policy)
        if skew and not outcome.duplicate_of_entity:
            outcome.flags.append(skew)
        if outcome.duplicate_of_entity:
            status, reason = "duplicate", "the same record was already received"
        elif outcome.flags:
            status, reason = "flagged", "; ".join(str(f) for f in outcome.flags)
            codes = [f.code for f in outcome.flags]
        else:
            status, reason = "applied", ""
    except ValidationError as exc:
        status, reason, codes = "rejected", _validation_reason(exc), ["invalid_args"]
    except Rejected as exc:
        status, reason, codes = "rejected", str(exc), [exc.code]
    except IntegrityError:
        if not own_savepoint:
            raise
        status, reason = "rejected", "An id in this entry is already used by another record."
        codes = ["id_taken"]
    if status == "rejected":
        del ctx.known.audit_rows[audited:]
        del ctx.known.touched_borrowers[touched:]
    ctx.known.log_rows.append(
        {
            "device_id": ctx.device.id,
            "user_id": ctx.user.id,
            "branch_id": ctx.branch.id,
            "mutation_id": mutation.id,
            "name": mutation.name,
            "args": mutation.args,
            "client_time": mutation.client_time,
            "received_at": ctx.now,
            "status": status,
            "reason": reason,
            "review_note": "",
        }
    )
    return MutationResult(id=mutation.id, status=status, reason=reason, codes=codes)


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where or 'args'}: {err['msg']}")
    return "Invalid entry: " + "; ".join(parts)


# --- mutation handlers -----------------------------------------------------------------


def _visit(ctx: Context, visit_id: uuid.UUID) -> Visit:
    visit = ctx.known.visits.get(visit_id)
    if visit is None:
        raise Rejected(f"Unknown visit {visit_id}.", "unknown_visit")
    return visit


def _assignment_flags(ctx: Context, visit: Visit) -> list[Flag]:
    flags = []
    if ctx.user.id not in ctx.known.teams.get(visit.id, set()):
        flags.append(Flag("not_assigned", "the visit is no longer assigned to this officer"))
    if visit.status == VisitStatus.cancelled:
        flags.append(Flag("visit_cancelled", "the visit was cancelled"))
    return flags


def _loc(location: Location | None) -> tuple[float | None, float | None, float | None]:
    if location is None:
        return None, None, None
    return location.lat, location.lon, location.accuracy_m


def _audit(
    ctx: Context,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    location: Location | None = None,
    **data: Any,
) -> None:
    ctx.known.audit_rows.append(
        audit_row(
            at=ctx.now,
            action=action,
            entity=entity,
            entity_id=entity_id,
            actor_id=ctx.user.id,
            device_id=ctx.device.id,
            branch_id=ctx.branch.id,
            data={"mutation_id": ctx.mutation_id, **data},
            lat=location.lat if location else None,
            lon=location.lon if location else None,
        )
    )


def _insert(ctx: Context, model: type[SQLModel], **values: Any) -> None:
    """Queue a new row for the batch's bulk INSERT (building ORM objects costs more than
    writing them); later entries of the batch see it through `ctx.known`."""
    ctx.known.insert(model, values)


def _touch(ctx: Context, visit: Visit) -> None:
    # The phone's copy of a visit embeds its latest facts: any fact bumps its version.
    visit.version += 1
    ctx.session.add(visit)


def _touch_borrower(ctx: Context, borrower_id: uuid.UUID) -> None:
    # The borrower's record embeds recent contacts: a new one must change its version.
    if borrower_id in ctx.known.borrowers:
        ctx.known.touched_borrowers.append(borrower_id)


_BORROWER_TABLE: Table = Borrower.__table__  # type: ignore[attr-defined]
# Core, not ORM: a list of parameters runs as one executemany, in the list's order.
_TOUCH_BORROWER = (
    update(_BORROWER_TABLE)
    .where(_BORROWER_TABLE.c.id == bindparam("borrower_id"))
    .values(version=_BORROWER_TABLE.c.version + 1, updated_at=bindparam("now"))
)


def _touch_borrowers(session: Session, borrower_ids: list[uuid.UUID], now: datetime) -> None:
    """One version bump per borrower, in id order so two pushes never wait on each other
    crosswise (a deadlock)."""
    ordered = sorted(set(borrower_ids))
    if not ordered:
        return
    session.execute(_TOUCH_BORROWER, [{"borrower_id": b, "now": now} for b in ordered])
    for borrower_id in ordered:
        loaded = session.identity_map.get(session.identity_key(Borrower, borrower_id))
        if loaded is not None:
            session.expire(loaded, ["version", "updated_at"])


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


def check_in(ctx: Context, args: CheckInArgs) -> Outcome:
    """Applied always; flagged by the compliance rules (hours, holiday, staff, frequency,
    distance) and when the visit is no longer the officer's."""
    visit = _visit(ctx, args.visit_id)
    flags = _assignment_flags(ctx, visit)
    borrower = ctx.known.borrowers.get(visit.borrower_id)
    team = {ctx.user.id, *args.co_visitor_ids}
    lat, lon, accuracy = _loc(args.location)
    flags += compliance.evaluate(
        compliance.Context(
            policy=ctx.policy,
            tz=ctx.tz,
            at=args.at,
            team_size=len(team),
            other_visit_days=_other_visit_days(ctx, visit, args.at),
            location=(args.location.lat, args.location.lon, accuracy) if args.location else None,
            address=(borrower.lat, borrower.lon) if borrower else None,
        )
    )
    _insert(
        ctx,
        VisitEvent,
        visit_id=visit.id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        kind=VisitEventKind.check_in,
        at=args.at,
        received_at=ctx.now,
        co_visitor_ids=[str(i) for i in args.co_visitor_ids],
        policy_version=ctx.policy.version,
        flags=[f.code for f in flags],
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
    )
    ctx.known.checked_in.add(visit.id)
    if visit.status == VisitStatus.planned:
        visit.status = VisitStatus.checked_in
    if visit.checked_in_at is None or args.at < visit.checked_in_at:
        visit.checked_in_at = args.at
    _touch(ctx, visit)
    _audit(
        ctx,
        "visit.check_in",
        "visit",
        visit.id,
        args.location,
        flags=[f.code for f in flags],
        policy_version=ctx.policy.version,
    )
    return Outcome(flags)


def record_outcome(ctx: Context, args: RecordOutcomeArgs) -> Outcome:
    visit = _visit(ctx, args.visit_id)
    if ctx.known.existing(VisitOutcome, args.outcome_id) is not None:
        raise Rejected(
            f"Outcome {args.outcome_id} was already recorded by another entry.", "id_taken"
        )
    flags = _assignment_flags(ctx, visit)
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
    _insert(
        ctx,
        VisitOutcome,
        id=args.outcome_id,
        visit_id=visit.id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        contact=Contact(args.contact),
        hardship_reasons=args.hardship_reasons,
        hardship_detail=args.hardship_detail,
        next_action=args.next_action,
        at=args.at,
        received_at=ctx.now,
        policy_version=ctx.policy.version,
        flags=[f.code for f in flags],
    )
    _touch(ctx, visit)
    _touch_borrower(ctx, visit.borrower_id)
    _audit(ctx, "visit.record_outcome", "visit_outcome", args.outcome_id, contact=args.contact)
    return Outcome(flags)


def check_out(ctx: Context, args: CheckOutArgs) -> Outcome:
    visit = _visit(ctx, args.visit_id)
    flags = _assignment_flags(ctx, visit)
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
    lat, lon, accuracy = _loc(args.location)
    _insert(
        ctx,
        VisitEvent,
        visit_id=visit.id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        kind=VisitEventKind.check_out,
        at=args.at,
        received_at=ctx.now,
        policy_version=ctx.policy.version,
        flags=[f.code for f in flags],
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
    )
    if visit.status in (VisitStatus.planned, VisitStatus.checked_in):
        visit.status = VisitStatus.done
    if visit.checked_out_at is None or args.at > visit.checked_out_at:
        visit.checked_out_at = args.at
    _touch(ctx, visit)
    _audit(ctx, "visit.check_out", "visit", visit.id, args.location, flags=[f.code for f in flags])
    return Outcome(flags)


def add_note(ctx: Context, args: NoteArgs) -> Outcome:
    existing = ctx.known.existing(Note, args.note_id)
    if existing is not None:
        if existing.text == args.text and existing.borrower_id == args.borrower_id:
            return Outcome([], duplicate_of_entity=True)
        raise Rejected(f"Note {args.note_id} already exists with other content.", "id_taken")
    borrower = ctx.known.borrowers.get(args.borrower_id)
    if borrower is None:
        raise Rejected(f"Unknown borrower {args.borrower_id}.", "unknown_borrower")
    flags = []
    if args.visit_id is not None:
        visit = _visit(ctx, args.visit_id)
        if visit.borrower_id != borrower.id:
            raise Rejected("The note's visit is not a visit of this borrower.", "visit_mismatch")
        flags = _assignment_flags(ctx, visit)
        _touch(ctx, visit)
    _insert(
        ctx,
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
    _touch_borrower(ctx, borrower.id)
    _audit(ctx, "note.add", "note", args.note_id)
    return Outcome(flags)


def _visit_loan(ctx: Context, visit: Visit, loan_id: uuid.UUID) -> Loan:
    loan = ctx.known.loans.get(loan_id)
    if loan is None or loan.borrower_id != visit.borrower_id:
        raise Rejected(f"Loan {loan_id} is not a loan of this visit's borrower.", "loan_mismatch")
    return loan


def create_promise(ctx: Context, args: PromiseArgs) -> Outcome:
    existing = ctx.known.existing(Promise, args.promise_id)
    if existing is not None:
        same = (existing.amount_fen, existing.due_date, existing.loan_id) == (
            args.amount_fen,
            args.due_date,
            args.loan_id,
        )
        if same:
            return Outcome([], duplicate_of_entity=True)
        raise Rejected(f"Promise {args.promise_id} already exists with other terms.", "id_taken")
    visit = _visit(ctx, args.visit_id)
    loan = _visit_loan(ctx, visit, args.loan_id)
    made_at = args.at or ctx.client_time or ctx.now
    rules.check_promise(
        amount_fen=args.amount_fen,
        due_date=args.due_date,
        made_on=made_at.astimezone(ctx.tz).date(),
    )
    flags = _assignment_flags(ctx, visit)
    _insert(
        ctx,
        Promise,
        id=args.promise_id,
        visit_id=visit.id,
        loan_id=loan.id,
        borrower_id=visit.borrower_id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        amount_fen=args.amount_fen,
        due_date=args.due_date,
        status=PromiseStatus.open,
        made_at=made_at,
        received_at=ctx.now,
    )
    _touch(ctx, visit)
    _audit(ctx, "promise.create", "promise", args.promise_id, amount_fen=args.amount_fen)
    return Outcome(flags)


def stored_agreement_canonical(agreement: Agreement, lines: list[AgreementLine]) -> dict[str, Any]:
    return rules.agreement_canonical(
        agreement_id=agreement.id,
        visit_id=agreement.visit_id,
        loan_id=agreement.loan_id,
        principal_fen=agreement.principal_fen,
        down_payment_fen=agreement.down_payment_fen,
        schedule=[(line.due_date, line.amount_fen) for line in lines],
        text_sha256=agreement.text_sha256,
        borrower_signature=agreement.borrower_signature,
        officer_signature=agreement.officer_signature,
        signed_at=agreement.signed_at,
        location=(agreement.lat, agreement.lon)
        if agreement.lat is not None and agreement.lon is not None
        else None,
    )


def sign_agreement(ctx: Context, args: AgreementArgs) -> Outcome:
    canonical = rules.canonical_from_args(args)
    digest = rules.content_sha256(canonical)
    existing = ctx.known.existing(Agreement, args.agreement_id)
    if existing is not None:
        if existing.content_sha256 == digest:
            return Outcome([], duplicate_of_entity=True)
        raise Rejected(
            f"Agreement {args.agreement_id} was already signed with other content; signed "
            "terms never change (possible tampering). Sign a new agreement instead.",
            "agreement_tampered",
        )
    rules.check_agreement(args)
    visit = _visit(ctx, args.visit_id)
    loan = _visit_loan(ctx, visit, args.loan_id)
    flags = _assignment_flags(ctx, visit)
    # Within the branch limits: active at once; beyond them, or next to another open
    # agreement of the loan: pending_approval, flagged with the reasons (reads only).
    from api.agreements import signing  # imported here: api.agreements imports this module

    decision = signing.decide(
        session=ctx.session,
        known=ctx.known,
        args=args,
        loan=loan,
        branch_settings=ctx.branch.settings,
        tz=ctx.tz,
    )
    flags += decision.flags
    ctx.known.loans_with_open_agreement.add(loan.id)
    _insert(
        ctx,
        Agreement,
        id=args.agreement_id,
        visit_id=visit.id,
        loan_id=loan.id,
        borrower_id=visit.borrower_id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        principal_fen=args.terms.principal_fen,
        down_payment_fen=args.terms.down_payment_fen,
        text=args.text,
        text_sha256=args.text_sha256.lower(),
        borrower_signature=args.borrower_signature,
        officer_signature=args.officer_signature,
        signed_at=args.signed_at,
        lat=args.location.lat if args.location else None,
        lon=args.location.lon if args.location else None,
        accuracy_m=args.location.accuracy_m if args.location else None,
        content_sha256=digest,
        status=decision.status,
        supersedes_id=decision.supersedes_id,
        approval_reasons=decision.approval_reasons,
        activated_at=ctx.now if decision.status == AgreementStatus.active else None,
        status_changed_at=ctx.now,
        down_payment_status="paid" if args.terms.down_payment_fen == 0 else "due",
        policy_version=ctx.policy.version,
        received_at=ctx.now,
    )
    for seq, line in enumerate(args.terms.schedule, start=1):
        _insert(
            ctx,
            AgreementLine,
            agreement_id=args.agreement_id,
            seq=seq,
            due_date=line.due_date,
            amount_fen=line.amount_fen,
        )
    if decision.supersede is not None:
        signing.supersede(ctx.session, ctx.known, decision.supersede, now=ctx.now)
        _audit(
            ctx,
            "agreement.supersede",
            "agreement",
            decision.supersede.id,
            status=AgreementStatus.superseded,
            superseded_by=str(args.agreement_id),
        )
    _touch(ctx, visit)
    _audit(
        ctx,
        "agreement.sign",
        "agreement",
        args.agreement_id,
        args.location,
        content_sha256=digest,
        status=decision.status,
        approval_reasons=[r["code"] for r in decision.approval_reasons],
    )
    return Outcome(flags)


def request_change(ctx: Context, args: ChangeRequestArgs) -> Outcome:
    existing = ctx.known.existing(ChangeRequest, args.request_id)
    if existing is not None:
        if (existing.kind, existing.reason) == (args.kind, args.reason):
            return Outcome([], duplicate_of_entity=True)
        raise Rejected(
            f"Change request {args.request_id} already exists with other content.", "id_taken"
        )
    visit = _visit(ctx, args.visit_id)
    flags = _assignment_flags(ctx, visit)
    _insert(
        ctx,
        ChangeRequest,
        id=args.request_id,
        visit_id=visit.id,
        borrower_id=visit.borrower_id,
        branch_id=ctx.branch.id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        kind=args.kind,
        reason=args.reason,
        proposed=args.proposed,
        created_at=ctx.client_time or ctx.now,
        received_at=ctx.now,
    )
    _touch(ctx, visit)  # the visit's pulled record lists its change requests
    _audit(ctx, "visit.request_change", "change_request", args.request_id, kind=args.kind)
    return Outcome(flags)


def raise_sos(ctx: Context, args: SosArgs) -> Outcome:
    if ctx.known.existing(SafetyAlert, args.alert_id) is not None:
        return Outcome([], duplicate_of_entity=True)
    lat, lon, accuracy = _loc(args.location)
    visit_id = args.visit_id
    if visit_id is not None and visit_id not in ctx.known.visits:
        visit_id = None  # an SOS is never refused over a stale visit id
    _insert(
        ctx,
        SafetyAlert,
        id=args.alert_id,
        branch_id=ctx.branch.id,
        officer_id=ctx.user.id,
        device_id=ctx.device.id,
        visit_id=visit_id,
        kind="sos",
        at=args.at,
        received_at=ctx.now,
        message=args.message,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
    )
    _audit(ctx, "safety.sos", "safety_alert", args.alert_id, args.location)
    return Outcome([])


Handler = tuple[type[BaseModel], Callable[[Context, Any], Outcome]]
HANDLERS: dict[str, Handler] = {
    "visit.check_in": (CheckInArgs, check_in),
    "visit.record_outcome": (RecordOutcomeArgs, record_outcome),
    "visit.check_out": (CheckOutArgs, check_out),
    "note.add": (NoteArgs, add_note),
    "promise.create": (PromiseArgs, create_promise),
    "agreement.sign": (AgreementArgs, sign_agreement),
    "visit.request_change": (ChangeRequestArgs, request_change),
    "safety.sos": (SosArgs, raise_sos),
}

"""Pull and push: the database side of sync protocol v1. What each mutation does is up to
its domain (see api.sync.handlers); this module runs the batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, delete, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from api.audit import write_audit_rows
from api.compliance.policy import Policy
from api.compliance.service import current_policy
from api.db import at_commit
from api.deps import check_device
from api.errors import MutationGap, PayloadTooLarge, UpgradeRequired
from api.scoping import get_branch
from api.sync import cvr
from api.sync.handlers import apply_mutation
from api.sync.protocol import (
    MAX_CHANGES_PER_PAGE,
    MAX_MUTATIONS,
    PROTOCOL_VERSION,
    Change,
    Mutation,
    MutationResult,
    MutationStatus,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)
from api.sync.scope import Scope, load_scope
from api.writes.args import EARLIEST, LATEST
from api.writes.context import Context
from api.writes.known import Known
from models import Borrower, Branch, ClientView, Device, MutationLog, User
from models.enums import DeviceStatus

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


# --- pull ------------------------------------------------------------------------------


def pull(*, session: Session, user: User, request: PullRequest, now: datetime) -> PullResponse:
    """Answer the difference between what the device holds (its cookie) and its scope now."""
    _check_protocol(request.protocol)
    device = check_device(session, user=user, device_id=request.device_id)
    branch = get_branch(session, user.branch_id)
    policy = current_policy(session, branch)
    # Written at most once a minute, so an empty pull stays a read.
    if device.last_pull_at is None or now - device.last_pull_at > LAST_SEEN_RESOLUTION:
        device.last_pull_at = device.last_seen_at = now
        session.add(device)
    answer = PullResponse(
        cookie=request.cookie or "",
        reset=False,
        has_more=False,
        control=None,
        last_mutation_id=device.last_mutation_id,
        server_time=now,
        expires_at=now + timedelta(hours=policy.device_data_hours),
        changes=[],
    )
    if device.status == DeviceStatus.retired:
        # A retired phone may still push its outbox; then it must erase what it holds.
        return answer.model_copy(update={"control": "wipe", "expires_at": now})

    held = _client_view(session, device=device, cookie=request.cookie)
    today = now.astimezone(ZoneInfo(branch.timezone)).date()
    days_ahead = int((branch.settings.get("sync") or {}).get("days_ahead", DEFAULT_DAYS_AHEAD))
    scope = load_scope(
        session, officer=user, branch=branch, today=today, days_ahead=days_ahead, policy=policy
    )
    full = cvr.diff(held.records if held else {}, scope.versions)
    sent, has_more = cvr.page(full, MAX_CHANGES_PER_PAGE)
    cookie = _next_cookie(session, device=device, held=held, scope=scope, sent=sent, now=now)
    return answer.model_copy(
        update={
            "cookie": cookie,
            "reset": held is None,
            "has_more": has_more,
            "changes": _changes(session, scope, sent),
        }
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


def _next_cookie(
    session: Session,
    *,
    device: Device,
    held: ClientView | None,
    scope: Scope,
    sent: cvr.Diff,
    now: datetime,
) -> str:
    """The cookie of what the device holds once it applies `sent`: the one it sent when
    nothing changes, else a new client view (keeping the newest few)."""
    if held is not None and not len(sent):
        return str(held.id)
    view = ClientView(
        device_id=device.id,
        records=cvr.advance(held.records if held else {}, scope.versions, sent),
        created_at=now,
    )
    session.add(view)
    session.flush()
    _prune_cookies(session, device_id=device.id, keep=view.id)
    return str(view.id)


def _changes(session: Session, scope: Scope, sent: cvr.Diff) -> list[Change]:
    """The puts (with their data) and deletions of one page."""
    data = scope.build(session, sent.puts)
    puts = [
        Change(op="put", entity=entity, id=row_id, version=scope.versions[key], data=data[key])
        for key in sent.puts
        for entity, row_id in [cvr.split_key(key)]
    ]
    dels = [
        Change(op="del", entity=entity, id=row_id)
        for key in sent.dels
        for entity, row_id in [cvr.split_key(key)]
    ]
    return puts + dels


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


def push(*, session: Session, user: User, request: PushRequest, now: datetime) -> PushResponse:
    """Apply each new mutation once, in order (see `_Batch.apply`); ids already processed
    answer `duplicate` with the status they got the first time."""
    _check_protocol(request.protocol)
    if len(request.mutations) > MAX_MUTATIONS:
        raise PayloadTooLarge(
            f"{len(request.mutations)} mutations in one push; send at most {MAX_MUTATIONS} "
            "per request."
        )
    device = check_device(session, user=user, device_id=request.device_id, lock=True)
    last = device.last_mutation_id
    _check_sequence(request.mutations, last)
    replayed = [m.id for m in request.mutations if m.id <= last]
    previous = _previous_statuses(session, device_id=device.id, ids=replayed)
    results = [
        MutationResult(
            id=mutation_id,
            status="duplicate",
            reason="already processed",
            original_status=previous.get(mutation_id),
        )
        for mutation_id in replayed
    ]
    fresh = [m for m in request.mutations if m.id > last]
    if fresh:
        branch = get_branch(session, user.branch_id)
        batch = _Batch(session, user, device, branch, current_policy(session, branch), now)
        results += batch.apply(fresh)
        device.last_mutation_id = fresh[-1].id
    device.last_seen_at = now  # set late: one UPDATE of the device row, not two
    session.add(device)
    session.flush()
    return PushResponse(last_mutation_id=device.last_mutation_id, results=results)


def storable_time(client_time: datetime | None) -> datetime | None:
    """The phone's clock as stored: a time beyond the years 2000 to 2100 is not kept (it may
    not even be expressible in UTC); the entry is still flagged for the clock skew."""
    if client_time is None or not EARLIEST <= client_time <= LATEST:
        return None
    return client_time


def _check_sequence(mutations: list[Mutation], last: int) -> None:
    """Ids follow on from the last one processed, without a gap (older ones may repeat)."""
    if not mutations:
        return
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


@dataclass
class _Batch:
    """The new entries of one push, applied in order."""

    session: Session
    user: User
    device: Device
    branch: Branch
    policy: Policy
    now: datetime
    tz: ZoneInfo = field(init=False)
    # The version each visit had when the push began: one version step per push.
    visit_versions: dict[uuid.UUID, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.branch.timezone)

    def context(self, mutation: Mutation, known: Known) -> Context:
        return Context(
            self.session,
            self.user,
            self.device,
            self.branch,
            self.policy,
            self.tz,
            self.now,
            client_time=storable_time(mutation.client_time),
            mutation_id=mutation.id,
            known=known,
            visit_versions=self.visit_versions,
        )

    def apply(self, fresh: list[Mutation]) -> list[MutationResult]:
        """Fast path: every entry is checked against rows loaded up front before it writes,
        so the whole batch reaches the database in a few bulk INSERTs. If anything goes wrong
        on the way (another writer raced us to an id, the database refused a value, a bug),
        redo the batch with one savepoint per entry: the failing entry alone is rejected.
        A transient database failure (busy, deadlock, lost connection) answers 503."""
        session = self.session
        try:
            with session.begin_nested():
                known = Known.load(session, branch_id=self.branch.id, args=[m.args for m in fresh])
                applied = [
                    apply_mutation(self.context(m, known), m, own_savepoint=False) for m in fresh
                ]
                session.flush()
                known.write(session)
            audit_rows, touched = known.audit_rows, known.touched_borrowers
        except OperationalError:
            raise
        except Exception:  # any failure: entry by entry, see the docstring
            applied, audit_rows, touched = [], [], []
            for m in fresh:
                known = Known.load(session, branch_id=self.branch.id, args=[m.args])
                applied.append(apply_mutation(self.context(m, known), m, own_savepoint=True))
                known.write(session)
                audit_rows += known.audit_rows
                touched += known.touched_borrowers
        # Right before the commit, as they lock rows other pushes want: borrowers a
        # teammate's phone may touch too, and the audit chain.
        at_commit(session, lambda s: _touch_borrowers(s, touched, self.now))
        at_commit(session, lambda s: write_audit_rows(s, audit_rows))
        return applied


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

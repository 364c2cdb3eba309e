"""The demo branch: a county branch near Dezhou, Shandong, with villages around it.

Idempotent: a second run on the same day changes nothing (the branch is found by its
code; today's plan is only made when the branch has no visit today)."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from faker import Faker
from sqlmodel import Session, col, select

from api.compliance.service import current_policy
from api.config import Settings
from api.planning.plans import create_plan, publish_plan
from api.planning.schemas import PlanCreate, PlanSummary
from api.privacy import hash_national_id, mask_national_id
from api.safety.service import detect_overdue_checkouts
from api.scoping import branch_statement
from api.security import hash_password
from models import (
    Borrower,
    BorrowerProposal,
    Branch,
    Loan,
    LoanSnapshot,
    Promise,
    User,
    Visit,
    VisitEvent,
    VisitOfficer,
    VisitOutcome,
    VisitPlan,
)
from models.enums import (
    Contact,
    LoanStatus,
    LocationPrecision,
    LocationSource,
    PromiseStatus,
    ProposalKind,
    ProposalStatus,
    Role,
    Segment,
    VisitEventKind,
    VisitStatus,
)

BRANCH_CODE = "DZ-LC"
MANAGER = ("manager", "demo-manager")
OFFICER_PASSWORD = "demo-officer"
OFFICERS = [f"officer{i}" for i in range(1, 7)]
BORROWER_COUNT = 150

# Towns of Lingcheng district, Dezhou (approximate centres, WGS-84), all within ~40 km.
TOWNS: list[tuple[str, float, float]] = [
    ("安德街道", 37.3357, 116.5766),
    ("郑家寨镇", 37.3368, 116.6640),
    ("糜镇", 37.4880, 116.7020),
    ("宋家镇", 37.4020, 116.4680),
    ("徽王庄镇", 37.3530, 116.7570),
    ("神头镇", 37.2800, 116.6360),
    ("滋镇", 37.4370, 116.8090),
    ("前孙镇", 37.2330, 116.6880),
    ("边临镇", 37.2230, 116.5150),
    ("义渡口乡", 37.4810, 116.5290),
    ("丁庄镇", 37.2820, 116.4790),
    ("于集乡", 37.4120, 116.6430),
]
VILLAGE_STEMS = ["张", "王", "李", "刘", "陈", "杨", "赵", "孙", "周", "吴", "徐", "马"]
VILLAGE_SUFFIXES = ["庄", "家村", "官屯", "集", "楼", "店"]
PRODUCTS = {
    Segment.farmer: "农户小额信用贷款",
    Segment.small_business: "小微企业经营贷款",
    Segment.individual_trader: "个体工商户经营贷款",
}
SAFETY_FLAGS = ["aggressive_dog", "hostile_relative", "remote_road", "prior_threat"]
TEAMS = [("officer1", "officer2"), ("officer3", "officer4"), ("officer5", "officer6")]
VISITS_PER_TEAM = 7
# The hard cases of a real export: borrowers with an address only (no coordinates).
UNLOCATED_COUNT = 8
UNLOCATED_NOTE = "地址未能定位：仅有村名"
GEOCODED_EVERY = 12  # every 12th located borrower was placed by the geocoder, village-level
BROKEN_PROMISES = 4
MOVED_M = 900  # how far a check-in found a "moved?" borrower from the stored location
FIND_ADDRESS = {
    "code": "find_address",
    "points": 0,
    "text": "Address not located: find the house; your check-in there records its location.",
    "text_zh": "地址未定位：请找到住处，在现场签到即可记录位置。",
}


@dataclass(frozen=True)
class DemoResult:
    created_branch: bool
    created_plan: bool
    branch: Branch
    logins: list[tuple[str, str, str]]


def _lingcheng_id(generated: str) -> str:
    """A Faker ID number moved to Lingcheng district (371403), with a valid check digit."""
    body = "371403" + generated[6:17]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _offset(lat: float, lon: float, rng: random.Random, radius_m: float) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    distance = radius_m * math.sqrt(rng.random())
    dlat = distance * math.cos(bearing) / 111_320
    dlon = distance * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _dpd(rng: random.Random) -> int:
    bucket = rng.choices([(1, 30), (31, 60), (61, 90), (91, 400)], weights=[20, 30, 25, 25])[0]
    return rng.randint(*bucket)


def _demo_branch() -> Branch:
    return Branch(
        code=BRANCH_CODE,
        name="德州农商银行陵城支行",
        address="山东省德州市陵城区中兴大街88号",
        phone="0534-8221234",
        lat=37.3357,
        lon=116.5766,
        timezone="Asia/Shanghai",
        work_start=time(8, 30),
        work_end=time(17, 30),
    )


def _add_staff(session: Session, branch: Branch, fake: Faker) -> None:
    """The manager and the officers (one password hash for all officers: hashing is slow)."""
    session.add(
        User(
            branch_id=branch.id,
            username=MANAGER[0],
            full_name="王建国",
            role=Role.manager,
            password_hash=hash_password(MANAGER[1]),
            phone="13905341001",
        )
    )
    officer_hash = hash_password(OFFICER_PASSWORD)
    for name in OFFICERS:
        session.add(
            User(
                branch_id=branch.id,
                username=name,
                full_name=fake.name(),
                role=Role.officer,
                password_hash=officer_hash,
                phone=fake.phone_number(),
            )
        )


def _preferred_times(segment: Segment, rng: random.Random) -> list[dict[str, object]]:
    """Some farmers are only home in the evening, some traders only in the morning."""
    if segment == Segment.farmer and rng.random() < 0.4:
        return [{"start": "17:30", "end": "20:30"}]
    if segment != Segment.farmer and rng.random() < 0.3:
        return [{"start": "09:00", "end": "12:00"}]
    return []


def _demo_borrower(
    branch: Branch,
    villages: list[tuple[str, tuple[str, float, float]]],
    *,
    rng: random.Random,
    fake: Faker,
    id_key: str,
) -> Borrower:
    """A borrower living in one of the villages (a village's centre is fixed by its name)."""
    village, (town, tlat, tlon) = rng.choice(villages)
    vlat, vlon = _offset(tlat, tlon, random.Random(village + town), 2500)
    lat, lon = _offset(vlat, vlon, rng, 600)
    segment = rng.choices(list(Segment), weights=[50, 25, 25])[0]
    national_id = _lingcheng_id(fake.ssn())
    preferred = _preferred_times(segment, rng)
    return Borrower(
        branch_id=branch.id,
        name=fake.name(),
        national_id_masked=mask_national_id(national_id),
        national_id_hash=hash_national_id(national_id, key=id_key),
        phone=fake.phone_number(),
        address=f"山东省德州市陵城区{town}{village}{rng.randint(1, 120)}号",
        village=f"{town}{village}",
        lat=lat,
        lon=lon,
        segment=segment,
        safety_flags=[rng.choice(SAFETY_FLAGS)] if rng.random() < 0.08 else [],
        preferred_times=preferred,
    )


def _add_loan(
    session: Session,
    borrower: Borrower,
    *,
    account_number: str,
    segment: Segment,
    rng: random.Random,
    today: date,
    dpd: int | None = None,
    principal_fen: int | None = None,
) -> None:
    """An overdue loan and yesterday's arrears snapshot of it (what recovery is measured by)."""
    principal = rng.randrange(20_000, 500_000, 1000) * 100
    principal = principal_fen or principal
    outstanding = int(principal * rng.uniform(0.4, 0.95)) // 100 * 100
    dpd = _dpd(rng) if dpd is None else dpd
    monthly = max(principal // 36, 50_000)
    overdue = min(outstanding, monthly * max(1, math.ceil(dpd / 30)))
    loan = Loan(
        branch_id=borrower.branch_id,
        borrower_id=borrower.id,
        account_number=account_number,
        product=PRODUCTS[segment],
        principal_fen=principal,
        outstanding_fen=outstanding,
        overdue_fen=overdue,
        dpd=dpd,
        last_payment_date=today - timedelta(days=dpd + rng.randint(0, 30)),
        status=LoanStatus.legal if dpd > 300 and rng.random() < 0.5 else LoanStatus.active,
    )
    session.add(loan)
    session.flush()
    session.add(
        LoanSnapshot(
            loan_id=loan.id,
            as_of=today - timedelta(days=1),
            dpd=dpd,
            overdue_fen=overdue,
            outstanding_fen=outstanding,
        )
    )


def _create_branch(session: Session, settings: Settings, today: date) -> Branch:
    """The branch, its staff, borrowers and loans. Seeded: every run makes the same branch
    (the order of the random draws below is part of that)."""
    rng = random.Random(2026)
    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    branch = _demo_branch()
    session.add(branch)
    session.flush()
    _add_staff(session, branch, fake)
    villages = [
        (f"{rng.choice(VILLAGE_STEMS)}{rng.choice(VILLAGE_SUFFIXES)}", town)
        for town in TOWNS
        for _ in range(3)
    ]
    account = 6_210_000_000
    made: list[Borrower] = []
    for _ in range(BORROWER_COUNT):
        borrower = _demo_borrower(branch, villages, rng=rng, fake=fake, id_key=settings.secret_key)
        made.append(borrower)
        session.add(borrower)
        session.flush()
        for _loan in range(2 if rng.random() < 0.1 else 1):
            account += rng.randint(1, 9999)
            _add_loan(
                session,
                borrower,
                account_number=str(account),
                segment=borrower.segment,
                rng=rng,
                today=today,
            )
    session.flush()
    _add_hard_cases(session, branch, settings, made, fake=fake, today=today)
    return branch


def _add_hard_cases(
    session: Session,
    branch: Branch,
    settings: Settings,
    located: list[Borrower],
    *,
    fake: Faker,
    today: date,
) -> None:
    """Provenance on every location (import file, a few from the geocoder at village
    level), borrowers with an address only, and broken promises. Its own seed, so the
    branch above stays the same."""
    rng = random.Random(2027)
    imported_at = datetime.combine(today - timedelta(days=30), time(1, 0), tzinfo=UTC)
    for k, borrower in enumerate(located):
        geocoded = k % GEOCODED_EVERY == 0
        borrower.location_source = (
            LocationSource.geocoder if geocoded else LocationSource.import_file
        )
        borrower.location_precision = (
            LocationPrecision.village if geocoded else LocationPrecision.exact
        )
        borrower.located_at = imported_at
    for k in range(UNLOCATED_COUNT):
        town = TOWNS[k % len(TOWNS)][0]
        village = f"{rng.choice(VILLAGE_STEMS)}{rng.choice(VILLAGE_SUFFIXES)}"
        borrower = Borrower(
            branch_id=branch.id,
            name=fake.name(),
            national_id_masked=mask_national_id(national_id := _lingcheng_id(fake.ssn())),
            national_id_hash=hash_national_id(national_id, key=settings.secret_key),
            phone=fake.phone_number(),
            address=f"山东省德州市陵城区{town}{village}",
            village=f"{town}{village}",
            location_note=UNLOCATED_NOTE,
            segment=Segment.farmer,
        )
        session.add(borrower)
        session.flush()
        # Long overdue: they rank among today's candidates and show up as `no_location`.
        _add_loan(
            session,
            borrower,
            account_number=str(6_220_000_000 + k),
            segment=borrower.segment,
            rng=rng,
            today=today,
            dpd=rng.randint(280, 300),  # not over 300: those may be with the lawyers
            principal_fen=40_000_000,
        )
    _add_broken_promises(session, branch, located[1 : 1 + BROKEN_PROMISES], today=today)
    session.flush()


def _add_broken_promises(
    session: Session, branch: Branch, borrowers: list[Borrower], *, today: date
) -> None:
    """Promises to pay that fell due last week unpaid (they raise the borrower's priority)."""
    officer = session.exec(
        branch_statement(User, branch.id).where(User.username == OFFICERS[0])
    ).one()
    for k, borrower in enumerate(borrowers):
        loan = session.exec(select(Loan).where(Loan.borrower_id == borrower.id)).first()
        if loan is None:
            continue
        made = datetime.combine(today - timedelta(days=20 + k), time(2, 0), tzinfo=UTC)
        session.add(
            Promise(
                id=uuid.uuid5(uuid.NAMESPACE_OID, f"demo-promise:{borrower.id}"),
                loan_id=loan.id,
                borrower_id=borrower.id,
                officer_id=officer.id,
                amount_fen=min(loan.overdue_fen, 300_000),
                due_date=today - timedelta(days=7 - k),
                status=PromiseStatus.broken,
                made_at=made,
                received_at=made,
                resolved_at=datetime.combine(
                    today - timedelta(days=6 - k), time(16, 0), tzinfo=UTC
                ),
            )
        )


def _create_today_plan(session: Session, branch: Branch, today: date, now: datetime) -> VisitPlan:
    """Today's plan as a manager would make it: the top candidates, teams of two, each
    route ordered by the solver (repeatable: a fixed iteration budget), published; then
    the day's hard cases."""
    users = {u.username: u for u in session.exec(branch_statement(User, branch.id))}
    manager = users[MANAGER[0]]
    # Planned as of the start of the working day, so a demo loaded at night still has a day.
    morning = datetime.combine(today, time(7, 0), tzinfo=ZoneInfo(branch.timezone))
    plan = create_plan(
        session=session,
        manager=manager,
        request=PlanCreate(
            plan_date=today,
            auto=True,
            # The address-only borrowers rank high too: they are reported, not planned.
            limit=VISITS_PER_TEAM * len(TEAMS) + UNLOCATED_COUNT,
            teams=[[users[name].id for name in team] for team in TEAMS],
            max_iterations=2000,
        ),
        now=morning,
    )
    publish_plan(session=session, manager=manager, plan_id=plan.id, now=now)
    _assign_unlocated(session, plan, [users[name] for name in TEAMS[0]], now=now)
    _late_check_out(session, branch, plan, now=now)
    # officer2: the e2e report walkthrough counts officer3's visits.
    _moved_proposal(session, branch, users[TEAMS[0][1]], today=today, now=now)
    return plan


def _assign_unlocated(
    session: Session, plan: VisitPlan, team: list[User], *, now: datetime
) -> None:
    """One address-only borrower given to the first team by hand: last on the route, no
    arrival time, "find the address" (the rule planning applies to such a visit)."""
    summary = PlanSummary.model_validate(plan.summary)
    missing = [u for u in summary.unassigned if u.reason == "no_location"]
    if not missing:
        return
    pick = missing[0]
    route = [
        v
        for v in session.exec(select(Visit).where(Visit.plan_id == plan.id))
        if v.officer_id == team[0].id
    ]
    last = max(route, key=lambda v: v.route_position or 0, default=None)
    loans = session.exec(select(Loan.id).where(Loan.borrower_id == pick.borrower_id)).all()
    visit = Visit(
        branch_id=plan.branch_id,
        plan_id=plan.id,
        borrower_id=pick.borrower_id,
        officer_id=team[0].id,
        loan_ids=[str(i) for i in loans],
        plan_date=plan.plan_date,
        route_position=(last.route_position or 0) + 1 if last else 1,
        window_start=last.window_start if last else None,
        window_end=last.window_end if last else None,
        planned_arrival=None,
        leg_distance_m=None,
        status=VisitStatus.planned,
        priority=pick.score,
        reasons=[FIND_ADDRESS],
        pinned=True,
        created_at=now,
    )
    session.add(visit)
    session.flush()
    for k, user in enumerate(team):
        session.add(VisitOfficer(visit_id=visit.id, user_id=user.id, is_lead=k == 0))
    summary.unassigned = [u for u in summary.unassigned if u.borrower_id != pick.borrower_id]
    plan.summary = summary.model_dump(mode="json")
    session.flush()


def _late_check_out(session: Session, branch: Branch, plan: VisitPlan, *, now: datetime) -> None:
    """The last team's last stop checked in long ago and not checked out: an open overdue
    check-out alert for the manager (the route's first stops stay for the walkthrough)."""
    policy = current_policy(session, branch)
    lead = session.exec(
        branch_statement(User, branch.id).where(User.username == TEAMS[-1][0])
    ).one()
    visit = session.exec(
        select(Visit)
        .where(Visit.plan_id == plan.id, Visit.officer_id == lead.id)
        .order_by(col(Visit.route_position).desc())
    ).first()
    borrower = session.get(Borrower, visit.borrower_id) if visit else None
    if visit is None or borrower is None:
        return
    at = now - timedelta(minutes=policy.checkout_overdue_minutes + 25)
    visit.status = VisitStatus.checked_in
    visit.checked_in_at = at
    session.add(
        VisitEvent(
            visit_id=visit.id,
            officer_id=lead.id,
            kind=VisitEventKind.check_in,
            at=at,
            received_at=at,
            lat=borrower.lat,
            lon=borrower.lon,
            accuracy_m=12.0,
        )
    )
    session.flush()
    detect_overdue_checkouts(session=session, branch=branch, policy=policy, now=now)


def _moved_proposal(
    session: Session, branch: Branch, officer: User, *, today: date, now: datetime
) -> None:
    """Yesterday's verified check-in found a borrower ~900 m from the stored location: an
    open "moved?" proposal for the manager (a borrower not planned today)."""
    planned = select(Visit.borrower_id).where(Visit.plan_date == today)
    borrower = session.exec(
        branch_statement(Borrower, branch.id)
        .where(col(Borrower.lat).is_not(None), col(Borrower.id).not_in(planned))
        .order_by(col(Borrower.name))
    ).first()
    if borrower is None or borrower.lat is None or borrower.lon is None:
        return
    yesterday = today - timedelta(days=1)
    at = datetime.combine(yesterday, time(2, 30), tzinfo=UTC)
    visit = Visit(
        branch_id=branch.id,
        borrower_id=borrower.id,
        officer_id=officer.id,
        plan_date=yesterday,
        route_position=1,
        status=VisitStatus.done,
        checked_in_at=at,
        checked_out_at=at + timedelta(minutes=35),
        created_at=at - timedelta(days=1),
    )
    session.add(visit)
    session.flush()
    session.add(VisitOfficer(visit_id=visit.id, user_id=officer.id, is_lead=True))
    session.add(
        VisitOutcome(
            id=uuid.uuid4(),
            visit_id=visit.id,
            officer_id=officer.id,
            contact=Contact.borrower,
            hardship_detail="借款人说已搬到村北新房",
            next_action="revisit",
            at=at + timedelta(minutes=20),
            received_at=at + timedelta(minutes=40),
        )
    )
    lat = round(borrower.lat + MOVED_M / 111_320, 6)  # ~900 m due north
    session.add(
        BorrowerProposal(
            branch_id=branch.id,
            borrower_id=borrower.id,
            visit_id=visit.id,
            kind=ProposalKind.location,
            data={"lat": lat, "lon": borrower.lon, "accuracy_m": 15.0, "distance_m": MOVED_M},
            source=LocationSource.check_in,
            proposed_by=officer.id,
            at=at,
            received_at=at,
            status=ProposalStatus.open,
        )
    )
    session.flush()


def load_demo(*, session: Session, settings: Settings, now: datetime) -> DemoResult:
    if settings.env == "production":
        raise RuntimeError("The demo branch uses demo passwords; it cannot load in production.")
    branch = session.exec(select(Branch).where(Branch.code == BRANCH_CODE)).first()
    created_branch = branch is None
    tz = ZoneInfo(branch.timezone if branch else "Asia/Shanghai")
    today = now.astimezone(tz).date()
    if branch is None:
        branch = _create_branch(session, settings, today)
    has_today = session.exec(
        branch_statement(Visit, branch.id).where(Visit.plan_date == today)
    ).first()
    if has_today is None:
        _create_today_plan(session, branch, today, now)
    logins = [("manager", MANAGER[0], MANAGER[1])] + [
        ("officer", name, OFFICER_PASSWORD) for name in OFFICERS
    ]
    return DemoResult(created_branch, has_today is None, branch, logins)

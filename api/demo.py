"""The demo branch: a county branch near Dezhou, Shandong, with villages around it.

Idempotent: a second run on the same day changes nothing (the branch is found by its
code; today's plan is only made when the branch has no visit today)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from faker import Faker
from sqlmodel import Session, select

from api.config import Settings
from api.planning.plans import create_plan, publish_plan
from api.planning.schemas import PlanCreate
from api.privacy import hash_national_id, mask_national_id
from api.scoping import branch_statement
from api.security import hash_password
from models import Borrower, Branch, Loan, LoanSnapshot, User, Visit, VisitPlan
from models.enums import LoanStatus, Role, Segment

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
) -> None:
    """An overdue loan and yesterday's arrears snapshot of it (what recovery is measured by)."""
    principal = rng.randrange(20_000, 500_000, 1000) * 100
    outstanding = int(principal * rng.uniform(0.4, 0.95)) // 100 * 100
    dpd = _dpd(rng)
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
    for _ in range(BORROWER_COUNT):
        borrower = _demo_borrower(branch, villages, rng=rng, fake=fake, id_key=settings.secret_key)
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
    return branch


def _create_today_plan(session: Session, branch: Branch, today: date, now: datetime) -> VisitPlan:
    """Today's plan as a manager would make it: the top candidates, teams of two, each
    route ordered by the solver (repeatable: a fixed iteration budget)."""
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
            limit=VISITS_PER_TEAM * len(TEAMS),
            teams=[[users[name].id for name in team] for team in TEAMS],
            max_iterations=2000,
        ),
        now=morning,
    )
    publish_plan(session=session, manager=manager, plan_id=plan.id, now=now)
    return plan


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

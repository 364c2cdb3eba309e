"""Versioned branch policies: read the current one, add a version. Services flush and never
commit; the clock is passed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api.audit import record_audit
from api.compliance.policy import Policy, PolicyData, policy_from_data, policy_from_settings
from api.compliance.schemas import PolicyPublic
from api.errors import Conflict
from api.scoping import branch_column, branch_statement
from models import Branch, CompliancePolicy, User


@dataclass(frozen=True)
class PolicyRecord:
    """A version of a branch's policy; version 0 (no row) is the built-in defaults, with
    whatever the branch's settings said before policies were versioned."""

    branch_id: uuid.UUID
    policy: Policy
    created_at: datetime | None
    created_by: uuid.UUID | None

    @property
    def version(self) -> int:
        return self.policy.version

    def public(self) -> PolicyPublic:
        return PolicyPublic(
            branch_id=self.branch_id,
            version=self.version,
            is_default=self.version == 0,
            created_at=self.created_at,
            created_by=self.created_by,
            data=self.policy.to_data(),
        )


def _versions(branch_id: uuid.UUID) -> SelectOfScalar[CompliancePolicy]:
    """The branch's stored policy versions, newest first."""
    return branch_statement(CompliancePolicy, branch_id).order_by(
        col(CompliancePolicy.version).desc()
    )


def _latest_row(session: Session, branch_id: uuid.UUID) -> CompliancePolicy | None:
    return session.exec(_versions(branch_id).limit(1)).first()


def _record(branch: Branch, row: CompliancePolicy | None) -> PolicyRecord:
    if row is None:
        return PolicyRecord(branch.id, policy_from_settings(branch.settings), None, None)
    return PolicyRecord(
        branch.id, policy_from_data(row.data, version=row.version), row.created_at, row.created_by
    )


def current_policy(session: Session, branch: Branch) -> Policy:
    """The branch's policy in force: its highest version, or the defaults (version 0)."""
    return _record(branch, _latest_row(session, branch.id)).policy


def current_policies(session: Session, branches: list[Branch]) -> dict[uuid.UUID, Policy]:
    """The policy in force of each branch, in one query."""
    latest: dict[uuid.UUID, CompliancePolicy] = {}
    for row in session.exec(
        select(CompliancePolicy)
        .where(branch_column(CompliancePolicy).in_([b.id for b in branches]))
        .order_by(col(CompliancePolicy.version))
    ):
        latest[row.branch_id] = row
    return {b.id: _record(b, latest.get(b.id)).policy for b in branches}


def get_policy(*, session: Session, branch: Branch) -> PolicyRecord:
    """The policy in force at the branch."""
    return _record(branch, _latest_row(session, branch.id))


def list_policy_versions(*, session: Session, branch: Branch) -> list[PolicyRecord]:
    """Every stored version of the branch's policy, newest first (version 0 last)."""
    rows = session.exec(_versions(branch.id)).all()
    return [_record(branch, row) for row in rows] + [_record(branch, None)]


def update_policy(
    *, session: Session, manager: User, branch: Branch, data: PolicyData, now: datetime
) -> PolicyRecord:
    """Store `data` as the next version of the branch's policy (no new version when nothing
    changed). Visits, outcomes and agreements checked from now on record the new version."""
    current = _record(branch, _latest_row(session, branch.id))
    before = current.policy.to_data().model_dump(mode="json")
    after = data.model_dump(mode="json")
    if before == after and current.version > 0:
        return current
    row = CompliancePolicy(
        branch_id=branch.id,
        version=current.version + 1,
        data=after,
        created_at=now,
        created_by=manager.id,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "Someone else changed the policy at the same moment. Reload it and try again."
        ) from exc
    changed = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
    record_audit(
        session,
        at=now,
        action="policy.update",
        entity="compliance_policy",
        entity_id=row.id,
        actor_id=manager.id,
        branch_id=branch.id,
        data={"version": row.version, "from_version": current.version, "changed": changed},
    )
    session.flush()
    return _record(branch, row)

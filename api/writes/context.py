"""One mutation being applied: who sends it, from which device, in which batch, and the
helpers every domain's handler uses to write (queue rows, audit, mark records changed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel

from api.audit import audit_row
from api.compliance.policy import Policy
from api.writes.args import Location
from api.writes.known import Known
from api.writes.rules import Flag, Rejected
from models import Branch, Device, Loan, User, Visit
from models.base import mark_changed
from models.enums import VisitStatus

NOT_ON_TEAM = "not_on_team"  # refused: never on the visit's team
NOT_ASSIGNED = "not_assigned"  # flagged: on the team once, reassigned since


@dataclass
class Outcome:
    """What a handler answers: the flags of an applied entry, or that the record it
    creates was already received (a resent entry)."""

    flags: list[Flag]
    duplicate_of_entity: bool = False


@dataclass
class Context:
    """One entry of a push being applied: who sent it, from which device, under which
    policy, when; `known` holds the rows the batch looked up and the rows it queues."""

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
    # The version each visit had when the push began (shared by the push's entries).
    visit_versions: dict[uuid.UUID, int] = field(default_factory=dict)

    def visit(self, visit_id: uuid.UUID) -> Visit:
        """A visit of the branch named by the entry; refused when unknown."""
        visit = self.known.visits.get(visit_id)
        if visit is None:
            raise Rejected(f"Unknown visit {visit_id}.", "unknown_visit")
        return visit

    def visit_loan(self, visit: Visit, loan_id: uuid.UUID) -> Loan:
        """A loan of the visit's borrower; refused otherwise."""
        loan = self.known.loans.get(loan_id)
        if loan is None or loan.borrower_id != visit.borrower_id:
            raise Rejected(
                f"Loan {loan_id} is not a loan of this visit's borrower.", "loan_mismatch"
            )
        return loan

    def assignment_flags(self, visit: Visit) -> list[Flag]:
        """Facts from the field are kept even when the plan changed meanwhile: flagged. A
        fact by someone who was never on the visit's team is refused (`not_on_team`)."""
        flags = []
        if self.user.id not in self.known.teams.get(visit.id, set()):
            if not self.known.ever_on_team(self.session, visit.id, self.user.id):
                raise Rejected(
                    f"Visit {visit.id} was never assigned to you or your team: only its team "
                    "records facts at it. Ask your manager to assign it to you.",
                    NOT_ON_TEAM,
                )
            flags.append(Flag(NOT_ASSIGNED, "the visit is no longer assigned to this officer"))
        if visit.status == VisitStatus.cancelled:
            flags.append(Flag("visit_cancelled", "the visit was cancelled"))
        return flags

    def check_borrower_visited(self, borrower_id: uuid.UUID) -> None:
        """Refused unless the user is or was on the team of a visit to the borrower."""
        if not self.known.ever_visited(self.session, borrower_id, self.user.id):
            raise Rejected(
                f"Borrower {borrower_id} has no visit of yours: notes go on the borrowers of "
                "your visits.",
                NOT_ON_TEAM,
            )

    def received_before(
        self,
        model: type[SQLModel],
        row_id: uuid.UUID,
        *,
        conflict: str,
        code: str = "id_taken",
        **same: Any,
    ) -> bool:
        """Whether the record this entry creates is already stored (a phone resends what it
        did not see answered): a duplicate when the columns in `same` match, else refused
        with `conflict`."""
        existing = self.known.existing(model, row_id)
        if existing is None:
            return False
        if all(getattr(existing, name) == value for name, value in same.items()):
            return True
        raise Rejected(conflict, code)

    def insert(self, model: type[SQLModel], **values: Any) -> None:
        """Queue a new row for the batch's bulk INSERT (building ORM objects costs more than
        writing them); later entries of the batch see it through `known`."""
        self.known.insert(model, values)

    def from_phone(self) -> dict[str, Any]:
        """The columns every record made on a phone carries: who, which device, received when."""
        return {"officer_id": self.user.id, "device_id": self.device.id, "received_at": self.now}

    def at_visit(self, visit: Visit) -> dict[str, Any]:
        """The columns of a record made at a visit (a promise, an agreement, a change
        request): the visit, its borrower, and `from_phone`."""
        return {"visit_id": visit.id, "borrower_id": visit.borrower_id, **self.from_phone()}

    def touch(self, visit: Visit) -> None:
        """The phone's copy of a visit embeds its latest facts, so a new fact must change the
        visit's version: by one step per push. The before_flush listener (models.base) takes
        that step when the row is flushed; this marks the row changed, first undoing a step
        an earlier savepoint of the same push already took."""
        start = self.visit_versions.setdefault(visit.id, visit.version)
        if visit.version != start:
            visit.version = start
        mark_changed(visit)
        self.session.add(visit)

    def touch_borrower(self, borrower_id: uuid.UUID) -> None:
        """The borrower's record embeds recent contacts: a new one must change its version
        (once per push, at the end: see `known.touched_borrowers`)."""
        if borrower_id in self.known.borrowers:
            self.known.touched_borrowers.append(borrower_id)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: uuid.UUID,
        location: Location | None = None,
        **data: Any,
    ) -> None:
        """An audit event for this entry, written with the batch's others before the commit."""
        self.known.audit_rows.append(
            audit_row(
                at=self.now,
                action=action,
                entity=entity,
                entity_id=entity_id,
                actor_id=self.user.id,
                device_id=self.device.id,
                branch_id=self.branch.id,
                data={"mutation_id": self.mutation_id, **data},
                lat=location.lat if location else None,
                lon=location.lon if location else None,
            )
        )


def location_columns(location: Location | None) -> dict[str, float | None]:
    """The lat / lon / accuracy_m columns of a record made where the phone was."""
    if location is None:
        return {"lat": None, "lon": None, "accuracy_m": None}
    return {"lat": location.lat, "lon": location.lon, "accuracy_m": location.accuracy_m}

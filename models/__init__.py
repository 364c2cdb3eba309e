"""Every table, imported so that `SQLModel.metadata` knows them all."""

from models.agreement import Agreement, AgreementLine, Promise
from models.audit import AuditEvent
from models.base import Versioned
from models.borrower import Borrower, Loan, Payment
from models.org import Branch, Device, LoginAttempt, User
from models.visit import (
    HardshipReason,
    Note,
    Visit,
    VisitEvent,
    VisitOfficer,
    VisitOutcome,
    VisitPlan,
)

__all__ = [
    "Agreement",
    "AgreementLine",
    "AuditEvent",
    "Borrower",
    "Branch",
    "Device",
    "HardshipReason",
    "Loan",
    "LoginAttempt",
    "Note",
    "Payment",
    "Promise",
    "User",
    "Versioned",
    "Visit",
    "VisitEvent",
    "VisitOfficer",
    "VisitOutcome",
    "VisitPlan",
]

"""Every table, imported so that `SQLModel.metadata` knows them all."""

from models.agreement import Agreement, AgreementLine, Promise
from models.audit import AuditEvent
from models.base import Versioned
from models.borrower import (
    Borrower,
    BorrowerProposal,
    GeocodeCache,
    Loan,
    LoanSnapshot,
    Payment,
)
from models.compliance import AuditAnchor, CompliancePolicy
from models.feedback import Complaint, FeedbackCall
from models.org import AuthSession, Branch, Device, LoginAttempt, LoginCounter, User
from models.sync import ClientView, MutationLog
from models.visit import (
    ChangeRequest,
    ContactLog,
    HardshipReason,
    Note,
    PlanTeam,
    SafetyAlert,
    Visit,
    VisitEvent,
    VisitOfficer,
    VisitOutcome,
    VisitPlan,
)

__all__ = [
    "Agreement",
    "AgreementLine",
    "AuditAnchor",
    "AuditEvent",
    "AuthSession",
    "Borrower",
    "BorrowerProposal",
    "Branch",
    "ChangeRequest",
    "ClientView",
    "Complaint",
    "CompliancePolicy",
    "ContactLog",
    "Device",
    "FeedbackCall",
    "GeocodeCache",
    "HardshipReason",
    "Loan",
    "LoanSnapshot",
    "LoginAttempt",
    "LoginCounter",
    "MutationLog",
    "Note",
    "Payment",
    "PlanTeam",
    "Promise",
    "SafetyAlert",
    "User",
    "Versioned",
    "Visit",
    "VisitEvent",
    "VisitOfficer",
    "VisitOutcome",
    "VisitPlan",
]

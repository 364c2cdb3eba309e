"""Enumerations stored as short strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class Role(StrEnum):
    officer = "officer"
    manager = "manager"
    admin = "admin"


class DeviceStatus(StrEnum):
    active = "active"
    retired = "retired"
    revoked = "revoked"


class Segment(StrEnum):
    farmer = "farmer"
    small_business = "small_business"
    individual_trader = "individual_trader"


class LocationSource(StrEnum):
    """Where a borrower's stored location came from."""

    import_file = "import"
    geocoder = "geocoder"
    check_in = "check_in"
    manager = "manager"


class LocationPrecision(StrEnum):
    exact = "exact"
    village = "village"
    township = "township"


class ProposalKind(StrEnum):
    """What a proposal about a borrower would change."""

    location = "location"
    preferred_times = "preferred_times"
    safety_flags = "safety_flags"


class ProposalStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    declined = "declined"


class LoanStatus(StrEnum):
    active = "active"
    legal = "legal"
    closed = "closed"


class VisitStatus(StrEnum):
    planned = "planned"
    checked_in = "checked_in"
    done = "done"
    skipped = "skipped"
    cancelled = "cancelled"


class PlanStatus(StrEnum):
    draft = "draft"
    published = "published"
    # A later plan for the same day was published over it.
    replaced = "replaced"


class Contact(StrEnum):
    borrower = "borrower"
    family = "family"
    guarantor = "guarantor"
    third_party = "third_party"
    nobody = "nobody"
    refused = "refused"


class PromiseStatus(StrEnum):
    open = "open"
    kept = "kept"
    broken = "broken"
    cancelled = "cancelled"


class AgreementStatus(StrEnum):
    pending_approval = "pending_approval"
    signed = "signed"
    active = "active"
    fulfilled = "fulfilled"
    broken = "broken"
    cancelled = "cancelled"
    declined = "declined"
    superseded = "superseded"


class ScheduleLineStatus(StrEnum):
    due = "due"
    paid = "paid"
    missed = "missed"


class VisitEventKind(StrEnum):
    check_in = "check_in"
    check_out = "check_out"

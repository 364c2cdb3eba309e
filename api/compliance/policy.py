"""A branch's compliance policy: validated data (stored versioned in `compliance_policy`) and
the frozen `Policy` the rules read. Pure: no database.

Defaults follow the strictest of the rules the product cares about: the China Banking
Association's 2026 collection guideline (no collection contact 22:00-08:00, at least two
staff on every home visit) and the US FDCPA / Regulation F (no contact before 08:00 or after
21:00 local time). A manager may make them stricter; the law sets the outer bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# Outer bounds of any branch's visiting hours (CBA 2026: no contact 22:00-08:00).
LEGAL_EARLIEST = time(8, 0)
LEGAL_LATEST = time(22, 0)
MAX_TEAM = 5
# Words that, in the notes of a contact with a third party, mean the debt was discussed
# ("借款" is left out: "借款人", the borrower, is how any note names the person sought).
DEFAULT_DISCLOSURE_TERMS = [
    "欠款",
    "欠钱",
    "逾期",
    "贷款",
    "还款",
    "催收",
    "debt",
    "loan",
    "overdue",
    "owe",
    "repay",
    "arrears",
]
_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisitingHours(_Strict):
    start: str = Field("08:00", pattern=_HHMM, description="Local time, HH:MM.")
    end: str = Field("21:00", pattern=_HHMM, description="Local time, HH:MM (exclusive).")


class ThirdPartyRule(_Strict):
    """With a third party (not the borrower, family or guarantor) an officer may only ask
    for the borrower's contact details; the debt is never disclosed. Checked on outcomes:
    an outcome with contact `third_party` is flagged when it records hardship reasons (they
    come from talking about the debt) or when its detail or next action contains one of
    `disclosure_terms` (case-insensitive)."""

    contact_details_only: bool = True
    disclosure_terms: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DISCLOSURE_TERMS), max_length=100
    )


class RetentionDays(_Strict):
    """How long personal data are kept; `fieldvisit retention apply` enforces it."""

    notes: int = Field(1095, ge=30, le=36500, description="Free-text notes and outcome details.")
    signatures: int = Field(
        1825, ge=30, le=36500, description="Signature images of closed agreements."
    )
    audit: int = Field(1825, ge=365, le=36500, description="Audit events.")


class PolicyData(_Strict):
    """What `PUT /policy` accepts and what a `compliance_policy` row holds."""

    visiting_hours: VisitingHours = Field(default_factory=VisitingHours)
    min_staff: int = Field(2, ge=1, le=MAX_TEAM, description="Staff on every home visit.")
    visit_frequency_days: int = Field(
        7, ge=0, le=365, description="At most one visit per borrower in this many days."
    )
    holidays: list[date] = Field(default_factory=list, max_length=366)
    device_data_hours: int = Field(
        72, ge=1, le=720, description="Borrower data leave a phone not synced for this long."
    )
    mask_id_numbers: Literal[True] = Field(
        True, description="Identity numbers are masked on devices (always: only masks are kept)."
    )
    checkout_overdue_minutes: int = Field(
        90, ge=10, le=1440, description="Alert the manager when no check-out follows in time."
    )
    max_checkin_distance_m: int = Field(1000, ge=50, le=50_000)
    max_clock_skew_s: int = Field(300, ge=30, le=86_400)
    third_party: ThirdPartyRule = Field(default_factory=ThirdPartyRule)
    retention_days: RetentionDays = Field(default_factory=RetentionDays)

    @model_validator(mode="after")
    def _lawful(self) -> Self:
        start = time.fromisoformat(self.visiting_hours.start)
        end = time.fromisoformat(self.visiting_hours.end)
        if start >= end:
            raise ValueError("visiting_hours: start must be before end")
        if start < LEGAL_EARLIEST or end > LEGAL_LATEST:
            raise ValueError(
                f"visiting_hours must lie within {LEGAL_EARLIEST:%H:%M}-{LEGAL_LATEST:%H:%M} "
                "(no collection contact from 22:00 to 08:00)"
            )
        self.holidays = sorted(set(self.holidays))
        terms = [t.strip() for t in self.third_party.disclosure_terms if t.strip()]
        self.third_party.disclosure_terms = list(dict.fromkeys(terms))
        return self


@dataclass(frozen=True)
class Policy:
    version: int
    visiting_start: time
    visiting_end: time
    min_staff: int
    visit_frequency_days: int
    device_data_hours: int
    checkout_overdue_minutes: int
    holidays: tuple[date, ...] = field(default_factory=tuple)
    max_checkin_distance_m: int = 1000
    max_clock_skew_s: int = 300
    third_party_contact_details_only: bool = True
    disclosure_terms: tuple[str, ...] = tuple(DEFAULT_DISCLOSURE_TERMS)
    notes_retention_days: int = 1095
    signatures_retention_days: int = 1825
    audit_retention_days: int = 1825

    @classmethod
    def from_data(cls, data: PolicyData, *, version: int) -> Policy:
        return cls(
            version=version,
            visiting_start=time.fromisoformat(data.visiting_hours.start),
            visiting_end=time.fromisoformat(data.visiting_hours.end),
            min_staff=data.min_staff,
            visit_frequency_days=data.visit_frequency_days,
            device_data_hours=data.device_data_hours,
            checkout_overdue_minutes=data.checkout_overdue_minutes,
            holidays=tuple(data.holidays),
            max_checkin_distance_m=data.max_checkin_distance_m,
            max_clock_skew_s=data.max_clock_skew_s,
            third_party_contact_details_only=data.third_party.contact_details_only,
            disclosure_terms=tuple(data.third_party.disclosure_terms),
            notes_retention_days=data.retention_days.notes,
            signatures_retention_days=data.retention_days.signatures,
            audit_retention_days=data.retention_days.audit,
        )

    def to_data(self) -> PolicyData:
        return PolicyData(
            visiting_hours=VisitingHours(
                start=self.visiting_start.strftime("%H:%M"),
                end=self.visiting_end.strftime("%H:%M"),
            ),
            min_staff=self.min_staff,
            visit_frequency_days=self.visit_frequency_days,
            holidays=list(self.holidays),
            device_data_hours=self.device_data_hours,
            checkout_overdue_minutes=self.checkout_overdue_minutes,
            max_checkin_distance_m=self.max_checkin_distance_m,
            max_clock_skew_s=self.max_clock_skew_s,
            third_party=ThirdPartyRule(
                contact_details_only=self.third_party_contact_details_only,
                disclosure_terms=list(self.disclosure_terms),
            ),
            retention_days=RetentionDays(
                notes=self.notes_retention_days,
                signatures=self.signatures_retention_days,
                audit=self.audit_retention_days,
            ),
        )

    def as_data(self) -> dict[str, Any]:
        """The policy as JSON (what the phone pulls), with its version."""
        return {"version": self.version, **self.to_data().model_dump(mode="json")}


DEFAULT_POLICY: dict[str, Any] = {"version": 0, **PolicyData().model_dump(mode="json")}


def _normalise_hours(raw: Any) -> Any:
    """Older settings wrote visiting hours as ["08:00", "21:00"] or "08:00-21:00"."""
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return {"start": raw[0], "end": raw[1]}
    if isinstance(raw, str) and "-" in raw:
        start, end = raw.split("-", 1)
        return {"start": start.strip(), "end": end.strip()}
    return raw


def lenient_data(stored: Any) -> PolicyData:
    """`stored` over the defaults; keys that are unknown or invalid take their default (a
    stored policy was validated when written, so this only matters for hand-made data)."""
    values = dict(stored) if isinstance(stored, dict) else {}
    if "visiting_hours" in values:
        values["visiting_hours"] = _normalise_hours(values["visiting_hours"])
    values = {k: v for k, v in values.items() if k in PolicyData.model_fields}
    while True:
        try:
            return PolicyData.model_validate(values)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")} & values.keys()
            if bad:
                values = {k: v for k, v in values.items() if k not in bad}
            elif "visiting_hours" in values:
                # The whole-model rule (hours within the legal bounds) failed.
                del values["visiting_hours"]
            else:
                return PolicyData()


def policy_from_data(stored: Any, *, version: int) -> Policy:
    return Policy.from_data(lenient_data(stored), version=version)


def policy_from_settings(settings: dict[str, Any] | None) -> Policy:
    """The policy a branch had before policies were versioned (`Branch.settings["policy"]`
    over the defaults): version 0. `api.compliance.service.current_policy` reads the table
    first and falls back to this."""
    return policy_from_data((settings or {}).get("policy"), version=0)

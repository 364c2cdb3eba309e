"""What the priority rules read about a borrower's agreements. Pure: no FastAPI, no database.

Agreements produce these facts (`agreements.service.agreement_facts`); planning scores them.
They live here, with the agreements, so planning depends on agreements and never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.enums import AgreementStatus


@dataclass(frozen=True)
class AgreementFacts:
    status: AgreementStatus
    missed_lines: int = 0  # schedule lines (and down payment) not paid in time
    status_changed_on: date | None = None  # for a broken agreement: the day it broke


# Agreements still running: their missed instalments count until the agreement breaks.
RUNNING_AGREEMENTS = frozenset({AgreementStatus.signed, AgreementStatus.active})

"""Geocode the rows of a loan file that have no coordinates, before the import writes.

Three steps, so the provider is never asked inside the import's writes: `Lookups.prepare`
reads what is known (the branch's already located borrowers, the cache: two reads, no row
locks), `Lookups.ask` asks the provider for the addresses the cache does not know (no
database), `Lookups.apply` stores the new answers in the cache and returns the rows with
their locations. A borrower already located (by the file, a check-in, a manager) is not
geocoded again, and an address the cache knows is never sent to the provider again."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from api.geo.cache import cache_key, cached_answers, store_answers
from api.geo.provider import Answer, Found, Geocoder, GeocoderUnavailable, Missing
from api.imports.parse import LoanRow, ParseResult
from api.scoping import get_branch
from models import Borrower

Progress = Callable[[int], None]
_CITY = re.compile(r"([^省市区县\s]{2,8}市)")


def branch_city(address: str, settings: dict[str, Any]) -> str:
    """The city geocoding is limited to: the branch setting `geocoder_city`, else the city
    named in the branch's address (德州市), else none."""
    city = settings.get("geocoder_city")
    if isinstance(city, str) and city.strip():
        return city.strip()[:40]
    found = _CITY.search(address)
    return found.group(1) if found else ""


def full_address(row: LoanRow) -> str:
    """The address asked for: the row's address, with its village when not already in it."""
    village = row.village or ""
    return row.address if not village or village in row.address else f"{row.address}{village}"


@dataclass
class Lookups:
    """The geocoding of one loan file."""

    geocoder: Geocoder
    city: str = ""
    # row number -> cache key, for rows that need a location
    keys: dict[int, str] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)  # key -> address
    known: dict[str, Answer] = field(default_factory=dict)  # key -> cached answer
    asked: dict[str, Answer] = field(default_factory=dict)  # key -> new answer
    failed: dict[str, str] = field(default_factory=dict)  # key -> why it could not be asked

    @classmethod
    def prepare(
        cls, session: Session, *, geocoder: Geocoder, branch_id: uuid.UUID, rows: list[LoanRow]
    ) -> Lookups:
        branch = get_branch(session, branch_id)
        lookups = cls(geocoder, branch_city(branch.address, branch.settings))
        located = set(
            session.exec(
                select(Borrower.national_id_hash).where(
                    Borrower.branch_id == branch_id, col(Borrower.lat).is_not(None)
                )
            )
        )
        for row in rows:
            if row.has_location or row.national_id_hash in located:
                continue
            address = full_address(row)
            key = cache_key(geocoder.name, address, lookups.city)
            lookups.keys[row.row] = key
            lookups.addresses[key] = address
        lookups.known = cached_answers(session, lookups.addresses)
        return lookups

    @property
    def to_ask(self) -> list[str]:
        return [key for key in self.addresses if key not in self.known]

    def ask(self, progress: Progress | None = None) -> None:
        """Ask the provider for every address the cache does not know (rate-limited)."""
        for key in self.to_ask:
            try:
                self.asked[key] = self.geocoder.geocode(self.addresses[key], city=self.city)
            except GeocoderUnavailable as exc:
                self.failed[key] = f"geocoder unavailable: {exc}; import again later"
            if progress:
                progress(1)

    def apply(
        self, session: Session, rows: ParseResult[LoanRow], *, now: datetime
    ) -> ParseResult[LoanRow]:
        """Keep the new answers and return the rows with the locations found."""
        new = {key: (self.addresses[key], answer) for key, answer in self.asked.items()}
        store_answers(session, self.geocoder.name, new, now)
        located = [self._located(row) for row in rows.rows]
        return dataclasses.replace(rows, rows=located)

    def _located(self, row: LoanRow) -> LoanRow:
        key = self.keys.get(row.row)
        if key is None:
            return row
        answer = self.known.get(key) or self.asked.get(key)
        if isinstance(answer, Found):
            return dataclasses.replace(
                row,
                lat=answer.lat,
                lon=answer.lon,
                has_location=True,
                location_source="geocoder",
                location_precision=answer.precision,
            )
        reason = answer.reason if isinstance(answer, Missing) else self.failed.get(key, "")
        return dataclasses.replace(row, location_note=reason[:255])


def geocode_rows(
    session: Session,
    *,
    geocoder: Geocoder,
    branch_id: uuid.UUID,
    rows: ParseResult[LoanRow],
    now: datetime,
    progress: Progress | None = None,
) -> ParseResult[LoanRow]:
    """All three steps in one session (the HTTP import): reads, provider, cache writes."""
    lookups = Lookups.prepare(session, geocoder=geocoder, branch_id=branch_id, rows=rows.rows)
    lookups.ask(progress)
    return lookups.apply(session, rows, now=now)

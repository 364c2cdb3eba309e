"""The geocode cache: a provider's answer per normalised address, in `geocode_cache`.

Found points and "not found" answers are kept (asking again would give the same answer and
spend the quota); a provider that could not be asked (`GeocoderUnavailable`) is not.
Services flush, never commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from api.geo.provider import Answer, Found, Geocoder, Missing, normalise_address
from models import GeocodeCache

CHUNK = 500


def cache_key(provider: str, address: str, city: str = "") -> str:
    """sha256 of the provider, the city the search is limited to and the address."""
    text = f"{provider}\n{normalise_address(city)}\n{normalise_address(address)}"
    return hashlib.sha256(text.encode()).hexdigest()


def to_json(answer: Answer) -> dict[str, Any]:
    if isinstance(answer, Missing):
        return {"error": answer.reason}
    return {
        "lat": answer.lat,
        "lon": answer.lon,
        "precision": answer.precision,
        "formatted": answer.formatted,
    }


def from_json(data: Mapping[str, Any]) -> Answer:
    if "error" in data:
        return Missing(str(data["error"]))
    return Found(
        float(data["lat"]), float(data["lon"]), data["precision"], str(data.get("formatted", ""))
    )


def cached_answers(session: Session, keys: Iterable[str]) -> dict[str, Answer]:
    """key -> stored answer, for the keys the cache knows."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, Answer] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = session.exec(
            select(GeocodeCache.key, GeocodeCache.result).where(col(GeocodeCache.key).in_(chunk))
        )
        found.update({key: from_json(result) for key, result in rows})
    return found


def store_answers(
    session: Session, provider: str, answers: dict[str, tuple[str, Answer]], now: datetime
) -> None:
    """Keep new answers: key -> (address, answer). Keys already stored are skipped."""
    if not answers:
        return
    known = set(cached_answers(session, answers))
    rows = [
        {
            "key": key,
            "provider": provider,
            "address": normalise_address(address)[:255],
            "result": to_json(answer),
            "created_at": now,
        }
        for key, (address, answer) in answers.items()
        if key not in known
    ]
    if rows:
        session.execute(insert(GeocodeCache), rows)


def geocode_cached(
    session: Session, geocoder: Geocoder, address: str, *, city: str = "", now: datetime
) -> Answer:
    """One address through the cache (the manager's search, a single lookup)."""
    key = cache_key(geocoder.name, address, city)
    hit = cached_answers(session, [key]).get(key)
    if hit is not None:
        return hit
    answer = geocoder.geocode(address, city=city)  # GeocoderUnavailable propagates: not cached
    store_answers(session, geocoder.name, {key: (address, answer)}, now)
    session.flush()
    return answer

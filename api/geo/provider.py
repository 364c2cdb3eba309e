"""The geocoder interface: an address in, a point with its precision (or why none) out.
Pure: no database, no FastAPI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Precision = Literal["exact", "village", "township"]
Source = Literal["import", "geocoder", "check_in", "manager"]

# Mainland China, Hong Kong, Macao and Taiwan with a margin: a point outside is a provider
# mistake (or a homonym abroad), never a borrower's home.
CHINA_LAT = (3.8, 53.6)
CHINA_LON = (73.4, 135.1)


@dataclass(frozen=True)
class Found:
    lat: float
    lon: float
    precision: Precision
    formatted: str


@dataclass(frozen=True)
class Missing:
    """The provider answered, but not with a usable point: `reason` says why (cached)."""

    reason: str


Answer = Found | Missing


class GeocoderUnavailable(Exception):
    """The provider could not be asked (network, timeout, key refused, garbage answer):
    not an answer about the address, so it is never cached."""


class Geocoder(Protocol):
    name: str

    def geocode(self, address: str, *, city: str = "") -> Answer: ...


def in_china(lat: float, lon: float) -> bool:
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]


def checked(found: Found) -> Answer:
    """Refuse a point outside China (see CHINA_LAT / CHINA_LON)."""
    if not in_china(found.lat, found.lon):
        return Missing(
            f"the geocoder placed the address outside China ({found.lat:.4f}, "
            f"{found.lon:.4f}); check the address"
        )
    return found


def normalise_address(address: str) -> str:
    """One spelling per address: whitespace collapsed, full-width spaces removed."""
    return " ".join(address.replace("\u3000", " ").split())

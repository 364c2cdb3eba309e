"""Identity numbers: only a masked form and a keyed hash are ever stored."""

from __future__ import annotations

import hashlib
import hmac


def normalise_national_id(raw: str) -> str:
    return "".join(raw.split()).upper()


def mask_national_id(raw: str) -> str:
    """371402199001011234 -> 3714**********1234 (region prefix and last four kept)."""
    value = normalise_national_id(raw)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def hash_national_id(raw: str, *, key: str) -> str:
    return hmac.new(key.encode(), normalise_national_id(raw).encode(), hashlib.sha256).hexdigest()

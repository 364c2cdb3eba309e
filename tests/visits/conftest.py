"""The sync tests' branch and phones, for the visit writes a phone sends."""

from tests.sync.conftest import World, phone_for, world

__all__ = ["World", "phone_for", "world"]

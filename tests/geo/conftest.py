"""The sync tests' world (a branch, a manager, Alice and Bob with visits) and phones."""

from tests.sync.conftest import World, phone_for, world

__all__ = ["World", "phone_for", "world"]

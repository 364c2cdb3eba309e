from tests.sync.conftest import phone_for, world

__all__ = ["phone_for", "world"]

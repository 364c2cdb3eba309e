from tests.history.conftest import file
from tests.sync.conftest import phone_for, world

__all__ = ["file", "phone_for", "world"]

from datetime import date

import pytest

from api.agreements.promises import check_promise
from api.writes.rules import Rejected


def test_promise_rules() -> None:
    check_promise(amount_fen=100, due_date=date(2026, 11, 23), made_on=date(2026, 11, 23))
    with pytest.raises(Rejected, match="more than zero"):
        check_promise(amount_fen=0, due_date=date(2026, 11, 30), made_on=date(2026, 11, 23))
    with pytest.raises(Rejected, match="before the day"):
        check_promise(amount_fen=10, due_date=date(2026, 11, 22), made_on=date(2026, 11, 23))

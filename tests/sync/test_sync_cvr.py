from hypothesis import given
from hypothesis import strategies as st

from api.sync.cvr import advance, composite_version, diff, page, record_key

keys = st.sampled_from(
    [record_key(e, i) for e in ("visit", "borrower", "policy") for i in range(6)]
)
views = st.dictionaries(keys, st.integers(1, 5), max_size=18)


def test_diff_puts_new_and_changed_and_dels_gone() -> None:
    old = {"visit:1": 1, "visit:2": 1, "borrower:9": 3}
    new = {"visit:1": 1, "visit:2": 2, "visit:3": 1}
    result = diff(old, new)
    assert result.puts == ["visit:2", "visit:3"]
    assert result.dels == ["borrower:9"]


def test_referenced_entities_come_first() -> None:
    result = diff({}, {"visit:1": 1, "borrower:1": 1, "officer:1": 1, "policy:1": 1})
    assert result.puts == ["officer:1", "policy:1", "borrower:1", "visit:1"]


@given(old=views, new=views, limit=st.integers(1, 7))
def test_paging_converges_to_the_new_view(
    old: dict[str, int], new: dict[str, int], limit: int
) -> None:
    held = dict(old)
    for _ in range(50):
        sent, more = page(diff(held, new), limit)
        assert len(sent) <= limit
        held = advance(held, new, sent)
        if not more:
            break
    assert held == new


def test_composite_version_changes_with_any_part_and_fits_javascript() -> None:
    base = composite_version(3, [("a", 1)], ["x"])
    assert base == composite_version(3, [("a", 1)], ["x"])
    assert base != composite_version(4, [("a", 1)], ["x"])
    assert base != composite_version(3, [("a", 2)], ["x"])
    assert base != composite_version(3, [("a", 1)], ["x", "y"])
    assert 0 <= base < 2**53

"""api/paging.py: the page window every paginated list uses."""

from __future__ import annotations

import pytest

from api.paging import Window


def link(number: int) -> str:
    return f"/list?page={number}"


@pytest.mark.parametrize(
    ("page", "per_page", "total", "shown", "pages", "next_page", "prev_page"),
    [
        (1, 50, 0, [], 1, None, None),  # an empty list is one empty page
        (1, 2, 5, [0, 1], 3, 2, None),
        (2, 2, 5, [2, 3], 3, 3, 1),
        (3, 2, 5, [4], 3, None, 2),  # the last page holds what is left
        (4, 2, 5, [], 3, None, 3),  # one past the end links back to the last page
        (9, 2, 5, [], 3, None, None),  # far past the end links nowhere
    ],
)
def test_a_window_shows_its_slice_and_links_its_neighbours(
    page: int,
    per_page: int,
    total: int,
    shown: list[int],
    pages: int,
    next_page: int | None,
    prev_page: int | None,
) -> None:
    window = Window(page, per_page, total)
    assert list(window.items(list(range(total)))) == shown
    fields = window.fields(link)
    assert fields == {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "next": link(next_page) if next_page else None,
        "prev": link(prev_page) if prev_page else None,
    }

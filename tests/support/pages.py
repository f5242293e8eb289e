"""Walking cursor-paginated lists in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def walk(page_of: Callable[[str | None], Any]) -> list[list[Any]]:
    """Every page of a list, first to last: ``page_of(cursor)`` reads one page (``cursor`` is ``None``
    for the first); the walk ends at the first page without a ``next_cursor``."""
    pages: list[list[Any]] = []
    cursor = None
    while True:
        page = page_of(cursor)
        pages.append(list(page.data))
        cursor = page.next_cursor
        if not cursor:
            return pages

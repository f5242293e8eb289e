"""Full pages from filtered queries.

DynamoDB applies ``Limit`` before a ``FilterExpression``, so one filtered ``Query`` may return a
short or even empty page while more matches follow. :func:`fill` keeps reading (a bounded number of
times) until it has ``limit`` matches, and resumes the next page right after the last item it
returned, not after the last item it read, so nothing is skipped or repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orgplane.store import table

Item = dict[str, Any]

MAX_READS = 10


def key_of(spec: table.QuerySpec, item: Item) -> dict[str, Any]:
    """The ``ExclusiveStartKey`` that resumes ``spec`` right after ``item``."""
    names = ["PK", "SK"] + ([spec.partition_name, spec.sort_name] if spec.index else [])
    return table.serialize({name: item[name] for name in dict.fromkeys(names)})


def fill(spec: table.QuerySpec, limit: int, start_key: dict[str, Any] | None = None,
         keep: Callable[[Item], bool] | None = None, max_reads: int = MAX_READS) -> table.Page:
    """Up to ``limit`` items matching ``spec`` (and ``keep``), with the key to resume after them.

    After ``max_reads`` queries the page is returned as it is (possibly short) with a resume key, so a
    sparse filter costs bounded work per request.
    """
    items: list[Item] = []
    start = start_key
    # one more than a page, so a list that ends on a page boundary gets no cursor to an empty page; a
    # filtered read takes at least 25 at a time, since only some of them match
    batch = limit + 1 if spec.filter_expression is None and keep is None else max(limit + 1, 25)
    for _ in range(max_reads):
        page = table.query(spec, batch, start)
        for index, item in enumerate(page.items):
            if keep is not None and not keep(item):
                continue
            items.append(item)
            if len(items) == limit:
                more = index < len(page.items) - 1 or page.last_key is not None
                return table.Page(items, key_of(spec, item) if more else None)
        if not page.last_key:
            return table.Page(items, None)
        start = page.last_key
    return table.Page(items, start)

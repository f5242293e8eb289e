"""The sparse due-index (GSI3): items that wait for a time (invitation and transfer expiry, purges,
domain re-checks) are listed there, sharded, by due time; a job reads only what is due."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from orgplane import keys
from orgplane.store import table

PAGE_SIZE = 100


def due_items(shards: Iterable[str], now: int, max_items: int) -> Iterator[dict[str, Any]]:
    """The items due by ``now`` in ``shards``, read back from the table (the index holds keys only),
    at most ``max_items`` index entries in all: cost grows with what is due, not with the table."""
    seen = 0
    for shard in shards:
        spec = table.QuerySpec("GSI3PK", shard, index=keys.GSI3, sort_name="GSI3SK",
                               sort_at_most=keys.expiry_upper_bound(now))
        start = None
        while seen < max_items:
            page = table.query(spec, min(PAGE_SIZE, max_items - seen), start)
            seen += len(page.items)
            for item in table.batch_get([{"PK": i["PK"], "SK": i["SK"]} for i in page.items]):
                if item is not None:
                    yield item
            if not page.last_key:
                break
            start = page.last_key

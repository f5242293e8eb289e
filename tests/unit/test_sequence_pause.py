"""The pause between turns at a busy org's event counter: growing, jittered, bounded."""

from __future__ import annotations

import itertools

import pytest

from orgplane.store import transaction


def test_the_pause_bound_doubles_with_each_turn_until_its_cap() -> None:
    bounds = [transaction.sequence_pause_bound(turn) for turn in range(1, 12)]
    assert bounds[0] == pytest.approx(2 * transaction._PAUSE_BASE)
    assert all(later >= earlier for earlier, later in itertools.pairwise(bounds))
    assert max(bounds) == transaction._PAUSE_CAP
    assert bounds[1] == pytest.approx(2 * bounds[0])


def test_each_pause_is_a_random_share_of_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(transaction.time, "sleep", slept.append)
    shares = iter([0.0, 0.5, 0.999])
    monkeypatch.setattr(transaction.random, "random", lambda: next(shares))
    for _ in range(3):
        transaction._sequence_pause(20)
    assert slept == pytest.approx([0.0, transaction._PAUSE_CAP / 2, transaction._PAUSE_CAP * 0.999])

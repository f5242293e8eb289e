"""Condition expressions as values: an expression with its own names and values, combined safely.

DynamoDB allows one operation per item in a transaction, so two conditions on one item (a write's own
and a guard's) must become one expression. Each side names its attributes and values with its own
placeholders (``#role``, ``:old``); :func:`all_of` and :func:`any_of` rename the placeholders of a
side wherever they would collide with a different meaning on the other, so callers never coordinate
their placeholder names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PLACEHOLDER = re.compile(r"(?<![\w#:])([#:][A-Za-z0-9_]+)")


@dataclass(frozen=True)
class Condition:
    """``expression`` with the ``names`` (``#x`` → attribute) and ``values`` (``:x`` → value) it uses."""

    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        return all_of(self, other)

    def __or__(self, other: Condition) -> Condition:
        return any_of(self, other)


def all_of(*conditions: Condition | None) -> Condition:
    return _join(" AND ", [c for c in conditions if c is not None])


def any_of(*conditions: Condition | None) -> Condition:
    return _join(" OR ", [c for c in conditions if c is not None])


def _join(operator: str, conditions: list[Condition]) -> Condition:
    if not conditions:
        raise ValueError("no condition to join")
    if len(conditions) == 1:
        return conditions[0]
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    parts: list[str] = []
    for index, condition in enumerate(conditions):
        renamed = renamed_apart(condition, names, values, index)
        names.update(renamed.names)
        values.update(renamed.values)
        parts.append(wrapped(renamed.expression))
    return Condition(operator.join(parts), names, values)


def wrapped(expression: str) -> str:
    """``expression`` in one pair of parentheses (DynamoDB refuses redundant ones: never two)."""
    if expression.startswith("(") and expression.endswith(")"):
        depth = 0
        for index, char in enumerate(expression):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and index < len(expression) - 1:
                break  # "(a) AND (b)": the first pair closes early, so it does not wrap the whole
        else:
            return expression
    return f"({expression})"


def renamed_apart(condition: Condition, names: dict[str, str], values: dict[str, Any],
                  index: int = 1) -> Condition:
    """``condition`` with each placeholder that ``names``/``values`` already bind to something else renamed."""
    renames: dict[str, str] = {}
    for placeholder, attribute in condition.names.items():
        if placeholder in names and names[placeholder] != attribute:
            renames[placeholder] = _fresh(placeholder, index, names, condition.names)
    for placeholder, value in condition.values.items():
        if placeholder in values and values[placeholder] != value:
            renames[placeholder] = _fresh(placeholder, index, values, condition.values)
    if not renames:
        return condition
    expression = _PLACEHOLDER.sub(lambda m: renames.get(m.group(1), m.group(1)), condition.expression)
    return Condition(expression,
                     {renames.get(k, k): v for k, v in condition.names.items()},
                     {renames.get(k, k): v for k, v in condition.values.items()})


def _fresh(placeholder: str, index: int, *taken: dict[str, Any]) -> str:
    n = index
    while True:
        candidate = f"{placeholder}_{n}"
        if all(candidate not in t for t in taken):
            return candidate
        n += 1

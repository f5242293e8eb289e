"""Lambda event filtering (``FilterCriteria``) for stream records: the subset the project uses and more.

A record passes when it matches any of the patterns. A pattern is a JSON object whose keys name
fields of the record; a nested object descends, and a leaf is an array of allowed values, each
either an exact value or a rule: ``{"exists": true|false}``, ``{"prefix": "..."}``,
``{"suffix": "..."}``, ``{"equals-ignore-case": "..."}``, ``{"anything-but": value | [values] |
{"prefix": "..."}}`` and ``{"numeric": [">", 0, "<=", 5]}``. When the record's field is an array, the
leaf matches if any element matches (as EventBridge and Lambda do).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable
from typing import Any

_MISSING = object()

_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


_RULES = frozenset({"exists", "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric"})


class PatternError(ValueError):
    """The filter pattern is not valid (Lambda refuses such a pattern when the mapping is created)."""


def parse(pattern: str | dict[str, Any]) -> dict[str, Any]:
    value = json.loads(pattern) if isinstance(pattern, str) else pattern
    if not isinstance(value, dict):
        raise PatternError("a filter pattern must be a JSON object")
    _check(value)
    return value


def matches_any(patterns: Iterable[dict[str, Any]], record: dict[str, Any]) -> bool:
    """``True`` when there are no patterns or when any pattern matches the record."""
    listed = list(patterns)
    return not listed or any(matches(p, record) for p in listed)


def matches(pattern: dict[str, Any], value: Any) -> bool:
    for key, expected in pattern.items():
        actual = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if isinstance(expected, dict):
            if not matches(expected, actual if isinstance(actual, dict) else {}):
                return False
        elif not _leaf(expected, actual):
            return False
    return True


def _leaf(rules: Any, actual: Any) -> bool:
    options = rules if isinstance(rules, list) else [rules]
    candidates = actual if isinstance(actual, list) else [actual]
    for rule in options:
        if isinstance(rule, dict) and "exists" in rule:
            present = actual is not _MISSING
            if present == bool(rule["exists"]):
                return True
            continue
        if any(_value(rule, candidate) for candidate in candidates if candidate is not _MISSING):
            return True
    return False


def _value(rule: Any, actual: Any) -> bool:
    if not isinstance(rule, dict):
        return _same(rule, actual)
    (name, arg), = rule.items()
    if name == "prefix":
        return isinstance(actual, str) and actual.startswith(str(arg))
    if name == "suffix":
        return isinstance(actual, str) and actual.endswith(str(arg))
    if name == "equals-ignore-case":
        return isinstance(actual, str) and actual.lower() == str(arg).lower()
    if name == "anything-but":
        if isinstance(arg, dict):
            return not _value(arg, actual)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_same(e, actual) for e in excluded)
    if name == "numeric":
        number = _number(actual)
        if number is None:
            return False
        pairs = list(zip(arg[::2], arg[1::2], strict=True))
        return all(_NUMERIC[op](number, float(bound)) for op, bound in pairs)
    raise PatternError(f"unsupported filter rule {name!r}")


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and not isinstance(actual, str):
        number = _number(actual)
        return number is not None and number == float(expected)
    return bool(expected == actual)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _check(pattern: dict[str, Any]) -> None:
    for key, value in pattern.items():
        if isinstance(value, dict):
            if not value:
                raise PatternError(f"empty object under {key!r}")
            _check(value)
            continue
        if not isinstance(value, list):
            raise PatternError(f"{key!r}: a leaf must be an array of values or rules")
        for rule in value:
            if isinstance(rule, dict):
                if len(rule) != 1:
                    raise PatternError(f"{key!r}: a rule has exactly one operator")
                (name, arg), = rule.items()
                if name not in _RULES:
                    raise PatternError(f"{key!r}: unsupported filter rule {name!r}")
                if name == "numeric" and (not isinstance(arg, list) or len(arg) % 2
                                          or any(op not in _NUMERIC for op in arg[::2])):
                    raise PatternError(f"{key!r}: numeric takes operator/value pairs")

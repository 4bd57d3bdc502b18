"""Checking a bundle document value by value: each JSON object's fields taken one by one,
every problem recorded with its JSON path (`cycles[3].builds_on`), so that a refused
bundle lists all its problems at once."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any

from qi.errors import InvalidInput
from qi.services._common import check_slug, optional_text, required_text
from qi.services.bundle.schema import MAX_PROBLEMS, MAX_WHOLE, OPTIONAL_KEYS, VERSION
from qi.text import clip, plural, quoted, visible
from qi.values import OUT_OF_RANGE, out_of_range


class Problems:
    """Every problem of a document, each named by its JSON path."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, path: str, why: str) -> None:
        self.found.append(f"{path}: {why}")

    def raise_any(self, source: str) -> None:
        if not self.found:
            return
        shown = self.found[:MAX_PROBLEMS]
        more = len(self.found) - len(shown)
        raise InvalidInput(
            f"{source} is not a valid qi bundle ({plural(len(self.found), 'problem')}), so "
            "nothing was imported:\n" + "\n".join(shown)
            + (f"\n... and {more} more." if more else ""))


MISSING = object()
_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "an object"}


def kind_of(value) -> str:
    if value is None:
        return "null"
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


class Fields:
    """One JSON object of the bundle: its fields taken one by one, checked on the way.

    A bad field is recorded (by path) and read as None, so that checking carries on and
    every problem of the document is reported at once."""

    def __init__(self, problems: Problems, path: str, value, keys: tuple[str, ...]) -> None:
        self.problems, self.path = problems, path
        self.value: dict = value if isinstance(value, dict) else {}
        if value is MISSING:  # its parent has said it is missing
            return
        if not isinstance(value, dict):
            problems.add(path, f"expected an object, found {kind_of(value)}")
            return
        missing = [k for k in keys if k not in value and k not in OPTIONAL_KEYS]
        unknown = [k for k in value if k not in keys]
        if missing:
            problems.add(path, f"missing {', '.join(repr(k) for k in missing)}")
        if unknown:
            problems.add(path, f"unknown {', '.join(repr(k) for k in unknown)} (this qi "
                         f"reads bundle version {VERSION})")

    def at(self, key: str) -> str:
        return key if self.path == "$" else f"{self.path}.{key}"  # 'cycles', not '$.cycles'

    def raw(self, key: str):
        return self.value.get(key, MISSING)

    def _typed(self, key: str, kinds: tuple[type, ...], what: str, null: bool):
        value = self.raw(key)
        if value is MISSING or (value is None and null):
            return None
        # bool is an int to Python, but true is not a number in a bundle.
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            self.problems.add(self.at(key), f"expected {what}, found {kind_of(value)}"
                              + (f" ({quoted(value, 60)})" if isinstance(value, str | int | float)
                                 and not isinstance(value, bool) else ""))
            return None
        return value

    def text(self, key: str, what: str, max_len: int | None = None, *,
             required: bool = False) -> str | None:
        value = self._typed(key, (str,), "text", null=not required)
        if value is None:
            return None
        return self._rule(key, lambda: required_text(value, what, max_len) if required
                          else optional_text(value, what, max_len))

    def slug(self, key: str, kind: str) -> str | None:
        value = self._typed(key, (str,), "text", null=False)
        return None if value is None else self._rule(key, lambda: check_slug(value, kind))

    def flag(self, key: str) -> bool:
        return bool(self._typed(key, (bool,), "true or false", null=False))

    def whole(self, key: str, *, null: bool = True) -> int | None:
        value = self._typed(key, (int,), "a whole number", null=null)
        if value is not None and not -MAX_WHOLE <= value <= MAX_WHOLE:
            self.problems.add(self.at(key), f"the whole number {clip(str(value), 30)} is out "
                              f"of range (at most {MAX_WHOLE:,})")
            return None
        return value

    def number(self, key: str) -> float | None:
        value = self._typed(key, (int, float), "a number", null=True)
        if value is None:
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer with hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            self.problems.add(self.at(key), f"{clip(str(value), 30)} is not a finite number")
            return None
        if out_of_range([number])[0]:
            self.problems.add(self.at(key), f"{clip(str(value), 30)} is {OUT_OF_RANGE}")
            return None
        return number

    def day(self, key: str, *, null: bool = True) -> date | None:
        value = self._typed(key, (str,), "a date (YYYY-MM-DD)", null=null)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or len(value) != 10:  # fromisoformat also takes 20180403
            self.problems.add(self.at(key), f"'{value}' is not a date; write YYYY-MM-DD")
        return day

    def choice(self, key: str, enum: type[StrEnum], *, null: bool = False) -> str | None:
        value = self._typed(key, (str,), "text", null=null)
        if value is None:
            return None
        if value not in enum.__members__.values():
            allowed = ", ".join(e.value for e in enum)
            self.problems.add(self.at(key), f"'{value}' is not one of {allowed}")
            return None
        return value

    def items(self, key: str) -> list:
        value = self._typed(key, (list,), "a list", null=False)
        return value or []

    def _rule(self, key: str, check: Callable[[], Any]):
        """Apply a service's own rule (text lengths, slugs), keeping its wording."""
        try:
            return check()
        except InvalidInput as exc:
            self.problems.add(self.at(key), str(exc))
            return None



def check_strings(document, problems: Problems) -> None:
    """Text no database can store (NUL; lone surrogates, from \\ud800-style escapes) is
    refused wherever it is, keys included. Iterative: nesting depth costs no stack."""
    stack: list[tuple[str, object]] = [("$", document)]
    while stack and len(problems.found) < MAX_PROBLEMS:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _unstorable(key):
                    problems.add(f"{path}: key {quoted(key, 40)}", _UNSTORABLE)
                stack.append((f"{path}.{clip(visible(key), 40)}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{k}]", item) for k, item in enumerate(value))
        elif isinstance(value, str) and _unstorable(value):
            problems.add(path, _UNSTORABLE)


_UNSTORABLE = ("the text holds the NUL character or an unpaired surrogate (\\ud800-\\udfff), "
               "which cannot be stored")


_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")


def _unstorable(text: str) -> bool:
    return _UNSTORABLE_CHAR.search(text) is not None


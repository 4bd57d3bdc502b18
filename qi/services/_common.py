"""Helpers shared by the services: lookups that say what exists, and text checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from qi.domain import is_slug
from qi.errors import InvalidInput
from qi.gateway import of_session
from qi.queries._common import (  # noqa: F401 (shared with the services from here)
    MAX_LISTED,
    id_by_slug,
    known_list,
    not_found,
)

if TYPE_CHECKING:  # stdlib only at run time: the gateway's write services use this module
    from sqlmodel import Session


def by_slug(s: Session, model, slug: str, kind: str, list_cmd: str):
    """The row of `model` with this slug (the lookup of `qi.queries`, on this session)."""
    return s.get(model, id_by_slug(of_session(s), model.__tablename__, slug, kind, list_cmd))


def check_slug(slug: str, kind: str) -> str:
    if not is_slug(slug):
        raise InvalidInput(
            f"'{slug}' is not a valid {kind} slug. Use lowercase letters, digits and single "
            "hyphens, at most 60 characters (e.g. 'dna-rate')"
        )
    return slug


def _fits(text: str, what: str, max_len: int | None) -> str:
    if max_len is not None and len(text) > max_len:
        raise InvalidInput(f"The {what} is {len(text)} characters long; at most {max_len} fit. "
                           "Shorten it")
    return text


def required_text(value: str | None, what: str, max_len: int | None = None) -> str:
    """A name or title: surrounding spaces trimmed, never empty."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"The {what} cannot be empty. Give some text for it")
    return _fits(text, what, max_len)


def optional_text(value: str | None, what: str = "text", max_len: int | None = None
                  ) -> str | None:
    """Free text, stored exactly as given; blank means nothing (so `--area ''` clears)."""
    if value is None or not value.strip():
        return None
    return _fits(value, what, max_len)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands timezone-aware columns back naive; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


T = TypeVar("T")


def stored(s: Session, model: type[T], key: int) -> T:
    """The row of `model` with this id, which a lookup has just found in this transaction."""
    row = s.get(model, key)
    if row is None:
        raise RuntimeError(f"no {model.__name__} {key}: it was there a moment ago")
    return row


class Stored(Protocol):
    id: int | None


def row_id(row: Stored) -> int:
    """The id of a stored row. SQLModel types every id as optional (a new row has none
    until it is flushed); a row read from or flushed to the database always has one."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id

"""Helpers shared by the services: lookups that say what exists, and text checks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from qi.domain import is_slug
from qi.errors import InvalidInput, NotFound

MAX_LISTED = 8


def known_list(names: list[str]) -> str:
    """'a, b, c' (at most MAX_LISTED names, then '...')."""
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (", ..." if len(names) > MAX_LISTED else "")


def counted(n: int, noun: str) -> str:
    """'1 project', '2 projects'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def not_found(kind: str, wanted: str, existing: list[str], list_cmd: str) -> NotFound:
    """"No project 'dna'. Projects: dna-rate, flu-uptake. Run 'qi project list'."""
    plural = kind + "s"
    if existing:
        have = f"{plural.capitalize()}: {known_list(sorted(existing))}"
    else:
        have = f"There are no {plural} yet"
    return NotFound(f"No {kind} '{wanted}'. {have}. Run '{list_cmd}'")


def by_slug(s: Session, model, slug: str, kind: str, list_cmd: str):
    row = s.exec(select(model).where(model.slug == slug)).first()
    if row is None:
        existing = list(s.exec(select(model.slug)).all())
        raise not_found(kind, slug, existing, list_cmd)
    return row


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



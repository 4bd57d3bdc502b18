"""Finding a team: by its slug, or by its name ignoring case ('Hendon Medical Practice')."""

from __future__ import annotations

from qi.errors import InvalidInput
from qi.gateway import Db
from qi.queries._common import id_by_slug

LIST_CMD = "qi team list"


def id_of(db: Db, ref: str) -> int:
    """A team's id by slug or name; NotFound lists the teams, two matches say which."""
    wanted = " ".join(ref.split())
    found = db.scalar("SELECT id FROM team WHERE slug = :w", {"w": wanted})
    if found is not None:
        return found
    matches = db.all("SELECT id, slug, name FROM team WHERE lower(slug) = :w "
                     "OR lower(name) = :w ORDER BY slug", {"w": wanted.lower()})
    if len(matches) == 1:
        return matches[0][0]
    if len(matches) > 1:
        which = ", ".join(f"{slug} ({name})" for _id, slug, name in matches)
        raise InvalidInput(f"{len(matches)} teams match '{ref}': {which}. Give the slug")
    return id_by_slug(db, "team", ref, "team", LIST_CMD)  # the usual "No team" message

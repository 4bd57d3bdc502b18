"""`qi export` and `qi import-bundle`: a whole project in one file, to move or share it."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qi.cli._common import (
    JsonOption,
    ProjectOption,
    one_project,
    open_session,
    print_json,
    say,
)
from qi.domain import is_slug
from qi.errors import Conflict, InvalidInput
from qi.text import clip, quoted

if TYPE_CHECKING:
    from qi.services.bundle import BundleSummary


class OnClash(StrEnum):
    refuse = "refuse"
    rename = "rename"
    merge = "merge"


def export(
    project: Annotated[str | None, typer.Argument(
        help="The project's slug (or give it with --project).", show_default=False)] = None,
    project_opt: ProjectOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the bundle to this file (e.g. dna-rate.qi.json) instead "
        "of standard output.", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
    = False,
) -> None:
    """Export a project as one JSON bundle, to move or share it.

    The bundle holds the project, its team and members, its measures with their
    measurements, phases and notes, its change ideas and PDSA cycles, and the team's and
    the programme's meetings. 'qi import-bundle' loads it into another database."""
    from qi.services import bundle

    project = one_project(project, project_opt, required=True)
    assert project is not None  # required=True: an error says to give one
    if output is not None and output.exists() and not force:
        raise Conflict(f"{output} already exists. Add --force to overwrite it, or choose "
                       "another file")
    with open_session(write=False) as s:
        document = bundle.export_bundle(s, project)
    text = bundle.dumps(document)
    if output is None:
        sys.stdout.write(text)
        return
    from qi.files import write_file

    write_file(output, text, overwrite=force, what="bundle")
    n = bundle.count_of(document)
    say(f"Exported project '{project}' to {output}: {_n(n['measures'], 'measure')}, "
        f"{_n(n['measurements'], 'measurement')}, {_n(n['ideas'], 'idea')}, "
        f"{_n(n['cycles'], 'cycle')}, {_n(n['meetings'], 'meeting')}")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object, refusing a key given twice (json would silently keep the last: a
    second "measures": [] would drop every measure of the first)."""
    document = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKey(key)
        document[key] = value
    return document


def _read(file: Path) -> tuple[object, str]:
    """The parsed document and the name to give it in messages."""
    name = "standard input" if str(file) == "-" else str(file)
    from qi.ingest.files import read_file

    if str(file) != "-" and not os.path.lexists(file):
        raise InvalidInput(f"There is no file {file}. Give the path of a bundle made with "
                           "'qi export PROJECT -o FILE'")
    raw = read_file(file, "bundle")  # bounded, once, devices refused
    try:
        return json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_unique_keys), name
    except _DuplicateKey as exc:
        raise InvalidInput(f"{name} is not a qi bundle as qi wrote it: the key "
                           f"{quoted(exc.key, 40)} appears twice in one object, and only one "
                           "can be meant. Export the project again") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not a qi bundle: byte {exc.start + 1} is not UTF-8 "
                           "text") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{name} is not a qi bundle: it is not valid JSON (line "
                           f"{exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InvalidInput(f"{name} is not a qi bundle: its JSON is nested far deeper than "
                           "any bundle (a qi bundle is a few levels deep)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InvalidInput(f"{name} is not a qi bundle: {clip(str(exc), 120)}") from None


def _slug_option(value: str | None, option: str) -> str | None:
    if value is not None and not is_slug(value):
        raise typer.BadParameter(f"'{value}' is not a slug: use lowercase letters, digits and "
                                 "single hyphens (e.g. 'dna-rate')", param_hint=f"'{option}'")
    return value


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _report(r: BundleSummary) -> None:
    for line in r.resolved:
        say(f"Resolved: {line}")
    team = f"new team '{r.team}'" if r.team_created else f"team '{r.team}'"
    meetings = _n(r.meetings_added, "meeting") + " added"
    if r.meetings_existing:
        meetings += f" ({r.meetings_existing} already here)"
    say(f"{'Would import' if r.dry_run else 'Imported'} project '{r.project}' into {team}: "
        f"{_n(r.measures, 'measure')}, {_n(r.measurements, 'measurement')}, "
        f"{_n(r.phases, 'phase')}, {_n(r.notes, 'note')}, {_n(r.ideas, 'idea')}, "
        f"{_n(r.cycles, 'cycle')}; {_n(len(r.members_added), 'member')} added, "
        f"{len(r.members_reused)} already here; {meetings}"
        + (". Dry run: nothing was written" if r.dry_run else ""))


def import_bundle(
    file: Annotated[Path, typer.Argument(
        help="A bundle written by 'qi export' ('-' reads standard input).",
        show_default=False)],
    project_as: Annotated[str | None, typer.Option(
        "--project-as", metavar="SLUG", help="Import the project under this slug.",
        show_default=False)] = None,
    team_as: Annotated[str | None, typer.Option(
        "--team-as", metavar="SLUG", help="Put the project in this existing team instead of "
        "the bundle's team.", show_default=False)] = None,
    on_clash: Annotated[OnClash, typer.Option(
        "--on-clash", help="What to do when the bundle's project, team or members clash with "
        "stored ones: refuse, rename (add the bundle's under new names) or merge (use the "
        "stored team and members).")] = OnClash.refuse,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check the bundle and show what would be imported; write "
        "nothing.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Import a project bundle (from 'qi export'), all or nothing.

    Clashes (the project slug exists, the team slug is another team, a member's role
    differs) are refused unless --project-as, --team-as or --on-clash says how to resolve
    them. Stored members and programme-wide meetings are matched by name and by date and
    title, never duplicated.
    """
    from qi.services import bundle

    options = bundle.ImportOptions(
        project_as=_slug_option(project_as, "--project-as"),
        team_as=_slug_option(team_as, "--team-as"), on_clash=on_clash.value, dry_run=dry_run)
    document, name = _read(file)
    with open_session(write=not dry_run) as s:
        summary = bundle.import_bundle(s, document, options, source=name)
    if json_out:
        print_json(summary.as_json())
        return
    _report(summary)

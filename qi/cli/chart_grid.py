"""`qi chart --project P --grid` and `qi chart --measure SLUG --across-projects`: small
multiples of a family of measures, or of one measure across teams, on one 16:9 image."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import typer

from qi.cli._common import open_db, print_json, say

_EXTENSIONS = (".png", ".svg", ".pdf")


def check(*, measure: str | None, project: str | None, grid: bool, across: bool,
          all_measures: bool, programme: bool, teams: list[str] | None) -> None:
    """Usage errors (exit 2) of the grid options."""
    if teams and not across:
        raise typer.BadParameter("--team picks the teams of --across-projects",
                                 param_hint="'--team'")
    if grid and across:
        raise typer.BadParameter("give --grid (a project's measures) or --across-projects "
                                 "(one measure), not both", param_hint="'--grid'")
    if (grid or across) and (all_measures or programme):
        raise typer.BadParameter("a grid is one image; leave out --all and --programme",
                                 param_hint="'--grid'" if grid else "'--across-projects'")
    if grid and (not project or measure):
        raise typer.BadParameter("say whose measures: --project P --grid (no MEASURE)",
                                 param_hint="'--grid'")
    if across and (not measure or project):
        raise typer.BadParameter("say which measure: --measure SLUG --across-projects (no "
                                 "--project)", param_hint="'--across-projects'")


def draw(*, measure: str | None, project: str | None, teams: list[str] | None, options,
         output: str | None, fmt: str | None, size: dict, force: bool,
         json_out: bool) -> None:
    from qi import charts
    from qi.charts.grid import grid_figure
    from qi.services import grid as grid_service

    with open_db(write=False) as db:
        if project:
            g = grid_service.project_grid(db, project, options)
        else:
            assert measure is not None  # check(): --across-projects needs --measure
            g = grid_service.across_grid(db, measure, teams or [], options)
    for line in g.skipped:
        say(f"Left out {line}")
    default = f"{project}-grid" if project else f"{measure}-across-projects"
    path = _path(output, fmt, default)
    generated: date = size["generated"]
    specs = [dataclasses.replace(charts.spec_from_view(v, generated=generated), title=t)
             for v, t in zip(g.views, g.panel_titles, strict=True)]
    fig = grid_figure(specs, title=g.title, subtitle=g.subtitle, shared_y=g.shared_y,
                      width=size["width"], height=size["height"], dpi=size["dpi"])
    charts.save(fig, path, path.suffix[1:], overwrite=force)
    if json_out:
        print_json({"file": str(path), "format": path.suffix[1:], "title": g.title,
                    "shared_y": g.shared_y,
                    "panels": [{"measure": v.measure.ref, "title": t,
                                "variation": v.summary["variation"],
                                "assurance": v.summary["assurance"]}
                               for v, t in zip(g.views, g.panel_titles, strict=True)],
                    "left_out": g.skipped})
    else:
        say(f"Wrote {path}: {len(specs)} chart{'s' if len(specs) != 1 else ''} on one image")


def _path(output: str | None, fmt: str | None, default: str) -> Path:
    if output is None or output.endswith("/") or Path(output).is_dir():
        return Path(output or ".") / f"{default}.{fmt or 'png'}"
    path = Path(output)
    suffix = path.suffix.lower()
    if fmt and suffix in _EXTENSIONS and suffix != f".{fmt}":
        raise typer.BadParameter(f"'{output}' ends in {suffix} but --format is {fmt}; "
                                 "change one of them", param_hint="'--output'")
    if suffix not in _EXTENSIONS:
        if not fmt:
            raise typer.BadParameter(f"cannot tell the format of '{output}': end it in .png, "
                                     ".svg or .pdf, or give --format", param_hint="'--output'")
        return path
    return path

"""`qi chart --project P --grid` and `qi chart --measure SLUG --across-projects`: small
multiples checked through the Figure and as files."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from qi.charts.grid import MAX_PANELS, shape_of

WEEKS = 24


def _series(k: int) -> list[float]:
    return [20 + (j * 7 + k) % 9 - (6 if j > 14 else 0) for j in range(WEEKS)]


@pytest.fixture
def family(qi, tmp_path):
    """Project 'dna-rate' with measures of every kind, given in reverse order, one without
    data; projects of three teams sharing the measure 'dna'."""
    for team in ("North", "West", "South"):
        qi(f"team add {team}", ok=True)
    qi("project add dna-rate --title 'Reduce nurse DNAs' --team north --aim 'Fewer DNAs'",
       ok=True)
    kinds = ["balancing", "process", "outcome"]
    rows = ["date,measure,value"]
    for k, kind in enumerate(kinds):
        qi(f"measure add {kind[:3]}-m --project dna-rate --name '{kind} measure' "
           f"--kind {kind} --chart i --direction down --target 15", ok=True)
        rows += [f"{date(2018, 1, 1) + timedelta(weeks=j)},{kind[:3]}-m,{v}"
                 for j, v in enumerate(_series(k))]
    qi("measure add empty --project dna-rate --name Empty --kind process", ok=True)
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    qi(f"data import {tmp_path / 'd.csv'} --project dna-rate", ok=True)
    qi("cycle new dna-rate 'SMS' --no-edit", ok=True)
    qi("cycle do dna-rate#1 --on 2018-04-16", ok=True)
    for k, (team, unit) in enumerate((("north", "%"), ("west", "%"), ("south", "%"))):
        slug = f"p-{team}"
        qi(f"project add {slug} --title 'DNAs {team}' --team {team} --aim A", ok=True)
        qi(f"measure add dna --project {slug} --name 'DNA rate' --kind outcome --unit '{unit}' "
           "--chart i", ok=True)
        lines = ["date,value"] + [f"{date(2018, 1, 1) + timedelta(weeks=j)},{v + 10 * k}"
                                  for j, v in enumerate(_series(k))]
        (tmp_path / f"{slug}.csv").write_text("\n".join(lines) + "\n")
        qi(f"data import {tmp_path / f'{slug}.csv'} --project {slug} --measure dna", ok=True)
    return tmp_path


def _figure(session, **kw):
    from qi import charts
    from qi.charts.grid import grid_figure
    from qi.services import grid as grid_service
    from qi.services.measure_view import ViewOptions

    with session(write=False) as s:
        g = (grid_service.project_grid(s, kw["project"], ViewOptions()) if "project" in kw
             else grid_service.across_grid(s, kw["measure"], kw.get("teams", []),
                                           ViewOptions()))
    specs = [charts.spec_from_view(v) for v in g.views]
    import dataclasses

    specs = [dataclasses.replace(sp, title=t) for sp, t in zip(specs, g.panel_titles,
                                                                strict=True)]
    return g, grid_figure(specs, title=g.title, subtitle=g.subtitle, shared_y=g.shared_y)


def _panels(fig):
    return [ax for ax in fig.axes if (ax.get_gid() or "").startswith("panel-")]


@pytest.mark.slow
def test_the_family_in_order_outcome_process_balancing(qi, family, session):
    g, fig = _figure(session, project="dna-rate")
    assert [t.split(":")[0] for t in g.panel_titles] == ["Outcome", "Process", "Balancing"]
    assert g.skipped == ["dna-rate/empty: no data yet"]
    panels = _panels(fig)
    assert len(panels) == 3
    # one shared date axis: the same x limits, dates under every panel of the bottom row
    assert len({ax.get_xlim() for ax in panels}) == 1
    for k, ax in enumerate(panels, start=1):
        assert ax.get_title(loc="left").startswith(g.panel_titles[k - 1][:10])
        data = [ln for ln in ax.lines if ln.get_gid() == f"data-{k}"]
        assert len(data[0].get_xdata()) == WEEKS
        assert [c for c in ax.collections if c.get_gid() == f"cycles-{k}"]  # the cycle
        assert any(t.get_text() == "#1" for t in ax.texts)
        assert [ln for ln in ax.lines if ln.get_gid() == f"target-{k}"]
        assert [ln for ln in ax.lines if ln.get_gid() == f"ucl-{k}"]
    icons = [ax for ax in fig.axes if (ax.get_label() or "").startswith("icons-")]
    assert {ax.get_gid() for ax in icons} >= {"icon-improvement_low"}


@pytest.mark.slow
def test_grid_command_writes_one_image(qi, family, tmp_path):
    out = tmp_path / "g.svg"
    r = qi(f"chart --project dna-rate --grid -o {out}")
    assert r.exit_code == 0, r.stderr
    assert "Left out dna-rate/empty: no data yet" in r.stderr
    assert f"Wrote {out}: 3 charts on one image" in r.stderr
    assert out.read_text().lstrip().startswith("<?xml")
    r = qi(f"chart --project dna-rate --grid -o {out}")
    assert r.exit_code == 1 and "already exists" in r.stderr
    data = json.loads(qi(f"chart --project dna-rate --grid -o {out} --force --json",
                         ok=True).stdout)
    assert [p["measure"] for p in data["panels"]] == ["dna-rate/out-m", "dna-rate/pro-m",
                                                      "dna-rate/bal-m"]
    png = tmp_path / "dna-rate-grid.png"
    qi(f"chart --project dna-rate --grid -o {tmp_path}/", ok=True)
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_across_projects_shares_the_y_scale_when_the_units_agree(qi, family, session):
    g, fig = _figure(session, measure="dna")
    assert g.shared_y and len(g.views) == 3
    assert [t.split(" · ")[0] for t in g.panel_titles] == ["North", "South", "West"]
    assert len({ax.get_ylim() for ax in _panels(fig)}) == 1
    g, fig = _figure(session, measure="dna", teams=["west", "south"])
    assert [t.split(" · ")[0] for t in g.panel_titles] == ["South", "West"]
    qi("measure edit p-west/dna --unit days", ok=True)
    g, fig = _figure(session, measure="dna")
    assert not g.shared_y and "units differ" in g.subtitle
    assert len({ax.get_ylim() for ax in _panels(fig)}) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("chart --grid", "--project P --grid"),
        ("chart --project dna-rate --grid --all", "leave out --all"),
        ("chart --across-projects", "--measure SLUG"),
        ("chart --measure dna --across-projects --project p-west", "--measure SLUG"),
        ("chart --measure dna --team west", "--team picks"),
        ("chart --project dna-rate --grid --across-projects", "not both"),
        ("chart --project dna-rate --grid -o x.gif", "cannot tell the format"),
    ],
)
@pytest.mark.slow
def test_usage_errors(qi, family, args, message):
    r = qi(args)
    assert r.exit_code == 2 and message in r.stderr


def test_errors(qi, family):
    r = qi("chart --measure nope --across-projects")
    assert r.exit_code == 1 and "No active project has a measure 'nope'" in r.stderr
    r = qi("chart --measure dna --across-projects --team nobody")
    assert r.exit_code == 1 and "nobody" in r.stderr
    qi("project add bare --title Bare --team west --aim A", ok=True)
    r = qi("chart --project bare --grid")
    assert r.exit_code == 1 and "has no measures yet" in r.stderr


@pytest.mark.parametrize(("n", "shape"), [(1, (1, 1)), (3, (1, 3)), (4, (2, 2)), (6, (2, 3)),
                                          (7, (3, 3)), (9, (3, 3))])
def test_shapes(n, shape):
    assert shape_of(n) == shape


@pytest.mark.slow
def test_nine_panels_stay_legible_and_ten_are_refused():
    import numpy as np

    from qi.analysis import analyze
    from qi.charts import ChartSpec
    from qi.charts.grid import grid_figure
    from qi.errors import InvalidInput

    x = np.datetime64("2018-01-01") + np.arange(30) * 7
    specs = [ChartSpec(analyze(np.sin(np.arange(30) + k) + 10, x=x, chart="i"),
                       title=f"A measure with quite a long name number {k}", period="week",
                       icons=("common_cause", "pass")) for k in range(MAX_PANELS)]
    fig = grid_figure(specs, title="Nine", shared_y=True)
    panels = _panels(fig)
    assert len(panels) == 9
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in panels]
    for i, a in enumerate(boxes):  # titles, ticks and labels of panels never overlap
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
        assert a.x0 >= 0 and a.y0 >= 0 and a.x1 <= fig.bbox.width and a.y1 <= fig.bbox.height
    for ax in panels:
        title = next(t for t in ax.texts + [ax._left_title] if t.get_gid() == ax.get_gid()
                     .replace("panel", "title"))
        assert title.get_fontsize() >= 12 and ax.get_yticklabels()[0].get_fontsize() >= 11
    with pytest.raises(InvalidInput, match="at most 9"):
        grid_figure(specs + specs[:1], title="Ten")

"""Speed of `qi report --programme --format html` and `qi status` on a full programme.

    python benchmarks/bench_report.py [--projects 10] [--measures 5] [--points 100] [--runs 3]

The database holds a programme of `--projects` projects (two teams, each project with
`--measures` measures of `--points` weekly points, four PDSA cycles and a few notes),
built through the services, with the data loaded by `qi data import`'s bulk path. Each
figure is a whole process, timed from start to exit, against a baseline measured in the
same run: starting Python and importing sqlmodel and matplotlib.figure, which `qi report`
must pay before it does anything.

Targets (issue 7): the HTML programme report <= 10 s; `qi status` <= 1 s.
Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import QI, print_table, time_process  # noqa: E402

TARGET_REPORT = 10.0
TARGET_STATUS = 1.0
BASELINE = [sys.executable, "-c", "import sqlmodel, matplotlib.figure"]
# `qi status` draws no chart: its floor is starting Python with the database layer and numpy.
STATUS_BASELINE = [sys.executable, "-c", "import sqlmodel, numpy"]

# (slug, name, kind, chart, direction, unit, target, level before, level after)
MEASURES = [
    ("dna", "DNA rate", "outcome", "p", "down", None, 0.05, 0.08, 0.06),
    ("sms", "Patients sent an SMS reminder", "process", "p", "up", None, 0.9, 0.2, 0.7),
    ("calls", "Reception calls per day", "balancing", "i", "down", "calls", None, 120, 125),
    ("wait", "Days to a routine appointment", "outcome", "run", "down", "days", 10, 18, 14),
    ("incidents", "Reported incidents per week", "balancing", "c", "down", None, None, 4, 4),
]
START = date(2016, 1, 4)  # a Monday


def _values(rng, spec, points: int, change_at: int) -> list[dict]:
    slug, _, _, chart, _, _, _, before, after = spec
    rows = []
    for k in range(points):
        day = (START + timedelta(weeks=k)).isoformat()
        level = before if k < change_at else after
        if chart == "p":
            n = int(rng.integers(150, 250))
            rows.append({"date": day, "measure": slug, "numerator": int(rng.binomial(n, level)),
                         "denominator": n})
        elif chart == "c":
            rows.append({"date": day, "measure": slug, "value": int(rng.poisson(level))})
        else:
            rows.append({"date": day, "measure": slug,
                         "value": round(float(rng.normal(level, level * 0.08)), 1)})
    return rows


def build(path: Path | str, *, projects: int, measures: int, points: int,
          folder: Path | None = None) -> None:
    """A programme like the Barnet one, scaled: teams, members, projects, data, cycles.
    `path`: a SQLite file, or a database URL (then give `folder` for the CSV files)."""
    import numpy as np

    from qi import db
    from qi.config import resolve
    from qi.domain import ChartType, Decision, Direction, MeasureKind
    from qi.services import cycles, data_import, meetings, members, notes, teams
    from qi.services import measures as measure_service
    from qi.services import projects as project_service

    loc = resolve(str(path))
    db.upgrade(loc, backup=False)
    rng = np.random.default_rng(7)
    change_at = max(points // 3, 2)
    with db.session(loc, create=True) as s:
        for name, area in (("North Barnet", "North"), ("West Barnet", "West")):
            teams.add(s, name, area=area)
            for role in ("GP", "practice manager", "nurse"):
                members.add(s, f"{role.title()} of {name}", role=role,
                            teams=[name.lower().replace(" ", "-")])
        for k in range(0, points, 8):
            meetings.add(s, START + timedelta(weeks=k, days=3), f"Learning session {k // 8 + 1}")
        for p in range(projects):
            slug = f"project-{p + 1:02d}"
            project_service.add(
                s, slug, title=f"Improvement project {p + 1}",
                team="north-barnet" if p % 2 == 0 else "west-barnet",
                aim="Reduce the DNA rate for nurse appointments from 8% to 5% by 30 Sep 2018",
                start=START)
            specs = [MEASURES[m % len(MEASURES)] for m in range(measures)]
            rows = []
            for m, spec in enumerate(specs):
                mslug = spec[0] if m < len(MEASURES) else f"{spec[0]}-{m}"
                measure_service.add(
                    s, mslug, project=slug, name=spec[1], kind=MeasureKind(spec[2]),
                    chart=ChartType(spec[3]), direction=Direction(spec[4]), unit=spec[5],
                    target=spec[6], definition="Weekly EMIS search")
                rows += [{**r, "measure": mslug} for r in _values(rng, spec, points, change_at)]
            csv_path = (folder or Path(path).parent) / f"{slug}.csv"
            with csv_path.open("w", newline="") as f:
                writer = csv.DictWriter(f, ["date", "measure", "value", "numerator",
                                            "denominator"])
                writer.writeheader()
                writer.writerows(rows)
            data_import.import_file(s, csv_path, project=slug)
            for c in range(4):
                started = START + timedelta(weeks=change_at + 6 * c)
                cycle = cycles.new(s, slug, f"SMS reminders, step {c + 1} of the ramp",
                                   predictions="DNAs fall by a third", measures=["dna"],
                                   planned_start=started)
                cycles.do(s, cycle.ref, on=started, notes="Went as planned")
                if c < 3:
                    cycles.study(s, cycle.ref, results="DNAs fell by a quarter",
                                 learning="Works; numbers need checking")
                    cycles.act(s, cycle.ref, decision=Decision.adapt,
                               next_steps="Extend to all nurses",
                               completed_on=started + timedelta(weeks=4))
            notes.add(s, f"{slug}/{specs[0][0]}", START + timedelta(weeks=points // 2),
                      "Practice closed for refurbishment")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--measures", type=int, default=5)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Build the database here and keep it.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "qi.db"
        if path.exists():
            raise SystemExit(f"{path} exists; give a new file to --keep")
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path, projects=args.projects, measures=args.measures, points=args.points)
        env = {"QI_DB": str(path), "NO_COLOR": "1"}
        out = Path(tmp) / "programme.html"
        report = [*QI, "report", "--programme", "--format", "html", "-o", str(out), "--force"]
        kinds = {"baseline": BASELINE, "report": report, "status_base": STATUS_BASELINE,
                 "status": [*QI, "status"]}
        # Interleaved, so that a machine busy with other work slows every kind alike.
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.runs):
            for kind, argv in kinds.items():
                times[kind].append(time_process(argv, env=env, runs=1)["median"])
        size = out.stat().st_size / 1e6
        parts = in_process(path)
    baseline, timed = _summary(times["baseline"]), _summary(times["report"])
    status_base, status = _summary(times["status_base"]), _summary(times["status"])
    what = f"{args.projects} projects x {args.measures} measures x {args.points} points"
    print_table(f"Whole processes, median of {args.runs} runs ({what})", [
        ("python + import sqlmodel, matplotlib.figure", baseline["median"], baseline["best"],
         None, None),
        ("qi report --programme --format html -o F", timed["median"], timed["best"],
         baseline["median"], TARGET_REPORT),
        ("python + import sqlmodel, numpy", status_base["median"], status_base["best"],
         None, None),
        ("qi status", status["median"], status["best"], status_base["median"], TARGET_STATUS),
    ])
    print(f"\nHTML report: {size:.1f} MB")
    print("In process: read and analyse every measure {read:.3f} s; one chart as SVG "
          "{chart:.3f} s; the HTML from the content and charts {html:.3f} s".format(**parts))


def in_process(path: Path) -> dict:
    """Where a report's time goes: reading and analysing, one chart, the HTML."""
    from datetime import date

    from qi import charts, db
    from qi.config import resolve
    from qi.reports import figures, html
    from qi.services import report

    def best(fn, runs: int = 3) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    loc = resolve(str(path))
    with db.session(loc, write=False) as s:
        read = best(lambda: report.build_programme(s))
        built = report.build_programme(s)
    specs = list(figures.specs(built.views, generated=date.today()).values())
    charts.render(specs[0], "svg")  # the first chart pays for font loading
    chart = best(lambda: charts.render(specs[1], "svg"))
    svgs = dict.fromkeys(built.views, charts.render(specs[1], "svg"))
    page = best(lambda: html.programme(built.content, svgs))
    db.dispose_all()
    return {"read": read, "chart": chart, "html": page}


def _summary(times: list[float]) -> dict:
    return {"median": statistics.median(times), "best": min(times)}


if __name__ == "__main__":
    main()

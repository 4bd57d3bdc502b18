"""Start-up and listing speed of the CLI (issues: foundation; PDSA cycles).

Targets on the development machine: `qi --help` <= 0.15 s; `qi project list --json` on a
database of 200 projects / 1,000 measures <= 0.6 s; `qi cycle list --json` for a project
with 2,000 cycles, and `qi cycle new ... --no-edit`, <= 0.6 s each. Each is shown with its
ratio to a baseline measured in the same run (`python -c pass`), because the machines are shared and
noisy: compare ratios between runs, not raw seconds.

    python benchmarks/bench_cli.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import QI, print_table, time_process  # noqa: E402


def build_database(path: Path, projects: int = 200, measures_each: int = 5) -> None:
    """A programme-sized database: 20 teams, `projects` projects, 5 measures each."""
    from qi import db
    from qi.config import resolve
    from qi.domain import ChartType, MeasureKind
    from qi.services import measures, teams
    from qi.services import projects as project_service

    loc = resolve(str(path))
    with db.session(loc, create=True) as s:
        for t in range(20):
            teams.add(s, f"Team {t}", area=["North", "West", "South"][t % 3])
        for p in range(projects):
            slug = f"project-{p:03d}"
            project_service.add(s, slug, title=f"Project {p}", team=f"team-{p % 20}",
                                aim="Reduce something by 20% by next March")
            for m in range(measures_each):
                measures.add(s, f"m{m}", project=slug, name=f"Measure {m}",
                             kind=list(MeasureKind)[m % 3], chart=ChartType.run)
    db.dispose_all()


def add_cycles(path: Path, project: str = "project-000", count: int = 2000) -> None:
    """`count` cycles in one project, at every stage, written in bulk (setup, not timed)."""
    from datetime import date, timedelta

    from qi import db, models
    from qi.config import resolve
    from qi.services import ideas
    from qi.services import projects as project_service

    loc = resolve(str(path))
    with db.session(loc, create=True) as s:
        project = project_service.get_row(s, project)
        idea = ideas.add(s, project.slug, "SMS reminders", primary_driver="Remembering")
        start = date(2018, 1, 1)
        for k in range(1, count + 1):
            stage = k % 5
            s.add(models.Cycle(
                project_id=project.id, number=k, title=f"Test of change {k}", idea_id=idea.id,
                predictions="DNAs fall by a third", plan="Reception, Monday clinics",
                started_on=start + timedelta(days=k) if stage >= 1 else None,
                results="Fell by a quarter" if stage >= 2 else None,
                decision="adapt" if stage >= 3 else None,
                completed_on=start + timedelta(days=k + 7) if stage >= 4 else None,
            ))
    db.dispose_all()


def main() -> None:
    baseline = time_process([sys.executable, "-c", "pass"], runs=15)
    rows = [("python -c pass (baseline)", baseline["median"], baseline["best"],
             baseline["median"], None)]
    for argv, what, target in [
        (["--help"], "qi --help", 0.15),
        (["--version"], "qi --version", None),
    ]:
        r = time_process(QI + argv, runs=15)
        rows.append((what, r["median"], r["best"], baseline["median"], target))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        build_database(path)
        env = {"QI_DB": str(path)}
        r = time_process(QI + ["project", "list", "--json"], env=env, runs=9)
        rows.append(("qi project list --json (200 p / 1,000 m)", r["median"], r["best"],
                     baseline["median"], 0.6))
        r = time_process(QI + ["measure", "list", "--json"], env=env, runs=9)
        rows.append(("qi measure list --json (1,000 measures)", r["median"], r["best"],
                     baseline["median"], None))
        add_cycles(path)
        r = time_process(QI + ["cycle", "list", "project-000", "--json"], env=env, runs=9)
        rows.append(("qi cycle list --json (2,000 cycles)", r["median"], r["best"],
                     baseline["median"], 0.6))
        r = time_process(QI + ["cycle", "new", "project-001", "Try it", "--predict", "Better",
                               "--no-edit"], env=env, runs=9)
        rows.append(("qi cycle new ... --no-edit", r["median"], r["best"],
                     baseline["median"], 0.6))
        r = time_process([sys.executable, "-c", "import sqlmodel"], runs=9)
        rows.append(("python -c 'import sqlmodel' (library floor)", r["median"], r["best"],
                     baseline["median"], None))
    print_table("CLI start-up and listing (whole processes)", rows)


if __name__ == "__main__":
    main()

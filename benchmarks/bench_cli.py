"""Start-up and listing speed of the CLI (issue: foundation).

Targets on the development machine: `qi --help` <= 0.15 s; `qi project list --json` on a
database of 200 projects / 1,000 measures <= 0.6 s. Each is shown with its ratio to a
baseline measured in the same run (`python -c pass`), because the machines are shared and
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
    with db.session(loc) as s:
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
    print_table("CLI start-up and listing (whole processes)", rows)


if __name__ == "__main__":
    main()

"""The facts about chart types and rule sets live in one table (qi.domain), and the
analysis keeps to its layer: numpy and the stdlib-only qi modules, no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from qi.analysis import CHARTS, RULES, analyze
from qi.analysis.limits import CHART_FUNCTIONS
from qi.domain import (
    CHART_FACTS,
    RATIO_CHARTS,
    RULE_FACTS,
    SIGNAL_NAMES,
    ChartType,
    Rules,
    chart_for_rules,
)
from qi.errors import InvalidInput

ANALYSIS = Path(__file__).parents[2] / "qi" / "analysis"


def test_every_chart_type_and_rule_set_has_its_facts():
    assert set(CHART_FACTS) == set(ChartType)
    assert set(CHARTS) == set(CHART_FUNCTIONS) == {c.value for c in ChartType}
    assert set(RULE_FACTS) == set(Rules) and set(RULES) == {r.value for r in Rules}
    assert RATIO_CHARTS == {ChartType.p, ChartType.pp, ChartType.u, ChartType.up}
    # only a run chart has no limits; proportions are ratios
    assert [c for c, f in CHART_FACTS.items() if not f.limits] == [ChartType.run]
    assert all(f.ratio for f in CHART_FACTS.values() if f.proportion)


@pytest.mark.parametrize(("rules", "chart", "needed"), [
    ("anhoej", "p", None), ("ihi", "run", None), ("ihi", "i", ChartType.run),
    ("mdc", "i", None), ("mdc", "run", ChartType.i), ("mdc", None, ChartType.i),
    ("anhoej", None, None),
])
def test_the_one_rule_chart_check(rules, chart, needed):
    assert chart_for_rules(rules, chart) == needed


def test_the_analysis_refuses_what_the_table_refuses():
    with pytest.raises(InvalidInput, match="IHI rules are for run charts"):
        analyze([1, 2, 3], chart="i", rules="ihi")
    for chart, facts in CHART_FACTS.items():
        if facts.ratio:
            with pytest.raises(InvalidInput, match="needs denominators"):
                analyze([1, 2, 3], chart=chart.value)
        if not facts.negative_ok:
            with pytest.raises(InvalidInput, match="row 2, y = -1"):
                analyze([1, -1, 3], n=[5, 5, 5] if facts.ratio else None, chart=chart.value)


def test_every_signal_the_analysis_gives_has_a_name():
    rng = np.random.default_rng(3)
    seen = set()
    for rules, chart in (("anhoej", "i"), ("ihi", "run"), ("mdc", "i")):
        for shift in (0, 5, 20):
            y = np.concatenate([rng.normal(10, 1, 20), rng.normal(10 + shift, 1, 20),
                                np.arange(8.0) * 3])
            seen |= {s.rule for s in analyze(y, chart=chart, rules=rules, freeze=20).signals}
    assert seen <= set(SIGNAL_NAMES)
    assert {"sigma", "longest_run", "shift", "trend", "outside_limits"} <= seen


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any level (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = f"qi.analysis.{node.module or ''}".rstrip(".") if node.level else node.module
            found.add(base or "")
            if node.level and not node.module:  # from . import explain
                found |= {f"qi.analysis.{a.name}" for a in node.names}
    return found


def test_the_analysis_imports_only_numpy_the_stdlib_and_stdlib_only_qi_modules():
    allowed_qi = {"qi.domain", "qi.errors", "qi.text"}
    for path in ANALYSIS.glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top != "qi" or name in allowed_qi or name.startswith("qi.analysis"), (
                path.name, name)
            assert top not in {"pandas", "matplotlib", "sqlalchemy", "sqlmodel"}, path.name


def test_no_import_cycle_in_the_analysis():
    graph = {f"qi.analysis.{p.stem}": {n for n in _imports(p) if n.startswith("qi.analysis.")}
             for p in ANALYSIS.glob("*.py") if p.stem != "__init__"}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, set())] == []

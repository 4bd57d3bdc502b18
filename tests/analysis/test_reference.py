"""The engine against numbers produced by R itself (see tests/data/README.md).

qicharts2: 325 series over every chart type, with missing values, ties, subgroups, unsorted
x, dates, freeze, parts, excluded points, multiply and both MR-screening settings.
NHSRplotthedots: 95 series for the Making Data Count rules. Centre lines and limits must
agree to a relative 1e-9; every count, flag and label exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qi.analysis import analyze

DATA = json.loads((Path(__file__).parents[1] / "data" / "r_reference.json").read_text())
QIC = DATA["qic"]
MDC = DATA["mdc"]


def _arr(values, size=None) -> np.ndarray:
    if values is None:
        return None
    if not isinstance(values, list):
        values = [values]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _col(values, size: int) -> np.ndarray:
    """An output column; R's JSON writes a one-element vector as a scalar."""
    if not isinstance(values, list):
        values = [values] * size
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _flags(values) -> list[bool]:
    return [bool(v) for v in (values if isinstance(values, list) else [values])]


def _close(ours: float, theirs, what: str) -> None:
    if theirs is None:
        assert ours is None or math.isnan(ours), f"{what}: expected missing, got {ours}"
        return
    assert ours is not None and not math.isnan(ours), f"{what}: expected {theirs}, got missing"
    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-13), f"{what}: {ours} != {theirs}"


def _case_id(case) -> str:
    i = case["input"]
    opts = [k for k in ("freeze", "part", "exclude", "multiply", "dates") if k in i]
    return f"{i['chart']}-{len(_arr(i['y']))}-{'+'.join(opts) or 'plain'}"


def _qic_input(i: dict) -> dict:
    x = _arr(i["x"])
    if i.get("dates"):
        x = np.datetime64("2020-01-06") + ((x - 1) * 7).astype("timedelta64[D]")
    kwargs = {
        "x": x,
        "n": _arr(i.get("n")),
        "chart": i["chart"],
        "screen_mr": i["screened"],
        "freeze": i.get("freeze"),
        "part": _positions(i.get("part")),
        "exclude": _positions(i.get("exclude")),
        "multiply": i.get("multiply", 1),
    }
    return kwargs


def _positions(v):
    if v is None:
        return None
    return v if isinstance(v, list) else [v]


@pytest.mark.parametrize("case", QIC, ids=[_case_id(c) for c in QIC])
def test_matches_qicharts2(case):
    i = case["input"]
    a = analyze(_arr(i["y"]), **_qic_input(i))
    pts = case["points"]
    size = len(a)
    assert size == len(_col(pts["part"], 1))
    for key in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
        theirs = _col(pts[key], size)
        ours = getattr(a, key)
        for k in range(size):
            t = None if np.isnan(theirs[k]) else float(theirs[k])
            _close(float(ours[k]), t, f"{key}[{k + 1}]")
    assert a.part.tolist() == [int(v) for v in _col(pts["part"], size)]
    for key in ("baseline", "include", "sigma_signal", "runs_signal"):
        assert getattr(a, key).tolist() == _flags(pts[key]), key
    assert len(a.parts) == len(case["parts"])
    for ours, theirs in zip(a.parts, case["parts"], strict=True):
        assert ours.n_obs == theirs["n.obs"]
        assert ours.n_useful == theirs["n.useful"]
        for mine, key in (
            (ours.longest_run, "longest.run"),
            (ours.longest_run_max, "longest.run.max"),
            (ours.n_crossings, "n.crossings"),
            (ours.n_crossings_min, "n.crossings.min"),
        ):
            assert mine == (None if theirs[key] is None else int(theirs[key])), key
        assert ours.runs_signal == bool(theirs["runs.signal"])
        assert ours.sigma_signals == theirs["sigma.signal"]
        _close(ours.cl, theirs["CL"], "CL")
        _close(ours.lcl, theirs["aLCL"], "aLCL")
        _close(ours.ucl, theirs["aUCL"], "aUCL")


_IMPROVEMENT = {"increase": "up", "decrease": "down", "neutral": "neither"}


def _mdc_id(case) -> str:
    i = case["input"]
    opts = [k for k in ("fix_after", "rebase", "target", "y_r") if k in i]
    return f"mdc-{len(case['y_text'])}-{i['improvement']}-{'+'.join(opts) or 'plain'}"


@pytest.mark.parametrize("case", MDC, ids=[_mdc_id(c) for c in MDC])
def test_matches_nhsrplotthedots(case):
    i = case["input"]
    y = np.array([float(v) for v in case["y_text"]])
    x = np.datetime64("2021-01-04") + np.arange(y.shape[0]) * 7
    a = analyze(
        y,
        x=x,
        chart="i",
        rules="mdc",
        part=_positions(i.get("rebase")),
        freeze=i.get("fix_after"),
        screen_mr=i["screened"],
        improvement=_IMPROVEMENT[i["improvement"]],
        target=i.get("target"),
    )
    pts = case["points"]
    for ours, key in ((a.cl, "mean"), (a.lcl, "lpl"), (a.ucl, "upl"), (a.lcl_95, "nlpl"),
                      (a.ucl_95, "nupl")):  # fmt: skip
        theirs = _col(pts[key], y.shape[0])
        for k in range(y.shape[0]):
            t = None if np.isnan(theirs[k]) else float(theirs[k])
            _close(float(ours[k]), t, f"{key}[{k + 1}]")
    point_type = pts["point_type"] if isinstance(pts["point_type"], list) else [pts["point_type"]]
    assert a.point_type.tolist() == point_type
    assert a.part.tolist() == [int(g) + 1 for g in _col(pts["rebase_group"], y.shape[0])]
    assert a.parts[-1].variation_type == point_type[-1]
    assert a.parts[-1].assurance_type == case["assurance"]

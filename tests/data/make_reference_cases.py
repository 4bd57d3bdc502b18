"""Write the input series for the R reference run (see README.md in this folder).

    python tests/data/make_reference_cases.py > /tmp/qicref/cases.json

The series are random but seeded, built to hit the awkward cases: ties and values on the
centre line, missing values (also at the ends), repeated x (subgroups), unsorted x, dates,
freeze longer than the data, parts of one point, excluded points, multiply, both MR
screening settings, and for the Making Data Count rules shifts, trends and near-limit runs.
"""

from __future__ import annotations

import json
import sys

import numpy as np

CHARTS = ["run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g"]
SIZES = [1, 2, 3, 4, 7, 12, 15, 20, 24, 30, 50, 80]


def _values(rng: np.random.Generator, chart: str, size: int):
    n = None
    if chart in ("run", "i", "mr", "xbar", "s"):
        y = np.round(rng.normal(10, 2, size), int(rng.integers(0, 2)))
        if rng.random() < 0.3:  # a shift halfway
            y[size // 2 :] += 3
    elif chart == "t":
        y = np.round(rng.exponential(20, size), 1) + 0.1
    elif chart in ("p", "pp"):
        n = rng.integers(20, 200, size).astype(float)
        y = rng.binomial(n.astype(int), rng.uniform(0.05, 0.6)).astype(float)
    elif chart in ("u", "up"):
        n = np.round(rng.uniform(50, 500, size), 1)
        y = rng.poisson(n * rng.uniform(0.01, 0.1)).astype(float)
    elif chart == "c":
        y = rng.poisson(rng.uniform(1, 15), size).astype(float)
    else:  # g
        y = (rng.geometric(rng.uniform(0.02, 0.3), size) - 1).astype(float)
    return y, n


def qic_cases(rng: np.random.Generator) -> list[dict]:
    cases = []
    for chart in CHARTS:
        for k in range(26):
            size = SIZES[k % len(SIZES)] if k < 24 else int(rng.integers(5, 40))
            repeated = chart in ("xbar", "s") or (k % 7 == 3 and size > 3)
            if repeated:
                groups = size
                sizes = (
                    np.full(groups, 5) if k % 3 == 0 else rng.integers(1 if k % 2 else 2, 7, groups)
                )
                x = np.repeat(np.arange(1, groups + 1), sizes).astype(float)
                y, n = _values(rng, chart, x.shape[0])
            else:
                x = np.arange(1, size + 1).astype(float)
                y, n = _values(rng, chart, size)
            groups = int(np.unique(x).shape[0])
            case: dict = {"chart": chart, "screened": bool(k % 4 != 1)}
            if k % 5 == 2 and y.shape[0] > 2:  # missing values, at the ends too
                miss = rng.choice(y.shape[0], size=max(1, y.shape[0] // 8), replace=False)
                miss = np.concatenate((miss, [0] if k % 2 else [y.shape[0] - 1]))
                y[miss] = np.nan
            if n is not None and k % 9 == 4 and y.shape[0] > 2:
                n[int(rng.integers(0, y.shape[0]))] = np.nan  # a missing denominator
            if k % 6 == 5 and groups > 2:  # unsorted rows
                order = rng.permutation(x.shape[0])
                x, y = x[order], y[order]
                if n is not None:
                    n = n[order]
            if k % 8 == 6:
                case["dates"] = True
            if k % 3 == 1:
                case["freeze"] = int(rng.integers(1, groups + 4))
            if k % 4 == 2 and groups > 1:
                count = int(rng.integers(1, 3))
                case["part"] = sorted({int(v) for v in rng.integers(1, groups, count)})
                if k % 8 == 2:
                    case["part"] = sorted(set(case["part"]) | {groups - 1})  # last part: 1 point
            if k % 5 == 3 and groups > 2:
                count = int(rng.integers(1, 4))
                case["exclude"] = sorted({int(v) for v in rng.integers(1, groups + 1, count)})
            if k % 7 == 5:
                case["multiply"] = 100
            if "freeze" in case and "part" in case and repeated:
                del case["freeze"]  # per-part freeze references need one row per x
            case["x"] = x.tolist()
            case["y"] = [None if np.isnan(v) else float(v) for v in y]
            case["n"] = None if n is None else [None if np.isnan(v) else float(v) for v in n]
            cases.append(case)
    # hand-made corner cases
    cases += [
        {"chart": "run", "x": [1, 2, 3, 4, 5, 6, 7], "y": [5, 5, 5, 5, 5, 5, 5]},
        {"chart": "i", "x": [1, 2, 3, 4, 5, 6], "y": [3, 3, 3, 3, 3, 3], "screened": True},
        {"chart": "i", "x": [1, 2, 3, 4, 5, 6], "y": [3, 3, 3, 3, 3, 3], "screened": False},
        {"chart": "i", "x": [1], "y": [4.2], "screened": True},
        {"chart": "run", "x": [1, 2, 3, 4, 5], "y": [1, 2, 3, 2, 1]},
        {"chart": "run", "x": [1, 2, 3, 4, 5, 6, 7, 8], "y": [1, 2, 2, 2, 2, 2, 3, 4]},
        {"chart": "i", "x": list(range(1, 19)),
         "y": [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 3, 1, 2], "screened": True},
        {"chart": "i", "x": list(range(1, 19)),
         "y": [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 3, 1, 2], "screened": False},
        {"chart": "p", "x": [1, 2, 3, 4], "y": [0, 0, 0, 0], "n": [10, 20, 10, 20]},
        {"chart": "p", "x": [1, 2, 3, 4], "y": [5, 10, 5, 10], "n": [5, 10, 5, 10]},
        {"chart": "c", "x": [1, 1, 2, 3, 3], "y": [None, None, 4, None, 2]},
        {"chart": "i", "x": list(range(1, 13)), "y": list(range(1, 13)), "freeze": 50},
        {"chart": "i", "x": list(range(1, 13)), "y": [float(v) for v in range(1, 13)],
         "part": [1, 11]},
    ]  # fmt: skip
    for c in cases:
        c.setdefault("screened", True)
    return cases


def mdc_cases(rng: np.random.Generator) -> list[dict]:
    cases = []
    for k in range(90):
        size = [5, 12, 15, 20, 24, 30, 36, 48, 60][k % 9]
        y = rng.normal(50, 5, size)
        kind = k % 6
        if kind == 1:  # a shift
            y[size // 2 :] += rng.uniform(3, 10) * (1 if k % 2 else -1)
        elif kind == 2:  # a trend
            a = int(rng.integers(0, max(1, size - 8)))
            y[a : a + 8] = y[a] + np.arange(8) * rng.uniform(0.5, 2) * (1 if k % 4 < 2 else -1)
        elif kind == 3:  # points near a limit
            idx = rng.choice(size, size=max(2, size // 6), replace=False)
            y[idx] += 9 * (1 if k % 2 else -1)
        elif kind == 4:  # an outlier
            y[int(rng.integers(0, size))] += 30
        decimals = int(rng.integers(0, 3))
        y = np.round(y, decimals)
        if k % 10 == 7:
            y[size // 3 : size // 3 + 4] = y[size // 3]  # ties
        case = {
            "y": y.tolist(),
            "screened": bool(k % 3 != 2),
            "improvement": ["increase", "decrease", "neutral"][k % 3 if k % 5 else (k // 5) % 3],
        }
        if k % 4 == 1 and size > 12:
            case["fix_after"] = int(rng.integers(12, size + 3))
        if k % 5 == 3 and size > 6:
            case["rebase"] = sorted({int(v) for v in rng.integers(2, size - 1, 1 + k % 2)})
        if k % 2 == 0:
            case["target"] = float(np.round(rng.normal(50, 12), 1))
        cases.append(case)
    # the published NHSRplotthedots snapshot series: set.seed(123); rnorm(20), y[15] <- 10
    cases.append({"y_r": "set.seed(123); rnorm(20)", "screened": True, "improvement": "increase"})
    cases.append(
        {
            "y_r": "set.seed(123); v <- rnorm(20); v[15] <- 10; v",
            "screened": True,
            "improvement": "increase",
        }
    )
    cases.append(
        {
            "y_r": "set.seed(123); v <- rnorm(20); v[15] <- 10; v",
            "screened": False,
            "improvement": "increase",
        }
    )
    cases.append(
        {"y": [1, 2, 3, 3, 4, 5, 6, 7, 8, 1, 2, 3], "screened": True, "improvement": "increase"}
    )
    cases.append(
        {
            "y": [5.5, 0, 0, -5.5, 0, 5.5, -5.5, 0, 0, 0, 1, -1],
            "screened": False,
            "improvement": "neutral",
        }
    )
    return cases


if __name__ == "__main__":
    rng = np.random.default_rng(20240611)
    json.dump({"qic": qic_cases(rng), "mdc": mdc_cases(rng)}, sys.stdout)

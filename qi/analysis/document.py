"""The JSON document of an analysis (``qi analyze --json``), as objects or as text.

:func:`to_dict` builds the document as Python objects (numpy values converted, NaN ->
None). :func:`write_json` writes exactly ``json.dumps(to_dict(a), indent=2,
ensure_ascii=False) + "\\n"``, but builds the per-point part column by column, so that a
million points take about a second instead of many: printing is then no slower than the
analysis itself. A test checks the two agree character for character.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

from .result import Analysis

__all__ = ["to_dict", "write_json", "POINT_KEYS"]

POINT_KEYS = (
    "x", "y", "n", "cl", "lcl", "ucl", "part", "baseline", "include", "sigma_signal",
    "runs_signal", "lcl_95", "ucl_95",
)  # fmt: skip


def _header(a: Analysis) -> dict:
    d: dict = {"chart": a.chart, "rules": a.rules}
    if a.rules == "mdc":
        d["improvement"] = a.improvement
        d["target"] = a.target
    with_target = a.target is not None
    d["parts"] = [p.to_dict(a.rules, with_target) for p in a.parts]
    return d


def _x_values(a: Analysis) -> list:
    if np.issubdtype(a.x.dtype, np.datetime64):
        return np.datetime_as_string(a.x, unit="D").tolist()
    return a.x.tolist()


def _floats(arr: np.ndarray) -> list:
    out = arr.astype(object)
    out[np.isnan(arr)] = None
    return out.tolist()


def _n_values(a: Analysis) -> list:
    if not a.got_n:
        return [None] * len(a)
    n = a.n
    if np.all(np.isnan(n) | (n == np.round(n))):
        out = np.where(np.isnan(n), 0, n).astype(np.int64).astype(object)
        out[np.isnan(n)] = None
        return out.tolist()
    return _floats(n)


def _columns(a: Analysis) -> dict[str, list]:
    cols = {
        "x": _x_values(a),
        "y": _floats(a.y),
        "n": _n_values(a),
        "cl": _floats(a.cl),
        "lcl": _floats(a.lcl),
        "ucl": _floats(a.ucl),
        "part": a.part.tolist(),
        "baseline": a.baseline.tolist(),
        "include": a.include.tolist(),
        "sigma_signal": a.sigma_signal.tolist(),
        "runs_signal": a.runs_signal.tolist(),
        "lcl_95": _floats(a.lcl_95),
        "ucl_95": _floats(a.ucl_95),
    }
    if a.point_type is not None:
        cols["point_type"] = a.point_type.tolist()
    return cols


def to_dict(a: Analysis) -> dict:
    """The documented document: ``chart``, ``rules``, ``parts`` and one entry per point."""
    d = _header(a)
    cols = _columns(a)
    keys = list(cols)
    d["points"] = [dict(zip(keys, row, strict=True)) for row in zip(*cols.values(), strict=True)]
    return d


# ---------------------------------------------------------------------------- fast text

_CHUNK = 65536
_TRUE_FALSE = np.array(["false", "true"], dtype=object)
_ROW_END = "\x00"  # never in JSON text (a NUL in a string would be escaped)


def _float_texts(arr: np.ndarray) -> list[str]:
    """json.dumps' text for each float, NaN -> null.

    Measurements usually take few distinct values (counts, one or two decimals), and
    ``float.__repr__`` is the slow part, so each distinct value is formatted once.
    """
    uniq, inverse = np.unique(arr, return_inverse=True)
    if uniq.shape[0] * 2 < arr.shape[0]:
        texts = np.array(
            ["null" if v != v else float.__repr__(v) for v in uniq.tolist()], dtype=object
        )
        return texts[inverse.reshape(-1)].tolist()
    out = list(map(float.__repr__, arr.tolist()))
    for i in np.flatnonzero(np.isnan(arr)).tolist():
        out[i] = "null"
    return out


def _float_column(arr: np.ndarray) -> Callable:
    return lambda idx: _float_texts(arr[idx])


def _bool_column(arr: np.ndarray) -> Callable:
    return lambda idx: _TRUE_FALSE[arr[idx].astype(np.int64)].tolist()


def _x_texts(a: Analysis) -> Callable:
    if np.issubdtype(a.x.dtype, np.datetime64):
        return lambda idx: ['"' + t + '"'
                            for t in np.datetime_as_string(a.x[idx], unit="D").tolist()]
    if a.x.dtype.kind == "f":
        return _float_column(a.x)
    return lambda idx: list(map(str, a.x[idx].tolist()))


def _n_column(a: Analysis) -> tuple[np.ndarray, Callable]:
    """The denominators (zeros without any, so no repeats are found) and their texts."""
    if not a.got_n:
        n_values = np.zeros(len(a))
        return n_values, lambda idx: ["null"] * len(n_values[idx])
    as_int = bool(np.all(np.isnan(a.n) | (a.n == np.round(a.n))))

    def n_texts(idx):
        v = a.n[idx]
        texts = (
            list(map(str, np.nan_to_num(v).astype(np.int64).tolist()))
            if as_int
            else (list(map(float.__repr__, v.tolist())))
        )
        for i in np.flatnonzero(np.isnan(v)).tolist():
            texts[i] = "null"
        return texts

    return a.n, n_texts


def _point_columns(a: Analysis) -> list[tuple[str, np.ndarray, Callable]]:
    """(key, values, texts(index) -> list of JSON texts), in the document's order.

    ``index`` is a slice or an array of positions; ``values`` is what repeats are detected on.
    """
    floats, bools = _float_column, _bool_column
    x_texts = _x_texts(a)
    n_values, n_texts = _n_column(a)
    cols = [
        ("x", a.x, x_texts),
        ("y", a.y, floats(a.y)),
        ("n", n_values, n_texts),
        ("cl", a.cl, floats(a.cl)),
        ("lcl", a.lcl, floats(a.lcl)),
        ("ucl", a.ucl, floats(a.ucl)),
        ("part", a.part, lambda idx: list(map(str, a.part[idx].tolist()))),
        ("baseline", a.baseline, bools(a.baseline)),
        ("include", a.include, bools(a.include)),
        ("sigma_signal", a.sigma_signal, bools(a.sigma_signal)),
        ("runs_signal", a.runs_signal, bools(a.runs_signal)),
        ("lcl_95", a.lcl_95, floats(a.lcl_95)),
        ("ucl_95", a.ucl_95, floats(a.ucl_95)),
    ]
    if a.point_type is not None:
        pt = a.point_type
        cols.append((
            "point_type", pt,
            lambda idx: ["null" if t is None else '"' + t + '"' for t in pt[idx].tolist()],
        ))  # fmt: skip
    return cols


def _same_as_previous(arr: np.ndarray) -> np.ndarray:
    """Element k: arr[k] equals arr[k-1] (NaN equals NaN); element 0 is False."""
    same = arr[1:] == arr[:-1]
    if arr.dtype.kind == "f":
        same |= np.isnan(arr[1:]) & np.isnan(arr[:-1])
    return np.concatenate(([False], same))


def _rows(keys: list[str], texts: list[list[str]]) -> list[str]:
    """One '"k1": v1,\\n      "k2": v2 ...' string per row, built in a single join."""
    count = len(texts[0])
    width = 2 * len(keys)
    pieces: list[str] = [""] * (width * count)
    for j, key in enumerate(keys):
        pieces[2 * j :: width] = [(",\n      " if j else "") + '"' + key + '": '] * count
        pieces[2 * j + 1 :: width] = texts[j]
    pieces[width - 1 :: width] = [t + _ROW_END for t in texts[-1]]
    return "".join(pieces).split(_ROW_END)[:-1]


def write_json(a: Analysis, write: Callable[[str], object]) -> None:
    """Write exactly ``json.dumps(to_dict(a), indent=2, ensure_ascii=False) + "\\n"``.

    A point's fields after ``y`` are usually the same as the previous point's (centre line
    and limits are constant within a part), so that text is formatted once per run of equal
    points and repeated; only x and y are formatted for every point.
    """
    head = json.dumps(_header(a), indent=2, ensure_ascii=False)
    write(head[:-2] + ',\n  "points": [')
    size = len(a)
    cols = _point_columns(a)
    lead, rest = cols[:2], cols[2:]
    rest_keys = [k for k, _, _ in rest]
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        count = hi - lo
        whole = slice(lo, hi)
        same = np.ones(count, dtype=bool)
        for _, values, _ in rest:
            same &= _same_as_previous(values[whole])
        same[0] = False
        starts = np.flatnonzero(~same)
        if starts.shape[0] * 4 < count:
            # format each run of identical trailing fields once, then repeat it
            at = starts + lo
            run_tails = _rows(rest_keys, [fn(at) for _, _, fn in rest])
            reps = np.diff(np.concatenate((starts, [count])))
            tails = np.repeat(np.array(run_tails, dtype=object), reps).tolist()
        else:
            tails = _rows(rest_keys, [fn(whole) for _, _, fn in rest])
        pieces: list[str] = [""] * (7 * count)
        pieces[0::7] = [',\n    {\n      "x": '] * count
        pieces[1::7] = lead[0][2](whole)
        pieces[2::7] = [',\n      "y": '] * count
        pieces[3::7] = lead[1][2](whole)
        pieces[4::7] = [",\n      "] * count
        pieces[5::7] = tails
        pieces[6::7] = ["\n    }"] * count
        if lo == 0:  # no comma before the very first point
            pieces[0] = '\n    {\n      "x": '
        write("".join(pieces))
    write("\n  ]\n}\n")

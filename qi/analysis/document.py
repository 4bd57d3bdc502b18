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

from .engine import Analysis

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


def _json_float_strings(arr: np.ndarray) -> list[str]:
    """json.dumps' text for each float (NaN -> null), formatting repeated values once."""
    size = arr.shape[0]
    if size == 0:
        return []
    nan = np.isnan(arr)
    # consecutive equal values (centre lines and limits are constant within a part)
    same_as_prev = np.concatenate(([False], (arr[1:] == arr[:-1]) | (nan[1:] & nan[:-1])))
    starts = np.flatnonzero(~same_as_prev)
    if starts.shape[0] * 4 < size:
        reps = np.diff(np.concatenate((starts, [size])))
        texts = ["null" if v != v else float.__repr__(v) for v in arr[starts].tolist()]
        return np.repeat(np.array(texts, dtype=object), reps).tolist()
    texts = list(map(float.__repr__, arr.tolist()))
    if nan.any():
        for i in np.flatnonzero(nan).tolist():
            texts[i] = "null"
    return texts


def write_json(a: Analysis, write: Callable[[str], object]) -> None:
    """Write the document as ``json.dumps(to_dict(a), indent=2, ensure_ascii=False)`` + newline."""
    head = json.dumps(_header(a), indent=2, ensure_ascii=False)
    assert head.endswith("\n}")
    write(head[:-2] + ',\n  "points": [')
    size = len(a)
    n_values = _n_values(a) if a.got_n else None
    for lo in range(0, size, _CHUNK):
        hi = min(lo + _CHUNK, size)
        cols = _text_columns_chunk(a, lo, hi, n_values)
        keys = list(cols)
        width = 2 * len(keys) + 1
        pieces: list[str | None] = [None] * (width * (hi - lo))
        for j, key in enumerate(keys):
            prefix = (',\n    {\n      "' if j == 0 else ',\n      "') + key + '": '
            pieces[2 * j :: width] = [prefix] * (hi - lo)
            pieces[2 * j + 1 :: width] = cols[key]
        pieces[width - 1 :: width] = ["\n    }"] * (hi - lo)
        if lo == 0:  # no comma before the very first point
            pieces[0] = '\n    {\n      "' + keys[0] + '": '
        write("".join(pieces))  # type: ignore[arg-type]
    write("\n  ]\n}\n")


def _text_columns_chunk(a: Analysis, lo: int, hi: int, n_values: list | None) -> dict[str, list]:
    cols = _text_columns(a, lo, hi)
    if n_values is not None:
        cols["n"] = ["null" if v is None else repr(v) for v in n_values[lo:hi]]
    return cols


def _text_columns(a: Analysis, lo: int, hi: int) -> dict[str, list[str]]:
    tf = np.array(["false", "true"], dtype=object)

    def bools(arr: np.ndarray) -> list[str]:
        return tf[arr[lo:hi].astype(np.int64)].tolist()

    if np.issubdtype(a.x.dtype, np.datetime64):
        x = ['"' + s + '"' for s in np.datetime_as_string(a.x[lo:hi], unit="D").tolist()]
    elif a.x.dtype.kind == "f":
        x = list(map(float.__repr__, a.x[lo:hi].tolist()))
    else:
        x = list(map(str, a.x[lo:hi].tolist()))
    cols = {
        "x": x,
        "y": _json_float_strings(a.y[lo:hi]),
        "n": ["null"] * (hi - lo),
        "cl": _json_float_strings(a.cl[lo:hi]),
        "lcl": _json_float_strings(a.lcl[lo:hi]),
        "ucl": _json_float_strings(a.ucl[lo:hi]),
        "part": list(map(str, a.part[lo:hi].tolist())),
        "baseline": bools(a.baseline),
        "include": bools(a.include),
        "sigma_signal": bools(a.sigma_signal),
        "runs_signal": bools(a.runs_signal),
        "lcl_95": _json_float_strings(a.lcl_95[lo:hi]),
        "ucl_95": _json_float_strings(a.ucl_95[lo:hi]),
    }
    if a.point_type is not None:
        cols["point_type"] = [
            "null" if t is None else '"' + t + '"' for t in a.point_type[lo:hi].tolist()
        ]
    return cols

"""The fast JSON writer produces exactly json.dumps of the document."""

import io
import json

import numpy as np
import pytest

from qi.analysis import analyze
from qi.analysis.document import to_dict, write_json


def _same(a):
    buf = io.StringIO()
    write_json(a, buf.write)
    assert buf.getvalue() == json.dumps(to_dict(a), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.slow
def test_across_chunks_with_parts_exclusions_and_missing_values():
    rng = np.random.default_rng(5)
    y = np.round(rng.normal(10, 2, 66_000), 1)
    y[[0, 65_535, 65_536, 65_999]] = np.nan
    _same(analyze(y, chart="i", part=[30_000, 65_536], exclude=[5, 65_537], freeze=100))


@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_varying_limits_denominators_and_multiply(chart):
    rng = np.random.default_rng(6)
    n = rng.integers(20, 80, 300).astype(float)
    y = rng.binomial(n.astype(int), 0.3).astype(float)
    n[7] = np.nan
    _same(analyze(y, n=n, chart=chart, multiply=100))


def test_float_x_and_non_integer_denominators():
    _same(analyze([1, 2, 3], x=[0.5, 1.5, 2.5], n=[10.5, 20, 30], chart="u"))

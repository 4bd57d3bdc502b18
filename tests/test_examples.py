"""The examples the README walks through work as it says."""

import json
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_readme_analyze_example_finds_the_shift(qi_sqlite):
    r = qi_sqlite(["analyze", str(EXAMPLES / "dna-weekly.csv"), "--chart", "p",
                   "--multiply", "100", "--json"], ok=True)
    doc = json.loads(r.stdout)
    [part] = doc["parts"]
    assert part["runs_signal"] is True
    assert {s["rule"] for s in part["signals"]} == {"longest_run", "crossings"}
    assert len(doc["points"]) == 30 and doc["points"][0]["x"] == "2018-01-01"

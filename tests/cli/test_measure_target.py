"""`qi measure target`: targets that change over time, and the assurance they give."""

import json

import pytest

BASE = [10, 12] * 10  # mean 11, every moving range 2: i chart limits 11 +/- 5.32


@pytest.fixture
def measure(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    qi("measure add wait --project dna-rate --name Wait --kind outcome --chart i "
       "--direction down --target 30", ok=True)
    for k, v in enumerate(BASE):
        qi(f"data add wait 2018-{1 + k // 4:02d}-{1 + 7 * (k % 4):02d} {v}", ok=True)
    return "dna-rate/wait"


def _targets(qi, ref):
    return json.loads(qi(f"measure target {ref} --json", ok=True).stdout)


def _status_measure(qi):
    board = json.loads(qi("status --json", ok=True).stdout)
    return board["projects"][0]["measures"][0]


def test_set_list_replace_remove(qi, measure):
    r = qi("measure target wait --from 2018-03-01 8", ok=True)
    assert r.stderr == "dna-rate/wait: target 8 from 1 Mar 2018\n"  # dates for people
    qi("measure target wait --from 01/04/2018 6", ok=True)  # day-first UK date
    assert _targets(qi, measure) == [
        {"measure": measure, "starts_on": None, "value": 30.0},
        {"measure": measure, "starts_on": "2018-03-01", "value": 8.0},
        {"measure": measure, "starts_on": "2018-04-01", "value": 6.0}]
    r = qi("measure target wait --from 2018-04-01 5")
    assert r.exit_code == 1 and "already has a target of 6 from 2018-04-01" in r.stderr
    assert "--replace" in r.stderr
    qi("measure target wait --from 2018-04-01 5 --replace", ok=True)
    assert _targets(qi, measure)[-1]["value"] == 5.0
    qi("measure target wait --from 2018-04-01 --remove", ok=True)
    assert [t["starts_on"] for t in _targets(qi, measure)] == [None, "2018-03-01"]
    r = qi("measure target wait --from 2018-04-01 --remove")
    assert r.exit_code == 1 and "has no target from 2018-04-01" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("5", "--from DATE"),
        ("--remove", "--from DATE"),
        ("5 --from 2018-01-01 --remove", "not both"),
        ("--from 2018-01-01", "VALUE"),
        ("5 --from 31/31/2018", "--from"),
    ],
)
@pytest.mark.slow
def test_usage_errors(qi, measure, args, message):
    r = qi(f"measure target wait {args}")
    assert r.exit_code == 2 and message in r.stderr
    assert len(_targets(qi, measure)) == 1


def test_non_finite_target_refused(qi, measure):
    r = qi("measure target wait --from 2018-01-01 nan")
    assert r.exit_code == 1 and "finite" in r.stderr


def test_the_assurance_uses_the_target_in_force_at_the_latest_point(qi, measure):
    # lower is better; limits 5.68 .. 16.32
    m = _status_measure(qi)
    assert (m["variation"], m["assurance"]) == ("common_cause", "pass")  # 30 > upper limit
    qi("measure target wait --from 2018-02-01 11", ok=True)
    assert _status_measure(qi)["assurance"] == "hit_and_miss"
    # a target from after the latest point does not apply yet
    qi("measure target wait --from 2019-01-01 2", ok=True)
    assert _status_measure(qi)["assurance"] == "hit_and_miss"
    qi("measure target wait --from 2018-05-01 2", ok=True)
    assert _status_measure(qi)["assurance"] == "fail"  # below the lower limit
    report = json.loads(qi("report dna-rate --format json", ok=True).stdout)
    wait = report["measures"][0]
    assert (wait["target"], wait["target_from"], wait["assurance_icon"]) == (
        2.0, "2018-05-01", "fail")
    assert wait["ucl"] == pytest.approx(11 + 2.66 * 2, rel=1e-3)


def test_targets_go_with_their_measure(qi, measure):
    qi("measure target wait --from 2018-03-01 8", ok=True)
    qi("measure remove wait --force --yes", ok=True)
    qi("measure add wait --project dna-rate --name Wait --kind outcome", ok=True)
    assert _targets(qi, measure) == []

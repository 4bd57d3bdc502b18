"""The stress gallery: generated charts of the conditions real programmes produce.

1-500 points; 0-40 PDSA cycles, rapid ramps (15 within 10 days), notes on the same day as
cycles; names of 1-200 characters; every chart type; 1-4 phases with reasons; missing
periods; negative, tiny and huge values; percentages near 0 and 100 %; zoomed windows;
planned cycles; three figure sizes. `tests/test_chart_gallery.py` checks the layout of
every one; to look at them all:

    python tests/chart_gallery.py [FOLDER]      (default: gallery/, PNGs and layout.json)
"""

from __future__ import annotations

import json
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

if __name__ == "__main__":  # run from a checkout: this qi, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qi.analysis import analyze  # noqa: E402
from qi.charts import Annotation, ChartSpec  # noqa: E402

SIZES = {"slide": (40 / 3, 7.5), "half": (10.0, 5.625), "report": (7.0, 5.6)}
_TEXT = ("Proportion of patients with a completed annual review of their asthma "
         "management plan recorded within the practice clinical system before the end "
         "of the quarter, excluding those who declined or were exception reported "
         "by their usual GP or nurse")  # fmt: skip
_WORDS = _TEXT.split(" ")


def name(length: int) -> str:
    """A measure name of exactly ``length`` characters, in words."""
    text = ""
    k = 0
    while len(text) < length:
        text += ("" if not text else " ") + _WORDS[k % len(_WORDS)]
        k += 1
    return text[:length].rstrip() or "X"


@dataclass(frozen=True)
class Scenario:
    slug: str
    points: int = 60
    chart: str = "run"
    cycles: int = 0
    ramp_days: float | None = None  # cycles packed within this many days (else spread)
    notes: int = 0
    notes_with_cycles: bool = False
    title_len: int = 31
    subtitle_len: int = 80
    ylabel_len: int | None = None
    period: str = "week"
    phases: int = 1
    missing: bool = False
    level: float = 50.0
    spread: float = 5.0
    percent: bool = False
    target: float | None = None
    window: tuple[int, int] | None = None  # show points [a, b) of the series
    planned: int = 0
    size: str = "slide"
    rules: str = "anhoej"
    freeze: int | None = 12
    extra: dict = field(default_factory=dict)


def _x(sc: Scenario) -> np.ndarray:
    start = np.datetime64("2018-01-06")
    if sc.period == "month":
        return np.array([np.datetime64(f"{2015 + k // 12}-{k % 12 + 1:02d}-01")
                         for k in range(sc.points)], dtype="datetime64[D]")  # fmt: skip
    step = 7 if sc.period == "week" else 1
    return start + np.arange(sc.points) * step


def spec(sc: Scenario) -> ChartSpec:
    rng = np.random.default_rng(zlib.crc32(sc.slug.encode()))
    x = _x(sc)
    n = None
    if sc.chart in ("p", "pp", "u", "up"):
        n = rng.integers(40, 160, sc.points).astype(float)
        rate = min(max(sc.level / 100, 0.0), 1.0)
        y = rng.binomial(n.astype(int), rate).astype(float)
    elif sc.chart in ("c", "g"):
        y = rng.poisson(max(sc.level, 0.5), sc.points).astype(float)
    elif sc.chart == "t":
        y = rng.exponential(max(sc.level, 1.0), sc.points) + 0.5
    else:
        y = rng.normal(sc.level, sc.spread, sc.points)
        # a shift (half way by default), so the rules have something to say
        at = int(sc.points * sc.extra.get("shift_at", 0.5))
        y[at:] -= sc.spread * sc.extra.get("shift_by", 1.2)
    if sc.chart in ("xbar", "s"):  # four values per date: subgroups
        x = np.repeat(x, 4)
        y = np.repeat(y, 4) + rng.normal(0, sc.spread, len(x))
    if sc.missing and sc.points > 12:
        keep = np.ones(sc.points, dtype=bool)
        keep[[5, 6, 7, sc.points // 2]] = False
        x, y = x[keep], y[keep]
        n = n[keep] if n is not None else None
    breaks = None
    if sc.phases > 1:
        size = len(y) // sc.phases
        breaks = [size * k for k in range(1, sc.phases)]
    a = analyze(y, x=x, n=n, chart=sc.chart, freeze=sc.freeze if sc.phases == 1 else None,
                part=breaks, multiply=100.0 if sc.percent else 1.0, rules=sc.rules,
                improvement="down" if sc.rules == "mdc" else None,
                target=sc.target if sc.rules == "mdc" else None)  # fmt: skip
    anns = _annotations(sc, x, rng)
    reason = sc.extra.get("reason", "Reason {k}: new appointment template after the practice "
                                    "merger, agreed at the meeting")
    phases = tuple((x[b].astype(object), reason.format(k=k + 2))
                   for k, b in enumerate(breaks or []))  # fmt: skip
    window = None
    if sc.window:
        lo, hi = sc.window
        window = (x[lo].astype(object), x[min(hi, len(x)) - 1].astype(object))
    w, h = SIZES[sc.size]
    return ChartSpec(
        a,
        sc.extra.get("title") or name(sc.title_len),
        sc.extra.get("subtitle") or (name(sc.subtitle_len) if sc.subtitle_len else None),
        "Source: EMIS search 12; generated 2026-12-01",
        anns,
        target=sc.target,
        percent=sc.percent,
        unit=None if sc.percent else sc.extra.get("unit"),
        y_label=sc.extra.get("ylabel") or (name(sc.ylabel_len) if sc.ylabel_len
                                           else name(min(sc.title_len, 40))),
        period=sc.period,
        phases=phases,
        window=window,
        provisional=sc.extra.get("provisional"),
        width=w,
        height=h,
        dpi=sc.extra.get("dpi", 100),
    )


def _annotations(sc: Scenario, x: np.ndarray, rng) -> tuple[Annotation, ...]:
    out = []
    first = x[min(len(x) - 1, max(1, len(x) // 3))]
    for k in range(sc.cycles):
        if sc.ramp_days is not None:
            day = first + int(round(k * sc.ramp_days / max(sc.cycles - 1, 1)))
        else:
            day = x[min(len(x) - 1, 1 + k * max(1, (len(x) - 2) // max(sc.cycles, 1)))] + 2
        titles = sc.extra.get("cycle_titles")
        title = titles[k % len(titles)] if titles else f"Test {k + 1}: " + name(
            int(rng.integers(10, 90)))
        out.append(Annotation(day, f"asthma#{k + 1}", title))
    for k in range(sc.planned):
        day = x[-1] - 7 * (k + 1)
        out.append(Annotation(day, f"asthma#{sc.cycles + k + 1}",
                              f"Planned test {k + 1} (planned)"))  # fmt: skip
    for k in range(sc.notes):
        if sc.notes_with_cycles and out:
            day = out[k % len(out)].x
        else:
            day = x[min(len(x) - 1, 2 + k * max(1, len(x) // max(sc.notes, 1)))]
        text = sc.extra.get("note") or f"Note {k + 1}: " + name(40)
        out.append(Annotation(day, f"N{k + 1}", text, "note"))
    return tuple(out)


SCENARIOS = [
    Scenario("one-point", points=1),
    Scenario("two-points", points=2, freeze=None),
    Scenario("five-points-cycle", points=5, cycles=1, freeze=None),
    Scenario("plain-60"),
    Scenario("plain-500", points=500, period="day"),
    Scenario("ramp-7-and-note-8-weeks", points=40, cycles=7, ramp_days=50, notes=1),
    Scenario("ramp-11-in-8-days", points=40, cycles=11, ramp_days=8, notes=1),
    Scenario("ramp-15-in-10-days", points=80, cycles=15, ramp_days=10),
    Scenario("ramp-15-in-10-days-daily", points=60, period="day", cycles=15, ramp_days=10),
    Scenario("ramp-40", points=200, cycles=40, ramp_days=78, notes=5),
    Scenario("spread-40", points=200, cycles=40, notes=4),
    Scenario("spread-20-500", points=500, period="day", cycles=20),
    Scenario("notes-same-day", points=50, cycles=6, notes=6, notes_with_cycles=True),
    Scenario("notes-only", points=50, notes=9),
    Scenario("name-1", title_len=1, subtitle_len=0, ylabel_len=1),
    Scenario("name-200", title_len=200, subtitle_len=200, ylabel_len=200, cycles=3),
    Scenario("name-120-ylabel", title_len=60, ylabel_len=120, cycles=2),
    Scenario("chart-i", chart="i", cycles=3),
    Scenario("chart-mr", chart="mr", cycles=2),
    Scenario("chart-p", chart="p", level=20, percent=True, cycles=4, target=15.0),
    Scenario("chart-pp", chart="pp", level=30, percent=True, cycles=2),
    Scenario("chart-u", chart="u", level=10, cycles=3),
    Scenario("chart-up", chart="up", level=10, cycles=3),
    Scenario("chart-c", chart="c", level=6, cycles=2),
    Scenario("chart-g", chart="g", level=20, cycles=1),
    Scenario("chart-t", chart="t", level=12, cycles=1),
    Scenario("chart-mdc", chart="i", rules="mdc", target=45.0, cycles=3),
    Scenario("chart-xbar", chart="xbar", cycles=2),
    Scenario("chart-s", chart="s", spread=3.0, cycles=2),
    Scenario("chart-ihi", rules="ihi", cycles=2),
    Scenario("phases-2", phases=2, points=80, cycles=4),
    Scenario("phases-4", phases=4, points=120, chart="i", cycles=6),
    Scenario("phases-4-short", phases=4, points=16, chart="i", cycles=2),
    Scenario("missing-periods", missing=True, cycles=3),
    Scenario("negative", level=-40, spread=15, chart="i", cycles=2),
    Scenario("tiny", level=0.002, spread=0.0004, chart="i", cycles=2),
    Scenario("huge", level=2.5e7, spread=4e6, chart="i", cycles=2, target=2.0e7),
    Scenario("percent-near-0", chart="p", level=0.6, percent=True, cycles=3, target=0.5),
    Scenario("percent-near-100", chart="p", level=99.2, percent=True, cycles=3, target=99.5),
    Scenario("window", points=150, cycles=12, window=(60, 110)),
    Scenario("planned", points=40, cycles=3, planned=4),
    Scenario("planned-window-ramp", points=100, cycles=8, ramp_days=20, planned=3,
             window=(20, 60)),
    Scenario("monthly-36", points=36, period="month", cycles=5, notes=2),
    Scenario("monthly-3", points=3, period="month", cycles=1, freeze=None),
    Scenario("provisional", points=14, freeze=4, cycles=2,
             extra={"provisional": "Provisional: baseline of 4 points (limits need 12)"}),
    Scenario("half-ramp-40", size="half", points=200, cycles=40, ramp_days=78, notes=5),
    Scenario("half-name-200", size="half", title_len=200, ylabel_len=200, cycles=6),
    Scenario("report-ramp-15", size="report", points=80, cycles=15, ramp_days=10),
    Scenario("report-p-phases", size="report", chart="p", level=12, percent=True, phases=3,
             points=90, cycles=5, target=10.0),
    Scenario("report-spread-40", size="report", points=200, cycles=40, notes=3),
    Scenario("report-500-name-200", size="report", points=500, period="day", title_len=200,
             cycles=10),
    # the README's pictures
    Scenario("readme-ramp", points=36, cycles=11, ramp_days=8, notes=1, level=8.5, spread=1.0,
             extra={"shift_at": 0.4, "shift_by": 2.2,
                    "title": "DNA rate, nurse appointments", "unit": "%",
                    "subtitle": "Reduce missed nurse appointments · North Barnet · Aim: "
                                "reduce the did-not-attend rate from 9% to 5% by 30 Sep 2018",
                    "ylabel": "DNAs per 100 booked (%)", "dpi": 150,
                    "cycle_titles": ["SMS reminder, one nurse", "SMS wording B",
                                     "Reminder 48 h before", "Reminder 24 h before",
                                     "All nurses", "Reply CANCEL to cancel",
                                     "Reception script", "Call frequent non-attenders",
                                     "Text at 9 am", "Text at 6 pm", "Final wording"],
                    "note": "Flu clinics: two nurses redeployed"}),
    Scenario("readme-phases", chart="p", level=12, percent=True, phases=2, points=60,
             cycles=3, target=8.0,
             extra={"title": "Patients sent an SMS reminder", "dpi": 150,
                    "subtitle": "Reduce missed nurse appointments · North Barnet",
                    "ylabel": "Reminded (% of booked)",
                    "reason": "SMS reminders for every clinic from this week",
                    "cycle_titles": ["One nurse for a week", "All nurses for two weeks",
                                     "Reply CANCEL to cancel"]}),
]
README_PICTURES = {"readme-ramp": "chart-ramp.png", "readme-phases": "chart-phases.png"}


def render_all(folder: Path) -> dict:
    """Write every scenario's PNG and return their layouts, by slug."""
    from qi.charts import figure, layout_of, render

    folder.mkdir(parents=True, exist_ok=True)
    layouts = {}
    for sc in SCENARIOS:
        fig = figure(spec(sc))
        layouts[sc.slug] = layout_of(fig)
        (folder / f"{sc.slug}.png").write_bytes(render(fig, "png"))
    (folder / "layout.json").write_text(json.dumps(layouts, indent=1))
    return layouts


if __name__ == "__main__":
    import shutil

    from qi.charts.boxes import problems

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "gallery")
    for slug, lay in render_all(out).items():
        found = problems(lay)
        print(f"{slug}: {'ok' if not found else '; '.join(found[:3])}")
    print(f"{len(SCENARIOS)} charts in {out}/")
    pictures = Path(__file__).resolve().parents[1] / "docs" / "images"
    pictures.mkdir(parents=True, exist_ok=True)
    for slug, picture in README_PICTURES.items():
        shutil.copyfile(out / f"{slug}.png", pictures / picture)
    print(f"README pictures in {pictures}/")

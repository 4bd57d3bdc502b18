"""Words and numbers shared by the Markdown and HTML reports and `qi status`. Stdlib only.

Everything here turns report content (plain values) into plain text; escaping for a
format is the renderer's job.
"""

from __future__ import annotations

from qi.dates import humanise
from qi.numbers import fixed
from qi.text import plural

DIRECTIONS = {"up": "higher is better", "down": "lower is better",
              "neither": "no preferred direction"}

# The short verdict of a measure (by the summary's direction of change), for tables and
# badges; the renderers colour them but always print the word too.
SIGNALS = {
    "improvement": "Improvement",
    "concern": "Concern",
    "change": "Change",
    "random": "No signal",
    "none": "Too few points",
}

STAGES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act",
          "complete": "Complete"}


def number(v: float) -> str:
    """12, 3.94, 117, 1,234: about three significant figures, never an exponent."""
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


def value(v: float | None, *, percent: bool = False, unit: str | None = None,
          decimals: int | None = None) -> str:
    """A measure's value as people read it: '6.4%', '14 days', '120 calls', '—' if none.
    ``decimals``: the measure's one number format (its summary's ``decimals``), the same
    as its chart prints; without it, about three significant figures."""
    if v is None:
        return "—"
    text = f"{v:.1f}" if percent else number(v)
    if decimals is not None:
        text = fixed(v, decimals)
    if percent or unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def day(iso: str | None) -> str:
    """An ISO date of report content ('2018-03-26') as people read it ('26 Mar 2018',
    or as ``QI_DATE_STYLE`` says); the JSON keeps ISO."""
    return humanise(iso) if iso else ""


def signal(m: dict) -> str:
    """The one-word verdict of a report's (or the dashboard's) measure."""
    if m.get("problem"):
        return "Cannot analyse"
    if m.get("latest") is None:
        return "No data"
    word = SIGNALS[m["direction_of_change"]]
    # a verdict from a short baseline is never given without saying so
    provisional = m.get("provisional") and m["direction_of_change"] != "none"
    return f"{word} (provisional)" if provisional else word


def cycle_dates(c: dict) -> str:
    """'started 2018-04-09, completed 2018-04-16' (what is known of the cycle's dates)."""
    parts = []
    if c.get("planned_start") and not c.get("started_on"):
        parts.append(f"planned for {day(c['planned_start'])}")
    if c.get("started_on"):
        parts.append(f"started {day(c['started_on'])}")
    if c.get("completed_on"):
        parts.append(f"completed {day(c['completed_on'])}")
    return ", ".join(parts) or "not scheduled"


def period_title(period: dict) -> str:
    """'Since Learning session 2 (2018-03-01), up to 2018-05-01' or 'Up to 2018-05-01'."""
    label = humanise(period["label"])
    until = day(period["until"])
    if label == "so far":
        return f"Everything up to {until}"
    return f"{label[0].upper()}{label[1:]}, up to {until}"


def member_list(members: list[dict]) -> str:
    return ", ".join(f"{m['name']} ({m['role']})" for m in members)


def signal_counts(signals: dict[str, int]) -> str:
    """'2 improvement, 1 concern, 2 no signal' (measures with data, by verdict)."""
    return ", ".join(f"{signals[k]} {SIGNALS[k].lower()}" for k in SIGNALS if signals.get(k))


def at_a_glance(p: dict) -> str:
    """One line of a session pack's contents: '5 measures (3 improvement, 2 no signal); 2
    cycles in the period, 1 open; 1 thing missing'."""
    counts = signal_counts(p["signals"])
    text = f"{plural(p['measures'], 'measure')}" + (f" ({counts})" if counts else "")
    text += f"; {plural(p['cycles_in_period'], 'cycle')} in the period, {p['open_cycles']} open"
    if p["missing"]:
        text += f"; {plural(p['missing'], 'thing')} missing"
    return text

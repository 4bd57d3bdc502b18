"""Colours, font sizes, matplotlib settings and the names charts use for lines and rules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

from qi.domain import RULE_FACTS, SIGNAL_NAMES

# Okabe & Ito (2008) colour-blind-safe palette, plus neutral greys.
PALETTE = {
    "data": "#4B5B6B",  # dark grey-blue: the measurements
    "centre": "#1A1A1A",
    "limits": "#7A7A7A",
    "target": "#009E73",  # bluish green
    "run": "#E69F00",  # orange: points of a run signal, centre line of a signalling part
    "sigma": "#D55E00",  # vermillion: points outside the limits
    "improvement": "#0072B2",  # blue
    "concern": "#E69F00",  # orange
    "neutral": "#CC79A7",  # reddish purple
    "excluded": "#B0B0B0",
    "cycle": "#332288",  # indigo (Tol): PDSA cycle markers and labels
    "note": "#666666",
    "separator": "#9A9A9A",
    "text": "#1A1A1A",
    "muted": "#555555",
    "grid": "#E8E8E8",
}


# Font sizes in points at the default 13.33 x 7.5 in; scaled with the figure size so a
# smaller figure keeps the same proportions. 14 pt ticks stay readable when projected.
_SIZES = {
    "title": 22,
    "subtitle": 14,
    "ticks": 14,
    "label": 14,
    "legend": 12,
    "strip": 13,
    "key": 12,
    "key_min": 11,
    "caption": 11.5,
    "phase": 12,
    "values": 13,
}


_DEFAULT_W, _DEFAULT_H = 40 / 3, 7.5  # 16:9; 2000 x 1125 px at 150 dpi


# Everything that affects the output is set here, so a user's matplotlibrc cannot change
# (or un-determinise) qi's charts.
_RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "axes.unicode_minus": True,
    "svg.hashsalt": "qi-chart",
    "text.parse_math": False,  # a '$' in a name or note is a dollar sign, not TeX
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
    # unhinted glyphs render about twice as fast, and at 150 dpi look the same
    "text.hinting": "no_hinting",
    "agg.path.chunksize": 0,
    "axes.formatter.useoffset": False,
    "date.converter": "auto",
    "lines.solid_capstyle": "butt",
    "lines.dash_capstyle": "butt",
}


_CL_NAMES = {
    "run": "Median",
    "g": "Median",
    "mr": "Mean moving range",
    "s": "Mean SD",
    "t": "Centre line",
}


_RULE_NAMES = {rules.value: facts.name for rules, facts in RULE_FACTS.items()}


_SIGNAL_NAMES = {rule: name.capitalize() for rule, name in SIGNAL_NAMES.items()}


# Signals that mark a stretch of points (highlighted); the others concern a whole part.
_RUN_RULES = frozenset({"longest_run", "shift", "trend"})


# The analysis' sentences end with the threshold, e.g. "(more than 8 suggests a shift)";
# the caption names the rule instead, so that explanation is dropped there.
_THRESHOLD = re.compile(r"\s*\((?:more than|fewer than|\d+ or more)[^()]*\)\s*$")


_MDC_TYPES = (
    ("special_cause_improvement", "improvement", "o", 9.5, "Special cause: improvement"),
    ("special_cause_concern", "concern", "s", 8.5, "Special cause: concern"),
    ("special_cause_neutral", "neutral", "D", 8.0, "Special cause: neutral"),
)


# Below this many values the runs rules can hardly fire (the IHI runs table starts at 10).
_FEW = 10


_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}

"""The analysis engine: run charts and SPC charts with their rules, as pure functions.

Numbers follow qicharts2 (R) for every chart type and the Anhøj rules, Perla, Provost &
Murray (2011) for the IHI run chart rules and NHSRplotthedots for the NHS "Making Data
Count" rules; see the module docstrings for the details and the quirks kept on purpose.

    >>> from qi.analysis import analyze
    >>> a = analyze([3, 5, 4, 6, 5, 7], chart="i")
    >>> round(a.parts[0].cl, 3)
    5.0

No database, no printing, no plotting: numpy in, frozen dataclasses of numpy arrays out.
"""

from .engine import (
    CHARTS,
    IMPROVEMENTS,
    RULES,
    Analysis,
    InvalidValue,
    PartSummary,
    PositionError,
    Signal,
    analyze,
)

__all__ = [
    "CHARTS",
    "IMPROVEMENTS",
    "RULES",
    "Analysis",
    "InvalidValue",
    "PartSummary",
    "PositionError",
    "Signal",
    "analyze",
]

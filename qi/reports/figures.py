"""The charts of a report or a deck: one per measure with data, at the report's size.

A report's chart has no caption: the report prints the same words beside it (the deck puts
them in the speaker notes), and text is most of what a chart costs to draw. The charts are
drawn by `qi.services.render.render_all`, like every other batch of charts.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

# A4 is 8.27 in wide; with the report's 15 mm margins 7.1 in are printable. Drawn at that
# size the chart's text prints at its natural size (ticks 10 pt, the key and caption about
# 8 pt: the chart's text never scales below 0.72 of the slide's). Taller than a slide's
# 16:9, so the key of the cycles has room beside a plot that keeps its share.
REPORT_WIDTH = 7.0
REPORT_HEIGHT = 5.6
PNG_DPI = 150


def specs(views: dict, *, generated: date, width: float = REPORT_WIDTH,
          height: float = REPORT_HEIGHT, subtitle: bool = False,
          dpi: float = PNG_DPI) -> dict[str, Any]:
    """The chart of each view with data, by measure ref, without its caption. The
    subtitle (project, team and aim) is left out unless asked for: a report says all that
    just above the chart."""
    from qi import charts

    out = {}
    for ref, v in views.items():
        if v.analysis is None:
            continue
        spec = charts.spec_from_view(v, width=width, height=height, dpi=dpi,
                                     generated=generated)
        out[ref] = dataclasses.replace(spec, caption=False,
                                       subtitle=spec.subtitle if subtitle else None)
    return out

"""Run charts and SPC charts as slide-ready images: an :class:`~qi.analysis.Analysis` plus
PDSA cycles and notes in, a matplotlib Figure (and PNG/SVG/PDF bytes) out.

Pure rendering: no database, no clock, no printing. The caller (``qi chart``) reads the
record, runs the analysis and builds a :class:`ChartSpec`; :func:`figure` draws it and
:func:`save` writes it. Only the matplotlib Figure API with the Agg canvas is used, never
pyplot, so nothing global (no backend switch, no figure registry) is touched and figures are
garbage-collected like any object.

Anatomy of a chart, top to bottom (16:9, 13.33 x 7.5 in at 150 dpi by default):

* **title** (the measure, up to two lines) and **subtitle** (a provisional baseline, then
  project, team, aim; up to two lines);
* the **annotation lane** (:mod:`~qi.charts.lane`): a short label ("#3", "N1") for every
  PDSA cycle and note in at most two rows, marks too close for a label each grouped under
  one bracket ("#4–#11") with a tick per date; leaders never cross a label. In the plot a
  thin line at each date, or a light band over a group close together;
* the **plot**: data as points joined by a line (broken where a value or a whole period is
  missing); per part (phase) its centre line - solid over the baseline, dashed where a frozen
  baseline is extended - and its control limits as step lines; the target; signals
  highlighted; each phase's recorded reason at its top; the current centre line, limits
  and target labelled with their values at the right edge, in one number format;
* a one- or two-row **legend** of what each line and marker means (only what is drawn);
* the **key** (:mod:`~qi.charts.key`): "#3  23 Apr 2018  SMS reminders for all nurses",
  in as many columns as fit the room the plot leaves (it keeps 45 % of the height);
  annotations outside the data's dates are listed, marked "not drawn";
* the **caption**: number of points, centre line per part, the rules and what they found
  in words (the analysis' own signal sentences, shortened), data source and date.

Colours are the Okabe-Ito colour-blind-safe palette, and every highlighted category also
differs in marker shape and size, so nothing relies on colour alone:

* points in a run signal (long run, shift, trend): orange diamonds; the centre line of a
  part with a runs signal is drawn orange, as qicharts2 draws it amber;
* points outside the limits (sigma signal): vermillion squares (they take precedence over
  run diamonds: a point that is both is shown as a square);
* Making Data Count point types: improvement blue circles, concern orange squares,
  neutral reddish-purple diamonds, common cause as ordinary points;
* excluded points: hollow grey circles.

Output is deterministic: the same spec gives byte-identical SVG (fixed ``svg.hashsalt``,
no dates in the metadata), and figure layout is computed from measured text extents rather
than by matplotlib's layout engines, which keeps a 200-point chart well under half a second.

Modules: :mod:`~qi.charts.spec` (what a chart shows), :mod:`~qi.charts.caption` (the words
under it), :mod:`~qi.charts.layout` (geometry from measured text), :mod:`~qi.charts.draw`
(the artists), :mod:`~qi.charts.compose` (the figure), :mod:`~qi.charts.files` (bytes and
files), :mod:`~qi.charts.style` (colours, sizes, settings).
"""

from qi.charts.boxes import layout_of
from qi.charts.caption import caption_text
from qi.charts.compose import figure
from qi.charts.draw import signal_points
from qi.charts.files import FORMATS, render, save
from qi.charts.layout import _short_labels as _short_labels
from qi.charts.layout import place_rows
from qi.charts.spec import KINDS, PERIODS, Annotation, ChartSpec, spec_from_view
from qi.charts.spec import _num as _num
from qi.charts.style import PALETTE

__all__ = [
    "FORMATS",
    "KINDS",
    "PALETTE",
    "PERIODS",
    "Annotation",
    "ChartSpec",
    "caption_text",
    "figure",
    "layout_of",
    "place_rows",
    "render",
    "save",
    "signal_points",
    "spec_from_view",
]
# _num and _short_labels are re-exported for the tests that check them directly.

"""Summaries rendered from service data: text formats for slides, reports and other tools."""

# The words and the Making Data Count icons that the reports share with `qi status`
# (stdlib only), under public names for the command line.
from qi.reports import _icons as icons
from qi.reports import _text as words

__all__ = ["icons", "words"]

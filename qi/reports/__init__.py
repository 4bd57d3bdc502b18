"""Summaries rendered from service data: text formats for slides, reports and other tools."""

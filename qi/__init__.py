"""qi: a terminal-first quality-improvement tracker for primary-care teams."""

__version__ = "0.1.0"

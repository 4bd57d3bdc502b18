"""Project bundles: one project and everything it needs, as a versioned JSON document.

`qi export PROJECT` writes a bundle; `qi import-bundle FILE` loads it into another
database (SQLite or PostgreSQL), so that a team can hand its project to a facilitator's
programme database. The format (version 1) is documented in README.md.

What a bundle leaves out, on purpose: database ids and created/updated timestamps (they
belong to the database that made them, and would make export -> import -> export differ)
and the history of `qi data import` (its undo records refer to rows of the source
database). Everything else is written in a fixed order, so exporting an imported bundle
again gives the same bytes. Records refer to each other by what users see: measures by
slug, cycles by number, ideas by their 1-based position in `ideas`, members by name.

Importing is all or nothing, in the caller's one transaction: the document is checked
completely first (every problem named by its JSON path, e.g. `cycles[3].builds_on`), then
compared with what is stored (clashes refused unless the options say how to resolve
them), and only then written.

The package, along its seams: `schema.py` (the format: keys, limits, the checked
`Bundle`), `export.py` (database -> document), `fields.py` (checking a document's values
one by one, every problem named by path), `read.py` (the whole document checked and
turned into a `Bundle`), `load.py` (clashes with what is stored resolved, rows written).
"""

from qi.services.bundle.export import count_of, dumps, export_bundle
from qi.services.bundle.load import BundleSummary, ImportOptions, import_bundle
from qi.services.bundle.read import read_bundle
from qi.services.bundle.schema import FORMAT, MAX_PROBLEMS, ON_CLASH, VERSION, Bundle

__all__ = ["FORMAT", "MAX_PROBLEMS", "ON_CLASH", "VERSION", "Bundle", "BundleSummary",
           "ImportOptions", "count_of", "dumps", "export_bundle", "import_bundle",
           "read_bundle"]

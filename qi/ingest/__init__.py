"""Reading files into validated columns (pandas, imported only inside the functions).

- `files` reads a file's bytes once, bounded, never a device;
- `tables` turns them into a `Table` of cells (CSV text or an .xlsx sheet);
- `cells` parses a column's numbers and dates, saying why each bad cell is bad;
- `identifiers` refuses files that look patient-identifiable;
- `series` reads x, y and n columns for `qi analyze` (`FileSeries`);
- `measurements` reads `qi data import` files into a `Batch` (long, wide, events);
- `rules` checks a batch against its measures' rules and refuses duplicates;
- `problems` collects every problem so that one error lists them all.

Comparing a batch with the rows already stored is the data service's work
(`qi.services.data_compare`); the per-measure value rules and the number grammar are
stdlib-only, in `qi.values`, so that `qi data add` checks one point by the same rules.
"""

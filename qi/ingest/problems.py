"""Every problem found in a file, collected so that one error lists them all."""

from __future__ import annotations

from pathlib import Path

from qi.errors import InvalidInput
from qi.text import quoted
from qi.values import shown_value

MAX_SHOWN = 50  # problems (or changed values) printed before "... and N more"


class Problems:
    """Every problem found in a file, kept as arrays so that a million bad rows stay cheap;
    only the first MAX_SHOWN are turned into text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # (rows, column or per-row columns, shown values, why or per-row whys)
        self._found: list[tuple] = []
        self.count = 0

    def add(self, rows, column, values, why) -> None:
        if len(rows):
            self._found.append((rows, column, values, why))
            self.count += len(rows)

    def message(self) -> str:
        import numpy as np

        entries = []
        for rows, column, values, why in self._found:
            # The earliest rows of each kind are enough to fill the list shown.
            order = np.argsort(rows, kind="stable")[:MAX_SHOWN]
            for k in order:
                col = column if isinstance(column, str) else column[k]
                entries.append((int(rows[k]), str(col), values[k],
                                why if isinstance(why, str) else why[k]))
        entries.sort(key=lambda e: e[0])
        lines = [f"{self.path.name}, row {row}, column {quoted(col)}: {shown_value(value)} - {why}."
                 for row, col, value, why in entries[:MAX_SHOWN]]
        if self.count == 1:
            return lines[0]
        if self.count > MAX_SHOWN:
            lines.append(f"... and {self.count - MAX_SHOWN} more.")
        return (f"{self.path.name} has {self.count} problems; nothing was imported. Fix them "
                "and import again:\n" + "\n".join(lines))

    def raise_any(self) -> None:
        if self.count:
            raise InvalidInput(self.message())

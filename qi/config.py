"""Where the database is: `--db` > `QI_DB` > ./qi.db if present > the per-user data folder.

Stdlib only (platformdirs is tiny and imported lazily), so `qi db path` stays instant.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILENAME = "qi.db"
ENV_VAR = "QI_DB"


@dataclass(frozen=True)
class DatabaseLocation:
    """A resolved database and the reason it was chosen."""

    url: str
    reason: str
    path: Path | None = None  # set for SQLite files

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def display(self) -> str:
        """The location as it is safe to show: a path, or a URL without its password."""
        return str(self.path) if self.path is not None else redact_url(self.url)


def redact_url(url: str) -> str:
    """Hide the password in `scheme://user:password@host/db` (and in `password=` parameters)."""
    url = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)


def _from_value(value: str, reason: str) -> DatabaseLocation:
    if "://" in value:
        if value.startswith("sqlite:///"):
            path = Path(value.removeprefix("sqlite:///")).expanduser().resolve()
            return DatabaseLocation(f"sqlite:///{path}", reason, path)
        return DatabaseLocation(value, reason)
    path = Path(value).expanduser().resolve()
    return DatabaseLocation(f"sqlite:///{path}", reason, path)


def resolve(db_option: str | None = None, cwd: Path | None = None) -> DatabaseLocation:
    """Choose the database, in order of precedence, and say why."""
    if db_option:
        return _from_value(db_option, "given with --db")
    env = os.environ.get(ENV_VAR)
    if env:
        return _from_value(env, f"from the {ENV_VAR} environment variable")
    local = (cwd or Path.cwd()) / DEFAULT_FILENAME
    if local.exists():
        return _from_value(str(local), f"./{DEFAULT_FILENAME} exists in the current folder")
    from platformdirs import user_data_dir

    data_dir = Path(user_data_dir("qi", appauthor=False))
    return _from_value(
        str(data_dir / DEFAULT_FILENAME), "the per-user data folder (no --db, QI_DB or ./qi.db)"
    )

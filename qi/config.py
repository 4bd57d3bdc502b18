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
    # The symbolic link given as the path when it points to nothing: qi never creates a
    # database through it (the file would appear wherever the link points).
    dangling_link: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def file(self) -> Path:
        """The SQLite file: for the code that only runs on a SQLite location."""
        if self.path is None:
            raise ValueError("not a SQLite location")  # a bug in qi, never the user's input
        return self.path

    @property
    def display(self) -> str:
        """The location as it is safe to show: a path, or a URL without its password."""
        return str(self.path) if self.path is not None else redact_url(_whole_url(self.url))


# A URL's user information runs from '://' to its LAST '@' (a password may hold '/', '@',
# ':' or '?' unescaped, and drivers accept that); everything after the user's ':' is hidden.
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<rest>\S*)")
_PASSWORD_PARAM = re.compile(r"(?i)((?:password|passwd|pwd)\s*=\s*)('[^']*'|\"[^\"]*\"|[^&\s]*)")
_secrets: set[str] = set()


def _redact_one(match: re.Match) -> str:
    rest = match["rest"]
    at = rest.rfind("@")
    if at < 0:
        return match.group()
    user, colon, _password = rest[:at].partition(":")
    if "/" in user:  # no user:password before the host: hide the whole user information
        return f"{match['scheme']}***{rest[at:]}"
    return f"{match['scheme']}{user}{':***' if colon else ''}{rest[at:]}"


def _whole_url(url: str) -> str:
    """A URL given as a whole (to --db, QI_DB or qi init) with its password hidden, even one
    holding spaces, which the search in running text would stop at."""
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0:
        return url
    user, colon, _password = rest[:at].partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}{rest[at:]}"


def url_password(url: str) -> str | None:
    """The password in a database URL, as it is written there (None when it has none)."""
    _scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    at = rest.rfind("@")
    if at < 0:
        return None
    _user, colon, password = rest[:at].partition(":")
    return password if colon and password else None


def remember_secrets(url: str) -> None:
    """Note the password of a URL in use, so that `redact` also hides it wherever a driver
    or library repeats it (raw, percent-decoded or re-encoded)."""
    from urllib.parse import quote, unquote

    found = [url_password(url)] + [m[2].strip("'\"") for m in _PASSWORD_PARAM.finditer(url)]
    for raw in filter(None, found):
        for form in (raw, unquote(raw), quote(unquote(raw), safe="")):
            if len(form) >= 4:  # shorter ones would blank ordinary words, and guess nothing
                _secrets.add(form)


def hide_secrets(text: str) -> str:
    """Only the passwords of URLs qi was given (for everything shown on a terminal)."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def redact_url(text: str) -> str:
    """Hide passwords in any text: in `scheme://user:password@host/db` URLs (parsed from
    the last '@', so a password with '/', '@' or '%' is hidden whole), in `password=`
    parameters, and every password of a URL qi was given (see remember_secrets)."""
    text = _URL.sub(_redact_one, text)
    return hide_secrets(_PASSWORD_PARAM.sub(r"\1***", text))


def _from_value(value: str, reason: str) -> DatabaseLocation:
    if "://" in value:
        remember_secrets(value)
        if value.startswith("sqlite:///"):
            return _sqlite(Path(value.removeprefix("sqlite:///")), reason)
        return DatabaseLocation(value, reason)
    return _sqlite(Path(value), reason)


def _sqlite(given: Path, reason: str) -> DatabaseLocation:
    given = given.expanduser()
    path = given.resolve()
    dangling = given if given.is_symlink() and not given.exists() else None
    return DatabaseLocation(f"sqlite:///{path}", reason, path, dangling)


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

"""The one error family of qi.

Domain and service code raise these; the CLI turns them into a single
``Error: <what happened>. <what to do next>`` line on stderr with exit code 1.
Stdlib only, so any layer may import it.
"""


class QiError(Exception):
    """Something the user can fix; the message says what happened and what to do."""

    exit_code = 1


class NotFound(QiError):
    """A named record (team, project, measure, ...) does not exist."""


class InvalidInput(QiError):
    """A value, a file or an option is not acceptable."""


class Conflict(QiError):
    """The change clashes with what is already stored (a duplicate slug, children present)."""


class SchemaOutOfDate(QiError):
    """The database schema is older or newer than this version of qi expects."""

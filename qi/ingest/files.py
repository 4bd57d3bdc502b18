"""Reading a file's bytes safely: once (a pipe cannot be read twice), bounded in size, and
never a device."""

from __future__ import annotations

import os
from pathlib import Path

from qi.errors import InvalidInput
from qi.text import quoted


def file_sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# Bigger than any measurement file or bundle: a device like /dev/zero (or a file that keeps
# growing while it is read) is refused at this size instead of filling the memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


def read_file(path: Path, what: str = "file") -> bytes:
    """The whole file, read once: a pipe or FIFO can only be read once, and a file that
    changes or vanishes while qi works must not give a mix of two versions. `-` is
    standard input. At most MAX_FILE_BYTES are read; devices and sockets are refused."""
    import stat
    import sys

    if str(path) == "-":
        return _read_bounded(sys.stdin.buffer, path, what)
    if not path.exists():
        raise InvalidInput(f"There is no file {quoted(path, 200)}. Check the path")
    if path.is_dir():
        raise InvalidInput(f"{quoted(path, 200)} is a folder, not a file")
    try:
        with path.open("rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise InvalidInput(f"{quoted(path, 200)} is a device, not a {what}. Give the "
                                   "path of a file (or - to read standard input)")
            return _read_bounded(fh, path, what)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(f"Cannot read {quoted(path, 200)}: {reason}. Check the file and "
                           "its permissions, and import it again") from None


def _read_bounded(fh, path: Path, what: str) -> bytes:
    data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{quoted(path, 200)} is larger than {MAX_FILE_BYTES >> 20} MB, "
                           f"far more than a {what} qi reads. Check that it is the right file")
    return data


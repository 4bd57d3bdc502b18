"""The one way qi writes a file: reports, exports, bundles, backups, charts, safety copies.

Every output is written to an unpredictable temporary name in the target folder, created
exclusively and never through a link (tempfile.mkstemp: O_CREAT|O_EXCL|O_NOFOLLOW), flushed
to disk, given the mode a normal new file gets (0666 less the umask), and only then renamed
onto its real name. So:

- a symlink planted anywhere in the folder is never followed (the real name itself is
  replaced, link and all, and only with `overwrite=True`);
- a failure (full disk, no permission, a kill) never leaves half a file under the real
  name; the temporary file is removed on any error (SIGTERM included), and where Linux
  allows it (O_TMPFILE) it has no name at all until it is complete, so even SIGKILL leaves
  nothing; a named temporary file left by a killed qi is removed by the next write beside it;
- without `overwrite`, an existing name is never replaced, even one that appears while
  qi is writing (the rename is a hard link, which fails if the name is taken).

Stdlib only, so any layer may use it.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from qi.errors import Conflict, InvalidInput

Writer = Callable[[Path], None]


def new_file_mode() -> int:
    """The mode a normal new file gets here: 0666 less the process's umask."""
    try:  # Linux shows the umask without changing it (no race with other threads)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def describe_os_error(exc: OSError, path: Path, what: str = "file") -> str:
    """One line saying why `path` could not be written, and what to do."""
    folder = path.parent
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return (f"Cannot write the {what} {path}: the disk is full. Nothing was written; free "
                "some space or choose another folder")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"Cannot write the {what} {path}: permission denied in the folder {folder}. "
                "Nothing was written; choose a folder you can write to")
    if exc.errno == errno.EROFS:
        return (f"Cannot write the {what} {path}: the folder {folder} is read-only. Nothing "
                "was written; choose another folder")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return (f"Cannot write the {what} {path}: the folder {folder} does not exist. Create "
                "it first or choose another folder")
    if exc.errno == errno.EISDIR:
        return f"{path} is a folder. Give a file name for the {what}"
    reason = exc.strerror or type(exc).__name__
    return f"Cannot write the {what} {path}: {reason}. Nothing was written"


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _install(tmp: Path, path: Path, overwrite: bool) -> None:
    """Give the finished temporary file its real name."""
    if overwrite:
        if path.is_dir() and not path.is_symlink():
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        os.replace(tmp, path)  # replaces a link itself, never its target
        return
    try:
        os.link(tmp, path, follow_symlinks=False)  # fails with EEXIST if the name is taken
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK, errno.ENOSYS):
            raise
        # No hard links here (some shared drives): claim the name exclusively, then rename.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        os.close(fd)
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _prefix(path: Path) -> str:
    return f".{path.name[:100]}."


def _sweep(path: Path) -> None:
    """Remove temporary files an earlier qi left beside `path` when it was killed: they
    carry the writer's process id, and only those of processes that are gone are removed
    (regular files only; a link is never touched)."""
    prefix = _prefix(path)
    try:
        names = [n for n in os.listdir(path.parent)
                 if n.startswith(prefix) and n.endswith(_SUFFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        leftover = path.parent / name
        with suppress(OSError):
            if stat.S_ISREG(os.lstat(leftover).st_mode):
                leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


_SUFFIX = ".qi-tmp"


@contextmanager
def _temporary(path: Path) -> Iterator[tuple[int, Path]]:
    """An exclusive, unpredictable temporary file beside `path`, removed unless renamed."""
    _sweep(path)
    fd, name = tempfile.mkstemp(prefix=f"{_prefix(path)}{os.getpid()}.", suffix=_SUFFIX,
                                dir=path.parent)
    tmp = Path(name)
    try:
        yield fd, tmp
    finally:
        with suppress(OSError):
            os.close(fd)
        with suppress(FileNotFoundError):
            tmp.unlink()


def write_file(path: str | os.PathLike, data: bytes | str | Writer, *,
               overwrite: bool = False, what: str = "file") -> Path:
    """Write `data` (bytes, text as UTF-8, or a function that fills a given path) to `path`
    safely: see the module docstring. Raises Conflict when `path` exists and `overwrite` is
    false, InvalidInput with one clear line for anything the system refuses."""
    path = Path(path)
    if os.path.lexists(path) and not overwrite:
        raise Conflict(f"{path} already exists. Add --force to overwrite it, or choose "
                       "another file")
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder. Give a file name for the {what}")
    try:
        if callable(data) or not _write_unnamed(path, _bytes(data), overwrite):
            with _temporary(path) as (fd, tmp):
                if callable(data):
                    data(tmp)
                    with open(tmp, "rb+") as fh:
                        os.fsync(fh.fileno())
                else:
                    _write_all(fd, _bytes(data))
                os.fchmod(fd, new_file_mode())  # by descriptor: no name to swap for a link
                _install(tmp, path, overwrite)
    except FileExistsError:
        raise Conflict(f"{path} already exists. Add --force to overwrite it, or choose "
                       "another file") from None
    except OSError as exc:
        raise InvalidInput(describe_os_error(exc, path, what)) from None
    _fsync_folder(path.parent)
    return path


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _write_all(fd: int, blob: bytes) -> None:
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _write_unnamed(path: Path, blob: bytes, overwrite: bool) -> bool:
    """Linux: write into a file with no name at all (O_TMPFILE), then give it its name, so
    that even a kill at any moment leaves nothing behind. False where the system or the
    file system cannot, and the caller then uses a named temporary file."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        # The mode is masked by the umask, exactly as for any new file.
        fd = os.open(path.parent, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOTSUP):
            return False
        raise
    try:
        _write_all(fd, blob)
        source = f"/proc/self/fd/{fd}"
        # Replacing: a name of our own first (an instant), then the atomic rename.
        tmp = path if not overwrite else \
            path.parent / f"{_prefix(path)}{os.getpid()}.{secrets.token_hex(8)}{_SUFFIX}"
        try:
            os.link(source, tmp, follow_symlinks=True)  # EEXIST if the name is taken
        except FileExistsError:
            raise
        except OSError:  # some file systems (overlays) cannot link it: use a named file
            return False
        if not overwrite:
            return True
        try:
            os.replace(tmp, path)
        finally:
            with suppress(FileNotFoundError):
                tmp.unlink()
        return True
    finally:
        os.close(fd)


def write_new(candidates: Iterator[Path], data: bytes | str | Writer, *,
              what: str = "file") -> Path:
    """Write to the first of `candidates` that does not exist, never replacing anything
    (safety copies: two in the same second get two names). Returns the name used."""
    first = next(candidates)
    try:
        with _temporary(first) as (fd, tmp):
            if callable(data):
                data(tmp)
            else:
                tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.fchmod(fd, new_file_mode())
            name = first
            for _ in range(10_000):
                try:
                    _install(tmp, name, overwrite=False)
                    break
                except FileExistsError:
                    name = next(candidates)
            else:  # pragma: no cover - ten thousand copies in one second
                raise InvalidInput(f"Cannot find a free name for the {what} beside {first}")
    except OSError as exc:
        raise InvalidInput(describe_os_error(exc, first, what)) from None
    _fsync_folder(first.parent)
    return name


def numbered(path: Path) -> Iterator[Path]:
    """`path`, then `path-2`, `path-3`, ...: the names write_new tries in turn."""
    yield path
    k = 2
    while True:
        yield path.with_name(f"{path.name}-{k}")
        k += 1

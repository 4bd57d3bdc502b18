"""qi.files: the one safe writer (planted links, modes, no overwrite, failures, safety copies)."""

import errno
import os
import stat
import sys

import pytest

from qi.errors import Conflict, InvalidInput
from qi.files import new_file_mode, numbered, write_file, write_new


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_writes_with_the_mode_a_normal_file_gets(tmp_path):
    old = os.umask(0o027)
    try:
        write_file(tmp_path / "a.csv", "x")
        write_file(tmp_path / "a.csv", "y", overwrite=True)
        (tmp_path / "plain").write_text("z")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.csv") == _mode(tmp_path / "plain") == 0o640
    assert (tmp_path / "a.csv").read_text() == "y"


def test_never_follows_a_link_planted_anywhere(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    # Links at every name an old qi used for its temporary file, and at the target.
    for name in (".r.html.partial", "r.html.partial", ".r.html.tmp"):
        (out / name).symlink_to(victim)
    write_file(out / "r.html", "report")
    assert victim.read_text() == "precious"
    (out / "link.csv").symlink_to(victim)
    with pytest.raises(Conflict):
        write_file(out / "link.csv", "data")  # a link is an existing file: not replaced
    write_file(out / "link.csv", "data", overwrite=True)
    assert victim.read_text() == "precious"
    assert not (out / "link.csv").is_symlink() and (out / "link.csv").read_text() == "data"


def test_dangling_link_at_the_target_is_not_written_through(tmp_path):
    (tmp_path / "t.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(Conflict):
        write_file(tmp_path / "t.json", "{}")
    assert not (tmp_path / "elsewhere.json").exists()


def test_refuses_to_overwrite_without_being_asked(tmp_path):
    (tmp_path / "a").write_text("old")
    with pytest.raises(Conflict, match="--force"):
        write_file(tmp_path / "a", "new")
    assert (tmp_path / "a").read_text() == "old"


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_failure_leaves_nothing_behind(tmp_path):
    def broken(tmp):
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput) as caught:
        write_file(out / "backup.db", broken, what="backup")
    assert str(caught.value).count("\n") == 0
    assert "disk is full" in str(caught.value)
    assert _leftovers(out) == []


def test_full_disk_on_write(tmp_path, monkeypatch):
    real = os.write

    def full(fd, data):
        real(fd, bytes(data[:3]))
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    out.mkdir()
    with monkeypatch.context() as m:
        m.setattr(os, "write", full)
        with pytest.raises(InvalidInput, match="the disk is full"):
            write_file(out / "x.csv", "a" * 100)
    assert _leftovers(out) == []


def test_folder_without_write_permission_is_one_clear_line(tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(InvalidInput, match="permission denied in the folder"):
        write_file(tmp_path / "x.csv", "a")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root writes anywhere")
def test_unwritable_folder_is_one_clear_line(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(InvalidInput, match="permission denied"):
            write_file(folder / "x.csv", "a")
    finally:
        folder.chmod(0o700)


def test_missing_folder_is_one_clear_line(tmp_path):
    with pytest.raises(InvalidInput, match="does not exist"):
        write_file(tmp_path / "nope" / "x.csv", "a")


def test_write_new_never_replaces_anything(tmp_path):
    first = tmp_path / "qi.db.before-restore-1"
    names = [write_new(numbered(first), f"copy {k}".encode()) for k in range(3)]
    assert [p.name for p in names] == ["qi.db.before-restore-1", "qi.db.before-restore-1-2",
                                       "qi.db.before-restore-1-3"]
    assert [p.read_text() for p in names] == ["copy 0", "copy 1", "copy 2"]
    assert _mode(names[0]) == new_file_mode()


def test_leftovers_of_a_killed_writer_are_swept_on_the_next_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".r.csv.999999999.abcd.qi-tmp"  # no such process
    dead.write_text("half")
    live = out / f".r.csv.{os.getpid()}.ef01.qi-tmp"  # a writer still at work
    live.write_text("busy")
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (out / ".r.csv.999999998.link.qi-tmp").symlink_to(victim)
    write_file(out / "r.csv", "a")
    assert not dead.exists() and live.exists() and victim.read_text() == "precious"
    assert (out / ".r.csv.999999998.link.qi-tmp").is_symlink()


def test_sigterm_runs_the_cleanup(tmp_path):
    import signal
    import subprocess

    code = (
        "import os, signal, sys, time\n"
        "from pathlib import Path\n"
        "from qi.cli import _install_signal_handlers\n"
        "from qi.files import write_file\n"
        "_install_signal_handlers()\n"
        "def slow(tmp):\n"
        "    Path(tmp).write_bytes(b'half')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(30)\n"
        f"write_file(Path({str(tmp_path / 'out' / 'x.db')!r}), slow)\n"
    )
    (tmp_path / "out").mkdir()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)
    assert proc.returncode != 0
    assert list((tmp_path / "out").iterdir()) == []

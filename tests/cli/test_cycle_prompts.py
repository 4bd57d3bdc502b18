"""`qi cycle new|edit` on a terminal without $EDITOR: a question per field, under a real
pseudo-terminal, as a practice manager who has never met vi would see it."""

import fcntl
import json
import os
import pty
import re
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import time

import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _controlling_terminal() -> None:
    # In the child, after setsid: make the pty its terminal, and take SIGINT back from a
    # parent that ignores it (a test run in the background of a shell).
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """A `qi` process on a pseudo-terminal of 80 columns: read what it shows, type keys."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "qi", *args], stdin=slave,
                                     stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.output = ""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the process closed the terminal
            chunk = b""
        text = chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        self.output += ANSI.sub("", text)  # bold and dim: what is shown, not how
        return bool(chunk)

    def expect(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"never showed {text!r}; the screen:\n{self.output}"
            assert self._read(left), f"ended without showing {text!r}:\n{self.output}"

    def answer(self, line: str, timeout: float = 60) -> None:
        """Wait for the prompt ('  > ' at the end of the screen), then type a line."""
        deadline = time.monotonic() + timeout
        while not self.output.endswith("  > "):
            left = deadline - time.monotonic()
            assert left > 0 and self._read(left), f"no prompt:\n{self.output}"
        self.output += "\n"  # so that the next answer waits for the next prompt
        os.write(self.master, line.encode() + b"\r")

    def interrupt(self, timeout: float = 60) -> None:
        """Wait for the prompt, then do what Ctrl-C does: send SIGINT to the process (the
        pty's line discipline does not always have a foreground group to signal here)."""
        deadline = time.monotonic() + timeout
        while not self.output.endswith("  > "):
            left = deadline - time.monotonic()
            assert left > 0 and self._read(left), f"no prompt:\n{self.output}"
        self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self._read(max(deadline - time.monotonic(), 0.01)):
            assert time.monotonic() < deadline, self.output
        code = self.proc.wait(timeout=timeout)
        os.close(self.master)
        return code


@pytest.fixture
def no_editor_env(backend):
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    return {**env, "QI_DB": backend, "NO_COLOR": "1", "TERM": "xterm"}


@pytest.fixture
def project(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)


def _cycle(qi, ref):
    return json.loads(qi(f"cycle show {ref} --json", ok=True).stdout)


@pytest.mark.slow
def test_without_an_editor_each_missing_plan_field_is_asked_for(qi, project, no_editor_env):
    term = Terminal(["cycle", "new", "dna-rate", "SMS for one nurse", "--predict", "Halve"],
                    no_editor_env)
    term.expect("Planning a new PDSA cycle of dna-rate: SMS for one nurse")
    term.expect("Type an answer and press Enter; just Enter skips it. Ctrl-C saves nothing.")
    term.expect("Objective - what is this cycle for? e.g. ")
    term.answer("See if SMS reminders help")
    term.expect("Questions - what will it answer?")
    term.answer("")  # Enter skips it
    term.expect("Plan - who does what, when, where?")
    term.answer("Ann's clinics next week")
    term.expect("Data - what will you count")
    term.answer("")
    assert term.finish() == 0, term.output
    assert "Planned dna-rate#1: SMS for one nurse" in term.output
    assert "Prediction" not in term.output  # given as an option, so not asked
    assert "vi" not in term.output.split()
    c = _cycle(qi, "dna-rate#1")
    assert (c["objective"], c["questions"], c["predictions"], c["plan"], c["data_plan"]) == (
        "See if SMS reminders help", None, "Halve", "Ann's clinics next week", None)


def test_every_hint_fits_an_80_column_terminal():
    from qi.cli._prompts import PROMPTS

    assert [name for name, (label, hint) in PROMPTS.items()
            if len(f"{label} - {hint}") > 80] == []


@pytest.mark.slow
def test_ctrl_c_while_answering_saves_nothing(qi, project, no_editor_env):
    term = Terminal(["cycle", "new", "dna-rate", "SMS"], no_editor_env)
    term.expect("Objective")
    term.answer("Half an answer")
    term.expect("Questions")
    term.answer("")
    term.expect("Prediction")
    term.interrupt()
    assert term.finish() == 130
    assert "Interrupted; nothing was changed." in term.output
    assert json.loads(qi("cycle list --json", ok=True).stdout) == []


@pytest.mark.slow
def test_a_piped_run_never_asks_and_never_hangs(qi, project, no_editor_env):
    r = subprocess.run([sys.executable, "-m", "qi", "cycle", "new", "dna-rate", "SMS"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       env=no_editor_env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Objective" not in r.stderr and r.stderr.startswith("Planned dna-rate#1: SMS")
    assert _cycle(qi, "dna-rate#1")["plan"] is None


@pytest.mark.slow
def test_a_configured_editor_is_used_instead_of_questions(qi, project, no_editor_env,
                                                         tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^\\[plan\\]$/[plan]\\nWritten in my editor/" "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    term = Terminal(["cycle", "new", "dna-rate", "SMS"], {**no_editor_env, "EDITOR": str(editor)})
    assert term.finish() == 0, term.output
    assert "Objective -" not in term.output
    assert _cycle(qi, "dna-rate#1")["plan"] == "Written in my editor"


@pytest.mark.slow
def test_edit_without_an_editor_asks_each_field_and_enter_keeps_it(qi, project,
                                                                   no_editor_env):
    qi("cycle new dna-rate SMS --predict Halve --no-edit", ok=True)
    term = Terminal(["cycle", "edit", "dna-rate#1"], no_editor_env)
    term.expect("Editing dna-rate#1: SMS")
    term.expect("Type an answer and press Enter; just Enter keeps it. Ctrl-C saves nothing.")
    term.expect("Title")
    term.expect("now: SMS (Enter keeps it)")
    term.answer("")
    for label in ("Objective", "Questions"):
        term.expect(label)
        term.answer("")
    term.expect("now: Halve (Enter keeps it)")
    term.answer("Halve, at least")
    for label in ("Plan", "Data", "What happened", "Problems", "Results", "Learning",
                  "Next"):
        term.expect(f"{label} -")
        term.answer("")
    assert term.finish() == 0, term.output
    c = _cycle(qi, "dna-rate#1")
    assert (c["title"], c["predictions"], c["objective"]) == ("SMS", "Halve, at least", None)


def test_edit_option_without_a_terminal_or_an_editor_is_refused(qi, project, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    r = qi("cycle new dna-rate SMS --edit")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: --edit needs a terminal, or $VISUAL/$EDITOR set")
    assert json.loads(qi("cycle list --json", ok=True).stdout) == []

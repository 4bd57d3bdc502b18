"""House rules every command follows: help text, fast start, one-line errors."""

import subprocess
import sys

from qi import __version__
from qi.cli._common import COMMANDS, NOUNS

HEAVY = ("pandas", "matplotlib", "numpy", "sqlalchemy", "sqlmodel", "alembic", "psycopg",
         "pptx")


def test_importing_the_cli_loads_no_heavy_library():
    code = f"import sys, qi.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == ""


def test_help_and_version_load_no_heavy_library():
    code = (
        "import sys\nfrom qi.cli import app\n"
        "for argv in (['--help'], ['--version'], ['team', '--help']):\n"
        "    try:\n        app(argv, prog_name='qi')\n    except SystemExit:\n        pass\n"
        f"print('LOADED', ' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "LOADED"


def test_python_dash_m_and_version():
    r = subprocess.run([sys.executable, "-m", "qi", "--version"], capture_output=True,
                       text=True, check=True)
    assert r.stdout == f"qi {__version__}\n"


def test_root_help_lists_every_noun(qi_sqlite):
    r = qi_sqlite("--help", ok=True)
    for noun in NOUNS:
        assert f"  {noun} " in r.stdout


def test_root_help_builds_no_command_and_shows_what_each_says_of_itself():
    """`qi --help` lists the top-level commands from COMMANDS without importing them: each
    entry is its command's first sentence, shortened as the built command shortens it."""
    import importlib
    import re

    import typer

    from qi.cli import app

    code = ("import sys\nfrom qi.cli import app\ntry:\n    app(['--help'], prog_name='qi')\n"
            "except SystemExit:\n    pass\n"
            "print('LOADED', ' '.join(sorted(m for m in sys.modules if m.startswith('qi'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1].split()[1:] == [
        "qi", "qi.cli", "qi.cli._common", "qi.cli._typer_checks", "qi.errors"]
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    for name, (module, function, sentence) in COMMANDS.items():
        doc = " ".join(getattr(importlib.import_module(module), function).__doc__.split())
        assert re.match(r"(.+?\.)(\s|$)", doc).group(1) == sentence, name
        command = root.get_command(ctx, name)
        assert command.callback.__name__ == function
        assert typer.core.TyperCommand(name, help=sentence).get_short_help_str(70) \
            == command.get_short_help_str(70)


def test_unexpected_failure_is_one_line_and_debug_shows_traceback(qi_sqlite, monkeypatch):
    from qi.queries import teams  # what `qi team list` runs

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(teams, "list_all", broken)
    r = qi_sqlite("team list")
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith("Error: qi hit an unexpected problem (RuntimeError: disk on fire)")
    assert "--debug" in r.stderr
    # --debug shows the whole traceback (passwords hidden, control characters escaped).
    r = qi_sqlite("--debug team list")
    assert r.exit_code == 1
    assert "Traceback (most recent call last)" in r.stderr
    assert "RuntimeError: disk on fire" in r.stderr


def test_qi_debug_environment_shows_traceback_for_errors(qi_sqlite, monkeypatch):
    monkeypatch.setenv("QI_DEBUG", "1")
    r = qi_sqlite("team show nowhere")
    assert r.exit_code == 1
    assert "Traceback" in r.stderr and "Error: No team 'nowhere'" in r.stderr


def test_bad_option_value_exits_2(qi_sqlite):
    r = qi_sqlite("project list --status nonsense")
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr


def test_json_is_unicode_and_stable(qi_sqlite):
    qi_sqlite(["team", "add", "Søuth “Quoted” 🩺", "--slug", "south"], ok=True)
    out = qi_sqlite("team list --json", ok=True).stdout
    assert "Søuth “Quoted” 🩺" in out
    assert out.endswith("]\n")

"""The documentation: the command reference is complete, the role walkthroughs run exactly
as written, and the architecture notes are in the repository."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()
# Documented once for every command that has them (see "## Commands").
GENERIC = ("--help", "--json", "--yes")


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading trail, body) for every section of the README, '## A > ### B'."""
    out, trail, body = [], [], []
    for line in text.splitlines():
        heading = re.match(r"^(#{2,4}) (.*)", line)
        if heading:
            out.append((" > ".join(trail), "\n".join(body)))
            level = len(heading.group(1)) - 2
            trail = trail[:level] + [heading.group(2)]
            body = []
        else:
            body.append(line)
    out.append((" > ".join(trail), "\n".join(body)))
    return out


def _docs_of(path: str) -> str:
    """What the README says about `qi PATH`: every line naming it, and the sections whose
    headings name it or its noun (`## Charts: \\`qi chart\\``)."""
    noun = path.split()[0]
    lines = [line for line in README.splitlines()
             if re.search(rf"qi {re.escape(path)}(?![\w-])", line)]
    sections = [body for trail, body in _sections(README)
                if re.search(rf"`qi ({re.escape(path)}|{re.escape(noun)})(?![\w-])", trail)]
    return "\n".join(lines + sections)


def test_every_command_has_help_text(cli_commands):
    missing = [path for path, cmd in cli_commands if not (cmd.help or "").strip()]
    assert missing == []


def test_every_command_is_in_the_readme(cli_commands):
    missing = [path for path, _ in cli_commands if not re.search(
        rf"`qi {re.escape(path)}(?![\w-])", README)]
    assert missing == []


def test_every_option_of_every_command_is_documented_with_it(cli_commands):
    missing = []
    for path, cmd in cli_commands:
        docs = _docs_of(path)
        for param in cmd.params:
            # an option is documented under any of its names (-o or --output); the two
            # halves of a switch (--edit/--no-edit) each need a word
            for names in (param.opts, getattr(param, "secondary_opts", [])):
                if not any(n.startswith("--") for n in names) or set(names) & set(GENERIC):
                    continue
                if not any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", docs)
                           for n in names):
                    missing.append(f"qi {path} {'/'.join(names)}")
    assert missing == []


def test_the_generic_options_and_root_options_are_documented():
    for opt in (*GENERIC, "--db", "--debug", "--version", "--install-completion"):
        assert re.search(rf"`{opt}", README), opt


def test_the_readme_cites_no_document_outside_the_repository():
    for text in (README, (ROOT / "CHANGELOG.md").read_text()):
        assert "design.md" not in text and "../shared" not in text
    for link in re.findall(r"\]\(([^)#]+)\)", README):
        if "://" not in link:
            assert (ROOT / link).exists(), link


def test_the_architecture_notes_describe_the_code_as_it_is():
    notes = (ROOT / "docs" / "architecture.md").read_text()
    assert "docs/architecture.md" in README
    # every module and package it names exists, and every layer is described
    for name in re.findall(r"`(qi/[\w/]+(?:\.py)?)`", notes):
        assert (ROOT / name).exists(), name
    for layer in ("qi/analysis", "qi/services", "qi/cli", "qi/db.py", "qi/models.py",
                  "qi/ingest", "qi/charts", "qi/reports", "qi/migrations"):
        assert f"`{layer}" in notes, layer


# --- the getting-started paths, run exactly as written -------------------------------------


def _walkthroughs() -> dict[str, str]:
    """Role -> the shell block of its getting-started path."""
    found = {}
    for trail, body in _sections(README):
        if trail.startswith("Getting started > "):
            block = re.search(r"```sh\n(.*?)```", body, re.S)
            if block:
                found[trail.split(" > ")[1]] = block.group(1)
    return found


def test_there_is_a_path_for_each_role():
    roles = " ".join(_walkthroughs()).lower()
    for role in ("participant", "facilitator", "team lead"):
        assert role in roles


@pytest.mark.slow
@pytest.mark.parametrize("role", list(_walkthroughs()))
def test_each_walkthrough_runs_exactly_as_written(role, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("QI_") and k not in ("EDITOR", "VISUAL")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), NO_COLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    script = "set -euo pipefail\n" + _walkthroughs()[role]
    r = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert r.returncode == 0, (role, r.stdout[-3000:], r.stderr[-3000:])
    assert "Error" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    made = {"Participant": ["dna.png"],
            "Facilitator": ["programme.db", "session-pack.html",
                            "slides/hendon-medical-practice/dna-rate/dna.png"],
            "Team lead": ["dna-rate.html", "charts/dna.png", "charts/sms-sent.png"]}
    [files] = [v for k, v in made.items() if role.startswith(k)]
    assert [f for f in files if not (tmp_path / f).is_file()] == []

"""Writing a cycle's plan in $EDITOR from a template, as `git commit` does. Stdlib only."""

from __future__ import annotations

import re

HINTS = {
    "title": "A short title for the test of change.",
    "objective": "What is this cycle for?",
    "questions": "What questions will it answer?",
    "predictions": "What do you predict will happen?",
    "plan": "Who will do what, when and where?",
    "data_plan": "What data will you collect, and which measures should move?",
    "notes": "Do: what happened? Was it carried out as planned?",
    "problems": "Do: problems and surprises.",
    "results": "Study: the results, compared with the predictions.",
    "learning": "Study: what was learned?",
    "next_steps": "Act: what will the next cycle be?",
}
_HEADING = re.compile(r"^\[([a-z_]+)\]\s*$")


def template(title: str, project: str, fields: dict[str, str | None],
             heading: str | None = None) -> str:
    """The text the editor opens with: one [section] per field to write."""
    lines = [
        heading or f"# Planning a new PDSA cycle of {project}: {title}",
        "# Write under each [heading]. Lines starting with '#' are ignored.",
        "# Save and close to keep it; leave the file unchanged to save nothing.",
    ]
    for name, value in fields.items():
        lines += ["", f"[{name}]", f"# {HINTS[name]}"]
        if value:
            lines.append(value)
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, str]:
    """Section name -> its text (comments dropped, surrounding blank lines trimmed)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading and heading.group(1) in HINTS:
            current = sections.setdefault(heading.group(1), [])
        elif current is not None and not line.lstrip().startswith("#"):
            current.append(line.rstrip())
    return {name: "\n".join(body).strip() for name, body in sections.items()}


class EditorFailed(Exception):
    """The editor could not be started, or exited with an error."""


def edit_text(text: str) -> str | None:
    """Open $VISUAL or $EDITOR (else vi) on `text`; the new text, or None if unchanged."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="qi-cycle-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            code = subprocess.call([*shlex.split(editor), name])
        except OSError as exc:
            raise EditorFailed(f"cannot run '{editor}': {exc.strerror}") from None
        if code != 0:
            raise EditorFailed(f"'{editor}' exited with status {code}")
        try:
            with open(name, encoding="utf-8") as fh:
                edited = fh.read()
        except UnicodeDecodeError:
            raise EditorFailed("the saved text is not UTF-8; save it as UTF-8") from None
        if "\x00" in edited:  # no database stores it
            raise EditorFailed("the saved text holds the NUL character; remove it") from None
    finally:
        os.unlink(name)
    return None if edited == text else edited

"""Asking for a cycle's worksheet fields one by one in the terminal (Rich prompts).

Used when no $VISUAL or $EDITOR is set: a practice manager who has never met vi gets a
question per field, each with an example of a good answer, and Enter to skip it.
"""

from __future__ import annotations

import os

# field -> (label, what a good answer looks like: one line)
PROMPTS = {
    "title": ("Title", "a short name for the test, e.g. SMS reminders for one nurse for a week"),
    "objective": ("Objective", "what is this cycle for? e.g. See if SMS reminders cut "
                  "nurse DNAs"),
    "questions": ("Questions", "what will it answer? e.g. Do patients read the SMS?"),
    "predictions": ("Prediction", "what do you expect to happen? e.g. DNAs halve, 8 to 4 "
                    "a week"),
    "plan": ("Plan", "who does what, when, where? e.g. Reception texts Ann's patients"),
    "data_plan": ("Data", "what will you count, from where? e.g. DNAs and texts sent, "
                  "EMIS search"),
    "notes": ("What happened", "was it done as planned? e.g. Sent 38 reminders as planned"),
    "problems": ("Problems", "surprises and snags, e.g. 4 mobile numbers were out of date"),
    "results": ("Results", "against the prediction, e.g. 2 DNAs in 38, about 4 before"),
    "learning": ("Learning", "what did you learn? e.g. It works; check numbers at booking"),
    "next_steps": ("Next", "what will the next cycle be? e.g. All nurses for two weeks"),
}


def editor_configured() -> bool:
    """True when the user has chosen an editor ($VISUAL or $EDITOR)."""
    return bool(os.environ.get("VISUAL") or os.environ.get("EDITOR"))


def ask_fields(heading: str, fields: dict[str, str | None]) -> dict[str, str | None]:
    """Ask for each field in turn; return the answers (None where Enter was pressed).

    A field with a current value shows it, and Enter keeps it. End of input (Ctrl-D)
    stops asking and keeps what was answered so far.
    """
    from rich.prompt import Prompt

    from qi.cli._common import console

    class Answer(Prompt):
        prompt_suffix = " "

    err = console(stderr=True)
    err.print(heading, style="bold", markup=False)
    editing = any(fields.values())
    err.print("Type an answer and press Enter; just Enter "
              + ("keeps it" if editing else "skips it") + ". Ctrl-C saves nothing.",
              style="dim", markup=False)
    answers: dict[str, str | None] = {}
    for name, current in fields.items():
        label, hint = PROMPTS[name]
        err.print()
        err.print(f"[bold]{label}[/bold] [dim]- {_escape(hint)}[/dim]")
        if current:
            err.print(f"[dim]  now: {_escape(_one_line(current))} (Enter keeps it)[/dim]")
        try:
            answer = Answer.ask("  >", console=err, default="", show_default=False)
        except EOFError:
            err.print()
            break
        answers[name] = answer.strip() or None
    return answers


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

"""The bundle format (version 1): its keys in the documented order, its limits, and
`Bundle`, a checked document as Python values."""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = "qi-bundle"
VERSION = 1
ON_CLASH = ("refuse", "rename", "merge")
MAX_PROBLEMS = 20  # problems listed when a bundle is refused (all are counted)
MAX_WHOLE = 2**31 - 1  # what an INTEGER column holds on every backend

# The cycle's free-text worksheet fields, in worksheet order.
CYCLE_TEXT = ("objective", "questions", "predictions", "plan", "data_plan", "notes",
              "problems", "results", "learning", "next_steps")

TOP_KEYS = ("format", "version", "exported_by", "project", "team", "members", "measures",
            "ideas", "cycles", "meetings")
PROJECT_KEYS = ("slug", "title", "aim", "start", "status", "closing_note")
TEAM_KEYS = ("slug", "name", "area", "note")
MEMBER_KEYS = ("name", "role", "email", "in_team")
MEASURE_KEYS = ("slug", "name", "kind", "unit", "direction", "target", "definition", "chart",
                "denominator", "baseline_until", "phases", "notes", "targets", "measurements")
# Keys a bundle may leave out: written by a qi from before they existed.
OPTIONAL_KEYS = frozenset({"targets"})
TARGET_KEYS = ("starts_on", "value")
PHASE_KEYS = ("starts_on", "reason", "cycle", "created_by")
NOTE_KEYS = ("date", "text", "created_by")
POINT_KEYS = ("date", "value", "numerator", "denominator", "note")
IDEA_KEYS = ("title", "description", "primary_driver", "secondary_driver")
CYCLE_KEYS = ("number", "title", "idea", "purpose", *CYCLE_TEXT[:5], "measures",
              "planned_start", "started_on", *CYCLE_TEXT[5:9], "decision", "next_steps",
              "completed_on", "builds_on", "logged_by")
MEETING_KEYS = ("date", "title", "programme_wide")

@dataclass
class Bundle:
    """A checked bundle: Python values, references resolved to positions in the lists."""

    project: dict
    team: dict
    members: list[dict]
    measures: list[dict]
    ideas: list[dict]
    cycles: list[dict]
    meetings: list[dict]

    def counts(self) -> dict[str, int]:
        return {
            "measures": len(self.measures),
            "measurements": sum(len(m["measurements"]) for m in self.measures),
            "phases": sum(len(m["phases"]) for m in self.measures),
            "notes": sum(len(m["notes"]) for m in self.measures),
            "ideas": len(self.ideas), "cycles": len(self.cycles),
        }


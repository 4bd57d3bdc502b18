"""The driver diagram as a Mermaid flowchart, for slides. Stdlib only."""

from __future__ import annotations

# Mermaid reads these as markup inside a quoted label; its entity codes show them as typed.
_ESCAPES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;"}


def _label(text: str) -> str:
    escaped = "".join(_ESCAPES.get(ch, ch) for ch in " ".join(text.split()))
    return f'"{escaped}"'


def _idea_label(idea: dict) -> str:
    text = _label(idea["title"])
    if idea["cycles"]:
        cycles = ", ".join(f"{c['ref']} ({c['stage']})" for c in idea["cycles"])
        text = text[:-1] + "<br/><small>" + _label(cycles)[1:-1] + "</small>" + '"'
    return text


def to_mermaid(diagram: dict) -> str:
    """aim -> primary drivers -> secondary drivers -> change ideas, left to right."""
    lines = ["flowchart LR", f"  aim[{_label('Aim: ' + diagram['aim'])}]"]

    def add_ideas(parent: str, ideas: list[dict]) -> None:
        for idea in ideas:
            node = f"idea{idea['id']}"
            lines.append(f"  {node}([{_idea_label(idea)}])")
            lines.append(f"  {parent} --> {node}")

    for p, primary in enumerate(diagram["primary_drivers"], start=1):
        pnode = f"p{p}"
        lines.append(f"  {pnode}[{_label(primary['driver'])}]")
        lines.append(f"  aim --> {pnode}")
        for s, secondary in enumerate(primary["secondary_drivers"], start=1):
            snode = f"p{p}s{s}"
            lines.append(f"  {snode}[{_label(secondary['driver'])}]")
            lines.append(f"  {pnode} --> {snode}")
            add_ideas(snode, secondary["ideas"])
        add_ideas(pnode, primary["ideas"])
    add_ideas("aim", diagram["ideas"])
    return "\n".join(lines) + "\n"

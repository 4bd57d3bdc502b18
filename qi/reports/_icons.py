"""Making Data Count icons as words and colours, for `qi status`, reports and decks.
Stdlib only.

NHS England's icon colours (NHSRplotthedots' ptd_spc_colours): grey for common cause, blue
for improvement, orange for concern, purple for a special cause with no preferred
direction. The words always stand beside the colour (NO_COLOR, printing in grey).
"""

from __future__ import annotations

GREY, BLUE, ORANGE, PURPLE = "#7f7f7f", "#00b0f0", "#e46c0a", "#490092"

# icon name -> (short text, long text, colour)
VARIATION = {
    "common_cause": ("common cause", "Common cause variation: no signal", GREY),
    "improvement_high": ("improving ↑", "Special cause: improvement (higher)", BLUE),
    "improvement_low": ("improving ↓", "Special cause: improvement (lower)", BLUE),
    "concern_high": ("concern ↑", "Special cause: concern (higher)", ORANGE),
    "concern_low": ("concern ↓", "Special cause: concern (lower)", ORANGE),
    "neutral_high": ("special cause ↑", "Special cause: higher (no preferred direction)",
                     PURPLE),
    "neutral_low": ("special cause ↓", "Special cause: lower (no preferred direction)",
                    PURPLE),
}
ASSURANCE = {
    "pass": ("meets target", "Will consistently meet the target", BLUE),
    "fail": ("misses target", "Will consistently miss the target unless the process changes",
             ORANGE),
    "hit_and_miss": ("hit & miss", "Will hit or miss the target at random", GREY),
}


def variation_text(icon: str | None, long: bool = False) -> str:
    if icon is None:
        return ""
    return VARIATION[icon][1 if long else 0]


def assurance_text(icon: str | None, long: bool = False) -> str:
    if icon is None:
        return ""
    return ASSURANCE[icon][1 if long else 0]


def colour(icon: str | None) -> str:
    if icon is None:
        return GREY
    return (VARIATION.get(icon) or ASSURANCE[icon])[2]


SUMMARY_HEADERS = ("Measure", "Latest", "Mean", "Limits", "Target", "Variation", "Assurance")


def summary_row(m: dict) -> tuple[str, ...]:
    """One row of an icon summary table from a report's measure: its name, latest value,
    mean (centre line) and process limits at the latest point, the target in force (and
    since when), and the variation and assurance icons in words."""
    from qi.reports import _text as words

    # the measure's one number format, as its chart, status and the report's words print it
    decimals = m.get("decimals")

    def show(v: float | None) -> str:
        return words.value(v, percent=m["percent"], decimals=decimals) if v is not None else "—"

    latest = (words.value(m["latest"]["value"], percent=m["percent"], unit=m["unit"],
                          decimals=decimals) if m.get("latest") else "—")
    limits = ("—" if m.get("lcl") is None and m.get("ucl") is None
              else f"{show(m.get('lcl'))} – {show(m.get('ucl'))}")
    target = show(m.get("target"))
    if m.get("target") is not None and m.get("target_from"):
        target += f" (from {words.day(m['target_from'])})"
    if m.get("problem"):
        variation = "cannot be analysed"
    elif m.get("variation_icon"):
        variation = variation_text(m["variation_icon"])
    elif m.get("latest") is None:
        variation = "no data"
    else:
        variation = "run chart: no icons" if m.get("chart") == "run" else "—"
    assurance = assurance_text(m.get("assurance_icon")) or "—"
    return (m["name"], latest, show(m.get("centre")), limits, target, variation, assurance)


# --- the icons as shapes: one geometry, drawn as SVG (HTML) and by matplotlib (charts) ----
# In a 100 x 100 box, y down. A ring in the icon's colour; inside, a variation icon shows
# seven points of a little chart (flat for common cause, the last ones high or low for a
# special cause) and H or L; an assurance icon shows P (pass), F (fail) or a wave crossing
# a target line (hit and miss).

_FLAT = (50, 56, 46, 54, 48, 55, 50)
_HIGH = (62, 66, 60, 52, 42, 36, 32)
_LOW = (38, 34, 40, 48, 58, 64, 68)


def shapes(icon: str) -> dict:
    """{'colour', 'points': [(x, y)] or [], 'letter': str or None, 'wave': bool}."""
    kind, _, side = icon.rpartition("_") if icon != "common_cause" else ("common", "", "")
    if icon in ASSURANCE:
        return {"colour": ASSURANCE[icon][2], "points": [],
                "letter": {"pass": "P", "fail": "F"}.get(icon), "wave": icon == "hit_and_miss"}
    ys = {"high": _HIGH, "low": _LOW}.get(side, _FLAT)
    points = [(25 + 8.3 * k, y) for k, y in enumerate(ys)]
    letter = {"high": "H", "low": "L"}.get(side)
    return {"colour": VARIATION[icon][2], "points": points, "letter": letter, "wave": False,
            "special": kind != "common"}


def svg(icon: str, size: int = 28) -> str:
    """An inline SVG of the icon, with its meaning as a tooltip and for screen readers."""
    from html import escape

    s = shapes(icon)
    c = s["colour"]
    title = escape((VARIATION.get(icon) or ASSURANCE[icon])[1])
    body = [f'<circle cx="50" cy="50" r="44" fill="#fff" stroke="{c}" stroke-width="8"/>']
    if s["points"]:
        pts = " ".join(f"{x:.0f},{y:.0f}" for x, y in s["points"])
        body.append(f'<polyline points="{pts}" fill="none" stroke="#a6a6a6" '
                    'stroke-width="3"/>')
        for k, (x, y) in enumerate(s["points"]):
            fill = c if s.get("special") and k >= 4 else "#a6a6a6"
            body.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="5" fill="{fill}"/>')
    if s["letter"] and s["points"]:
        body.append(f'<text x="50" y="{88 if s["letter"] == "H" else 30}" font-size="22" '
                    f'font-weight="700" text-anchor="middle" fill="{c}" '
                    f'font-family="sans-serif">{s["letter"]}</text>')
    elif s["letter"]:
        body.append(f'<text x="50" y="66" font-size="46" font-weight="700" '
                    f'text-anchor="middle" fill="{c}" font-family="sans-serif">'
                    f'{s["letter"]}</text>')
    if s["wave"]:
        body.append('<line x1="18" y1="50" x2="82" y2="50" stroke="#de1b1b" '
                    'stroke-width="4"/>')
        body.append(f'<path d="M20 50 Q32 22 44 50 T68 50 T84 46" fill="none" stroke="{c}" '
                    'stroke-width="5"/>')
    return (f'<svg class="icon" role="img" width="{size}" height="{size}" '
            f'viewBox="0 0 100 100"><title>{title}'
            f'</title>{"".join(body)}</svg>')

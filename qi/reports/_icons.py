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

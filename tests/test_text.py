"""qi.text: user text made safe for terminals, XML, CSV cells and JSON (property tests)."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qi.text import (
    clip,
    csv_row,
    csv_text,
    csv_untext,
    json_safe,
    plural,
    printable,
    quoted,
    visible,
)

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]] + [
    "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff"]
# Any text, weighted towards what breaks things: every control character, CR alone,
# formula starters, quotes, apostrophes, lone surrogates.
HOSTILE = st.text(st.one_of(
    st.characters(), st.sampled_from(CONTROLS),
    st.sampled_from(list("=+-@'\",\r\n\t\uff1d") + ["\ud800", "\udfff"])), max_size=40)


@given(HOSTILE)
def test_visible_text_has_no_control_character_and_keeps_the_rest(text):
    shown = visible(text)
    assert not any(c in shown for c in CONTROLS)
    assert not any("\ud800" <= c <= "\udfff" for c in shown)
    shown.encode("utf-8")  # printable on any UTF-8 terminal
    if not any(c in text for c in CONTROLS) and not any("\ud800" <= c <= "\udfff" for c in text):
        assert shown == text  # ordinary text is left alone


def test_visible_names_what_it_escaped():
    assert visible("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert visible("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert visible("a\nb", keep="\n") == "a\nb"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("plain text ß") == "plain text ß"


def test_clip_keeps_messages_to_one_screen():
    big = "x" * 10_000_000
    assert len(clip(big, 80)) < 120
    assert "characters cut" in clip(big, 80)
    assert quoted("\x1b" * 5) == "'\\x1b\\x1b\\x1b\\x1b\\x1b'"


@given(HOSTILE)
def test_printable_text_is_valid_xml(text):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><text>{_xml_escape(printable(text))}</text></svg>'
    ET.fromstring(svg.encode("utf-8"))  # raises on any character XML 1.0 cannot hold


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_printable_turns_word_line_breaks_into_spaces():
    assert printable("Did not\x0battend") == "Did not attend"
    assert printable("a\x01b") == "a\\x01b"


@given(HOSTILE.filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t)))
def test_csv_text_is_never_a_formula_and_round_trips(text):
    guarded = csv_text(text)
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d",
                               "\uff20")
    assert csv_untext(guarded) == text


@given(st.lists(HOSTILE.filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t)),
                min_size=1, max_size=5))
def test_csv_rows_read_back_exactly_with_the_csv_module(cells):
    line = csv_row(cells)
    back = next(csv.reader(io.StringIO(line, newline="")))
    assert back == (cells if cells != [""] else [])


def test_bare_cr_is_quoted():
    assert csv_row(["a\rb", "c"]) == '"a\rb",c\n'


@given(st.dictionaries(HOSTILE, HOSTILE, max_size=4))
def test_json_safe_is_the_same_json_without_raw_controls(document):
    text = json_safe(json.dumps(document, ensure_ascii=False, indent=2))
    assert json.loads(text) == document
    assert not any(c in text for c in CONTROLS if c not in "\n")
    text.encode("utf-8")


@pytest.mark.parametrize(("n", "noun", "expected"), [
    (0, "point", "0 points"), (1, "point", "1 point"), (2, "useful point", "2 useful points"),
    (-1, "day", "-1 days"),
])
def test_plural_counts_with_regular_plurals(n, noun, expected):
    assert plural(n, noun) == expected

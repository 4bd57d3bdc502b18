"""User text made safe for where it goes: terminals, XML (SVG/HTML), CSV cells, messages.

Names, notes and file contents are typed or pasted by people, or come in files from
elsewhere; none of it may steer a terminal, break an SVG or run as a spreadsheet formula.
Stdlib only, so any layer may use it.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls; the Unicode bidirectional overrides and isolates (they
# reorder what a terminal shows, "Trojan Source"); line and paragraph separators; and lone
# surrogates (which no terminal or file encoding can carry); invisible zero-width space and
# word joiners, which make two different names look the same.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2060-\u2064\u2066-\u2069\ud800-\udfff\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: object, *, keep: str = "") -> str:
    """`text` with every control character shown as an escape (ESC as \\x1b, a newline as
    \\n), so that it can be printed on a terminal and seen for what it is. Characters in
    `keep` (e.g. "\\n" for multi-line messages) are left as they are."""
    text = str(text)
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()),
                       text)


def has_control(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def clip(text: str, limit: int = 80) -> str:
    """At most about `limit` characters: the start and the end, and how much was cut."""
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 4
    return f"{text[:head]}…({len(text) - head - tail} characters cut)…{text[-tail:]}"


def quoted(value: object, limit: int = 80) -> str:
    """A value from a file or a user, for one line of a message: visible, clipped, quoted."""
    return f"'{clip(visible(value), limit)}'"


# --- XML (SVG and HTML) --------------------------------------------------------------------

# What XML 1.0 cannot hold at all, even escaped: C0 controls but tab, newline and CR; lone
# surrogates; U+FFFE and U+FFFF. C1 controls are legal but invisible: shown too.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: object) -> str:
    """Text for a chart or a document: line-ish controls (a vertical tab pasted from Word,
    a form feed) become spaces, other controls visible escapes; valid in XML 1.0."""
    text = str(text)
    if not _NOT_XML.search(text):
        return text

    def one(m: re.Match) -> str:
        return " " if m.group() in "\x0b\x0c\x1c\x1d\x1e\x1f\x85" else _escape(m.group())

    return _NOT_XML.sub(one, text)


# --- CSV cells -------------------------------------------------------------------------------

# OWASP "CSV injection": a cell starting with one of these is run as a formula by
# spreadsheets (with their full-width forms, which some locales treat alike). Such a text
# cell is written with a leading apostrophe, and qi's import removes exactly one again, so
# the export -> import round trip is exact (a note that itself starts with apostrophes
# before such a character gets one more, so the mapping can be undone).
_FORMULA = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_GUARDED = re.compile(f"^'*[{re.escape(_FORMULA)}]")
_UNGUARD = re.compile(f"^'+[{re.escape(_FORMULA)}]")


def csv_text(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula (numbers are not text cells)."""
    return "'" + text if _GUARDED.match(text) else text


def csv_untext(text: str) -> str:
    """Undo csv_text: what a qi export wrote back to the text it came from."""
    return text[1:] if _UNGUARD.match(text) else text


def csv_row(cells: list[str]) -> str:
    """One CSV line ending in \\n; a cell is quoted when it holds a comma, a quote or a line
    break of either kind (a CR alone too, which Python's csv module leaves bare), so every
    reader splits the line as it was written."""
    out = []
    for cell in cells:
        if any(c in cell for c in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out) + "\n"


# _UNSAFE but for newline, carriage return and tab, which stay as they are: json.dumps
# escapes C0 controls inside strings itself, so these are its own line breaks; leaving
# them out of the pattern spares a replacement per line of a long document.
_UNSAFE_IN_JSON = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x08\x0b\x0c\x0e-\x1f"))


def json_safe(document: str) -> str:
    """JSON text (from json.dumps) with every control character, bidi override and lone
    surrogate inside its strings written as a \\u escape: the same JSON, safe to show."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


# --- words -----------------------------------------------------------------------------------


def plural(n: int, noun: str) -> str:
    """'1 point', '2 points': a count with its noun (regular plurals only)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

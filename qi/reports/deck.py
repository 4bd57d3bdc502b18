"""Reports as a PowerPoint deck (python-pptx): the facilitator's learning-session slides.

A title slide (the programme or project, the session date, the teams); for a programme, the
icon summary table of every measure; per project a summary slide (the aim, each measure's
verdict with its Making Data Count icons, the cycles of the period, the next steps) and one
slide per measure with data: its 16:9 chart as a picture and the chart's caption as the
speaker notes. Everything but the charts is real text - text boxes and tables - so the deck
can be edited afterwards.

python-pptx is imported inside the functions: `qi --help` never loads it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from qi.dates import human_date
from qi.reports import _icons as icons
from qi.reports import _text as words
from qi.text import printable

WIDTH, HEIGHT = 13.333, 7.5  # inches: a 16:9 slide, the size of a chart from `qi chart`
# 1600 x 900 pixels: sharp on a 1080p projector, and a programme's fifty charts are drawn
# in about two thirds of the time they take at 150 dpi (measured: benchmarks/deck-results.md)
CHART_DPI = 120
MARGIN = 0.5
INK, MUTED, RULE, HEAD = "1A1A1A", "555555", "D0D0D0", "3A3A3A"
# Icon colours darkened for text on white (Making Data Count's own are for the icons).
TEXT_COLOURS = {"#7f7f7f": "595959", "#00b0f0": "00699A", "#e46c0a": "B35000",
                "#490092": "490092"}
ROWS_PER_SLIDE = 8  # table rows that stay readable from the back of a room
VERDICT_COLOURS = {"Improvement": "005A8C", "Concern": "A34400", "Change": "8A3D6E"}


def deck(content: dict, charts: dict[str, bytes], notes: dict[str, str]) -> bytes:
    """The deck as .pptx bytes. `charts`: each measure's 16:9 PNG by ref; `notes`: each
    chart's caption (the speaker notes) by ref."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
    programme = "contents" in content
    sections = content["projects"] if programme else [content]
    _title_slide(prs, content, sections, programme)
    if programme:
        every = [{**m, "project": s["project"]["slug"]} for s in sections
                 for m in s["measures"]]
        _icon_table_slides(prs, "Making Data Count icons: every measure", every, True)
    for section in sections:
        _project_slide(prs, section)
        if len(section["measures"]) > 1 or not programme:
            _icon_table_slides(prs, f"{section['project']['title']}: icon summary",
                               section["measures"], False)
        for m in section["measures"]:
            if m["ref"] in charts:
                _measure_slide(prs, section, m, charts[m["ref"]], notes.get(m["ref"], ""))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- building blocks -----------------------------------------------------------------------

def _blank(prs):
    return prs.slides.add_slide(prs.slide_layouts[6])  # the blank layout


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text_box(slide, left, top, width, height, paragraphs: Iterable, *, size=18,
              colour=INK, bold=False):
    """A text box of paragraphs; each paragraph is a string or a list of (text, options)
    runs, options a dict of size/colour/bold."""
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for k, para in enumerate(paragraphs):
        p = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        runs = [(para, {})] if isinstance(para, str) else para
        for text, opts in runs:
            run = p.add_run()
            run.text = printable(text)  # XML: no control characters
            run.font.size = Pt(opts.get("size", size))
            run.font.bold = opts.get("bold", bold)
            run.font.color.rgb = _rgb(opts.get("colour", colour))
        p.space_after = Pt(opts.get("after", 4)) if runs else Pt(4)
    return box


def _title(slide, text: str, subtitle: str | None = None) -> float:
    """The slide's title (and a muted line under it); returns where the body starts."""
    _text_box(slide, MARGIN, 0.3, WIDTH - 2 * MARGIN, 0.8, [text], size=30, bold=True)
    if subtitle:
        _text_box(slide, MARGIN, 1.0, WIDTH - 2 * MARGIN, 0.5, [subtitle], size=16,
                  colour=MUTED)
        return 1.55
    return 1.2


# PowerPoint's built-in "Table Grid" style: plain cells with thin rules, black text.
_TABLE_GRID = "{5940675A-B579-460E-94D1-54222C63F5DA}"


def _table(slide, left, top, width, header: tuple[str, ...], rows: list[tuple], *,
           widths: tuple[float, ...], size=14, colours: dict | None = None):
    """A real table. `colours`: {(row, column): hex} for coloured text (icons, verdicts).

    Styled once ("Table Grid"), with a dark header row: setting a fill and a colour on
    every cell through python-pptx costs more than drawing the charts of a small deck."""
    from pptx.oxml.ns import qn
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top),
                                   Inches(width), Inches(0.45 * (len(rows) + 1)))
    table = shape.table
    table._tbl.tblPr.find(qn("a:tableStyleId")).text = _TABLE_GRID
    total = sum(widths)
    for c, w in enumerate(widths):
        table.columns[c].width = Inches(width * w / total)
    font_size = Pt(size)
    for r, cells in enumerate([header, *rows]):
        for c, value in enumerate(cells):
            cell = table.cell(r, c)
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = printable(str(value))
            font = run.font
            font.size = font_size
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(HEAD)
                font.bold = True
                font.color.rgb = _rgb("FFFFFF")
            elif colours and (r - 1, c) in colours:
                font.bold = True
                font.color.rgb = _rgb(colours[(r - 1, c)])
    return table


def _day(iso: str) -> str:
    """The report's ISO dates as people read them (QI_DATE_STYLE)."""
    return human_date(date.fromisoformat(iso))


# --- the slides ----------------------------------------------------------------------------

def _title_slide(prs, content: dict, sections: list[dict], programme: bool) -> None:
    slide = _blank(prs)
    title = content["title"] if programme else content["project"]["title"]
    period = content["period"]
    meeting = period.get("meeting")
    when = (f"{meeting['title']}, {_day(meeting['date'])}" if meeting
            else f"Session date: {_day(period['until'])}")
    teams = sorted({s["team"]["name"] for s in sections})
    lines = [[(when, {"size": 24, "colour": INK})],
             [(words.period_title(period), {"size": 18, "colour": MUTED})]]
    if teams:
        label = "Teams: " if len(teams) > 1 else "Team: "
        lines.append([(label + ", ".join(teams), {"size": 20, "colour": INK})])
    if programme:
        lines.append([(f"{len(sections)} project{'s' if len(sections) != 1 else ''}, "
                       f"{sum(len(s['measures']) for s in sections)} measures",
                       {"size": 18, "colour": MUTED})])
    _text_box(slide, 0.8, 2.0, WIDTH - 1.6, 1.6, [title], size=44, bold=True)
    _text_box(slide, 0.8, 3.9, WIDTH - 1.6, 2.8, lines)


def _icon_rows(measures: list[dict], with_project: bool):
    rows, colours = [], {}
    for r, m in enumerate(measures):
        cells = icons.summary_row(m)
        rows.append(((m["project"],) if with_project else ()) + cells)
        shift = 1 if with_project else 0
        if m.get("variation_icon"):
            colours[(r, 5 + shift)] = TEXT_COLOURS[icons.colour(m["variation_icon"])]
        if m.get("assurance_icon"):
            colours[(r, 6 + shift)] = TEXT_COLOURS[icons.colour(m["assurance_icon"])]
    return rows, colours


def _icon_table_slides(prs, title: str, measures: list[dict], with_project: bool) -> None:
    """The icon summary table, on as many slides as it takes."""
    if not measures:
        return
    header = (("Project",) if with_project else ()) + icons.SUMMARY_HEADERS
    widths = ((1.4,) if with_project else ()) + (3.2, 1.5, 1.1, 1.8, 1.6, 1.9, 1.8)
    pages = [measures[k:k + ROWS_PER_SLIDE] for k in range(0, len(measures), ROWS_PER_SLIDE)]
    for n, page in enumerate(pages, start=1):
        slide = _blank(prs)
        more = f" ({n} of {len(pages)})" if len(pages) > 1 else ""
        top = _title(slide, title + more, "Variation and assurance at the latest point, by "
                     "NHS England's Making Data Count rules (no icons for run charts)")
        rows, colours = _icon_rows(page, with_project)
        _table(slide, MARGIN, top + 0.1, WIDTH - 2 * MARGIN, header, rows, widths=widths,
               size=15, colours=colours)


def _project_slide(prs, c: dict) -> None:
    """Aim, each measure's verdict and icons; the period's cycles and the next steps."""
    p, team = c["project"], c["team"]
    slide = _blank(prs)
    top = _title(slide, p["title"], f"{team['name']} · {words.period_title(c['period'])}")
    left_w = 7.4
    _text_box(slide, MARGIN, top, left_w, 1.1,
              [[("Aim: ", {"bold": True, "size": 16}), (" ".join(p["aim"].split()),
                                                        {"size": 16})]])
    rows, colours = [], {}
    for r, m in enumerate(c["measures"]):
        verdict = words.signal(m)
        icon_text = " · ".join(t for t in (icons.variation_text(m.get("variation_icon")),
                                           icons.assurance_text(m.get("assurance_icon"))) if t)
        rows.append((m["name"], verdict, icon_text or "—"))
        colours[(r, 1)] = VERDICT_COLOURS.get(verdict, MUTED)
        if m.get("variation_icon"):
            colours[(r, 2)] = TEXT_COLOURS[icons.colour(m["variation_icon"])]
    if rows:
        _table(slide, MARGIN, top + 1.2, left_w, ("Measure", "Verdict", "Icons"), rows,
               widths=(3.0, 1.9, 2.5), size=15, colours=colours)
    else:
        _text_box(slide, MARGIN, top + 1.2, left_w, 0.5, ["No measures yet."], size=16,
                  colour=MUTED)
    right = MARGIN + left_w + 0.4
    width = WIDTH - right - MARGIN
    label = c["period"]["label"]
    cycles = [f"{k['ref']}: {k['title']} ({words.STAGES[k['stage']]})"
              for k in c["cycles_in_period"]] or ["None."]
    steps = [f"{s['cycle']}: {s['text']}" for s in c["next_steps"]] or ["None recorded."]
    paras = [[(f"PDSA cycles {label}", {"bold": True, "size": 16})],
             *[[("• " + t, {"size": 14})] for t in cycles[:6]],
             *([[(f"… and {len(cycles) - 6} more", {"size": 14, "colour": MUTED})]]
               if len(cycles) > 6 else []),
             [("Next steps", {"bold": True, "size": 16})],
             *[[("• " + t, {"size": 14})] for t in steps[:5]]]
    _text_box(slide, right, top, width, HEIGHT - top - MARGIN, paras)


def _measure_slide(prs, c: dict, m: dict, png: bytes, notes: str) -> None:
    """The chart filling the slide (it carries its own title, icons and caption), with
    the caption and verdict as speaker notes for the presenter."""
    from pptx.util import Inches

    slide = _blank(prs)
    slide.shapes.add_picture(io.BytesIO(png), 0, 0, Inches(WIDTH), Inches(HEIGHT))
    # The picture's alt text, for screen readers and the slide sorter.
    slide.shapes[-1].name = printable(f"Chart: {m['name']}")
    slide.shapes[-1]._element.nvPicPr.cNvPr.set("descr", printable(
        f"{m['chart_name']} of {m['name']}: {m['verdict']}"))
    verdict = f"{words.signal(m)}: {m['verdict']}."
    if m.get("target") is not None:
        target = icons.summary_row(m)[4]
        verdict += f" Target in force at the latest point: {target}."
    icon_words = " ".join(t + "." for t in (icons.variation_text(m.get("variation_icon"), True),
                                            icons.assurance_text(m.get("assurance_icon"), True))
                          if t)
    slide.notes_slide.notes_text_frame.text = printable("\n\n".join(
        t for t in (f"{m['name']} ({c['project']['title']})", verdict, icon_words, notes) if t))

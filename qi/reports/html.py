"""Reports as one self-contained HTML file: readable on screen, printable on A4.

Stdlib only. No network: the styles are inline, the fonts are the reader's own, and each
chart is an image whose bytes are in the page (a data: URI). An SVG chart in an <img>
rather than inline <svg> keeps each chart's ids and styles to itself (matplotlib names
the glyphs and clip paths of every chart alike) and gives it alt text.

Every piece of user text passes through `esc()` (html.escape, quotes too); the only
markup is what this module writes. Printing: A4 pages with 15 mm margins, each project of
a session pack starting a new page, charts and cycles never split across pages.
"""

from __future__ import annotations

import base64
from html import escape
from string import Template

from qi.reports import _icons as icons
from qi.reports import _text as words
from qi.reports.figures import REPORT_HEIGHT, REPORT_WIDTH
from qi.text import printable

_CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --panel: #f5f5f2; }
* { box-sizing: border-box; }
html { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
       Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: var(--ink); }
body { margin: 0 auto; max-width: 50rem; padding: 1.5rem 1.25rem 3rem;
       overflow-wrap: break-word; hyphens: manual; }
h1 { font-size: 1.7rem; line-height: 1.2; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; line-height: 1.25; margin: 1.6rem 0 .4rem;
     border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
h3 { font-size: 1.12rem; margin: 1.3rem 0 .35rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
p { margin: .35rem 0; }
.muted, .meta { color: var(--muted); }
.meta { font-size: .92rem; }
.text { white-space: pre-wrap; }
.slug { color: var(--muted); font-weight: normal; font-size: .8em; }
table { width: 100%; border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem;
         border-bottom: 1px solid var(--rule); }
/* Table text breaks between words only: a column is never narrower than its longest word
   ("Measures", "Improvement", "appointments"); a table too wide for a phone scrolls
   sideways in its own box (.scroll) instead. Only a word longer than the whole line (a
   pasted URL) is broken, so it cannot push a table off the page. */
th { border-bottom: 2px solid var(--ink); font-weight: 600; overflow-wrap: normal; }
td { overflow-wrap: break-word; }
td.num, td.words { overflow-wrap: normal; }
.scroll { overflow-x: auto; margin: .5rem 0 1rem; }
.scroll > table { margin: 0; }
/* People's text in a table cell may break anywhere, but its column keeps room for
   ordinary words first. */
td:first-child { min-width: 7.5em; }
@media (max-width: 560px) {
  body { padding: 1rem .6rem 2rem; }
  table { font-size: .8rem; }
  th, td { padding: .25rem .2rem; }
}
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
         margin: .4rem 0 .8rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
/* people's text in grid cells may break anywhere, so one long URL cannot widen the page */
.facts dd, .compare > div { overflow-wrap: anywhere; min-width: 0; }
.missing { background: #fff4e5; border-left: 4px solid #e69f00; padding: .5rem .8rem;
           margin: .8rem 0; }
.missing h3 { margin: 0 0 .3rem; font-size: 1rem; }
.missing ul, .signals, .steps { margin: .2rem 0 .6rem; padding-left: 1.3rem; }
.signal { display: inline-block; padding: 0 .45em; border-radius: .3em;
          border: 1px solid currentColor; font-weight: 600; font-size: .88em;
          overflow-wrap: normal; }
.signal.improvement { color: #005a8c; background: #e5f1f8; }
.signal.concern { color: #a34400; background: #fbeee5; }
.signal.change { color: #8a3d6e; background: #f7eaf2; }
.signal.random, .signal.none, .signal.nodata, .signal.problem
  { color: #444; background: #f0f0f0; }
figure.chart { margin: .4rem 0 .6rem; }
table.icons { font-size: .85rem; }
table.icons td.icon div { display: flex; align-items: center; gap: .3em; }
table.icons td.icon span { overflow-wrap: normal; }
table.icons svg.icon { flex: none; }
.measure { margin-bottom: 1.4rem; }
figure.chart img { display: block; max-width: 100%; height: auto; }
.cycle { border-left: 3px solid var(--rule); padding: .1rem 0 .1rem .8rem;
         margin: .8rem 0; }
.cycle h4 { margin-top: .2rem; }
.compare { display: grid; grid-template-columns: 1fr 1fr; gap: .6rem; margin: .4rem 0; }
.compare > div { background: var(--panel); padding: .4rem .6rem; }
.compare h5 { margin: 0 0 .2rem; font-size: .85rem; color: var(--muted); }
nav.contents tr.team th { padding-top: .8rem; border-bottom: 1px solid var(--ink); }
a { color: #005a8c; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@page { size: A4; margin: 15mm; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; margin: 0; padding: 0; }
  .pack .project { break-before: page; page-break-before: always; }
  .measure-top, figure.chart, .cycle, tr, .facts, .missing, .compare
    { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .signal, .missing, .compare > div
    { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="qi">
<title>$title</title>
<style>$css</style>
</head>
<body class="$kind">
$body
<footer>Generated by qi on $generated.</footer>
</body>
</html>
""")

_MIME = {"svg": "image/svg+xml", "png": "image/png"}


def esc(value: object) -> str:
    """User text as HTML text or attribute value: <, >, &, " and ' escaped."""
    return escape(printable(value), quote=True)


def project(content: dict, charts: dict[str, bytes] | None = None, fmt: str = "svg") -> str:
    """A project's progress summary as one HTML page. `charts`: each measure's chart
    (`fmt` bytes) by ref."""
    p = content["project"]
    body = _project(content, charts or {}, fmt, heading="h1")
    return _PAGE.substitute(title=esc(f"{p['title']} — progress summary"), css=_CSS,
                            kind="report", body=_scrolling(body),
                            generated=esc(words.day(content["generated"])))


def programme(content: dict, charts: dict[str, bytes] | None = None, fmt: str = "svg") -> str:
    """The session pack: title, contents, then each project from a new page."""
    parts = [f"<header><h1>{esc(content['title'])}</h1>",
             f"<p class=\"meta\">{esc(words.period_title(content['period']))}. "
             f"{_count(len(content['projects']), 'project')}.</p></header>"]
    if content["missing"]:
        parts.append(_missing(content["missing"]))
    if content["contents"]:
        parts.append(_contents(content["contents"]))
    every = [{**m, "project": sec["project"]["slug"]} for sec in content["projects"]
             for m in sec["measures"]]
    if every:
        parts += ["<section class=\"icon-summary\"><h2>Making Data Count icons, every "
                  "measure</h2>", icon_table(every, project=True), "</section>"]
    parts += [_project(section, charts or {}, fmt, heading="h2")
              for section in content["projects"]]
    return _PAGE.substitute(title=esc(content["title"]), css=_CSS, kind="pack",
                            body=_scrolling("\n".join(parts)),
                            generated=esc(words.day(content["generated"])))


def _scrolling(body: str) -> str:
    """Every table in a box that scrolls sideways on a phone, rather than squeezing its
    columns until words break (the markup is ours: '<table' starts only our tables)."""
    return body.replace("<table", "<div class=\"scroll\"><table").replace(
        "</table>", "</table></div>")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _contents(groups: list[dict]) -> str:
    """The contents as a table: each project, by team, with the programme at a glance."""
    rows = []
    for group in groups:
        area = f" ({esc(group['area'])})" if group["area"] else ""
        rows.append(f"<tr class=\"team\"><th colspan=\"6\">{esc(group['name'])}{area}</th>"
                    "</tr>")
        for p in group["projects"]:
            rows.append(
                f"<tr><td><a href=\"#project-{esc(p['slug'])}\">{esc(p['title'])}</a> "
                f"<span class=\"slug\">{esc(p['slug'])}</span></td>"
                f"<td class=\"num\">{p['measures']}</td>"
                f"<td class=\"words\">{esc(words.signal_counts(p['signals'])) or '—'}</td>"
                f"<td class=\"num\">{p['cycles_in_period']}</td>"
                f"<td class=\"num\">{p['open_cycles']}</td>"
                f"<td class=\"num\">{p['missing'] or '—'}</td></tr>")
    cols = "".join(f"<col style=\"width:{w}%\">" for w in (31, 12, 24, 12, 9, 12))
    return ("<nav class=\"contents\"><h2>Contents: the programme at a glance</h2>"
            f"<table><colgroup>{cols}</colgroup><thead><tr><th>Project</th><th>Measures</th>"
            "<th>Signals</th><th>Cycles in period</th><th>Open</th>"
            f"<th>Missing</th></tr></thead><tbody>{''.join(rows)}</tbody></table></nav>")


def _project(c: dict, charts: dict[str, bytes], fmt: str, *, heading: str) -> str:
    p, team = c["project"], c["team"]
    sub = {"h1": "h2", "h2": "h3"}[heading]
    area = f" ({esc(team['area'])})" if team["area"] else ""
    members = esc(words.member_list(team["members"])) or "no members listed"
    started = f", started {esc(words.day(p['start']))}" if p["start"] else ""
    facts = [("Aim", f"<span class=\"text\">{esc(p['aim'])}</span>"),
             ("Team", f"{esc(team['name'])}{area}: {members}"),
             ("Status", f"{esc(p['status'])}{started}"),
             ("Period", esc(words.period_title(c["period"])))]
    if p["closing_note"]:
        facts.append(("Closing note", f"<span class=\"text\">{esc(p['closing_note'])}</span>"))
    parts = [f"<section class=\"project\" id=\"project-{esc(p['slug'])}\">",
             f"<{heading}>{esc(p['title'])} <span class=\"slug\">{esc(p['slug'])}</span>"
             f"</{heading}>", _facts(facts)]
    if c["missing"]:
        parts.append(_missing(c["missing"]))
    if c["measures"]:
        parts += [f"<{sub}>Measures</{sub}>", _measure_table(c["measures"]),
                  icon_table(c["measures"])]
        parts += [_measure(m, charts.get(m["ref"]), fmt, sub) for m in c["measures"]]
    parts.append(_cycles(c, sub))
    if c["next_steps"]:
        steps = "".join(f"<li><strong>{esc(s['cycle'])}</strong> {esc(s['text'])}</li>"
                        for s in c["next_steps"])
        parts.append(f"<{sub}>Next steps</{sub}><ul class=\"steps\">{steps}</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _facts(rows: list[tuple[str, str]]) -> str:
    """Label/value rows; values are already escaped HTML."""
    return "<dl class=\"facts\">" + "".join(f"<dt>{label}</dt><dd>{value}</dd>"
                                             for label, value in rows) + "</dl>"


def _missing(sentences: list[str]) -> str:
    items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
    return f"<div class=\"missing\"><h3>Still missing</h3><ul>{items}</ul></div>"


def _badge(m: dict) -> str:
    kind = ("problem" if m.get("problem") else "nodata" if m.get("latest") is None
            else m["direction_of_change"])
    return f"<span class=\"signal {esc(kind)}\">{esc(words.signal(m))}</span>"


def _formatter(m: dict):
    return lambda x: esc(words.value(x, percent=m["percent"], unit=m["unit"],
                                     decimals=m.get("decimals")))


_COLUMNS = (("Measure", 24), ("Kind", 12), ("Baseline", 12), ("Latest", 14), ("Now", 12),
            ("Target", 10), ("Signal", 16))


def _measure_table(measures: list[dict]) -> str:
    cols = "".join(f"<col style=\"width:{w}%\">" for _, w in _COLUMNS)
    head = "".join(f"<th>{name}</th>" for name, _ in _COLUMNS)
    rows = []
    for m in measures:
        v = _formatter(m)
        latest = (f"{v(m['latest']['value'])}<br><span class=\"meta\">"
                  f"{esc(words.day(m['latest']['date']))}</span>" if m["latest"] else "—")
        rows.append(
            f"<tr><td><a href=\"#measure-{esc(m['ref'].replace('/', '-'))}\">"
            f"{esc(m['name'])}</a></td><td class=\"words\">{esc(m['kind'])}</td>"
            f"<td class=\"num\">{v(m['baseline_centre'])}</td><td class=\"words\">{latest}</td>"
            f"<td class=\"num\">{v(m['current_centre'])}</td>"
            f"<td class=\"num\">{v(m['target'])}</td><td>{_badge(m)}</td></tr>")
    return (f"<table class=\"measures\"><colgroup>{cols}</colgroup><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def _measure(m: dict, chart: bytes | None, fmt: str, sub: str) -> str:
    """Heading and chart first, kept on one page; then what the analysis says."""
    h = {"h2": "h3", "h3": "h4"}[sub]
    v = _formatter(m)
    top = [f"<div class=\"measure-top\"><{h}>{esc(m['name'])} {_badge(m)}</{h}>",
           f"<p class=\"meta\">{esc(m['kind'].capitalize())} measure, "
           f"{esc(words.DIRECTIONS[m['direction']])}; {esc(m['chart_name'])}, "
           f"{esc(m['rules_name'])}.</p>"]
    if chart is not None:
        top.append(_figure(m, chart, fmt))
    top.append("</div>")
    parts = [f"<div class=\"measure\" id=\"measure-{esc(m['ref'].replace('/', '-'))}\">",
             *top]
    if m["problem"]:
        parts.append(f"<p>Cannot be analysed: {esc(m['problem'])}</p>")
    elif m["latest"] is None:
        parts.append("<p>No data yet.</p>")
    else:
        new = "" if m["new_points"] is None else f", {m['new_points']} in the period"
        baseline = (f" (the first {m['baseline_points']} points, to "
                    f"{esc(words.day(m['baseline_end']))})" if m["baseline_end"] else "")
        facts = [f"baseline centre {v(m['baseline_centre'])}{baseline}",
                 f"latest {v(m['latest']['value'])} on {esc(words.day(m['latest']['date']))}",
                 f"current centre {v(m['current_centre'])}"]
        if m["target"] is not None:
            since = (f" (in force from {esc(words.day(m['target_from']))})"
                     if m.get("target_from") else "")
            facts.append(f"target {v(m['target'])}{since}")
        parts.append(f"<p><strong>{esc(m['verdict'].capitalize())}.</strong> "
                     f"{m['points']} points{new}: {'; '.join(facts)}.</p>")
        if m["signals"]:
            parts.append("<ul class=\"signals\">" + "".join(
                f"<li><em>{esc(s['rule_name'].capitalize())}:</em> "
                f"{esc(words.humanise(s['text']))}</li>"
                for s in m["signals"]) + "</ul>")
    for r in m.get("rebases", []):
        parts.append(f"<p class=\"meta\">New phase from {esc(words.day(r['starts_on']))}: "
                     f"<span class=\"text\">{esc(r['reason'])}</span></p>")
    if m["definition"]:
        parts.append(f"<p class=\"meta\">Definition: <span class=\"text\">"
                     f"{esc(m['definition'])}</span></p>")
    parts.append("</div>")
    return "\n".join(parts)


def _figure(m: dict, chart: bytes, fmt: str) -> str:
    data = base64.b64encode(chart).decode("ascii")
    alt = f"{m['chart_name']} of {m['name']}: {m['verdict']}"
    w, h = round(REPORT_WIDTH * 96), round(REPORT_HEIGHT * 96)
    return (f"<figure class=\"chart\"><img src=\"data:{_MIME[fmt]};base64,{data}\" "
            f"alt=\"{esc(alt)}\" width=\"{w}\" height=\"{h}\"></figure>")


def _cycles(c: dict, sub: str) -> str:
    h = {"h2": "h3", "h3": "h4"}[sub]
    parts = [f"<{sub}>PDSA cycles {esc(words.humanise(c['period']['label']))}</{sub}>"]
    if not c["cycles_in_period"]:
        parts.append("<p class=\"muted\">None.</p>")
    parts += [_cycle(cycle, h) for cycle in c["cycles_in_period"]]
    if c["open_cycles"]:
        rows = "".join(
            f"<tr><td>{esc(o['ref'])}</td><td>{esc(o['title'])}</td>"
            f"<td class=\"words\">{esc(words.STAGES[o['stage']])}</td>"
            f"<td class=\"words\">{esc(words.cycle_dates(o))}</td></tr>"
            for o in c["open_cycles"])
        parts.append(
            f"<{sub}>Cycles still open</{sub}><table><colgroup><col style=\"width:16%\">"
            "<col style=\"width:44%\"><col style=\"width:12%\"><col style=\"width:28%\">"
            "</colgroup><thead><tr><th>Cycle</th><th>Title</th><th>Stage</th><th>Dates</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts)


def _text(value: str | None) -> str:
    if not value:
        return "<span class=\"muted\">—</span>"
    return f"<span class=\"text\">{esc(value)}</span>"


def _cycle(c: dict, h: str) -> str:
    facts = [("Stage", f"{esc(words.STAGES[c['stage']])} ({esc(c['purpose'])}); "
                       f"{esc(words.cycle_dates(c))}")]
    for key, label in (("idea", "Change idea"), ("objective", "Objective"),
                       ("notes", "What happened"), ("problems", "Problems"),
                       ("learning", "Learning")):
        if c[key]:
            facts.append((label, _text(c[key])))
    if c["decision"]:
        then = f": {_text(c['next_steps'])}" if c["next_steps"] else ""
        facts.append(("Decision", f"<strong>{esc(c['decision'])}</strong>{then}"))
    compare = ""
    if c["predictions"] or c["results"]:
        compare = ("<div class=\"compare\"><div><h5>Predicted</h5>"
                   f"{_text(c['predictions'])}</div><div><h5>Found</h5>"
                   f"{_text(c['results'])}</div></div>")
    return (f"<article class=\"cycle\"><{h}>{esc(c['ref'])}: {esc(c['title'])}</{h}>"
            f"{_facts(facts[:1])}{compare}{_facts(facts[1:]) if facts[1:] else ''}</article>")


def icon_table(measures: list[dict], project: bool = False) -> str:
    """The icon summary table: latest value, mean, limits and target in force at the latest
    point, with the variation and assurance icons (vector, with their meaning in words)."""
    head = (("Project",) if project else ()) + icons.SUMMARY_HEADERS
    rows = []
    for m in measures:
        cells = icons.summary_row(m)
        first = f"<td>{esc(m['project'])}</td>" if project else ""
        var = icons.svg(m["variation_icon"]) if m.get("variation_icon") else ""
        sure = icons.svg(m["assurance_icon"]) if m.get("assurance_icon") else ""
        # the measure's name is people's text; latest, mean, limits and target are numbers
        rows.append(f"<tr>{first}<td>{esc(cells[0])}</td>"
                    + "".join(f"<td class=\"num\">{esc(c)}</td>" for c in cells[1:5])
                    + f"<td class=\"icon\"><div>{var}<span>{esc(cells[5])}</span></div></td>"
                    f"<td class=\"icon\"><div>{sure}<span>{esc(cells[6])}</span></div></td>"
                    "</tr>")
    widths = ((11,) if project else ()) + ((20, 11, 8, 12, 9, 15, 14) if project
                                           else (25, 12, 9, 13, 10, 16, 15))
    cols = "".join(f"<col style=\"width:{w}%\">" for w in widths)
    return (f"<table class=\"icons\"><colgroup>{cols}</colgroup><thead><tr>"
            f"{''.join(f'<th>{h}</th>' for h in head)}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")

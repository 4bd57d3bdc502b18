"""The HTML report in a real browser (headless Chromium): it renders, every chart loads with
the network cut off, nothing is wider than an A4 page, and it prints to a multi-page PDF.

Skipped when Chromium is not installed (`.ci/run` installs Debian's `chromium`).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Chromium at /usr/bin/chromium "
                                       "(apt-get install chromium)")

LONG_URL = "https://example.org/" + "a-very-long-path-without-any-space-" * 8
A4_WIDTH = 794  # px at 96 dpi
PRINTABLE_WIDTH = 680  # A4 less the report's 15 mm margins
MIN_WINDOW = 500  # the narrowest window headless Chromium opens

# Added to the test's copy of the page only: records in the DOM what the page looks like.
CHECK = r"""<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const svgs = [...document.querySelectorAll("svg")];
  const page = document.documentElement.getBoundingClientRect().width;
  const limit = page + 0.5;
  // a table too wide for a phone scrolls sideways in its own box (.scroll)
  const wide = [...document.body.querySelectorAll("*")]
    .filter(e => !e.closest(".scroll > table") && e.getBoundingClientRect().right > limit)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
  // text wider than its table cell spills over its neighbours without widening the page
  const spilled = [...document.querySelectorAll("td, th")]
    .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 40));
  // words of any table cell or badge split over two lines ("Measure|s", "appointm|ents");
  // a word is letters, digits and what sits inside numbers ("59.7", "8.0%"); a break at
  // a hyphen, slash or bracket ("over-|65s", "calls/|week") is between words
  const broken = [];
  const word = /(?<![\p{L}\p{N}.,%'’])[\p{L}\p{N}.,%'’]{1,30}(?![\p{L}\p{N}.,%'’])/gu;
  for (const el of document.querySelectorAll("th, td, .signal")) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // (a word longer than any line, such as a pasted URL, has to break somewhere)
      for (const m of node.textContent.matchAll(word)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  const out = document.createElement("pre");
  out.id = "qi-check";
  out.textContent = JSON.stringify({
    images: images.length,
    broken_images: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    svgs: svgs.length,
    empty_svgs: svgs.filter(s => !(s.getBBox().width > 0)).length,
    scroll_width: document.documentElement.scrollWidth,
    window_width: window.innerWidth,
    page_width: page,
    wide: wide.slice(0, 10),
    spilled: spilled.slice(0, 10),
    broken: broken.slice(0, 10),
  });
  document.body.appendChild(out);
});
</script>"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    argv = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            # no name resolves: anything the page fetched from the network would fail
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=90, check=True)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    """A session pack of two projects with charts, hostile and very long text."""
    import os

    from conftest import Runner

    folder = tmp_path_factory.mktemp("browser")
    os.environ["QI_DB"] = str(folder / "qi.db")
    qi = Runner()
    try:
        qi(["init", str(folder / "qi.db")], ok=True)
        qi("team add North --area North", ok=True)
        qi(["project", "add", "dna-rate", "--title", "<b>Reduce</b> DNAs & 'no-shows'",
            "--team", "north", "--aim", f"From 8% to 5%; see {LONG_URL}"], ok=True)
        qi(["project", "add", "flu", "--title", "Flu " + "x" * 120, "--team", "north",
            "--aim", "More jabs"], ok=True)
        for project in ("dna-rate", "flu"):
            qi(f"measure add calls --project {project} --name 'Reception calls about "
               "appointments' --kind balancing --chart i --unit calls/week --target 100", ok=True)
            csv = folder / f"{project}.csv"
            csv.write_text("date,value\n" + "".join(
                f"2018-{1 + k // 4:02d}-{1 + 7 * (k % 4):02d},{100 + (k * 37) % 23}\n"
                for k in range(24)))
            qi(f"data import {csv} --project {project} --measure calls", ok=True)
        qi(["cycle", "new", "dna-rate", "SMS <script>alert(1)</script>", "--no-edit",
            "--predict", LONG_URL], ok=True)
        qi("cycle do dna-rate#1 --on 2018-03-05", ok=True)
        out = folder / "pack.html"
        qi(f"report --programme --format html -o {out}", ok=True)
    finally:
        os.environ.pop("QI_DB")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 480, PRINTABLE_WIDTH, A4_WIDTH, 1280])
def test_renders_every_chart_and_fits_the_page(pack, tmp_path, width):
    """From a phone (360 px) to a wide screen: every chart loads, nothing is wider than the
    page, nothing spills out of a table cell, and no header, number or badge is broken in
    the middle of a word."""
    page = pack.read_text(encoding="utf-8")
    if width < MIN_WINDOW:  # headless Chromium opens no narrower window: narrow the page
        page = page.replace("</head>", f"<style>html {{ width: {width}px; }}</style></head>")
    checked = tmp_path / "checked.html"
    checked.write_text(page.replace("</body>", CHECK + "\n</body>"), encoding="utf-8")
    window = max(width, MIN_WINDOW)
    r = chromium("--dump-dom", "--virtual-time-budget=10000", f"--window-size={window},1123",
                 checked.as_uri(), profile=tmp_path / "profile")
    found = re.search(r'<pre id="qi-check">(.*?)</pre>', r.stdout, re.S)
    assert found, r.stdout[-2000:]
    check = json.loads(html.unescape(found.group(1)))
    assert check["images"] == 2 and check["broken_images"] == []
    assert check["empty_svgs"] == 0
    assert check["window_width"] == window and check["page_width"] == width
    assert check["scroll_width"] <= window, check
    assert check["wide"] == [], check
    assert check["spilled"] == [], check
    assert check["broken"] == [], check


@pytest.mark.slow
def test_prints_to_a_multi_page_pdf(pack, tmp_path):
    pdf = tmp_path / "pack.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", pack.as_uri(),
             profile=tmp_path / "profile")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 3  # the contents, then each project from a new page


@pytest.mark.slow
def test_nothing_is_fetched_from_the_network(pack):
    page = pack.read_text(encoding="utf-8")
    # The only URL is the user's own text, escaped, in the aim and a prediction.
    assert set(re.findall(r"https?://[^\s<\"'&;)]*", page)) == {LONG_URL}
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "url(" not in page and "@import" not in page and "<link" not in page
    assert "<script" not in page  # the product page has no script at all

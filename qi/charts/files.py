"""Chart output: choosing the format, rendering to bytes, and writing files safely."""

from __future__ import annotations

import io
import os
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qi.charts.compose import figure
from qi.charts.spec import ChartSpec
from qi.charts.style import _RC
from qi.errors import Conflict, InvalidInput

FORMATS = ("png", "svg", "pdf")


def _format(path: Path | None, fmt: str | None) -> str:
    ext = path.suffix.lower().lstrip(".") if path is not None else ""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown chart format {fmt!r}; use png, svg or pdf")
        if path is not None and ext in FORMATS and ext != fmt:
            raise InvalidInput(
                f"the file name {path.name!r} ends in .{ext} but the format asked for is "
                f"{fmt}; change one of them"
            )
        return fmt
    if ext not in FORMATS:
        raise InvalidInput(
            f"cannot tell the chart format from {str(path)!r}; end the file name in "
            ".png, .svg or .pdf, or give the format"
        )
    return ext


_METADATA = {
    # no dates and no version strings, so the same chart gives the same bytes (PNG is
    # compressed at level 1 below: 40% faster than the default 6, files about 45% larger,
    # some 300 kB for a chart, which slides do not mind)
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def render(spec_or_fig: ChartSpec | Figure, fmt: str = "png", *, text: str = "path") -> bytes:
    """The chart as PNG, SVG or PDF bytes.

    ``text="text"`` writes an SVG's words as ``<text>`` elements instead of glyph outlines:
    a third of the size and about half the time, for SVGs shown inside a web page (the
    HTML report) where the reader's browser draws the words. Standalone charts keep the
    outlines, so they look the same everywhere."""
    fmt = _format(None, fmt)
    fig = spec_or_fig if isinstance(spec_or_fig, Figure) else figure(spec_or_fig)
    _printable_text(fig)
    buf = io.BytesIO()
    rc = _RC | {"svg.fonttype": "none"} if text == "text" and fmt == "svg" else _RC
    with matplotlib.rc_context(rc):
        if fmt == "png":
            _png(fig, buf)
        else:
            fig.savefig(buf, format=fmt, dpi=fig.dpi, metadata=_METADATA[fmt],
                        facecolor="white")
    data = buf.getvalue()
    if rc is not _RC:
        # where DejaVu Sans is not installed, a font of about the same widths; and the
        # key's double spaces kept, as measured (a browser collapses them otherwise)
        data = data.replace(b"font-family: 'DejaVu Sans'", _SVG_FONTS)
        data = data.replace(b"<text ", b'<text xml:space="preserve" ')
    return data


_SVG_FONTS = b"font-family: 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"


def _png(fig: Figure, buf: io.BytesIO) -> None:
    """The figure as an RGB PNG: the background is opaque white, so the alpha channel
    carried nothing but made the file a quarter larger and slower to compress."""
    from PIL import Image

    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    rgba = canvas.buffer_rgba()
    image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
    dpi = (fig.dpi, fig.dpi)
    image.convert("RGB").save(buf, format="png", dpi=dpi, compress_level=1)


def save(
    spec_or_fig: ChartSpec | Figure,
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Write the chart to ``path`` and return the path.

    The format comes from ``fmt`` ("png", "svg", "pdf") or else the file extension; both
    given and different is an error. A missing folder is created. An existing file is
    replaced only with ``overwrite=True`` (``--force``); the file is written to a temporary
    name and renamed, so a failure never leaves half a chart behind.
    """
    path = Path(path)
    fmt = _format(path, fmt)
    if path.is_dir():
        raise InvalidInput(f"{str(path)!r} is a folder; give a file name for the chart")
    if path.exists() and not overwrite:
        raise Conflict(f"{str(path)!r} already exists; use --force to replace it")
    data = render(spec_or_fig, fmt)
    from qi.files import describe_os_error, write_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInput(describe_os_error(e, path, "chart")) from None
    return write_file(path, data, overwrite=overwrite, what="chart")


def chart_text(text: str) -> str:
    """Text as a chart shows it: no control characters (a vertical tab pasted from Word
    would make the SVG invalid XML), and tabs and carriage returns as spaces (no font has
    a glyph for them)."""
    from qi.text import printable

    return printable(text).replace("\t", " ").replace("\r", " ")


def _printable_text(fig: Figure) -> None:
    """Every text on the chart as chart_text() makes it, whoever wrote it."""
    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        text = artist.get_text()
        if text and chart_text(text) != text:
            artist.set_text(chart_text(text))

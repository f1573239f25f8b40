"""The self-contained HTML report: one file, English or Chinese, readable on a laptop and in print.

A :class:`Report` collects sections of blocks (paragraphs, tables, maps, Moran charts) built
from plain frames; each pipeline step adds its own, and what is absent is simply not shown.
The page is rendered by Jinja2 with ``autoescape=True``: every user-derived string is escaped,
numbers are formatted in Python, map data enter scripts through ``tojson``; Leaflet is inlined
once, so the file opens with the network off.
"""

from __future__ import annotations

import datetime as _dt
import os
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from maps import _assets
from maps._atomic import atomic_target
from maps._classify import check_choice
from maps._format import format_number, format_p
from maps._i18n import Lang, word
from maps._leaflet import MAP_CSS, map_parts, shapes_script
from maps.errors import MapError, MapWarning, hint

__all__ = ["Report", "Paragraph", "Table", "MapBlock", "MoranChart", "Image", "table", "image", "moran_chart",
           "SIZE_WARNING_BYTES"]

SIZE_WARNING_BYTES = 20 * 1024 * 1024
_SERIES_COLORS = ("#3b4cc0", "#d7191c", "#1a9641", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#666666")


@dataclass(frozen=True)
class Paragraph:
    """Plain text (escaped when rendered)."""

    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells; ``numeric`` columns are right-aligned."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str = ""
    note: str = ""
    kind: str = "table"
    journal: bool = False  # drawn as a three-line table (top, header and bottom rules only)
    link: tuple[str, ...] = ()  # (file name beside the report, text): the full table to download


@dataclass(frozen=True)
class MapBlock:
    """One interactive map: its own head elements, body and script (trusted: built by maps/)."""

    title: str
    head: str
    body: str
    script: str
    notes: tuple[str, ...] = ()
    kind: str = "map"
    shapes: tuple[tuple[str, dict], ...] = ()  # outlines the script refers to by key, defined once per page


@dataclass(frozen=True)
class MoranChart:
    """An inline SVG line chart of Moran's I by period (filled markers: significant)."""

    width: int
    height: int
    lines: tuple[dict, ...]
    xticks: tuple[tuple[float, str], ...]
    yticks: tuple[tuple[float, str], ...]
    zero: float | None
    caption: str
    kind: str = "chart"


@dataclass(frozen=True)
class Image:
    """A static figure embedded as PNG data (base64; the page needs no file beside it)."""

    data: str
    caption: str
    kind: str = "image"


def image(png: bytes, caption: str, *, max_width: int | None = None, colors: int | None = None) -> Image:
    """An :class:`Image` block from PNG bytes (a figure this package saved).

    ``max_width`` (pixels) scales a larger figure down for the page (a 300 dpi figure for print
    is four times what a screen shows and weighs as much in the report); the file keeps its size.
    ``colors`` keeps that many colours at most (a palette PNG: a figure of flat colours loses nothing
    visible and weighs a quarter).

    Raises
    ------
    MapError
        For bytes that are not a PNG file.

    Examples
    --------
    >>> block = image(b"\\x89PNG\\r\\n\\x1a\\n" + b"rest", "<b>caption</b>")
    >>> block.kind, block.caption
    ('image', '<b>caption</b>')
    """
    import base64

    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise MapError("a report image must be PNG data (it is embedded in the page)")
    if max_width is not None or colors is not None:
        png = _smaller(png, max_width, colors)
    return Image(base64.b64encode(png).decode("ascii"), caption)


def _smaller(png: bytes, max_width: int | None, colors: int | None = None) -> bytes:
    """The PNG scaled down to ``max_width`` pixels wide (aspect kept), as a palette image of at most
    ``colors`` (default 256) colours, which loses nothing visible (figures use few colours);
    unchanged when already narrow enough and no ``colors`` is asked."""
    import io

    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as picture:
        narrow = max_width is None or picture.width <= max_width
        if narrow and colors is None:
            return png
        scaled = picture.convert("RGB")
        if not narrow:
            scaled = scaled.resize((max_width, round(picture.height * max_width / picture.width)), PILImage.LANCZOS)
        buffer = io.BytesIO()
        scaled.quantize(colors=colors or 256, method=PILImage.Quantize.MEDIANCUT).save(buffer, format="PNG",
                                                                                     optimize=True)
        return buffer.getvalue()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Any, ...]


def _cell(value: Any, fmt: str | None) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return "", False
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)), False
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}" if abs(int(value)) >= 10000 else str(int(value)), True
    if isinstance(value, (float, np.floating)):
        return format_number(value, fmt, missing="n/a"), True
    return str(value), False


def table(frame: pd.DataFrame, *, caption: str = "", note: str = "", index: bool = False,
          formats: dict[str, str] | None = None, pvalues: tuple[str, ...] = (),
          numeric: tuple[str, ...] = (), journal: bool = False) -> Table:
    """A :class:`Table` from a DataFrame: numbers formatted in Python, text kept for escaping.

    ``formats`` maps column names to format specs; ``pvalues`` names columns shown as p-values;
    ``numeric`` names columns of already formatted numbers (``"0.270***"``), right-aligned;
    ``journal`` draws a three-line table, as papers print it.

    Examples
    --------
    >>> t = table(pd.DataFrame({"name": ["<b>x</b>"], "I": [0.123456], "p": [0.0004]}), pvalues=("p",))
    >>> t.rows, t.numeric
    ((('<b>x</b>', '0.1235', '<0.001'),), (False, True, True))
    """
    formats = formats or {}
    shown = frame.reset_index() if index else frame
    columns = tuple(str(c) for c in shown.columns)
    rows, right = [], [True] * len(columns)
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for position, (column, value) in enumerate(zip(columns, record, strict=True)):
            if column in pvalues:
                text, is_number = format_p(value), True
            else:
                text, is_number = _cell(value, formats.get(column))
            right[position] = right[position] and (is_number or text == "" or column in numeric)
            cells.append(text)
        rows.append(tuple(cells))
    if not rows:
        right = [False] * len(columns)
    return Table(columns, tuple(rows), tuple(right), caption, note, journal=journal)


def moran_chart(series: pd.DataFrame, *, period: str = "period", statistic: str = "I", pvalue: str = "p_value",
                by: str | None = None, alpha: float = 0.05, lang: Lang = "en",
                width: int = 680, height: int = 260) -> MoranChart:
    """Moran's I by period as an inline SVG chart (one line per ``by`` group).

    Examples
    --------
    >>> frame = pd.DataFrame({"period": [2000, 2001], "I": [0.2, 0.3], "p_value": [0.2, 0.01]})
    >>> [m["filled"] for m in moran_chart(frame).lines[0]["markers"]]
    [False, True]
    """
    from maps._display import require_fields

    require_fields(series, [period, statistic, pvalue] + ([by] if by else []), "the Moran series")
    data = series.copy()
    data[statistic] = pd.to_numeric(data[statistic], errors="coerce")
    periods = sorted(data[period].unique(), key=lambda v: (str(type(v)), v))
    values = data[statistic].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = max(0.0, float(finite.max())) if finite.size else 1.0
    pad = (high - low) * 0.08 or 0.1
    low, high = low - pad, high + pad
    left, right, top, bottom = 56, 16, 14, 34

    def x_of(p: Any) -> float:
        i = periods.index(p)
        return left + (width - left - right) * (i / max(1, len(periods) - 1))

    def y_of(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - low) / (high - low))

    groups = [(None, data)] if by is None else list(data.groupby(by, sort=False))
    lines = []
    for number, (name, part) in enumerate(groups):
        part = part[np.isfinite(part[statistic].to_numpy(dtype=float))]
        order = sorted(part.itertuples(index=False), key=lambda r: periods.index(getattr(r, period)))
        points, markers = [], []
        for row in order:
            x, y = x_of(getattr(row, period)), y_of(float(getattr(row, statistic)))
            p = float(getattr(row, pvalue)) if pd.notna(getattr(row, pvalue)) else np.nan
            points.append(f"{x:.1f},{y:.1f}")
            markers.append({"x": round(x, 1), "y": round(y, 1), "filled": bool(p < alpha),
                            "label": f"{getattr(row, period)}: I = {float(getattr(row, statistic)):.4f}, p = {format_p(p)}"})
        lines.append({"name": "" if name is None else str(name), "color": _SERIES_COLORS[number % len(_SERIES_COLORS)],
                      "points": " ".join(points), "markers": markers})
    step = max(1, int(np.ceil(len(periods) / 12)))
    xticks = tuple((round(x_of(p), 1), str(p)) for p in periods[::step])
    yticks = tuple((round(y_of(v), 1), text) for v, text in _nice_ticks(low, high))
    return MoranChart(width, height, tuple(lines), xticks, yticks, round(y_of(0.0), 1),
                      word("significant_marker", lang, alpha=alpha))


@cache
def _template():
    import jinja2
    from markupsafe import Markup

    from maps._escape import safe_text

    def finalize(value: Any) -> Any:
        # every value printed passes through safe_text (html.escape plus backslash, backtick, $),
        # except the map parts that maps/ built from escaped text and marked as Markup
        return value if isinstance(value, Markup) or value is None else Markup(safe_text(value))

    environment = jinja2.Environment(loader=jinja2.PackageLoader("maps", "templates"), autoescape=True,
                                     finalize=finalize, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
    return environment.get_template("report.html.j2")


def _nice_ticks(low: float, high: float, target: int = 5) -> list[tuple[float, str]]:
    """Ticks at round numbers (multiples of 1, 2, 2.5 or 5 x 10^k) between ``low`` and ``high``, about
    ``target`` of them, with as many decimals as the step needs (0.64, 0.47, 0.29 read as arbitrary).

    Examples
    --------
    >>> [text for _, text in _nice_ticks(-0.05, 0.64)]
    ['0.0', '0.2', '0.4', '0.6']
    >>> [text for _, text in _nice_ticks(-0.1, 0.1)]
    ['-0.10', '-0.05', '0.00', '0.05', '0.10']
    """
    import math

    raw = (high - low) / max(1, target - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if round(step / 10.0 ** math.floor(math.log10(step)), 6) == 2.5 else 0)
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [(k * step, f"{k * step + 0.0:.{decimals}f}") for k in range(first, last + 1)]


@dataclass
class Report:
    """An HTML report built section by section.

    Examples
    --------
    >>> r = Report("Growth <2024>", lang="en")
    >>> r.add("inputs", Paragraph("48 units x 17 periods"), table(pd.DataFrame({"a": [1.5]})))
    >>> html = r.to_html()
    >>> "Growth &lt;2024&gt;" in html and "<script src=" not in html
    True
    """

    title: str
    lang: Lang = "en"
    subtitle: str = ""
    version: str = ""
    sections: list[Section] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_choice("lang", self.lang, Lang)

    def add(self, key: str, *blocks: Any, title: str | None = None) -> None:
        """Add a section; ``key`` names a standard section (its title in the report's language)
        or any other key with an explicit ``title``. Adding to an existing key appends."""
        for block in blocks:
            if not isinstance(block, (Paragraph, Table, MapBlock, MoranChart, Image)):
                raise MapError("a report block must be a Paragraph, Table, MapBlock, MoranChart or Image, got "
                               f"{type(block).__name__}")
        if title is None:
            try:
                title = word(f"sec_{key}", self.lang)
            except KeyError:
                raise MapError(f"section {key!r} needs a title") from None
        for i, section in enumerate(self.sections):
            if section.key == key:
                self.sections[i] = Section(key, section.title, section.blocks + tuple(blocks))
                return
        self.sections.append(Section(key, title, tuple(blocks)))

    @staticmethod
    def map_block(title: str, m: Any) -> MapBlock:
        """A map made by this package (``choropleth``, ``lisa_map``...) as a report block."""
        shapes: dict[str, dict] = {}
        head, body, script = map_parts(m, shapes)
        return MapBlock(title, head, body, script, tuple(getattr(m, "display_notes", ())), shapes=tuple(shapes.items()))

    def to_html(self) -> str:
        """The report as one self-contained HTML page (warns above 20 MB)."""
        from markupsafe import Markup

        blocks = [b for s in self.sections for b in s.blocks if isinstance(b, MapBlock)]
        shapes = {key: shape for block in blocks for key, shape in block.shapes}  # each outline set once
        has_maps = bool(blocks)
        page = _template().render(
            title=self.title,
            subtitle=self.subtitle,
            lang="zh-CN" if self.lang == "zh" else "en",
            sections=self.sections,
            contents=word("contents", self.lang),
            generated=word("generated", self.lang, version=self.version or "",
                           date=_dt.date.today().isoformat()),
            assets_head=Markup(_assets.inline_head()) if has_maps else "",
            shapes=Markup(shapes_script(shapes)),
            map_css=Markup(MAP_CSS),
            map_heads=[Markup(b.head) for s in self.sections for b in s.blocks if isinstance(b, MapBlock)],
            assets=_assets.assets(),
            assets_label=word("assets", self.lang),
            licence_label=word("licence", self.lang),
            licence=_assets.license_text(),
            trusted=Markup,
        )
        size = len(page.encode("utf-8"))
        if size > SIZE_WARNING_BYTES:
            warnings.warn(f"the report is {size / 2**20:.0f} MB; browsers may be slow to open it (map fewer "
                          "variables or periods, or simplify the geometry more)", MapWarning, stacklevel=2)
        return page

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the report atomically (a temporary file beside it, then renamed).

        Raises
        ------
        MapError
            If ``path`` exists and ``overwrite`` is false.
        """
        target = Path(path).expanduser()
        if target.exists() and not overwrite:
            raise MapError(f"{target.name} already exists; pass {hint('overwrite', True)} to replace it")
        html = self.to_html()
        with atomic_target(target, overwrite=overwrite) as tmp:
            tmp.write_text(html, encoding="utf-8")
        return target

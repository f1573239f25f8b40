"""Leaflet's script and stylesheet, inlined so that every page works with the network off.

folium's default page pulls Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from
public CDNs, which are unreachable on many networks (daily life for many users in China). Our
maps need Leaflet only; its ``dist`` files come from the PyPI package ``django-js-lib-leaflet``
(installed as a dependency, nothing copied into this repository), and the images the
stylesheet refers to are inlined as ``data:`` URIs, so a page makes no request at all.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources

from maps.errors import AssetError

__all__ = ["Asset", "assets", "leaflet_js", "leaflet_css", "inline_head"]

_PACKAGE = "django-js-lib-leaflet"
_MODULE = "js_lib_leaflet"
_FOLDER = ("static", "js_lib_leaflet")


@dataclass(frozen=True)
class Asset:
    """A third-party file that pages inline, with where it came from and its licence."""

    name: str
    version: str
    license: str
    package: str
    url: str


def _dist_folder():
    try:
        folder = resources.files(_MODULE)
    except ModuleNotFoundError:
        raise AssetError(
            f"Leaflet is missing: the package {_PACKAGE!r} that ships it is not installed; "
            f"run `pip install {_PACKAGE}` (it is a dependency of spatial-panel)"
        ) from None
    for part in _FOLDER:
        folder = folder / part
    return folder


def _read(name: str) -> str:
    path = _dist_folder() / name
    if not path.is_file():
        raise AssetError(f"{name} is missing from the installed {_PACKAGE}; reinstall it")
    return path.read_text(encoding="utf-8")


@cache
def leaflet_js() -> str:
    """Leaflet's minified script, safe to place inside ``<script>`` (no ``</script``)."""
    return _read("leaflet.js").replace("</", "<\\/")


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as ``data:`` URIs."""
    css = _read("leaflet.css")
    folder = _dist_folder() / "images"

    def inline(match: re.Match) -> str:
        data = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, css).replace("</", "<\\/")


@cache
def assets() -> tuple[Asset, ...]:
    """Versions and licences of everything a page inlines (shown in every report).

    Examples
    --------
    >>> [(a.name, a.license) for a in assets()]
    [('Leaflet', 'BSD-2-Clause')]
    """
    try:
        packaged = metadata.version(_PACKAGE)
    except metadata.PackageNotFoundError:
        _dist_folder()  # raises the helpful error
        packaged = "unknown"
    found = re.search(r"Leaflet (\d+\.\d+\.\d+)", _read("leaflet.js")[:300])
    version = found.group(1) if found else packaged
    return (Asset("Leaflet", version, "BSD-2-Clause", f"{_PACKAGE} {packaged}", "https://leafletjs.com"),)


@cache
def license_text() -> str:
    """The licence text shipped with the Leaflet package (BSD-2-Clause asks to reproduce it)."""
    try:
        dist = metadata.distribution(_PACKAGE)
    except metadata.PackageNotFoundError:
        return ""
    for name in ("LICENSE", "licenses/LICENSE", "LICENSE.txt"):
        text = dist.read_text(name)
        if text:
            return text
    return ""


@cache
def units_js() -> str:
    """Our script that decodes the units' shared arcs and switches views (``maps/templates/units.js``)."""
    return (resources.files("maps") / "templates" / "units.js").read_text(encoding="utf-8").replace("</", "<\\/")


def inline_head() -> str:
    """``<style>`` and ``<script>`` elements holding Leaflet and our units script, for a page's ``<head>``."""
    names = ", ".join(f"{a.name} {a.version} ({a.license})" for a in assets())
    return (
        f"<!-- inlined: {names} -->\n"
        f"<style>{leaflet_css()}</style>\n<script>{leaflet_js()}</script>\n<script>{units_js()}</script>\n"
    )

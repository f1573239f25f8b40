"""Regenerate the screenshots in docs/screenshots/ and the gallery that shows them (docs/gallery.md).

Run from the repository root after ``make install``: ``make screenshots`` (or
``.venv/bin/python docs/screenshots.py [--work DIR]``). It

1. runs the demo (the bundled US states panel, English report);
2. runs the provincial study of ``docs/provincial_study.toml`` (bundled China provinces, 31
   mainland units x 12 years, three W, four models with ten regressors, heterogeneity by region,
   Chinese report) on a SYNTHETIC panel drawn here with a fixed seed (see :func:`synthetic_panel`);
3. draws the maps a paper takes from the command line (``spatial map``);
4. opens both reports in Debian's Chromium through Playwright with the network blocked (as the
   browser tests do; ``make system-deps`` installs Chromium) and photographs the top of each report,
   its tables and each kind of interactive map; copies each kind of static figure;
5. shrinks every image (at most 1100 px wide, 256-colour palette) and writes docs/gallery.md.

Nothing here runs in ``make test``; the gallery is for people to look at.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

DOCS = Path(__file__).resolve().parent
SHOTS = DOCS / "screenshots"
GALLERY = DOCS / "gallery.md"
STUDY = DOCS / "provincial_study.toml"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MAX_WIDTH = 1100
SEED = 20240601

# The synthetic study: the regressors' names (as in docs/provincial_study.toml) and the coefficients
# of the data-generating process (beta on X, theta on W X), rho of the spatial lag.
REGRESSORS = ["log(dig)", "fin", "edu", "rd", "open", "urb", "ind", "gov", "log(pgdp)", "infra"]
BETA = np.array([0.30, 0.20, 0.05, 0.15, 0.10, 0.30, -0.10, -0.20, 0.25, 0.05])
THETA = np.array([0.20, 0.00, 0.00, 0.10, 0.00, 0.00, 0.00, -0.10, 0.10, 0.00])
RHO = 0.35


@dataclass
class Shot:
    """One picture of the gallery: file name in docs/screenshots/, section heading, caption."""

    name: str
    section: str
    caption: str


def synthetic_panel(seed: int = SEED) -> pd.DataFrame:
    """31 mainland provinces x 2011-2022 drawn from a two-way fixed-effects SDM on the queen W.

    Each regressor is a province level that grows eastward (with the capital's longitude) plus a
    trend and noise, so that the maps have an east-west gradient; ``inn`` is
    exp(y) with y = (I - rho W)^-1 (X beta + W X theta + mu_i + tau_t + e). Not real statistics.
    """
    import weights
    from spatial import datasets

    provinces = datasets.load("china_provinces")
    mainland = provinces[provinces["mainland"]].reset_index(drop=True)
    built = weights.build(mainland, kind="queen", id="adcode", islands="connect", transform="row")
    order = [str(i) for i in built.graph.unique_ids]
    w = built.graph.sparse.toarray()  # 31 x 31
    mainland = mainland.set_index("adcode").loc[order].reset_index()
    rng = np.random.default_rng(seed)
    east = ((mainland["rep_lon"] - mainland["rep_lon"].mean()) / mainland["rep_lon"].std()).to_numpy()
    years = np.arange(2011, 2023)
    n, t = len(mainland), len(years)
    level = rng.normal(0, 0.3, (n, 1)) + 0.5 * east[:, None]  # a province's development, east higher
    trend = (years - years[0])[None, :] / (t - 1)
    noise = lambda scale: rng.normal(0, scale, (n, t))  # noqa: E731
    columns = {
        "dig": np.exp(1.0 + 0.6 * level + 0.8 * trend + noise(0.15)),
        "fin": 1.2 + 0.3 * level + 0.2 * trend + noise(0.08),
        "edu": 8.8 + 0.8 * level + 0.9 * trend + noise(0.2),
        "rd": np.clip(1.5 + 0.8 * level + 0.6 * trend + noise(0.2), 0.2, None),
        "open": np.clip(0.25 + 0.2 * level + noise(0.05), 0.01, None),
        "urb": np.clip(55 + 10 * level + 8 * trend + noise(1.5), 20, 95) / 100,
        "ind": 0.45 + 0.1 * level + 0.1 * trend + noise(0.03),
        "gov": np.clip(0.25 - 0.06 * level + noise(0.03), 0.08, None),
        "pgdp": np.exp(10.6 + 0.4 * level + 0.5 * trend + noise(0.05)),
        "infra": np.clip(1.0 + 0.3 * level + 0.3 * trend + noise(0.1), 0.1, None),
    }
    x = np.stack([np.log(columns["dig"]), columns["fin"], columns["edu"], columns["rd"], columns["open"],
                  columns["urb"], columns["ind"], columns["gov"], np.log(columns["pgdp"]), columns["infra"]], axis=2)
    unit = rng.normal(0, 0.2, (n, 1))
    time = np.linspace(0, 0.3, t)[None, :]
    y = np.empty((n, t))
    solve = np.linalg.inv(np.eye(n) - RHO * w)
    for k in range(t):
        xb = x[:, k, :] @ BETA + (w @ x[:, k, :]) @ THETA
        y[:, k] = solve @ (xb + unit[:, 0] + time[0, k] + rng.normal(0, 0.05, n))
    rows = []
    for i, name in enumerate(mainland["name_zh"]):
        for k, year in enumerate(years):
            row = {"province": name, "year": int(year), "inn": float(np.exp(y[i, k]))}
            row.update({key: float(values[i, k]) for key, values in columns.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def indicators() -> pd.DataFrame:
    """The indicator table of the composite index and coupling (two subsystems)."""
    return pd.DataFrame({"indicator": ["dig", "rd", "edu", "infra", "urb", "open"],
                         "direction": ["+"] * 6,
                         "subsystem": ["数字经济", "数字经济", "数字经济", "区域创新", "区域创新", "区域创新"]})


def build_demo(work: Path) -> Path:
    """The demo report (as ``spatial demo`` writes it); returns its output folder."""
    from spatial.config import load_config
    from spatial.datasets import data_dir
    from spatial.pipeline import run

    out = work / "demo"
    run(load_config(data_dir() / "demo" / "us_produc.toml"), output=out, echo=lambda text: None)
    return out


def build_province(work: Path) -> Path:
    """The provincial study on the synthetic panel; returns its output folder."""
    from spatial.config import load_config
    from spatial.pipeline import run

    folder = work / "province"
    folder.mkdir(parents=True, exist_ok=True)
    synthetic_panel().to_csv(folder / "panel.csv", index=False, encoding="utf-8-sig")
    indicators().to_csv(folder / "indicators.csv", index=False, encoding="utf-8-sig")
    shutil.copyfile(STUDY, folder / STUDY.name)
    run(load_config(folder / STUDY.name), echo=lambda text: None)
    return folder / "out"


def spatial_cli(*args: str) -> None:
    """Run the ``spatial`` command of this environment (what a user types)."""
    command = [str(Path(sys.executable).with_name("spatial")), *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def cli_maps(province: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The maps a user draws from the command line (``spatial map``) on the files the run wrote: the
    figures a Chinese journal takes (PNG, South China Sea inset) and, where ``spatial map --kind``
    exists, the interactive LISA, hot-spot and links maps. Returns the figures and the pages
    (with their captions)."""
    panel = province.parent / "panel.csv"
    china = ["--boundaries", "china_provinces", "--boundary-id", "adcode", "--lang", "zh", "--overwrite"]
    mainland = [*china, "--keep", "mainland"]
    figures = [province / "map_inn_2022.png"]
    spatial_cli("map", str(panel), "--column", "inn", "--id", "province", "--time", "year", "--period", "2022",
                "--match-names", "name_zh", "--title", "区域创新（2022 年）", "--inset", "south_china_sea",
                "--out", str(figures[0]), *mainland)
    help_text = subprocess.run([str(Path(sys.executable).with_name("spatial")), "map", "--help"],
                               capture_output=True, text=True).stdout
    if "--kind" not in help_text:
        print("note: this version of `spatial map` has no --kind; the LISA, hot-spot and links maps are skipped")
        return figures, []
    results = ["--id", "id", "--time", "period", "--period", "2022"]
    figures.append(province / "map_lisa_2022.png")
    spatial_cli("map", str(province / "esda_lisa.csv"), "--kind", "lisa", "--column", "cluster", *results,
                "--title", "区域创新 LISA 聚类（2022 年）", "--inset", "south_china_sea", "--out", str(figures[-1]),
                *mainland)
    pages = [(province / "map_hotspots.html", "spatial map esda_hot_spots.csv --kind hotspots"),
             (province / "map_links_capitals.html", "spatial map weights_capitals.csv --kind links"),
             (province / "map_links_queen.html", "spatial map weights_queen.csv --kind links")]
    spatial_cli("map", str(province / "esda_hot_spots.csv"), "--kind", "hotspots", "--column", "category", *results,
                "--out", str(pages[0][0]), *mainland)
    for name, (page, _) in zip(("capitals", "queen"), pages[1:], strict=True):
        spatial_cli("map", str(province / f"weights_{name}.csv"), "--kind", "links", "--out", str(page), *china)
    return figures, pages


def page_shots(browser: Browser, pages: list[tuple[Path, str]], prefix: str) -> list[Shot]:
    """A map file the command line wrote, as it opens."""
    shots = []
    for index, (path, caption) in enumerate(pages):
        page = browser.open(path, width=1100, height=620)
        shots.append(Shot(f"{prefix}-cli-map-{index + 1}.png", f"{prefix}-cli", f"`{caption}`"))
        snap(page, shots[-1].name)
        page.close()
    return shots


def shrink(image: Image.Image, path: Path, width: int = MAX_WIDTH) -> None:
    """Save ``image`` at most ``width`` pixels wide as a 256-colour palette PNG (a tenth of the RGB size)."""
    image = image.convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


class Browser:
    """Chromium driven by Playwright with the network blocked; every page error is collected."""

    def __init__(self, playwright):
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            sys.exit("Chromium is not installed: run `make system-deps` (Debian's chromium) first")
        self.browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        self.errors: list[str] = []

    def open(self, path: Path, width: int = 1280, height: int = 900):
        page = self.browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        page.on("pageerror", lambda error: self.errors.append(f"{path.name}: {error}"))
        page.on("console", lambda m: self.errors.append(f"{path.name}: {m.text}") if m.type == "error" else None)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(800)
        return page

    def close(self):
        self.browser.close()


def snap(target, name: str) -> None:
    """Screenshot a page or an element into docs/screenshots/NAME, shrunk."""
    shrink(Image.open(io.BytesIO(target.screenshot())), SHOTS / name)


def snap_table(page, wrap, name: str) -> None:
    """A table with its caption and notes, as far as its box shows it (a wide table scrolls inside
    its box: the picture is cut where the reader's view is), without the empty width beside it."""
    wrap.scroll_into_view_if_needed()
    widest = wrap.evaluate("""wrap => {  // the right edge of the table and of the notes' text
        const left = wrap.getBoundingClientRect().left, range = document.createRange();
        const rights = [...wrap.querySelectorAll('.table-note')].map(n => {
            range.selectNodeContents(n); return range.getBoundingClientRect().right; });
        return Math.max(wrap.querySelector('table').getBoundingClientRect().right, ...rights) - left; }""")
    image = Image.open(io.BytesIO(wrap.screenshot()))
    image.crop((0, 0, min(image.width, round(widest) + 8), image.height)).save(buffer := io.BytesIO(), "PNG")
    shrink(Image.open(buffer), SHOTS / name)


SECTIONS = {  # data-section -> (English caption, Chinese caption, how many maps, how many tables)
    "inputs": ("Inputs, what was dropped and why", "输入数据与剔除记录", 0, 2),
    "weights": ("Spatial weights: links by weight, units not in the sample drawn",
                "空间权重连接图（不在样本中的单元照常绘出）", 3, 1),
    "maps": ("Map of a variable over time (period slider)", "变量地图（时期滑块）", 1, 0),
    "moran": ("Global Moran's I by year", "全局莫兰指数逐年", 0, 1),
    "lisa": ("LISA clusters and hot spots", "LISA 聚类与冷热点", 2, 0),
    "selection": ("Model selection", "模型选择", 0, 1),
    "models": ("Regression table (the journal table of the files)", "回归结果表（与文件相同的期刊表格）", 0, 1),
    "effects": ("Direct, indirect and total effects", "直接、间接与总效应", 0, 1),
    "effects_maps": ("Effects map (continuous scale, range stated)", "效应地图（连续色阶，注明取值范围）", 1, 0),
    "robustness": ("Robustness across W", "不同空间权重矩阵下的稳健性检验", 0, 2),
    "heterogeneity": ("Regional heterogeneity", "区域异质性", 0, 2),
    "indices": ("Indices", "指数", 0, 2),
}


def report_shots(browser: Browser, report: Path, prefix: str, lang: str) -> list[Shot]:
    """The top of a report, each section's first table and chart, and its maps."""
    zh = lang == "zh"
    page = browser.open(report)
    shots = [Shot(f"{prefix}-top.png", prefix, "报告开头" if zh else "The top of the report")]
    snap(page, shots[-1].name)
    for key, (english, chinese, n_maps, n_tables) in SECTIONS.items():
        section = page.locator(f'[data-section="{key}"]')
        if section.count() == 0:
            continue
        caption, stem = chinese if zh else english, f"{prefix}-{key.replace('_', '-')}"
        maps = section.locator("figure.map-block")
        for index in range(min(maps.count(), n_maps)):
            block = maps.nth(index)
            block.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            title = block.locator("figcaption").inner_text()
            shots.append(Shot(f"{stem}-map-{index + 1}.png", prefix, f"{caption} — {title}"))
            snap(block, shots[-1].name)
        tables = section.locator(".table-wrap")
        for index in range(min(tables.count(), n_tables)):
            shots.append(Shot(f"{stem}-table-{index + 1}.png", prefix, caption))
            snap_table(page, tables.nth(index), shots[-1].name)
        charts = section.locator("figure.chart")
        if charts.count():
            shots.append(Shot(f"{stem}-chart.png", prefix, caption + ("（图）" if zh else " (chart)")))
            charts.first.scroll_into_view_if_needed()
            snap(charts.first, shots[-1].name)
    page.close()
    return shots


FIGURES = {  # output file (glob) -> (gallery name, caption)
    "esda_moran_over_time.png": ("moran-over-time", "Moran's I over time (stars: permutation p-values)"),
    "esda_scatter_*.png": ("moran-scatter", "Moran scatter plot (unit labels clear of the points, quadrant shares in the legend)"),
    "*kde*.png": ("kde", "Kernel density over time"),
    "map_inn_*.png": ("map", "Choropleth with the South China Sea inset (`spatial map ... --out map.png`)"),
    "map_lisa_*.png": ("lisa-map", "LISA clusters (`spatial map esda_lisa.csv --kind lisa --out lisa.png`)"),
}


def figure_shots(folder: Path, prefix: str) -> list[Shot]:
    """Copy (shrunk) the first static figure of each kind a run wrote."""
    shots = []
    for pattern, (name, caption) in FIGURES.items():
        found = sorted(folder.glob(pattern))
        if not found:
            continue
        shots.append(Shot(f"{prefix}-figure-{name}.png", f"{prefix}-figures", f"{caption} ({found[-1].name})"))
        shrink(Image.open(found[-1]), SHOTS / shots[-1].name)
    return shots


HEADINGS = {
    "demo": "Demo report (US states, `spatial demo`)",
    "demo-figures": "Demo figures (PNG, 300 dpi, shown shrunk)",
    "province": "Provincial study in Chinese (`docs/provincial_study.toml`, synthetic panel)",
    "province-figures": "Provincial study figures (PNG, 300 dpi, shown shrunk)",
    "province-cli": "Provincial study: interactive maps drawn from the command line",
}


def write_gallery(shots: list[Shot]) -> None:
    lines = ["# Gallery", "",
             "What the reports and figures look like, refreshed by `make screenshots` (docs/screenshots.py).",
             "The provincial study runs on a synthetic panel drawn with a fixed seed (not real statistics);",
             "its boundaries are the bundled China provinces. Images are shrunk to at most "
             f"{MAX_WIDTH} px and 256 colours.", ""]
    for section, heading in HEADINGS.items():
        chosen = [shot for shot in shots if shot.section == section]
        if not chosen:
            continue
        lines += [f"## {heading}", ""]
        for shot in chosen:
            lines += [f"**{shot.caption}**", "", f"![{shot.caption}](screenshots/{shot.name})", ""]
    GALLERY.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the runs' outputs in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        print("running the demo ...", flush=True)
        demo = build_demo(work)
        print("running the provincial study ...", flush=True)
        province = build_province(work)
        _, pages = cli_maps(province)
        if SHOTS.exists():
            shutil.rmtree(SHOTS)
        SHOTS.mkdir()
        shots: list[Shot] = []
        with sync_playwright() as playwright:
            browser = Browser(playwright)
            shots += report_shots(browser, demo / "report.html", "demo", "en")
            shots += report_shots(browser, province / "report.html", "province", "zh")
            shots += page_shots(browser, pages, "province")
            browser.close()
        shots += figure_shots(demo, "demo") + figure_shots(province, "province")
        write_gallery(shots)
        total = sum((SHOTS / shot.name).stat().st_size for shot in shots)
        print(f"{len(shots)} images, {total / 1e6:.1f} MB in {SHOTS}; gallery: {GALLERY}")
        if browser.errors:
            print("page errors:\n  " + "\n  ".join(browser.errors))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

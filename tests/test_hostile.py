"""The hostile corpus (tests/hostile.py) through every surface that turns user text into a page or
a figure: no template ever evaluates it, and it is shown as text (issue 12, item 1).

Surfaces: the six interactive maps, the report and its blocks, and the static figures of the Python
API; ``spatial map`` (panel with periods, boundary file, SVG), ``spatial report``, ``spatial run``,
``spatial fit --table x.html``, ``spatial moran --figure`` and ``spatial lisa --figure`` through the
command line. The browser checks (hover, period switching, no execution, no request, no console
error) are in tests/maps/test_browser.py.
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from branca.element import Element
from shapely import box

import maps
from maps.categories import category_map
from maps.heatmap import weights_heatmap
from maps._literal import LiteralFigure, UnsafePageError, Verbatim
from maps.report import Paragraph, Report, moran_chart, table
from spatial.cli import main
from tests.hostile import (
    ENV_MARKER,
    JOINED,
    PAYLOADS,
    assert_figure_shows,
    assert_not_evaluated,
    assert_page_shows,
    drawn_texts,
    recorded_figures,
    short,
)

N = len(PAYLOADS)
HOSTILE_IDS = [f"{i:02d}{p}" for i, p in enumerate(PAYLOADS)]  # unit ids made of the corpus
WEIGHTS = "W{{7*7}}W<b>"  # a weights name (it also ends up in a file name, so no "/")
IDS = [f"u{i:02d}" for i in range(N)]


@pytest.fixture(autouse=True)
def _no_marker():
    os.environ.pop(ENV_MARKER, None)
    yield
    assert ENV_MARKER not in os.environ, "the lipsum payload was evaluated"


def corpus_units() -> gpd.GeoDataFrame:
    """One unit per payload, named by it, in a 4-column grid (every unit has neighbours)."""
    geometry = [box(i % 4, i // 4, i % 4 + 1, i // 4 + 1) for i in range(N)]
    return gpd.GeoDataFrame({"code": IDS, "name": list(PAYLOADS)}, geometry=geometry, crs=4326)


@pytest.fixture(scope="module")
def units() -> gpd.GeoDataFrame:
    return corpus_units()


def _series(values) -> pd.Series:
    return pd.Series(list(values), index=IDS)


def _wide() -> pd.DataFrame:
    """Values by unit (rows) and period (columns); the period labels are the payloads."""
    rng = np.random.default_rng(12)
    return pd.DataFrame(rng.normal(size=(N, N)), index=IDS, columns=list(PAYLOADS))


# --- the Python API: interactive maps and the report --------------------------------------------

def api_pages(units) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each interactive map kind with the corpus in names, titles, labels and period labels:
    kind -> (page, texts that the page must show)."""
    kinds = ["HH", "LL", "HL", "LH", "ns", "island"]
    clusters = pd.DataFrame({p: [kinds[(i + j) % 6] for i in range(N)] for j, p in enumerate(PAYLOADS)}, index=IDS)
    pvalues = pd.DataFrame(np.linspace(0.001, 0.9, N * N).reshape(N, N), index=IDS, columns=list(PAYLOADS))
    effects = pd.DataFrame(np.arange(N * N, dtype=float).reshape(N, N), index=IDS, columns=list(PAYLOADS))
    edges = pd.DataFrame({"focal": IDS[:-1], "neighbor": IDS[1:]})
    common = {"id": "code", "names": ["name"]}
    pages = {
        "choropleth": maps.choropleth(units, _wide(), label=JOINED, title=JOINED, **common),
        "lisa_map": maps.lisa_map(units, clusters, pvalues=pvalues, title=JOINED, **common),
        "significance_map": maps.significance_map(units, pvalues, title=JOINED, **common),
        "hotspot_map": maps.hotspot_map(units, _wide() * 3, pvalues, title=JOINED, **common),
        "effects_map": maps.effects_map(units, effects, variable=JOINED, title=JOINED, **common),
        "links_map": maps.links_map(units, edges, title=JOINED, **common),
        # category keys and legend texts are the corpus too
        "category_map": category_map(units, pd.DataFrame({p: list(PAYLOADS) for p in PAYLOADS}, index=IDS),
                                     [(p, p) for p in PAYLOADS], label=JOINED, title=JOINED, **common),
    }
    return {kind: (m.to_html(), PAYLOADS) for kind, m in pages.items()}


def test_every_interactive_map_kind_shows_the_corpus_as_text(units):
    pages = api_pages(units)
    assert len(pages) == 7
    for kind, (page, texts) in pages.items():
        assert assert_page_shows(page, texts) == N, kind


def test_hostile_ids_name_the_units_as_text(units):
    by_id = units.assign(code=HOSTILE_IDS, v=np.arange(N, dtype=float))
    clusters = pd.Series((["HH", "LL", "ns", "island"] * 4)[:N], index=HOSTILE_IDS)
    for m in (maps.choropleth(by_id, "v", id="code"), maps.lisa_map(by_id, clusters, id="code")):
        assert assert_page_shows(m.to_html(), HOSTILE_IDS) == N


def test_the_report_shows_the_corpus_in_every_block(units):
    report = Report(JOINED, subtitle=JOINED, version=PAYLOADS[4])
    frame = pd.DataFrame({p: [p, 1.5] for p in PAYLOADS})
    series = pd.DataFrame({"period": list(PAYLOADS) * 2, "I": np.linspace(-0.2, 0.4, 2 * N),
                           "p_value": np.linspace(0.01, 0.5, 2 * N), "by": [PAYLOADS[0]] * N + [PAYLOADS[4]] * N})
    report.add("inputs", Paragraph(JOINED), table(frame, caption=JOINED, note=JOINED))
    report.add("custom", moran_chart(series, by="by"), title=JOINED)
    report.add("maps", Report.map_block(JOINED, maps.choropleth(units, _wide(), id="code", names=["name"],
                                                                 label=JOINED, title=JOINED)))
    assert assert_page_shows(report.to_html()) == N


def test_a_plain_folium_page_would_evaluate_the_payload_and_ours_refuses_run_time_templates(units):
    """The threat is real (folium's own Figure renders text twice), and LiteralFigure refuses any
    element that would compile run-time text; the safe way in is Verbatim."""
    import folium

    plain = folium.Map(tiles=None)
    folium.GeoJson(units.iloc[[4]].to_json(), tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(plain)
    assert "Q49Q" in plain.get_root().render()  # the defect this module exists for

    m = maps.choropleth(units.assign(v=np.arange(N, dtype=float)), "v", id="code")
    m.add_child(Element("<b>Q{{7*7}}Q</b>"))
    with pytest.raises(UnsafePageError, match="would render run-time text as a template"):
        m.to_html()
    figure = LiteralFigure()
    figure.html.add_child(Verbatim("<b>Q{{7*7}}Q</b>"))
    assert "<b>Q{{7*7}}Q</b>" in figure.render()
    with pytest.raises(UnsafePageError):
        maps._leaflet.map_parts(plain)


# --- the Python API: static figures -------------------------------------------------------------

def static_figures(units) -> dict[str, tuple[list[str], tuple[str, ...]]]:
    """Each static figure of the API with the corpus in its texts: name -> (drawn texts, expected)."""
    from maps import static
    from spatial.esda import figure as esda_figure

    values = units.assign(value=np.arange(N, dtype=float))
    rng = np.random.default_rng(3)
    series = pd.DataFrame({"period": list(PAYLOADS), "I": rng.normal(size=N), "p_value": rng.uniform(size=N)})
    grouped = pd.concat([series.assign(by=p) for p in PAYLOADS[:3]])
    out = {
        "choropleth_figure": (static.choropleth_figure(values, "value", label=JOINED, title=JOINED), (JOINED,)),
        "lisa_figure": (static.lisa_figure(units.set_index("code"), _series((["HH", "LL", "ns", "island"] * 4)[:N]),
                                           title=JOINED), (JOINED,)),
        "moran_scatter": (static.moran_scatter(rng.normal(size=N), rng.normal(size=N), labels=list(PAYLOADS),
                                               title=JOINED, xlabel=JOINED), PAYLOADS),
        "moran_series": (static.moran_series(series, title=JOINED), PAYLOADS),
        "moran_series_by": (static.moran_series(grouped, by="by"), PAYLOADS[:3]),
        "weights_heatmap": (weights_heatmap(pd.DataFrame({"focal": IDS[:-1], "neighbor": IDS[1:], "weight": 1.0}),
                                            ids=IDS, labels=dict(zip(IDS, PAYLOADS, strict=True)), title=JOINED,
                                            island_links=[IDS[:2]]), (*PAYLOADS, JOINED)),
    }
    drawn = {name: (drawn_texts(fig), texts) for name, (fig, texts) in out.items()}
    drawn.update(_esda_figures(units, esda_figure))
    return drawn


def _esda_figures(units, esda_figure):
    from libpysal.graph import Graph

    from spatial import SpatialPanel
    from spatial.esda import local_moran, moran

    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"code": np.repeat(IDS, 2), "year": np.tile([2000, 2001], N)})
    variable = short(4) + short(2)
    frame[variable] = rng.normal(size=2 * N)
    panel = SpatialPanel(frame, id="code", time="year", geometry=units, geometry_id="code", variables=[variable])
    w = Graph.build_contiguity(panel.geometry, rook=False)
    local = local_moran(panel, w, variable, periods=[2001], permutations=0)
    names = _series(PAYLOADS)
    global_ = moran(panel, w, [variable], permutations=0)
    return {
        "esda.moran_scatter": (drawn_texts(esda_figure.moran_scatter(local, labels=names, title=JOINED)), PAYLOADS),
        "esda.moran_over_time": (drawn_texts(esda_figure.moran_over_time(global_, names={variable: JOINED},
                                                                          title=JOINED)), (JOINED,)),
    }


def test_every_static_figure_draws_the_corpus_literally(units):
    figures = static_figures(units)
    assert len(figures) == 8
    for name, (drawn, texts) in figures.items():
        assert assert_figure_shows(drawn, texts), name


def test_kernel_density_figure_draws_the_corpus_literally(tmp_path):
    from spatial.indices import kernel_density
    from spatial.indices.figures import plot_kernel_density

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"code": np.repeat(IDS, 2), "year": np.tile([2000, 2001], N), "v": rng.normal(size=2 * N)})
    kde = kernel_density(frame, "v", id="code", time="year")
    with recorded_figures() as saved:
        paths = plot_kernel_density(kde, tmp_path / "kde", title=JOINED, xlabel=JOINED, ylabel=PAYLOADS[13])
    assert [p.suffix for p in paths] == [".png", ".svg"] and len(saved) == 2
    assert assert_figure_shows(saved[-1], (JOINED,))


# --- the command line ----------------------------------------------------------------------------

def project_files(folder):
    """Boundaries named by the corpus, a panel whose columns carry payload fragments, a config
    whose project name, report title and variables are hostile: (config, y column, x column)."""
    units = corpus_units()
    units.to_file(folder / "units.geojson", driver="GeoJSON")
    rng = np.random.default_rng(6)
    y, x = short(4) + "<i>", short(2) + "`"
    rows = [(i, 2000 + t, rng.normal(), rng.normal()) for i in IDS for t in range(3)]
    pd.DataFrame(rows, columns=["code", "year", y, x]).to_csv(folder / "panel.csv", index=False)
    with_value = units.assign(**{y: np.arange(N, dtype=float)})
    with_value.to_file(folder / "valued.geojson", driver="GeoJSON")
    with_value.assign(code=HOSTILE_IDS).drop(columns="name").to_file(folder / "ided.geojson", driver="GeoJSON")

    def toml(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")

    (folder / "a.toml").write_text(
        f'[project]\nname = "{toml(JOINED)}"\noutput = "out"\n'
        '[panel]\npath = "panel.csv"\nid = "code"\ntime = "year"\n'
        '[boundaries]\npath = "units.geojson"\nid = "code"\n'
        f'[weights."{toml(WEIGHTS)}"]\nkind = "queen"\n'
        f'[esda]\nvariables = ["{toml(y)}"]\npermutations = 99\nseed = 1\nlisa = ["{toml(y)}"]\nlabels = "name"\n'
        f'[models]\ny = "{toml(y)}"\nx = ["{toml(x)}"]\nmodels = ["ols", "sar"]\nfe = "unit"\n'
        f'[report]\ntitle = "{toml(JOINED)}"\n', encoding="utf-8")
    return folder / "a.toml", y, x


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_cli")
    _, y, x = project_files(folder)
    return folder, y, x


def _cli(args: list[str], capsys) -> str:
    code = main(args)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert_not_evaluated(out.out + out.err)
    return out.out


def test_spatial_map_pages_show_the_corpus(project, capsys):
    folder, y, _ = project
    panel_page = folder / "panel_map.html"
    _cli(["map", str(folder / "panel.csv"), "--column", y, "--id", "code", "--time", "year", "--boundaries",
          str(folder / "units.geojson"), "--boundary-id", "code", "--names", "name", "--title", JOINED,
          "--out", str(panel_page)], capsys)
    assert assert_page_shows(panel_page.read_text(encoding="utf-8"), (*PAYLOADS, y)) == N + 1
    file_page = folder / "file_map.html"
    _cli(["map", str(folder / "valued.geojson"), "--column", y, "--names", "name", "--title", JOINED,
          "--out", str(file_page)], capsys)
    assert assert_page_shows(file_page.read_text(encoding="utf-8"), (*PAYLOADS, y)) == N + 1
    id_page = folder / "id_map.html"  # no --names: the tooltips name the units by their hostile ids
    _cli(["map", str(folder / "ided.geojson"), "--column", y, "--id", "code", "--out", str(id_page)], capsys)
    assert assert_page_shows(id_page.read_text(encoding="utf-8"), HOSTILE_IDS) == N


def test_spatial_map_svg_draws_the_title_and_column_literally(project, capsys):
    folder, y, _ = project
    with recorded_figures() as saved:
        _cli(["map", str(folder / "valued.geojson"), "--column", y, "--title", JOINED, "--out",
              str(folder / "map.svg")], capsys)
    assert assert_figure_shows(saved[0], (JOINED, y)) == 2
    assert (folder / "map.svg").read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize("command", ["report", "run"])
def test_report_and_run_show_the_corpus(project, command, tmp_path, capsys):
    folder, y, x = project
    out = tmp_path / command
    with recorded_figures() as saved:
        _cli([command, str(folder / "a.toml"), "--out", str(out)], capsys)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert assert_page_shows(page, (*PAYLOADS, JOINED, y, x, WEIGHTS)) == N + 4
    table_page = (out / "models_table.html").read_text(encoding="utf-8")
    assert assert_page_shows(table_page, (y, x)) == 2
    assert saved, "the run drew no figures"
    for texts in saved:
        assert_figure_shows(texts, ())
    assert any(any(p in "\n".join(texts) for p in PAYLOADS) for texts in saved)  # scatter labels


def test_fit_table_html_shows_the_names(project, tmp_path, capsys):
    folder, y, x = project
    target = tmp_path / "t.html"
    _cli(["fit", str(folder / "panel.csv"), "--id", "code", "--time", "year", "--y", y, "--x", x, "--model", "sar",
          "--fe", "unit", "--contiguity", "queen", "--boundaries", str(folder / "units.geojson"),
          "--table", str(target)], capsys)
    assert assert_page_shows(target.read_text(encoding="utf-8"), (y, x)) == 2


def test_moran_and_lisa_figures_draw_the_names_literally(project, tmp_path, capsys):
    folder, y, _ = project
    base = ["--id", "code", "--time", "year", "--boundaries", str(folder / "units.geojson"), "--boundary-id", "code",
            "--variables", y, "--permutations", "0"]
    with recorded_figures() as saved:
        _cli(["moran", str(folder / "panel.csv"), *base, "--figure", str(tmp_path / "m.svg")], capsys)
        _cli(["lisa", str(folder / "panel.csv"), *base, "--figure", str(tmp_path / "l.svg")], capsys)
    assert len(saved) >= 2
    for texts in saved:
        assert assert_figure_shows(texts, (y,)) == 1


def test_no_run_time_text_is_compiled_as_a_template(units, monkeypatch):
    """Not only never rendered twice: the text of the page never reaches Jinja's compiler."""
    import jinja2

    compiled: list[str] = []
    original = jinja2.Environment.from_string

    def from_string(self, source, *args, **kwargs):
        compiled.append(str(source))
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "from_string", from_string)
    page = maps.choropleth(units, _wide(), id="code", names=["name"], label=JOINED, title=JOINED).to_html()
    assert_page_shows(page)
    assert compiled, "the probe saw no compilation at all"
    assert not any("#123;" in source or "Q{{" in source for source in compiled)  # safe_text's { is &#123;
    assert not any("L.control(" in source for source in compiled)  # nor the output of our own macros


def test_notebook_display_and_save_render_once(units, tmp_path):
    """``_repr_html_`` (Jupyter) and ``save`` go through the same literal page."""
    import html

    m = maps.choropleth(units.assign(v=np.arange(N, dtype=float)), "v", id="code", names=["name"], title=JOINED)
    srcdoc = html.unescape(m._repr_html_())  # the page, entity-escaped into an iframe's srcdoc
    assert_page_shows(srcdoc.split('srcdoc="', 1)[1].rsplit('" style=', 1)[0])
    m.save(tmp_path / "m.html")
    assert_page_shows((tmp_path / "m.html").read_text(encoding="utf-8"))


def test_raster_step_maps_draw_the_variable_name_literally(tmp_path):
    """The [rasters] step's PNG maps: a hostile raster name is drawn as text, never as mathtext."""
    from spatial.config import load_config
    from spatial.pipeline import run
    from tests.spatial.raster.synthetic import write_raster

    write_raster(tmp_path / "dem.tif", np.arange(16.0).reshape(4, 4) + 1, west=0, north=4, res=1, crs="EPSG:4326")
    grid = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[box(0, 0, 2, 4), box(2, 0, 4, 4)], crs=4326)
    grid.to_file(tmp_path / "units.gpkg")
    pd.DataFrame({"code": ["a", "b"], "pop": [1.0, 2.0]}).to_csv(tmp_path / "table.csv", index=False)
    name = "r$x^2$Q{{7*7}}Q"
    (tmp_path / "run.toml").write_text(
        '[panel]\npath = "table.csv"\nid = "code"\n\n[boundaries]\npath = "units.gpkg"\n\n'
        f'[rasters]\npath = "dem.tif"\nname = "{name}"\nstats = ["mean"]\nmaps = true\n', encoding="utf-8")
    with recorded_figures() as saved:
        run(load_config(tmp_path / "run.toml"), output=tmp_path / "out", echo=lambda _: None)
    assert len(saved) == 1
    assert assert_figure_shows(saved[0], (f"{name}_mean",)) == 1

"""The start-up path imports only what a command needs (DESIGN convention 14).

A panel fit from a table and a weights file needs numpy, scipy (sparse, linalg, optimize, special)
and pandas; it must not load libpysal (which brings scikit-learn, scipy.stats, geopandas and its
example catalogue), matplotlib, folium or the report machinery. Each case runs in a fresh
interpreter and lists the modules loaded at the end; ``bench/bench_imports.py`` measures the time.
(A cross-section still loads libpysal for the Moran test of its residuals, which works on a Graph.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("libpysal", "sklearn", "scipy.stats", "matplotlib", "folium", "branca", "jinja2", "geopandas", "shapely",
         "esda", "openpyxl", "docx")

_RUN = """
import json, sys
from spatial.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _loaded(args: list[str], cwd: Path) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.fixture
def produc(tmp_path):
    from spatial import datasets

    import weights

    datasets.load("us_produc").to_csv(tmp_path / "produc.csv", index=False)
    built = weights.build(datasets.load("us48_states"), kind="queen", id="fips")
    weights.write_weights(built.graph, tmp_path / "w.gal")
    return tmp_path


def test_panel_fit_from_a_weights_file_loads_no_heavy_module(produc):
    code, modules = _loaded(["-q", "fit", "produc.csv", "--id", "fips", "--time", "year", "--y", "log(gsp)",
                             "--x", "log(pcap)", "log(pc)", "log(emp)", "unemp", "--model", "sdm", "--fe", "twoway",
                             "--weights", "w.gal", "--effects-draws", "50", "--json", "out.json"], produc)
    assert code == 0 and (produc / "out.json").is_file()
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY) == []


def test_help_and_the_estimators_import_light():
    code = ("import sys, spatial.cli, spatial.models, spatial.panel, weights, weights.io, maps, maps._escape; "
            "import json; print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    modules = set(json.loads(done.stdout))
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY) == []


def test_maps_names_load_on_first_use():
    import maps

    assert callable(maps.choropleth) and callable(maps.lisa_map) and "choropleth" in dir(maps)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        maps.nope  # noqa: B018

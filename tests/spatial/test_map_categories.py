"""`spatial map --column cluster`: text columns (LISA clusters, grades) map from the command line, and a
mainland China map keeps Taiwan as a unit without data with the South China Sea line in the inset."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spatial import datasets
from spatial.cli import main
from tests.maps.pagedata import view_specs


def _lisa_table(tmp_path, labels):
    states = datasets.load("us48_states")
    ids = list(states["fips"])
    rows = [{"id": i, "period": p, "cluster": labels[(k + p) % len(labels)], "z": float(k)}
            for k, i in enumerate(ids) for p in (1970, 1986)]
    path = tmp_path / "lisa.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_lisa_clusters_html_and_png(tmp_path, capsys):
    table = _lisa_table(tmp_path, ["HH", "LL", "LH", "HL", "not significant"])
    args = ["map", str(table), "--id", "id", "--time", "period", "--column", "cluster", "--boundaries", "us48_states",
            "--boundary-id", "fips"]
    assert main([*args, "--out", str(tmp_path / "lisa.html")]) == 0, capsys.readouterr().err
    spec = view_specs((tmp_path / "lisa.html").read_text(encoding="utf-8"))[0]
    assert len(spec["views"]) == 2 and "High-High" in spec["legends"][0]
    assert main([*args, "--out", str(tmp_path / "lisa.png"), "--lang", "zh"]) == 0, capsys.readouterr().err
    assert (tmp_path / "lisa.png").read_bytes()[:4] == b"\x89PNG"


def test_other_categories_html_only(tmp_path, capsys):
    table = _lisa_table(tmp_path, ["<b>low</b>", "middle", "high"])
    args = ["map", str(table), "--id", "id", "--time", "period", "--column", "cluster", "--boundaries", "us48_states",
            "--boundary-id", "fips"]
    assert main([*args, "--out", str(tmp_path / "grades.html")]) == 0, capsys.readouterr().err
    html = (tmp_path / "grades.html").read_text(encoding="utf-8")
    assert "<b>low</b>" not in html and "middle" in html  # user labels escaped
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "grades.png")]) == 2
    assert "for LISA clusters only" in capsys.readouterr().err


def test_mainland_map_keeps_taiwan_and_draws_the_scs_line(tmp_path, capsys):
    provinces = datasets.load("china_provinces")
    mainland = provinces.loc[provinces["mainland"], "adcode"]
    pd.DataFrame({"code": mainland, "x": np.arange(len(mainland), dtype=float)}).to_csv(tmp_path / "p.csv",
                                                                                         index=False)
    args = ["map", str(tmp_path / "p.csv"), "--id", "code", "--column", "x", "--boundaries", "china_provinces",
            "--boundary-id", "adcode", "--keep", "mainland", "--lang", "zh"]
    assert main([*args, "--out", str(tmp_path / "cn.html")]) == 0, capsys.readouterr().err
    html = (tmp_path / "cn.html").read_text(encoding="utf-8")
    assert "(710000)" in html  # Taiwan drawn (without data), not silently left out
    from maps.static import choropleth_figure

    lines = datasets.load("china_scs_line")
    assert len(lines.geometry.iloc[0].geoms) == 9
    units = provinces.set_index("adcode")
    values = pd.Series(np.arange(len(mainland), dtype=float), index=list(mainland))
    fig = choropleth_figure(units, values, inset="south_china_sea", inset_lines=lines, lang="zh")
    inset = [ax for ax in fig.axes[0].child_axes]
    assert inset and any(len(c.get_paths()) >= 9 for c in inset[0].collections)  # the nine segments drawn
    assert main([*args, "--out", str(tmp_path / "cn.png"), "--inset", "south_china_sea"]) == 0

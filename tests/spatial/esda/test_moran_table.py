"""Moran's I by year as a journal table (OUTPUTS.md section 4)."""

from __future__ import annotations

import pytest
from libpysal.graph import Graph

from spatial import SpatialPanel, datasets, esda
from spatial.errors import SpatialPanelError


@pytest.fixture(scope="module")
def result():
    panel = SpatialPanel(datasets.load("us_produc"), id="fips", time="year", geometry=datasets.load("us48_states"))
    w = Graph.build_contiguity(panel.geometry, rook=False)
    return esda.global_autocorrelation(panel, w, ["unemp", "gsp"], periods=[1970, 1975, 1986], permutations=99,
                                       seed=7)


def test_years_as_rows_i_with_stars_then_p(result):
    table = esda.moran_table(result, digits=3)
    assert table.stub == "Year" and list(table.frame.index) == ["1970", "1975", "1986"]
    assert list(table.frame.columns) == ["I (unemp)", "p (unemp)", "I (gsp)", "p (gsp)"]
    rows = result.table[(result.table["inference"] == "permutation") & (result.table["statistic"] == "moran_i")]
    for row in rows.itertuples():
        cell = table.frame.loc[str(row.period), f"I ({row.variable})"]
        star = "***" if row.p_two_sided < 0.01 else "**" if row.p_two_sided < 0.05 else "*" \
            if row.p_two_sided < 0.1 else ""
        assert cell == f"{row.value:.3f}{star}"
        assert table.frame.loc[str(row.period), f"p ({row.variable})"] == f"{row.p_two_sided:.3f}"
    assert "permutation" in table.notes[0]


def test_z_randomisation_chinese_labels_every_format(result, tmp_path):
    table = esda.moran_table(result, stat="z", inference="randomisation", lang="zh", labels={"unemp": "失业率"},
                             digits=2)
    assert table.stub == "年份" and "z (失业率)" in table.frame.columns
    assert "随机化假设" in table.notes[0]
    assert all(len(c.rstrip("*").split(".")[1]) == 2 for c in table.frame.to_numpy().ravel())
    for suffix in ("csv", "md", "html", "tex", "docx", "txt"):
        table.write(tmp_path / f"moran.{suffix}")
    assert "年份" in (tmp_path / "moran.csv").read_text(encoding="utf-8-sig").splitlines()[0]


def test_refuses_an_inference_that_was_not_run(result):
    with pytest.raises(SpatialPanelError, match="inference 'bootstrap'"):
        esda.moran_table(result, inference="bootstrap")
    with pytest.raises(SpatialPanelError, match="stat"):
        esda.moran_table(result, stat="se")

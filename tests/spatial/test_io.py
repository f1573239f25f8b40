"""Reading boundaries and tables: formats, encodings, zipped shapefiles, ids as text."""

from __future__ import annotations

import pandas as pd
import pytest

from spatial.errors import BoundaryFileError, CRSError, InputFileError, SchemaError
from spatial.io import read_boundaries, read_table, wide_to_long
from tests.helpers import grid_layer, write_shapefile, zip_files


def test_shapefile_gpkg_geojson_parquet_read_alike(tmp_path):
    layer = grid_layer(["01", "02", "10"])
    write_shapefile(layer, tmp_path / "shp")
    layer.to_file(tmp_path / "u.gpkg", layer="units")
    layer.to_file(tmp_path / "u.geojson")
    layer.to_parquet(tmp_path / "u.parquet")
    for path in (tmp_path / "shp" / "units.shp", tmp_path / "u.gpkg", tmp_path / "u.geojson", tmp_path / "u.parquet"):
        frame = read_boundaries(path, id_column="code")
        assert frame["code"].tolist() == ["01", "02", "10"], path
        assert frame.crs.to_epsg() == 3857


def test_zipped_shapefile_is_read_in_place(tmp_path):
    shp = write_shapefile(grid_layer(["01", "02"]), tmp_path / "src")
    archive = zip_files(sorted(shp.parent.iterdir()), tmp_path / "units.zip")
    before = sorted(p.name for p in tmp_path.iterdir())
    frame = read_boundaries(archive, id_column="code")
    assert frame["code"].tolist() == ["01", "02"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted


def test_gbk_dbf_without_cpg_needs_encoding(tmp_path):
    layer = grid_layer(["110000", "120000"], name=["北京市", "天津市"])
    shp = write_shapefile(layer, tmp_path, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    with pytest.raises(BoundaryFileError, match="encoding='gbk'"):
        read_boundaries(shp)
    frame = read_boundaries(shp, encoding="gbk")
    assert frame["name"].tolist() == ["北京市", "天津市"]


def test_utf8_dbf_without_cpg_is_read_as_utf8(tmp_path):
    shp = write_shapefile(grid_layer(["1", "2"], name=["石家庄市", "Zürich"]), tmp_path, encoding="UTF-8")
    shp.with_suffix(".cpg").unlink()
    assert read_boundaries(shp)["name"].tolist() == ["石家庄市", "Zürich"]


def test_missing_crs_needs_assume_crs(tmp_path):
    shp = write_shapefile(grid_layer(["1", "2"], crs=None), tmp_path)
    with pytest.raises(CRSError, match="assume_crs='EPSG:XXXX'"):
        read_boundaries(shp)
    frame = read_boundaries(shp, assume_crs="EPSG:4326")
    assert frame.crs.to_epsg() == 4326
    assert frame.attrs["source"]["assumed_crs"] == "EPSG:4326"


def test_several_layers_need_a_choice(tmp_path):
    path = tmp_path / "two.gpkg"
    grid_layer(["1"]).to_file(path, layer="provinces")
    grid_layer(["2"]).to_file(path, layer="cities")
    with pytest.raises(BoundaryFileError, match="2 layers") as info:
        read_boundaries(path)
    assert "provinces" in str(info.value) and "layer=" in str(info.value)
    with pytest.raises(BoundaryFileError, match="did you mean 'cities'"):
        read_boundaries(path, layer="citys")
    assert read_boundaries(path, layer="cities", id_column="code")["code"].tolist() == ["2"]


def test_numeric_id_column_in_boundaries_becomes_text(tmp_path):
    layer = grid_layer(["a", "b"])
    layer["num"] = [1001, 2002]
    layer.to_file(tmp_path / "n.gpkg")
    assert read_boundaries(tmp_path / "n.gpkg", id_column="num")["num"].tolist() == ["1001", "2002"]


def test_csv_keeps_leading_zeros_and_reads_bom_and_gbk(tmp_path):
    text = "code,name,gdp\n01001,北京,1.5\n02002,天津,2.5\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    frame = read_table(tmp_path / "bom.csv")
    assert list(frame.columns) == ["code", "name", "gdp"]
    assert frame["code"].tolist() == ["01001", "02002"]
    with pytest.raises(InputFileError, match="encoding='gbk'"):
        read_table(tmp_path / "gbk.csv")
    assert read_table(tmp_path / "gbk.csv", encoding="gbk")["name"].tolist() == ["北京", "天津"]


def test_excel_sheets(tmp_path):
    path = tmp_path / "panel.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"code": ["01", "02"], "gdp": [1.0, 2.0]}).to_excel(writer, sheet_name="gdp", index=False)
        pd.DataFrame({"code": ["01"], "pop": [3]}).to_excel(writer, sheet_name="pop", index=False)
    with pytest.raises(InputFileError, match="2 sheets"):
        read_table(path)
    assert read_table(path, sheet="gdp")["code"].tolist() == ["01", "02"]


def test_parquet_table(tmp_path):
    pd.DataFrame({"code": ["01"], "gdp": [1.0]}).to_parquet(tmp_path / "t.parquet")
    assert read_table(tmp_path / "t.parquet")["code"].tolist() == ["01"]


def test_unknown_table_format(tmp_path):
    (tmp_path / "t.dta").write_bytes(b"x")
    with pytest.raises(InputFileError, match="unknown table format"):
        read_table(tmp_path / "t.dta")


def test_wide_to_long_with_bare_years_and_keep():
    wide = pd.DataFrame({"code": ["01", "02"], "name": ["A", "B"], "2010": [1, 2], "2011": [3, 4]})
    with pytest.raises(SchemaError, match="value_name"):
        wide_to_long(wide, "code", keep=["name"])
    long = wide_to_long(wide, "code", keep=["name"], value_name="gdp")
    assert long.to_dict("list") == {
        "code": ["01", "01", "02", "02"], "year": [2010, 2011, 2010, 2011],
        "name": ["A", "A", "B", "B"], "gdp": [1, 3, 2, 4],
    }


def test_wide_to_long_refuses_unmatched_columns():
    wide = pd.DataFrame({"code": ["01"], "name": ["A"], "gdp_2010": [1]})
    with pytest.raises(SchemaError, match="'name'"):
        wide_to_long(wide, "code")

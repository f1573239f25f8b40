"""Panel tables whose header or time column is unusable (RELIABILITY B1 repeated headers, B5 periods).

Each case goes through ``spatial check`` as a user meets it and asserts exit code 2, one error line
naming the problem, the rows or columns and the fix, and that no file was created or changed.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from spatial.errors import MissingDataError, SchemaError
from spatial.periods import parse_periods
from tests.faults.test_input_faults import expect_error, run_cli


def write_csv(folder, text: str, name: str = "panel.csv"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def check(path, *extra):
    return ["check", path, "--id", "code", "--time", "year", *extra]


# ---------------------------------------------------------------- B1 repeated column headers


def test_b1_repeated_csv_header_is_named_not_renamed(tmp_path, capsys):
    path = write_csv(tmp_path, "code,year,gdp,pop,gdp\n01,2001,1,2,3\n02,2001,4,5,6\n")
    expect_error(check(path), tmp_path, capsys, "repeated column names", "'gdp' (columns 3, 5)", "rename")


def test_b1_header_repeated_after_stripping_blanks(tmp_path, capsys):
    path = write_csv(tmp_path, "code,year,gdp, gdp \n01,2001,1,2\n")
    expect_error(check(path), tmp_path, capsys, "'gdp' (columns 3, 4)")


def test_b1_repeated_header_even_when_pandas_would_mangle_it(tmp_path, capsys):
    # pandas names the second gdp 'gdp.1', colliding with a real column of that name
    path = write_csv(tmp_path, "code,year,gdp,gdp,gdp.1\n01,2001,1,2,3\n")
    expect_error(check(path), tmp_path, capsys, "'gdp' (columns 3, 4)")


def test_b1_repeated_xlsx_header(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "year", "gdp", "gdp"])
    sheet.append(["01", 2001, 1.0, 2.0])
    path = tmp_path / "panel.xlsx"
    book.save(path)
    expect_error(check(path), tmp_path, capsys, "panel.xlsx has repeated column names", "'gdp' (columns 3, 4)")


def test_b1_repeated_parquet_header(tmp_path, capsys):
    table = pa.table([pa.array(["01"]), pa.array([2001]), pa.array([1.0]), pa.array([2.0])],
                     names=["code", "year", "gdp", "gdp"])
    path = tmp_path / "panel.parquet"
    pq.write_table(table, path)
    expect_error(check(path), tmp_path, capsys, "panel.parquet has repeated column names", "'gdp'")


def test_b1_nul_bytes_are_named_with_their_line(tmp_path, capsys):
    path = tmp_path / "panel.csv"
    path.write_bytes(b"code,year,gdp\n01,2001,1\n02,20\x0001,2\n")
    expect_error(check(path), tmp_path, capsys, "NUL bytes (line 3)", "--encoding")


# ---------------------------------------------------------------- B5 period labels


@pytest.mark.parametrize(
    ("year", "fragment"),
    [
        ("20o3", "row 2 '20o3' (not a period label)"),
        ("inf", "row 2 'inf' (not a finite whole number)"),
        ("1e309", "row 2 '1e309' (not a finite whole number)"),
        ("99999", "row 2 '99999' (outside 0..9999)"),
        ("-5", "row 2 '-5' (outside 0..9999)"),
        ("2003.5", "row 2 '2003.5' (not a whole number)"),
        ("2003-13", "row 2 '2003-13' (month out of range)"),
        ("2003-02-30", "row 2 '2003-02-30' (not a calendar date)"),
        ("later", "row 2 'later' (not a period label)"),
    ],
)
def test_b5_bad_period_labels_name_their_rows(tmp_path, capsys, year, fragment):
    path = write_csv(tmp_path, f"code,year,gdp\n01,2001,1\n01,{year},2\n02,2001,3\n02,2002,4\n")
    expect_error(check(path), tmp_path, capsys, "period column 'year' has labels that are not periods", fragment)


@pytest.mark.parametrize(
    ("second", "fragment"),
    [
        ("2019-01", "whole numbers (years) in rows 1, 3, 4"),  # year and month
        ("2019Q1", "YYYYQn (quarters) in rows 2"),  # year and quarter
        ("2019-01-01", "YYYY-MM-DD (days) in rows 2"),
    ],
)
def test_b5_mixed_formats_or_frequencies_are_refused(tmp_path, capsys, second, fragment):
    path = write_csv(tmp_path, f"code,year,gdp\n01,2018,1\n01,{second},2\n02,2018,3\n02,2019,4\n")
    expect_error(check(path), tmp_path, capsys, "mixes formats or frequencies", fragment, "one format")


def test_b5_month_and_quarter_mix_is_refused_for_indices_too():
    with pytest.raises(SchemaError, match=r"YYYY-MM \(months\) in rows 1.*YYYYQn \(quarters\) in rows 2"):
        parse_periods(pd.Series(["2019-01", "2019Q2"]), "t")


def test_b5_blank_period_is_missing_data():
    with pytest.raises(MissingDataError, match=r"rows 2\)"):
        parse_periods(pd.Series(["2019", " "]), "year")


def test_b5_valid_periods_parse_once_in_one_canonical_form():
    assert parse_periods(pd.Series(["2001", "2002.0", 2003, 2004.0]), "y").tolist() == [2001, 2002, 2003, 2004]
    assert parse_periods(pd.Series(["2019q1", "2019-Q2"]), "q").tolist() == ["2019-Q1", "2019-Q2"]
    assert parse_periods(pd.Series(["2019-01", "2019-12"]), "m").tolist() == ["2019-01", "2019-12"]
    stamps = pd.Series(pd.to_datetime(["2019-01-31", "2019-02-28"]))
    assert parse_periods(stamps, "d").tolist() == ["2019-01-31", "2019-02-28"]
    with pytest.raises(SchemaError, match="a boolean"):
        parse_periods(pd.Series([True, False]), "y")


def test_b5_quarters_written_two_ways_collide_as_duplicates(tmp_path, capsys):
    path = write_csv(tmp_path, "code,year,gdp\n01,2019Q1,1\n01,2019-Q1,2\n")
    expect_error(check(path), tmp_path, capsys, "(01, 2019-Q1) x2")


def test_b5_good_table_still_passes(tmp_path, capsys):
    path = write_csv(tmp_path, "code,year,gdp\n01,2001,1\n01,2002,2\n02,2001,3\n02,2002,4\n")
    code, err = run_cli(check(path), tmp_path, capsys)
    assert code == 0, err


def test_an_empty_variable_list_is_not_read_as_all_columns():
    frame = pd.DataFrame({"code": ["01", "02"], "year": [2001, 2001], "gdp": [1.0, 2.0]})
    from spatial import SpatialPanel

    with pytest.raises(SchemaError, match="variables is an empty list"):
        SpatialPanel(frame, id="code", time="year", variables=[])

"""Bad input to `spatial index ...` and `spatial.indices` (issue 8): zero-variance indicators,
negative values where logs are needed, missing values, unknown directions, single-indicator
subsystems, one-unit groups, out-of-range coupling inputs and unsafe outputs.

Each CLI case asserts exit code 2, one error line naming the problem, the offending rows and the
fix, no traceback, and that no file was created or changed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from spatial.cli import main
from spatial.errors import MissingDataError, SchemaError
from spatial.indices import IndicatorWarning, composite_index, theil
from tests.conftest import folder_snapshot


def expect_error(args: list, folder: Path, capsys, *fragments: str) -> str:
    before = folder_snapshot(folder)
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert folder_snapshot(folder) == before, "a failing command must not write or change files"
    assert code == 2, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


def _table(folder: Path, rows: list[dict], name: str = "data.csv") -> Path:
    path = folder / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _panel_rows() -> list[dict]:
    values = {"a": (5.0, 1.0, 3.0), "b": (7.0, 2.0, 2.0), "c": (9.0, 4.0, 1.0), "d": (4.0, 3.0, 5.0)}
    return [
        {
            "code": k,
            "year": year,
            "gdp": v[0] + year - 2000,
            "green": v[1],
            "waste": v[2],
            "zone": "east" if k < "c" else "west",
        }
        for k, v in values.items()
        for year in (2000, 2001)
    ]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def _spec(folder: Path, text: str) -> Path:
    path = folder / "spec.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_direction(folder, capsys):
    data = _table(folder, _panel_rows())
    spec = _spec(folder, "indicator,direction\ngdp,positive\nwaste,up\n")
    expect_error(
        ["index", "composite", data, "--id", "code", "--time", "year", "--indicators", spec, "--out", folder / "s.csv"],
        folder,
        capsys,
        "unknown direction",
        "waste: 'up'",
        "'negative'",
    )


def test_missing_values_are_located(folder, capsys):
    rows = _panel_rows()
    rows[3]["waste"] = None
    data = _table(folder, rows)
    spec = _spec(folder, "indicator,direction\ngdp,positive\nwaste,negative\n")
    expect_error(
        ["index", "composite", data, "--id", "code", "--time", "year", "--indicators", spec, "--out", folder / "s.csv"],
        folder,
        capsys,
        "missing values",
        "'waste': 1",
        "(b, 2001)",
    )


def test_every_indicator_constant_in_a_subsystem(folder, capsys):
    rows = [dict(r, green=2.0) for r in _panel_rows()]
    data = _table(folder, rows)
    spec = _spec(folder, "indicator,direction,subsystem\ngdp,+,economy\nwaste,-,economy\ngreen,+,ecology\n")
    err = expect_error(
        ["index", "composite", data, "--id", "code", "--time", "year", "--indicators", spec, "--out", folder / "s.csv"],
        folder,
        capsys,
        "subsystem 'ecology'",
        "every indicator is constant",
    )
    assert "'green'" in err


def test_zero_variance_indicator_is_weighted_zero_with_a_warning():
    data = pd.DataFrame(_panel_rows()).assign(flat=1.0)
    with pytest.warns(IndicatorWarning, match="'flat'.*weight 0"):
        result = composite_index(data, {"gdp": "+", "waste": "-", "flat": "+"}, id="code", time="year")
    assert result.weights.set_index("indicator").loc["flat", "weight"] == 0.0


def test_single_indicator_subsystem_is_reported():
    data = pd.DataFrame(_panel_rows())
    spec = pd.DataFrame(
        {
            "indicator": ["gdp", "waste", "green"],
            "direction": ["+", "-", "+"],
            "subsystem": ["economy", "economy", "ecology"],
        }
    )
    with pytest.warns(IndicatorWarning, match=r"single indicator: ecology \(green\)"):
        composite_index(data, spec, id="code", time="year")


def test_entropy_refuses_zscores(folder, capsys):
    data = _table(folder, _panel_rows())
    spec = _spec(folder, "indicator,direction\ngdp,positive\nwaste,negative\n")
    expect_error(
        [
            "index",
            "composite",
            data,
            "--id",
            "code",
            "--time",
            "year",
            "--indicators",
            spec,
            "--normalize",
            "zscore",
            "--out",
            folder / "s.csv",
        ],
        folder,
        capsys,
        "non-negative normalised values",
        "normalize='minmax'",
    )


def test_negative_values_where_logs_are_needed(folder, capsys):
    rows = _panel_rows()
    rows[2]["gdp"] = -1.0
    data = _table(folder, rows)
    expect_error(
        ["index", "theil", data, "--id", "code", "--time", "year", "--value", "gdp", "--out", folder / "t.csv"],
        folder,
        capsys,
        "negative values of 'gdp'",
        "(b, 2000)",
        "logs",
    )
    zero = _panel_rows()
    zero[0]["gdp"] = 0.0
    data = _table(folder, zero, "zero.csv")
    expect_error(
        [
            "index",
            "theil",
            data,
            "--id",
            "code",
            "--time",
            "year",
            "--value",
            "gdp",
            "--kind",
            "L",
            "--out",
            folder / "t.csv",
        ],
        folder,
        capsys,
        "zero or negative values of 'gdp'",
        "(a, 2000)",
        "kind='T'",
    )
    expect_error(
        ["index", "convergence", data, "--id", "code", "--time", "year", "--value", "gdp", "--out", folder / "c.csv"],
        folder,
        capsys,
        "zero or negative",
        "statistic='cv'",
    )


def test_group_of_one_unit(folder, capsys):
    rows = [dict(r, zone="north") if r["code"] == "d" else r for r in _panel_rows()]
    data = _table(folder, rows)
    for command in ("theil", "gini"):
        expect_error(
            [
                "index",
                command,
                data,
                "--id",
                "code",
                "--time",
                "year",
                "--value",
                "gdp",
                "--group",
                "zone",
                "--out",
                folder / "t.csv",
            ],
            folder,
            capsys,
            "single unit",
            "north in 2000",
            "--allow-singletons",
        )
    result = theil(pd.DataFrame(rows), "gdp", id="code", time="year", group="zone", singletons="allow")
    assert result.options["singletons"] == "allow"


def test_missing_group_is_located():
    rows = _panel_rows()
    rows[5]["zone"] = None
    with pytest.raises(MissingDataError, match=r"'zone': 1 .*\(c, 2001\)"):
        theil(pd.DataFrame(rows), "gdp", id="code", time="year", group="zone")


def test_unknown_china_province(folder, capsys):
    data = _table(
        folder, [{"code": "110000", "gdp": 3.0}, {"code": "810000", "gdp": 5.0}, {"code": "120000", "gdp": 2.0}]
    )
    expect_error(
        [
            "index",
            "theil",
            data,
            "--id",
            "code",
            "--value",
            "gdp",
            "--group",
            "china_region",
            "--out",
            folder / "t.csv",
        ],
        folder,
        capsys,
        "not mainland Chinese provinces",
        "'810000'",
    )


def test_coupling_indices_out_of_range_suggest_the_scale(folder, capsys):
    data = _table(folder, [{"code": "a", "u1": 40.0, "u2": 50.0}, {"code": "b", "u1": 60.0, "u2": 20.0}])
    expect_error(
        ["index", "coupling", data, "--id", "code", "--subsystems", "u1,u2", "--out", folder / "d.csv"],
        folder,
        capsys,
        "must lie in [0, 1]",
        "max found 60",
        "scale=100",
    )
    expect_error(
        ["index", "coupling", data, "--id", "code", "--subsystems", "u1", "--out", folder / "d.csv"],
        folder,
        capsys,
        "at least 2 distinct subsystems",
    )


def test_geodetector_constant_response(folder, capsys):
    data = _table(folder, [dict(r, gdp=1.0) for r in _panel_rows()])
    expect_error(
        [
            "index",
            "geodetector",
            data,
            "--id",
            "code",
            "--time",
            "year",
            "--y",
            "gdp",
            "--factors",
            "zone",
            "--out",
            folder / "g.csv",
        ],
        folder,
        capsys,
        "response is constant",
    )


def test_outputs_never_overwrite_inputs_or_existing_files(folder, capsys):
    data = _table(folder, _panel_rows())
    spec = _spec(folder, "indicator,direction\ngdp,positive\nwaste,negative\n")
    expect_error(
        ["index", "composite", data, "--id", "code", "--time", "year", "--indicators", spec, "--out", data],
        folder,
        capsys,
        "it is one of the inputs",
    )
    (folder / "s_weights.csv").write_text("old", encoding="utf-8")
    expect_error(
        ["index", "composite", data, "--id", "code", "--time", "year", "--indicators", spec, "--out", folder / "s.csv"],
        folder,
        capsys,
        "s_weights.csv already exists",
        "--overwrite",
    )


def test_formula_injection_in_text_cells_is_neutralised(folder, capsys):
    rows = [dict(r, code="=HYPERLINK(1)") if r["code"] == "a" else r for r in _panel_rows()]
    data = _table(folder, rows)
    out = folder / "lq.csv"
    assert (
        main(
            [
                "index",
                "lq",
                str(data),
                "--id",
                "code",
                "--time",
                "year",
                "--industries",
                "green,waste",
                "--out",
                str(out),
            ]
        )
        == 0
    ), capsys.readouterr().err
    assert "'=HYPERLINK(1)" in out.read_text(encoding="utf-8")
    assert "\n=HYPERLINK" not in out.read_text(encoding="utf-8")


def test_bad_direction_and_weights_in_the_python_api():
    with pytest.raises(SchemaError, match="indicators listed twice"):
        composite_index(
            pd.DataFrame(_panel_rows()),
            pd.DataFrame({"indicator": ["gdp", "gdp"], "direction": ["+", "+"]}),
            id="code",
            time="year",
        )
    with pytest.raises(SchemaError, match="weights must be finite and >= 0"):
        composite_index(
            pd.DataFrame(_panel_rows()),
            pd.DataFrame({"indicator": ["gdp", "waste"], "direction": ["+", "-"], "weight": [0.5, -1]}),
            id="code",
            time="year",
        )

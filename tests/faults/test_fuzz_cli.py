"""Seeded fuzzing of every file the CLI reads (issue 12 item 4): internal errors are bugs.

A small valid project (a 3 x 3 grid of units over 3 years: CSV and XLSX panels, GeoJSON
boundaries, GAL and GWT weights, a TOML config) is mutated by fixed, seeded operators
(truncation, random bytes, NUL, BOMs, UTF-16, mixed encodings, repeated headers, ``1e309``,
``inf``, ``1,5``, huge seeds, empty lists) and each mutant is fed to the command that reads it,
in-process through :func:`spatial.cli.main`. Every run must end with exit code 0, 2 or 3, print
no traceback and no "internal error", finish within a time limit, and leave the inputs as they
were. The corpus is fixed by ``SEED`` so a failure is reproducible by its test id.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from spatial.cli import main
from tests.conftest import folder_snapshot
from tests.helpers import grid_layer

SEED = 20261206
CASE_SECONDS = 30
IDS = [f"{i:02d}" for i in range(1, 10)]  # a 3 x 3 grid of unit squares
YEARS = [2001, 2002, 2003]


# ------------------------------------------------------------------ the valid project


def _grid_layer():
    from shapely import box

    layer = grid_layer(IDS)
    layer["geometry"] = [box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(len(IDS))]
    return layer


def _neighbours() -> dict[str, list[str]]:
    """Rook neighbours on the grid (what the GAL and GWT files state)."""
    out = {}
    for k, unit in enumerate(IDS):
        r, c = divmod(k, 3)
        out[unit] = [IDS[rr * 3 + cc] for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                     if 0 <= rr < 3 and 0 <= cc < 3]
    return out


def _panel_rows() -> list[list[object]]:
    rng = random.Random(SEED)
    return [[unit, year, round(rng.uniform(5, 15), 3), round(rng.uniform(1, 4), 3)] for unit in IDS for year in YEARS]


def _csv_text() -> str:
    lines = ["code,year,gdp,pop"] + [",".join(map(str, row)) for row in _panel_rows()]
    return "\n".join(lines) + "\n"


def _gal_text() -> str:
    lines = [str(len(IDS))]
    for unit, near in _neighbours().items():
        lines += [f"{unit} {len(near)}", " ".join(near)]
    return "\n".join(lines) + "\n"


def _gwt_text() -> str:
    lines = [f"0 {len(IDS)} grid code"]
    lines += [f"{unit} {other} 1.0" for unit, near in _neighbours().items() for other in near]
    return "\n".join(lines) + "\n"


def _toml_text(seed: str = "7", x: str = '["pop"]', variables: str = '["gdp", "pop"]') -> str:
    return f"""[project]
name = "fuzz"

[panel]
path = "panel.csv"
id = "code"
time = "year"
variables = {variables}

[boundaries]
path = "units.geojson"
id = "code"

[weights.rook]
kind = "rook"
transform = "row"

[esda]
variables = ["gdp"]
permutations = 9
seed = {seed}

[models]
y = "gdp"
x = {x}
models = ["ols", "sar"]
fe = "unit"
draws = 20
seed = {seed}
"""


def write_project(folder: Path) -> Path:
    """Write the valid inputs into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "panel.csv").write_text(_csv_text(), encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "year", "gdp", "pop"])
    for row in _panel_rows():
        sheet.append(row)
    book.save(folder / "panel.xlsx")
    _grid_layer().to_file(folder / "units.geojson", driver="GeoJSON")
    (folder / "rook.gal").write_text(_gal_text(), encoding="utf-8")
    (folder / "rook.gwt").write_text(_gwt_text(), encoding="utf-8")
    (folder / "config.toml").write_text(_toml_text(), encoding="utf-8")
    return folder


# ------------------------------------------------------------------ mutation operators (bytes -> bytes)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, max(len(data), 1))]


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_nul(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b"\x00" + data[at:]


def utf8_bom(data: bytes, rng: random.Random) -> bytes:
    return b"\xef\xbb\xbf" + data


def double_bom(data: bytes, rng: random.Random) -> bytes:
    return b"\xef\xbb\xbf\xef\xbb\xbf" + data


def utf16(data: bytes, rng: random.Random) -> bytes:
    return data.decode("utf-8", "replace").encode("utf-16")


def utf16_no_bom(data: bytes, rng: random.Random) -> bytes:
    return data.decode("utf-8", "replace").encode("utf-16-le")


def mixed_encoding(data: bytes, rng: random.Random) -> bytes:
    """One line re-encoded as GBK (Chinese text) and one as Latin-1 inside a UTF-8 file."""
    lines = data.split(b"\n")
    if len(lines) > 2:
        k = rng.randrange(1, len(lines) - 1)
        lines[k] = lines[k] + "北京".encode("gbk")
        lines[-2] = lines[-2] + "é".encode("latin-1")
    return b"\n".join(lines)


def empty(data: bytes, rng: random.Random) -> bytes:
    return b""


def duplicate_header(data: bytes, rng: random.Random) -> bytes:
    head, _, rest = data.partition(b"\n")
    names = head.split(b",")
    names[rng.randrange(len(names))] = names[rng.randrange(len(names))]
    return b",".join(names) + b"\n" + rest


def _replace_token(data: bytes, rng: random.Random, token: bytes) -> bytes:
    """Replace one number-looking field (after the first line) by ``token``."""
    lines = data.split(b"\n")
    body = [i for i in range(1, len(lines)) if lines[i].strip()]
    if not body:
        return data
    k = rng.choice(body)
    sep = b"," if b"," in lines[k] else b" "
    fields = lines[k].split(sep)
    fields[rng.randrange(len(fields))] = token
    lines[k] = sep.join(fields)
    return b"\n".join(lines)


def token(value: bytes) -> Callable[[bytes, random.Random], bytes]:
    def op(data: bytes, rng: random.Random) -> bytes:
        return _replace_token(data, rng, value)

    op.__name__ = f"token_{value.decode('ascii', 'replace')}"
    return op


TEXT_OPERATORS = [truncate, random_bytes, insert_nul, utf8_bom, double_bom, utf16, utf16_no_bom, mixed_encoding,
                  empty, token(b"1e309"), token(b"inf"), token(b"-inf"), token(b"nan"), token(b'"1,5"'),
                  token(b"1,5"), token(b""), token(b"20o3"), token(b"99999"), token(b"-1")]
CSV_OPERATORS = [*TEXT_OPERATORS, duplicate_header]
BINARY_OPERATORS = [truncate, random_bytes, insert_nul, empty]


def toml_mutants() -> list[tuple[str, str]]:
    """Configs with hostile values in otherwise valid TOML (the parser must not be the only guard)."""
    return [
        ("seed_2**64", _toml_text(seed="18446744073709551616")),
        ("seed_negative", _toml_text(seed="-1")),
        ("seed_float", _toml_text(seed="1e309")),
        ("seed_inf", _toml_text(seed="inf")),
        ("seed_text", _toml_text(seed='"abc"')),
        ("x_empty", _toml_text(x="[]")),
        ("x_blank", _toml_text(x='[""]')),
        ("x_number", _toml_text(x="[1]")),
        ("x_nested", _toml_text(x='[["pop"]]')),
        ("variables_empty", _toml_text(variables="[]")),
        ("x_unknown", _toml_text(x='["nope"]')),
    ]


# ------------------------------------------------------------------ running one case


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang


def run_guarded(args: list[str], folder: Path, capsys) -> tuple[int, str]:
    """Run the CLI in-process under a time limit; assert the contract of a fuzz case."""
    inputs = folder_snapshot(folder)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        code = main([str(a) for a in args])
    except _Hang:
        pytest.fail(f"no result within {CASE_SECONDS} s: {args}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    captured = capsys.readouterr()
    err = captured.err
    assert code in (0, 2, 3), f"exit {code}: {err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    if code:
        assert any(line.startswith(("error:", "numerical error:", "Error:")) for line in err.splitlines()), err
    after = folder_snapshot(folder)
    assert {k: v for k, v in after.items() if k in inputs} == inputs, "an input file was changed"
    return code, err


# Each file kind goes to the commands that read it, with the other inputs valid.
def _commands(folder: Path, target: str) -> list[list[object]]:
    out = folder / "out"
    panel = folder / target if target.startswith("panel") else folder / "panel.csv"
    bounds = folder / "units.geojson"
    common = ["--id", "code", "--time", "year"]
    if target in ("panel.csv", "panel.xlsx"):
        return [
            ["check", panel, *common, "--boundaries", bounds],
            ["moran", panel, *common, "--variables", "gdp", "--weights", folder / "rook.gal", "--permutations", "0",
             "--out", out / "moran.csv"],
            ["fit", panel, *common, "--y", "gdp", "--x", "pop", "--model", "sar", "--fe", "unit",
             "--weights", folder / "rook.gwt", "--effects-draws", "10"],
            ["lisa", panel, *common, "--variables", "gdp", "--weights", folder / "rook.gal", "--permutations", "19",
             "--seed", "3", "--out", out / "lisa.csv"],
            ["index", "theil", panel, *common, "--value", "pop", "--weight", "gdp", "--out", out / "theil.csv"],
        ]
    if target == "units.geojson":
        return [
            ["check", panel, *common, "--boundaries", bounds],
            ["weights", "build", bounds, "--id", "code", "--kind", "queen", "--out", out / "queen.gal"],
        ]
    if target in ("rook.gal", "rook.gwt"):
        return [
            ["weights", "info", folder / target],
            ["moran", panel, *common, "--variables", "gdp", "--weights", folder / target, "--permutations", "9",
             "--seed", "1"],
        ]
    if target == "config.toml":
        return [["run", folder / "config.toml", "--out", out]]
    raise AssertionError(target)


DETERMINISTIC = {utf8_bom, double_bom, utf16, utf16_no_bom, empty}
ROUNDS = {"panel.csv": 3, "panel.xlsx": 2, "units.geojson": 2, "rook.gal": 3, "rook.gwt": 3, "config.toml": 2}
# A longer hunt (not in `make test`): SPATIAL_FUZZ_ROUNDS=20 pytest tests/faults/test_fuzz_cli.py
_EXTRA = int(os.environ.get("SPATIAL_FUZZ_ROUNDS", "0"))
if _EXTRA:
    ROUNDS = dict.fromkeys(ROUNDS, _EXTRA)


def _cases() -> list[tuple[str, str, int]]:
    targets = {"panel.csv": CSV_OPERATORS, "panel.xlsx": BINARY_OPERATORS, "units.geojson": TEXT_OPERATORS,
               "rook.gal": TEXT_OPERATORS, "rook.gwt": TEXT_OPERATORS, "config.toml": TEXT_OPERATORS}
    return [(target, op.__name__, k) for target, ops in targets.items() for op in ops
            for k in range(1 if op in DETERMINISTIC else ROUNDS[target])]


_OPERATORS = {op.__name__: op for op in CSV_OPERATORS}
XLSX_CELLS = ["inf", "1e309", "1,5", "", "20o3", "北京", "=1/0", True, float("inf"), float("nan"), 10**30, "gdp"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("fuzz-project"))


def _copy_project(project: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in project.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "out").mkdir()
    return folder


def test_the_valid_project_runs(project, tmp_path, capsys):
    folder = _copy_project(project, tmp_path / "p")
    for target in ("panel.csv", "panel.xlsx", "units.geojson", "rook.gal", "config.toml"):
        for args in _commands(folder, target):
            code, err = run_guarded(args, folder, capsys)
            assert code == 0, (args, err)
            for path in (folder / "out").iterdir():
                path.unlink() if path.is_file() else None


@pytest.mark.parametrize(("target", "operator", "round_"), _cases())
def test_mutated_input_never_crashes(project, tmp_path, capsys, target, operator, round_):
    folder = _copy_project(project, tmp_path / "p")
    rng = random.Random(f"{SEED}|{target}|{operator}|{round_}")
    path = folder / target
    path.write_bytes(_OPERATORS[operator](path.read_bytes(), rng))
    for args in _commands(folder, target):
        run_guarded(args, folder, capsys)


@pytest.mark.parametrize(("name", "text"), toml_mutants(), ids=[n for n, _ in toml_mutants()])
def test_hostile_config_values_are_clean_errors(project, tmp_path, capsys, name, text):
    folder = _copy_project(project, tmp_path / "p")
    (folder / "config.toml").write_text(text, encoding="utf-8")
    code, err = run_guarded(["run", folder / "config.toml", "--out", folder / "out"], folder, capsys)
    assert code == 2, err


@pytest.mark.parametrize("round_", range(max(8, _EXTRA)))
def test_hostile_xlsx_cells_never_crash(project, tmp_path, capsys, round_):
    """Typed Excel cells (booleans, huge ints, inf floats, text) where numbers, ids or years belong."""
    folder = _copy_project(project, tmp_path / "p")
    rng = random.Random(f"{SEED}|xlsx|{round_}")
    book = openpyxl.load_workbook(folder / "panel.xlsx")
    sheet = book.active
    for _ in range(2):
        row, column = rng.randint(1, sheet.max_row), rng.randint(1, sheet.max_column)
        sheet.cell(row=row, column=column, value=rng.choice(XLSX_CELLS))
    book.save(folder / "panel.xlsx")
    for args in _commands(folder, "panel.xlsx"):
        run_guarded(args, folder, capsys)


# ------------------------------------------------------------------ the reproducers of issue 12


def test_huge_seed_is_refused_with_the_range(project, tmp_path, capsys):
    folder = _copy_project(project, tmp_path / "p")
    common = [folder / "panel.csv", "--id", "code", "--time", "year"]
    for args in (["moran", *common, "--variables", "gdp", "--weights", folder / "rook.gal", "--seed", str(2**64)],
                 ["fit", *common, "--y", "gdp", "--x", "pop", "--weights", folder / "rook.gal", "--seed", str(2**64)]):
        code, err = run_guarded(args, folder, capsys)
        assert code == 2 and "0<=x<=4294967295" in err, err
    (folder / "config.toml").write_text(_toml_text(seed=str(2**64)), encoding="utf-8")
    code, err = run_guarded(["run", folder / "config.toml", "--out", folder / "out"], folder, capsys)
    assert code == 2 and "seed = 18446744073709551616 is out of range" in err and "0 to 4294967295" in err, err


def test_empty_regressors_are_refused(project, tmp_path, capsys):
    folder = _copy_project(project, tmp_path / "p")
    args = ["fit", folder / "panel.csv", "--id", "code", "--time", "year", "--y", "gdp", "--x", "",
            "--model", "ols", "--weights", folder / "rook.gal"]
    code, err = run_guarded(args, folder, capsys)
    assert code == 2 and "x names no regressor" in err, err
    (folder / "config.toml").write_text(_toml_text(x="[]"), encoding="utf-8")
    code, err = run_guarded(["run", folder / "config.toml", "--out", folder / "out"], folder, capsys)
    assert code == 2, err
    assert list((folder / "out").iterdir()) == []


def test_empty_variable_list_is_refused(project, tmp_path, capsys):
    folder = _copy_project(project, tmp_path / "p")
    (folder / "config.toml").write_text(_toml_text(variables="[]"), encoding="utf-8")
    code, err = run_guarded(["run", folder / "config.toml", "--out", folder / "out"], folder, capsys)
    assert code == 2 and "[panel] variables = [] has fewer than 1 element(s)" in err, err


def test_output_into_proc_is_a_clean_error(project, tmp_path, capsys):
    folder = _copy_project(project, tmp_path / "p")
    args = ["moran", folder / "panel.csv", "--id", "code", "--time", "year", "--variables", "gdp",
            "--weights", folder / "rook.gal", "--permutations", "0", "--out", "/proc/x.csv"]
    code, err = run_guarded(args, folder, capsys)
    assert code == 2 and "cannot write" in err and "choose a writable output folder" in err, err


def test_infinite_year_is_a_schema_error(project, tmp_path, capsys):
    folder = _copy_project(project, tmp_path / "p")
    text = _csv_text().replace("01,2002,", "01,inf,", 1)
    (folder / "panel.csv").write_text(text, encoding="utf-8")
    code, err = run_guarded(["check", folder / "panel.csv", "--id", "code", "--time", "year"], folder, capsys)
    assert code == 2 and "row 2 'inf' (not a finite whole number)" in err, err


@pytest.mark.parametrize(("column", "scale"), [
    ("gdp", 1e150), ("gdp", 1e-300), ("gdp", 1e300), ("gdp", 1e-13),
    ("pop", 1e150), ("pop", 1e-300), ("pop", 1e300), ("pop", 1e-13),
])
def test_badly_scaled_data_fail_cleanly_or_fit(project, tmp_path, capsys, column, scale):
    """y or x scaled to the edge of double precision: a fit, or a numerical error (exit 3) naming it."""
    folder = _copy_project(project, tmp_path / "p")
    rows = _panel_rows()
    position = {"gdp": 2, "pop": 3}[column]
    lines = ["code,year,gdp,pop"] + [",".join(repr(v * scale) if k == position else str(v) for k, v in enumerate(r))
                                     for r in rows]
    (folder / "panel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for model in ("ols", "sar", "sdm"):
        run_guarded(["fit", folder / "panel.csv", "--id", "code", "--time", "year", "--y", "gdp", "--x", "pop",
                     "--model", model, "--fe", "unit", "--weights", folder / "rook.gal", "--effects-draws", "10"],
                    folder, capsys)


def test_robust_lm_tests_are_na_when_lag_and_error_cannot_be_separated():
    """A regressor constant across units on a row-standardised W: W X b = X b, so the robust LM tests
    divide by zero. They are reported as undefined (n/a with the reason), not a ZeroDivisionError."""
    import io

    import pandas as pd

    import weights
    from spatial import SpatialPanel
    from spatial.models import fit

    frame = pd.read_csv(io.StringIO(_csv_text()), dtype={"code": str})
    frame["one"] = 1.0
    panel = SpatialPanel(frame, id="code", time="year", geometry=_grid_layer())
    w = weights.row_standardize(weights.rook(panel.geometry))
    result = fit(panel, w, y="gdp", x=["one"], model="ols", constant=False)
    summary = result.summary()
    assert "Robust LM-lag" in summary and "lag and error are not separable" in summary
    assert "LM-error" in summary

"""Progress bars and global options (issue 13 item 7): bars on a terminal only, never when piped
or quiet; ``-q``, ``--debug`` and ``--lang`` before or after the subcommand."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from spatial import progress as bars
from spatial.cli import hoist_global_options, main

REF = Path(__file__).resolve().parents[1] / "reference" / "columbus_models"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _loud():
    bars.set_quiet(False)
    yield
    bars.set_quiet(False)


def test_a_bar_is_drawn_on_a_terminal():
    stream = _Terminal()
    with bars.progress("permutations", 10, stream=stream) as advance:
        for _ in range(10):
            advance()
    assert "permutations" in stream.getvalue()


def test_nothing_when_piped_or_quiet():
    piped = io.StringIO()
    with bars.progress("permutations", 10, stream=piped) as advance:
        advance(10)
    assert piped.getvalue() == ""
    bars.set_quiet(True)
    terminal = _Terminal()
    with bars.progress("permutations", 10, stream=terminal) as advance:
        advance(10)
    assert terminal.getvalue() == ""


def test_lisa_permutations_show_a_bar_on_a_terminal(monkeypatch):
    import pandas as pd

    import weights
    from spatial import SpatialPanel
    from spatial.esda import local_moran

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    panel = SpatialPanel(pd.read_csv(REF / "columbus.csv"), id="POLYID", variables=["CRIME"])
    local_moran(panel, weights.read_weights(REF / "columbus_queen.gal"), "CRIME", permutations=999, seed=1)
    assert "local permutations" in terminal.getvalue()


def test_global_options_are_hoisted_from_anywhere():
    assert hoist_global_options(["datasets", "-q", "--debug"]) == ["-q", "--debug", "datasets"]
    assert hoist_global_options(["fit", "t.csv", "--lang", "zh"]) == ["fit", "--lang", "zh", "t.csv"]
    assert hoist_global_options(["--lang=zh", "lisa", "t.csv"]) == ["lisa", "--language", "zh", "t.csv"]
    assert hoist_global_options(["datasets", "--lang", "zh"]) == ["--lang", "zh", "datasets"]
    assert hoist_global_options(["reshape", "--", "-q"]) == ["reshape", "--", "-q"]


def test_quiet_after_the_subcommand_silences_progress_messages(tmp_path, capsys):
    shutil.copy(REF / "columbus.csv", tmp_path / "c.csv")
    shutil.copy(REF / "columbus_queen.gal", tmp_path / "w.gal")
    args = ["moran", str(tmp_path / "c.csv"), "--id", "POLYID", "--variables", "CRIME",
            "--weights", str(tmp_path / "w.gal"), "--permutations", "0", "--out", str(tmp_path / "m.csv")]
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().err
    assert main([*args, "--overwrite", "-q"]) == 0
    assert "wrote" not in capsys.readouterr().err
    assert bars.is_quiet()


def test_lang_before_the_subcommand_reaches_its_own_option(tmp_path, capsys):
    shutil.copy(REF / "columbus.csv", tmp_path / "c.csv")
    shutil.copy(REF / "columbus_queen.gal", tmp_path / "w.gal")
    code = main(["--lang", "zh", "fit", str(tmp_path / "c.csv"), "--id", "POLYID", "--y", "CRIME", "--x", "INC",
                 "--model", "ols", "--weights", str(tmp_path / "w.gal"), "--table", str(tmp_path / "t.csv")])
    assert code == 0
    assert "常数项" in (tmp_path / "t.csv").read_text(encoding="utf-8-sig")


BOM = b"\xef\xbb\xbf"


def _moran(tmp_path, *extra):
    shutil.copy(REF / "columbus.csv", tmp_path / "c.csv")
    shutil.copy(REF / "columbus_queen.gal", tmp_path / "w.gal")
    return main(["moran", str(tmp_path / "c.csv"), "--id", "POLYID", "--variables", "CRIME", "--weights",
                 str(tmp_path / "w.gal"), "--permutations", "0", "--out", str(tmp_path / "m.csv"), *extra])


def test_csv_outputs_open_in_excel_by_default(tmp_path):
    assert _moran(tmp_path) == 0
    data = (tmp_path / "m.csv").read_bytes()
    assert data.startswith(BOM) and b"CRIME" in data


def test_csv_encoding_is_configurable_after_the_subcommand(tmp_path):
    assert _moran(tmp_path, "--csv-encoding", "utf-8") == 0
    assert not (tmp_path / "m.csv").read_bytes().startswith(BOM)
    assert _moran(tmp_path, "--overwrite") == 0  # the next command is back to the default
    assert (tmp_path / "m.csv").read_bytes().startswith(BOM)


def test_a_name_outside_the_chosen_encoding_is_a_clean_error(tmp_path):
    import pandas as pd

    from spatial.csv_output import write_csv_file
    from spatial.errors import OutputError

    with pytest.raises(OutputError, match="cannot be written in gbk"):
        write_csv_file(tmp_path / "x.csv", pd.DataFrame({"name": ["\U0001f600"]}), encoding="gbk", index=False)
    assert not (tmp_path / "x.csv").exists()
    write_csv_file(tmp_path / "x.csv", pd.DataFrame({"name": ["北京市"]}), encoding="gbk", index=False)
    assert (tmp_path / "x.csv").read_bytes().decode("gbk") == "name\n北京市\n"


def test_config_key_sets_the_csv_encoding():
    from spatial.config import validate_config
    from spatial.errors import ConfigError

    base = {"panel": {"dataset": "us_produc", "id": "fips"}}
    assert validate_config(base)["project"]["csv_encoding"] == "utf-8-sig"
    with pytest.raises(ConfigError, match="csv_encoding"):
        validate_config({**base, "project": {"csv_encoding": "latin-9"}})


def test_effects_draws_show_a_bar_on_a_terminal(monkeypatch):
    """fit(..., effects='exact', draws=1000): the simulated effects advance a bar (blocks of draws)."""
    import pandas as pd

    import weights
    from spatial import SpatialPanel
    from spatial.models import fit

    terminal = _Terminal()
    panel = SpatialPanel(pd.read_csv(REF / "columbus.csv"), id="POLYID", variables=["CRIME", "INC", "HOVAL"])
    w = weights.read_weights(REF / "columbus_queen.gal")
    quiet = fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model="sar", effects="exact", draws=1000, seed=1)
    monkeypatch.setattr("sys.stderr", terminal)
    shown = fit(panel, w, y="CRIME", x=["INC", "HOVAL"], model="sar", effects="exact", draws=1000, seed=1)
    assert "blocks of 256 draws" in terminal.getvalue()
    pd.testing.assert_frame_equal(quiet.effects.to_frame(), shown.effects.to_frame())  # the bar changes nothing


def test_a_large_weights_build_shows_a_bar_on_a_terminal(monkeypatch):
    """weights.build of all-pairs distances advances the bar spatial installs in weights.progress."""
    import numpy as np
    import pandas as pd

    import weights
    from weights import _locations

    monkeypatch.setattr(_locations, "BLOCK_CELLS", 400)  # 40 units: 10 rows per block, 4 blocks
    rng = np.random.default_rng(3)
    points = pd.DataFrame({"id": [f"u{i}" for i in range(40)], "x": rng.uniform(0, 10, 40),
                           "y": rng.uniform(0, 10, 40)})
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    built = weights.build(points, kind="inverse_distance", id="id", xy=["x", "y"], alpha=2.0, metric="euclidean")
    assert "distances between all units" in terminal.getvalue()
    assert built.graph.n == 40
    bars.set_quiet(True)
    quiet = _Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    weights.build(points, kind="inverse_distance", id="id", xy=["x", "y"], alpha=2.0, metric="euclidean")
    assert quiet.getvalue() == ""

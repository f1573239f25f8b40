"""Bad input to the robust covariances (issue 15 item 4): each refused with the class, a message
naming the fix for the surface in use, and nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spatial.cli import main
from tests.conftest import folder_snapshot

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture
def produc(tmp_path):
    import pandas as pd

    table = pd.read_csv(REF / "produc" / "produc.csv")
    states = pd.read_csv(REF / "produc" / "produc_states.csv")
    table["id"] = table["state"].map(dict(zip(states["produc_state"], states["id"], strict=True)))
    table.to_csv(tmp_path / "produc.csv", index=False)
    shutil.copy(REF / "produc_effects" / "us48_queen_produc.gal", tmp_path / "w.gal")
    return tmp_path


def _fit(folder, *extra):
    return ["fit", str(folder / "produc.csv"), "--id", "id", "--time", "year", "--y", "log(gsp)", "--x", "log(pcap)",
            "log(emp)", "--weights", str(folder / "w.gal"), "--effects-draws", "0", "--json",
            str(folder / "out.json"), *extra]


@pytest.mark.parametrize(("extra", "words"), [
    (("--period", "1986", "--cov", "cluster"), ["cross-section (1 period)", "--cov robust"]),
    (("--period", "1986", "--cov", "driscoll_kraay"), ["cross-section", "--cov robust"]),
    (("--fe", "unit", "--cov", "driscoll_kraay", "--bandwidth", "17"),
     ["bandwidth 17 must be below the number of periods (17)", "--bandwidth"]),
    (("--fe", "unit", "--cov", "cluster", "--bandwidth", "2"), ["--cov driscoll_kraay"]),
    (("--random-effects", "--cov", "robust"), ["not available for random-effects models", "--fe unit"]),
    (("--fe", "unit", "--lee-yu", "--cov", "cluster"), ["lee_yu=True is not available", "--cov hessian"]),
])
def test_cli_refuses_and_writes_nothing(produc, capsys, extra, words):
    before = folder_snapshot(produc)
    assert main(_fit(produc, *extra)) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert folder_snapshot(produc) == before


def test_unknown_cov_is_a_usage_error(produc, capsys):
    before = folder_snapshot(produc)
    assert main(_fit(produc, "--cov", "hac")) == 2
    err = capsys.readouterr().err
    assert "'hac' is not one of" in err and "driscoll_kraay" in err
    assert folder_snapshot(produc) == before

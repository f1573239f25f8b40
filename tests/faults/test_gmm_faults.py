"""Bad input to the GMM/IV estimators: instruments (too few, weak, collinear), contradictory variable
lists, GMM asked of what it does not cover; each refused with the class and a message naming the fix."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import read_gal

from spatial import SpatialPanel
from spatial.errors import IdentificationError, SpatialPanelError, WeakInstrumentsWarning
from spatial.models import fit

REF = Path(__file__).resolve().parents[1] / "reference" / "columbus_models"


@pytest.fixture(scope="module")
def columbus():
    data = pd.read_csv(REF / "columbus.csv")
    data["INC2"] = 2.0 * data["INC"]
    data["NOISE"] = np.random.default_rng(3).normal(size=len(data))
    w = read_gal(str(REF / "columbus_queen.gal")).transform("r")
    panel = SpatialPanel(data, id="POLYID", variables=["CRIME", "INC", "HOVAL", "DISCBD", "INC2", "NOISE", "X", "Y"])
    return panel, w


def gmm(columbus, **kw):
    panel, w = columbus
    options = dict(y="HOVAL", x=["INC"], model="sar", estimator="gmm", draws=0)
    options.update(kw)
    return fit(panel, w, **options)


def test_endogenous_also_exogenous(columbus):
    with pytest.raises(SpatialPanelError, match="both as exogenous .x. and endogenous"):
        gmm(columbus, x=["INC", "CRIME"], endog=["CRIME"], instruments=["DISCBD"])


def test_instrument_in_the_equation(columbus):
    with pytest.raises(SpatialPanelError, match="INC is both an instrument and a regressor"):
        gmm(columbus, endog=["CRIME"], instruments=["INC"])


def test_too_few_instruments(columbus):
    with pytest.raises(IdentificationError, match="2 endogenous variables .* but 1 external instruments"):
        gmm(columbus, x=["INC"], endog=["CRIME", "X"], instruments=["DISCBD"])


def test_instruments_without_endog(columbus):
    with pytest.raises(SpatialPanelError, match="no endogenous variable"):
        gmm(columbus, instruments=["DISCBD"])


def test_instrument_collinear_with_x(columbus):
    with pytest.raises(IdentificationError, match="collinear instruments: .*INC2"):
        gmm(columbus, endog=["CRIME"], instruments=["INC2"])


def test_instrument_collinear_with_wx():
    """An instrument equal to W*INC duplicates the spatial instrument W INC: named, not silently used."""
    data = pd.read_csv(REF / "columbus.csv")
    w = read_gal(str(REF / "columbus_queen.gal")).transform("r")
    lag = w.lag(data.set_index("POLYID").loc[w.unique_ids, "INC"].to_numpy())
    data["WINC"] = pd.Series(lag, index=w.unique_ids).loc[data["POLYID"]].to_numpy()
    panel = SpatialPanel(data, id="POLYID", variables=["HOVAL", "INC", "CRIME", "WINC"])
    with pytest.raises(IdentificationError, match=r"collinear instruments: W\^1\*INC"):
        fit(panel, w, y="HOVAL", x=["INC"], model="sar", estimator="gmm", endog=["CRIME"], instruments=["WINC"],
            draws=0)


def test_weak_instruments_warn_with_f(columbus):
    with pytest.warns(WeakInstrumentsWarning, match=r"first-stage F CRIME = [0-9.]+ \(below 10\)"):
        result = gmm(columbus, model="ols", endog=["CRIME"], instruments=["NOISE"])
    assert result.details["first_stage"]["CRIME"]["f"] < 10


def test_gmm_with_time_effects_is_refused(columbus):
    with pytest.raises(SpatialPanelError, match="estimator='gmm' with fe='time' is not available"):
        gmm(columbus, fe="time")


def test_gmm_with_unit_effects_of_a_cross_section_is_refused(columbus):
    with pytest.raises(SpatialPanelError, match="fe='unit' needs at least 2 periods"):
        gmm(columbus, fe="unit")


def test_gmm_of_ols_without_endog_is_refused(columbus):
    with pytest.raises(SpatialPanelError, match="least squares itself"):
        gmm(columbus, model="ols")


def test_endog_with_ml_is_refused(columbus):
    with pytest.raises(SpatialPanelError, match="need estimator='gmm'"):
        gmm(columbus, estimator="ml", endog=["CRIME"], instruments=["DISCBD"])


def test_unknown_estimator_lists_the_choices(columbus):
    with pytest.raises(SpatialPanelError, match="gmm"):
        gmm(columbus, estimator="2sls")


def test_cov_not_for_gmm(columbus):
    with pytest.raises(SpatialPanelError, match="cov='hessian' is not available with estimator='gmm'"):
        gmm(columbus, cov="hessian")


def test_inputs_not_mutated_and_ids_kept(columbus):
    panel, w = columbus
    before = panel.data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = gmm(columbus, endog=["CRIME"], instruments=["DISCBD"])
    pd.testing.assert_frame_equal(panel.data, before)
    assert set(result.residuals.index.get_level_values(0)) == set(before.index.get_level_values(0))

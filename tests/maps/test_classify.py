"""Classification: every scheme, honest legends for degenerate inputs, missing values never top class."""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
import pytest

from maps._classify import NO_DATA_COLOR, classify, palette
from maps.errors import MapError


@pytest.mark.parametrize(("scheme", "reference"), [
    ("quantiles", lambda y: mapclassify.Quantiles(y, k=5)),
    ("equal_interval", lambda y: mapclassify.EqualInterval(y, k=5)),
    ("natural_breaks", lambda y: mapclassify.FisherJenks(y, k=5)),
])
def test_breaks_equal_mapclassify(scheme, reference):
    y = np.random.default_rng(1).lognormal(size=120)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reference(y)
    classes = classify(y, scheme=scheme, k=5)
    np.testing.assert_allclose(classes.bins, expected.bins, rtol=1e-12)
    assert classes.counts(y)[0] == expected.counts.tolist()
    assert classes.describe() .endswith("5 classes")


def test_std_mean_and_user_defined():
    y = np.arange(1.0, 101.0)
    classes = classify(y, scheme="std_mean")
    assert sum(classes.counts(y)[0]) == 100 and classes.bins[-1] == 100
    user = classify(y, scheme="user_defined", breaks=[10, 50])
    assert user.bins == (10.0, 50.0, 100.0)
    assert user.counts(y)[0] == [10, 40, 50]
    with pytest.raises(MapError, match="strictly increasing"):
        classify(y, scheme="user_defined", breaks=[5, 5])
    with pytest.raises(MapError, match="needs breaks"):
        classify(y, scheme="user_defined")


def test_natural_breaks_on_many_values_is_deterministic():
    y = np.random.default_rng(2).normal(size=5000)
    first, second = classify(y, scheme="natural_breaks"), classify(y, scheme="natural_breaks")
    assert first == second and first.k == 5 and first.bins[-1] == y.max()


def test_missing_values_get_no_data_not_the_top_class():
    classes = classify([1.0, 2.0, 3.0, np.nan], k=3)
    codes = classes.codes([1.0, 2.0, 3.0, np.nan, np.inf])
    assert codes.tolist()[-2:] == [-1, -1]
    assert classes.counts([1.0, np.nan])[1] == 1
    assert NO_DATA_COLOR not in classes.colors


def test_degenerate_inputs_render_with_an_honest_legend():
    assert classify([np.nan, np.nan]).describe() == "no data"
    assert classify([np.nan, np.nan]).k == 0
    constant = classify([4.0, 4.0, 4.0], k=5)
    assert constant.describe() == "constant value" and constant.labels() == ["4"] and constant.k == 1
    fewer = classify([1.0, 1.0, 2.0, 2.0, 3.0], k=5)
    assert fewer.k == 3 and "3 classes < 5 requested" in fewer.describe()
    assert "类" in fewer.describe("zh")


def test_bad_options():
    with pytest.raises(MapError, match="scheme='jenks' is not allowed"):
        classify([1, 2], scheme="jenks")
    with pytest.raises(MapError, match="k=0"):
        classify([1, 2], k=0)
    with pytest.raises(MapError, match="not a matplotlib colormap"):
        palette("NoSuchMap", 3)

"""The bundled datasets match their manifest (checksums, rows) and load through the user's readers."""

from __future__ import annotations

import pytest

from spatial import datasets
from spatial._fs import sha256

ENTRIES = list(datasets.catalog().values())


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_checksum_and_rows_match_manifest(entry):
    path = datasets.path(entry.name)
    assert sha256(path) == entry.sha256, f"{path.name} changed: rebuild with data/build and update the manifest"
    assert len(datasets.load(entry.name)) == entry.rows


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_provenance_is_documented(entry):
    readme = (datasets.data_dir() / "README.md").read_text(encoding="utf-8")
    assert entry.file in readme and entry.sha256 in readme


def test_us_panel_joins_its_boundaries_by_key(produc, us_states):
    assert set(produc["fips"]) == set(us_states["fips"])
    assert produc["fips"].str.len().eq(2).all()
    assert "Tennessee" in set(produc["state"]) and "TENNESSE" not in set(produc["state"].str.upper())

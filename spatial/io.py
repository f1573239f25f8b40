"""Reading the user's files: boundaries (vector layers) and panel tables.

Boundaries are read with pyogrio (GDAL) from Shapefile (also zipped, read in place through
GDAL's virtual file system, never extracted), GeoPackage, GeoJSON and GeoParquet. Tables are
read from CSV (UTF-8, UTF-8 with BOM, GBK with ``encoding="gbk"``), Excel (.xlsx) and Parquet.

Nothing here interprets the data: CSV cells are returned as text so that
:class:`spatial.panel.SpatialPanel` can report every bad cell with its row, and ids keep their
leading zeros.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pandas as pd

from spatial._fs import PathLike, display_path
from spatial.errors import BoundaryFileError, CRSError, InputFileError, SchemaError, first_items
from spatial.hints import hint as option_hint

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["read_boundaries", "read_table", "wide_to_long", "close_matches", "ids_as_strings"]

_SHAPEFILE_SIDECARS = (".shx", ".dbf")
_GDAL_SUFFIXES = {".shp", ".zip", ".gpkg", ".geojson", ".json", ".fgb", ".gml", ".kml"}
_ENCODING_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030"}
# Tokens read as a missing cell in a numeric column (compared case-insensitively).
MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "#n/a", "null", "none", "."})


def close_matches(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """Candidates that look like ``name`` (difflib, case-insensitive), best first.

    Examples
    --------
    >>> close_matches("gsp_pc", ["gsp", "pcap", "pc"])
    ['gsp', 'pc']
    """
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


def require_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise :class:`SchemaError` listing every missing column with its closest matches."""
    available = [str(c) for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return
    parts = []
    for col in missing:
        hint = close_matches(col, available)
        parts.append(f"{col!r}" + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else ""))
    raise SchemaError(
        f"{what} has no column {', '.join(parts)}; available columns: {first_items(available, 15)}"
    )


def ids_as_strings(values: pd.Series, column: str) -> pd.Series:
    """Ids as text, exactly as written: integers become their digits, text is kept as is.

    Float ids (``1001.0``) are refused, because the conversion that produced them may have lost
    leading zeros; read the column as text instead.

    Raises
    ------
    SchemaError
        For float ids that are not whole numbers or came from a float column.

    Examples
    --------
    >>> ids_as_strings(pd.Series([1, 20]), "fips").tolist()
    ['1', '20']
    >>> ids_as_strings(pd.Series(["01", "20"]), "fips").tolist()
    ['01', '20']
    """
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"id column {column!r} holds booleans; ids must be codes or names")
    if pd.api.types.is_integer_dtype(values):
        return values.astype("int64").astype(str).astype(object)
    if pd.api.types.is_float_dtype(values):
        raise SchemaError(
            f"id column {column!r} holds floating-point numbers (e.g. {values.dropna().iloc[:1].tolist()}); "
            "leading zeros may have been lost: read the column as text (our readers do) "
            "or convert it with .astype('Int64').astype(str)"
        )

    def as_text(v: object) -> object:
        if v is None or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, bool):
            raise SchemaError(f"id column {column!r} holds booleans; ids must be codes or names")
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            raise SchemaError(
                f"id column {column!r} holds the number {v!r}; store ids as text (leading zeros matter)"
            )
        return str(v)

    return values.map(as_text).astype(object)


# --------------------------------------------------------------------------------------------
# Boundaries


def _list_layers(source: str, shown: str) -> list[str]:
    import pyogrio

    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:  # pyogrio raises DataSourceError and plain OSError subclasses
        raise BoundaryFileError(f"cannot open {shown}: {_gdal_message(exc)}") from None
    return [str(name) for name in layers[:, 0]] if len(layers) else []


def _gdal_message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # GDAL messages repeat the absolute path; reports show basenames only.
    return re.sub(r"(/[^\s'\"]+/)([^/\s'\"]+)", r"\2", text)


def _zip_members(path: Path, shown: str) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except zipfile.BadZipFile:
        raise BoundaryFileError(f"{shown} is not a valid zip archive") from None


def _check_shapefile_sidecars(names: list[str], shown: str) -> None:
    """Name the missing .shx/.dbf of every .shp among ``names`` (paths with any case)."""
    lowered = {n.lower() for n in names}
    for name in names:
        if not name.lower().endswith(".shp"):
            continue
        stem = name[:-4]
        missing = [ext for ext in _SHAPEFILE_SIDECARS if (stem + ext).lower() not in lowered]
        if missing:
            raise BoundaryFileError(
                f"{shown}: shapefile {PurePosixPath(name).name} is missing its "
                f"{' and '.join(missing)} file(s); a shapefile needs .shp, .shx and .dbf "
                "(and .prj for its CRS) side by side"
            )


def _check_shapefile_length(header: bytes, actual: int, name: str, shown: str) -> None:
    """A .shp header states the file length; GDAL reads a truncated file as missing geometries."""
    if len(header) < 28 or header[:4] != b"\x00\x00\x27\x0a":
        raise BoundaryFileError(f"{shown}: {name} is not a shapefile (bad header); the file is damaged")
    declared = int.from_bytes(header[24:28], "big") * 2
    if declared != actual:
        raise BoundaryFileError(
            f"{shown}: {name} is truncated or damaged (its header declares {declared} bytes, the file has "
            f"{actual}); copy the shapefile again"
        )


def _check_shapefile_files(source: Path, shown: str) -> None:
    if source.suffix.lower() == ".shp":
        with open(source, "rb") as handle:
            _check_shapefile_length(handle.read(28), source.stat().st_size, source.name, shown)
        return
    with zipfile.ZipFile(source) as archive:
        for member in archive.infolist():
            if member.filename.lower().endswith(".shp"):
                with archive.open(member) as handle:
                    header = handle.read(28)
                _check_shapefile_length(header, member.file_size, PurePosixPath(member.filename).name, shown)


def _dbf_bytes(path: Path, layer: str | None) -> tuple[bytes | None, bool]:
    """The raw .dbf of a shapefile (plain or zipped) and whether a .cpg accompanies it."""
    if path.suffix.lower() == ".shp":
        dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
        cpg = any(p.exists() for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")))
        return (dbf.read_bytes() if dbf else None), cpg
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            dbfs = [n for n in names if n.lower().endswith(".dbf")]
            if layer is not None:
                dbfs = [n for n in dbfs if PurePosixPath(n).stem == layer] or dbfs
            if len(dbfs) != 1:
                return None, True
            stem = dbfs[0][:-4].lower()
            cpg = any(n.lower() == stem + ".cpg" for n in names)
            return archive.read(dbfs[0]), cpg
    return None, True


def _shapefile_encoding(path: Path, layer: str | None, shown: str) -> str | None:
    """Decide the DBF encoding when the user gave none, and never guess silently.

    GDAL reads a DBF without a .cpg and without a language-driver byte as ISO-8859-1, which
    turns GBK or UTF-8 names into mojibake without any error. We accept the file as UTF-8 when
    its text is valid UTF-8, and otherwise stop and ask for ``encoding``.
    """
    raw, has_cpg = _dbf_bytes(path, layer)
    if raw is None or has_cpg or len(raw) < 32:
        return None
    language_driver = raw[29]
    header_length = int.from_bytes(raw[8:10], "little")
    records = raw[header_length:]
    if language_driver != 0 or records.isascii():
        return None
    try:
        records.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    hint = ""
    try:
        text = records.decode("gb18030")
        if re.search(r"[\u4e00-\u9fff]", text):
            hint = f" It decodes as Chinese text in GBK: pass {option_hint('boundary_encoding', 'gbk')}."
    except UnicodeDecodeError:
        pass
    raise BoundaryFileError(
        f"{shown}: the attribute table (.dbf) holds non-ASCII text, has no .cpg file and is not "
        f"UTF-8, so its encoding is unknown.{hint or ' Pass ' + option_hint('boundary_encoding') + ' (e.g. gbk or cp1252).'} "
        "Names are never decoded by guesswork because ids are matched on them."
    )


def read_boundaries(
    path: PathLike,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    assume_crs: str | None = None,
    id_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a boundary layer into a GeoDataFrame, refusing anything ambiguous.

    Parameters
    ----------
    path
        Shapefile (``.shp``, or a ``.zip`` holding one, read in place), GeoPackage, GeoJSON,
        FlatGeobuf or GeoParquet (``.parquet``).
    layer
        The layer to read; required when the source holds several (the message lists them).
    encoding
        Text encoding of a shapefile's ``.dbf`` when it has no ``.cpg`` (``"gbk"`` for most
        Chinese data).
    assume_crs
        CRS to set when the file has none (e.g. ``"EPSG:4326"``); recorded in ``attrs``.
    id_column
        If given, it must exist; its values are returned as text (never cast to numbers).

    Returns
    -------
    geopandas.GeoDataFrame
        ``attrs["source"]`` holds the basename, layer, encoding and any assumed CRS.

    Raises
    ------
    BoundaryFileError
        Unreadable or truncated files, missing sidecars, zero features, several layers.
    CRSError
        No CRS and no ``assume_crs``.
    SchemaError
        ``id_column`` absent (with the closest column names).

    Examples
    --------
    >>> from spatial import datasets
    >>> states = read_boundaries(datasets.path("us48_states"), id_column="fips")
    >>> len(states), states.crs.to_epsg(), states["fips"].iloc[0]
    (48, 4326, '53')
    """
    import pyogrio

    source = Path(path).expanduser()
    shown = display_path(source)
    if not source.exists():
        raise BoundaryFileError(f"boundary file {shown} does not exist")
    if source.is_dir():
        raise BoundaryFileError(f"{shown} is a folder; give the boundary file itself (.shp, .gpkg, ...)")
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        frame = _read_geoparquet(source, shown)
        attrs = {"file": source.name, "layer": None, "encoding": None}
    else:
        if suffix == ".zip":
            _check_shapefile_sidecars(_zip_members(source, shown), shown)
        elif suffix == ".shp":
            _check_shapefile_sidecars(
                [p.name for p in source.parent.iterdir() if p.stem == source.stem], shown
            )
        if suffix in {".shp", ".zip"}:
            _check_shapefile_files(source, shown)
        layers = _list_layers(str(source), shown)
        if not layers:
            raise BoundaryFileError(f"{shown} holds no vector layer")
        if layer is None and len(layers) > 1:
            raise BoundaryFileError(
                f"{shown} holds {len(layers)} layers ({first_items(layers)}); choose one with {option_hint('layer')}"
            )
        if layer is not None and layer not in layers:
            hint = close_matches(layer, layers)
            raise BoundaryFileError(
                f"{shown} has no layer {layer!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; available layers: {first_items(layers)}"
            )
        if encoding is None and suffix in {".shp", ".zip"}:
            encoding = _shapefile_encoding(source, layer, shown)
        elif encoding is not None:
            encoding = _ENCODING_ALIASES.get(encoding.lower(), encoding)
        try:
            frame = pyogrio.read_dataframe(str(source), layer=layer, encoding=encoding)
        except UnicodeDecodeError as exc:
            raise BoundaryFileError(
                f"{shown}: text could not be decoded as {encoding or 'the declared encoding'} ({exc.reason}); "
                f"pass the right {option_hint('boundary_encoding')}, e.g. gbk or cp1252"
            ) from None
        except Exception as exc:
            raise BoundaryFileError(f"cannot read {shown}: {_gdal_message(exc)}") from None
        attrs = {"file": source.name, "layer": layer or layers[0], "encoding": encoding}
    if len(frame) == 0:
        raise BoundaryFileError(f"{shown} (layer {attrs['layer']!r}) has 0 features")
    if frame.crs is None:
        if assume_crs is None:
            raise CRSError(
                f"{shown} has no coordinate reference system (a shapefile without its .prj?); "
                f"state it with {option_hint('assume_crs', 'EPSG:XXXX')}, e.g. EPSG:4326 for longitude/latitude"
            )
        try:
            frame = frame.set_crs(assume_crs)
        except Exception as exc:
            raise CRSError(f"{assume_crs!r} (given with {option_hint('assume_crs')}) is not a valid CRS: {exc}") from None
        attrs["assumed_crs"] = str(assume_crs)
    if id_column is not None:
        require_columns(frame, [id_column], f"boundary file {shown}")
        frame[id_column] = ids_as_strings(frame[id_column], id_column)
    frame.attrs["source"] = attrs
    return frame


def _read_geoparquet(source: Path, shown: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    try:
        return gpd.read_parquet(source)
    except Exception as exc:
        raise BoundaryFileError(f"cannot read {shown} as GeoParquet: {_gdal_message(exc)}") from None


# --------------------------------------------------------------------------------------------
# Tables


def _decode_csv(raw: bytes, encoding: str | None, shown: str) -> str:
    if encoding is not None:
        codec = _ENCODING_ALIASES.get(encoding.lower(), encoding)
        try:
            return raw.decode(codec)
        except LookupError:
            raise InputFileError(f"unknown encoding {encoding!r}; use e.g. utf-8, gbk or cp1252") from None
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{shown} is not valid {encoding} text (byte {exc.start}: {exc.reason}); "
                f"pass the right {option_hint('encoding')}"
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = f" Pass {option_hint('encoding')}, e.g. gbk or cp1252."
        try:
            if re.search(r"[\u4e00-\u9fff]", raw.decode("gb18030")):
                hint = f" It reads as Chinese text in GBK (as Excel saves CSV on Chinese Windows): pass {option_hint('encoding', 'gbk')}."
        except UnicodeDecodeError:
            pass
        raise InputFileError(f"{shown} is not UTF-8 text (line {line}).{hint}") from None


def read_table(
    path: PathLike,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str = ",",
) -> pd.DataFrame:
    """Read a panel table (CSV, Excel .xlsx or Parquet) without interpreting its cells.

    CSV cells come back as text (``object`` columns): numbers are parsed, and bad cells
    reported, by :class:`spatial.panel.SpatialPanel`; ids keep their leading zeros. Excel and
    Parquet keep their stored types.

    Parameters
    ----------
    path
        ``.csv`` / ``.txt``, ``.xlsx`` or ``.parquet``.
    sheet
        Excel sheet name or position; required when the workbook has several sheets.
    encoding
        CSV encoding; by default UTF-8 with or without BOM. ``"gbk"`` reads GBK/GB18030.
    sep
        CSV field separator.

    Raises
    ------
    InputFileError
        Missing file, unknown format, undecodable text, ambiguous or unknown sheet.

    Examples
    --------
    >>> from spatial import datasets
    >>> produc = read_table(datasets.path("us_produc"))
    >>> produc.shape, produc.loc[0, "fips"]
    ((816, 13), '01')
    """
    source = Path(path).expanduser()
    shown = display_path(source)
    if not source.is_file():
        raise InputFileError(f"table {shown} does not exist")
    suffix = source.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        import io

        text = _decode_csv(source.read_bytes(), encoding, shown)
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            raise InputFileError(
                f"{shown} holds NUL bytes (line {line}); it is not a text table (UTF-16 or binary?): "
                f"save it as CSV UTF-8, or pass {option_hint('encoding', 'utf-16')}"
            )
        delimiter = "\t" if suffix == ".tsv" else sep
        _check_header_names(_csv_header(text, delimiter), shown)
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str,
                keep_default_na=False, skipinitialspace=False,
            )
        except pd.errors.ParserError as exc:
            raise InputFileError(f"cannot parse {shown} as CSV: {exc}") from None
        except pd.errors.EmptyDataError:
            raise InputFileError(f"{shown} is empty") from None
    elif suffix in {".xlsx", ".xlsm"}:
        frame = _read_excel(source, sheet, shown)
    elif suffix == ".xls":
        raise InputFileError(f"{shown}: the old .xls format is not supported; save it as .xlsx or .csv")
    elif suffix == ".parquet":
        frame = _read_parquet_table(source, shown)
    elif suffix in _GDAL_SUFFIXES:
        raise InputFileError(f"{shown} looks like a boundary file; panel tables are .csv, .xlsx or .parquet")
    else:
        raise InputFileError(f"{shown}: unknown table format {suffix!r}; use .csv, .xlsx or .parquet")
    frame.columns = [str(c).strip() if isinstance(c, str) else str(c) for c in frame.columns]
    _check_header_names(list(frame.columns), shown)
    frame.attrs["source"] = {"file": source.name, "sheet": sheet, "encoding": encoding}
    return frame


def _check_header_names(names: list[object], shown: str) -> None:
    """Refuse repeated column names (after stripping blanks), naming them and their positions.

    pandas renames a repeated CSV or Excel header to ``gdp.1``, so the check runs on the header
    as written in the file, before any reader has renamed it.
    """
    stripped = ["" if n is None else str(n).strip() for n in names]
    positions: dict[str, list[int]] = {}
    for number, name in enumerate(stripped, start=1):
        positions.setdefault(name, []).append(number)
    repeated = [f"{name!r} (columns {', '.join(map(str, cols))})"
                for name, cols in positions.items() if len(cols) > 1 and name != ""]
    if repeated:
        raise SchemaError(
            f"{shown} has repeated column names: {first_items(repeated)}; every column needs its own "
            "name: rename or remove the copies (nothing is merged or renamed silently)"
        )


def _csv_header(text: str, delimiter: str) -> list[str]:
    import csv
    import io

    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        return []  # the CSV parser then reports the damage with its line


def _read_parquet_table(source: Path, shown: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(source).names
    except Exception as exc:
        raise InputFileError(f"cannot read {shown} as Parquet: {exc}") from None
    _check_header_names([n for n in names if not str(n).startswith("__index_level_")], shown)
    try:
        return pd.read_parquet(source)
    except Exception as exc:
        raise InputFileError(f"cannot read {shown} as Parquet: {exc}") from None


def _read_excel(source: Path, sheet: str | int | None, shown: str) -> pd.DataFrame:
    try:
        workbook = pd.ExcelFile(source, engine="openpyxl")
    except Exception as exc:
        raise InputFileError(f"cannot open {shown} as an Excel workbook: {exc}") from None
    with workbook:
        names = [str(n) for n in workbook.sheet_names]
        if sheet is None:
            if len(names) > 1:
                raise InputFileError(
                    f"{shown} has {len(names)} sheets ({first_items(names)}); choose one with {option_hint('sheet')}"
                )
            sheet = names[0]
        elif isinstance(sheet, str) and sheet not in names:
            raise InputFileError(f"{shown} has no sheet {sheet!r}; sheets: {first_items(names)}")
        elif isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise InputFileError(f"{shown} has {len(names)} sheets; sheet={sheet} is out of range")
        header = pd.read_excel(workbook, sheet_name=sheet, header=None, nrows=1, dtype=object)
        if len(header):
            _check_header_names([v for v in header.iloc[0].tolist() if not pd.isna(v)], shown)
        return pd.read_excel(workbook, sheet_name=sheet, dtype=object)


def wide_to_long(
    frame: pd.DataFrame,
    id: str,
    *,
    pattern: str = r"^(?P<variable>.*?)[_\s.-]?(?P<period>\d{4})$",
    value_name: str | None = None,
    time_name: str = "year",
    keep: list[str] | None = None,
) -> pd.DataFrame:
    """Turn a wide table (one column per period) into the long form (id, period, variables).

    Columns are split by ``pattern``, a regular expression with a ``period`` group and,
    optionally, a ``variable`` group: ``gdp_2010`` and ``pop2010`` both match the default.
    Columns named by a bare period (``2010``) need ``value_name``.

    Parameters
    ----------
    frame
        The wide table; one row per unit.
    id
        The unit id column.
    pattern
        Regular expression applied to every other column name.
    value_name
        The variable name for columns whose ``variable`` group is empty or absent.
    time_name
        Name of the period column in the result.
    keep
        Columns copied to every row of the unit (names, groups). All other columns must match
        ``pattern``; nothing is dropped silently.

    Raises
    ------
    SchemaError
        Unmatched columns, a missing ``value_name``, repeated ids.

    Examples
    --------
    >>> wide = pd.DataFrame({"code": ["01", "02"], "gdp_2010": [1.0, 2.0], "gdp_2011": [3.0, 4.0]})
    >>> wide_to_long(wide, "code")
      code  year  gdp
    0   01  2010  1.0
    1   01  2011  3.0
    2   02  2010  2.0
    3   02  2011  4.0
    """
    require_columns(frame, [id, *(keep or [])], "the wide table")
    regex = re.compile(pattern)
    if "period" not in regex.groupindex:
        raise SchemaError("pattern needs a named group (?P<period>...)")
    repeated = frame[id][frame[id].duplicated()].unique().tolist()
    if repeated:
        raise SchemaError(f"the wide table repeats ids {first_items(repeated)}; a wide table has one row per unit")
    records: dict[tuple[str, str], str] = {}
    unmatched = []
    for column in frame.columns:
        if column == id or column in (keep or []):
            continue
        match = regex.match(str(column))
        if match is None:
            unmatched.append(column)
            continue
        variable = (match.groupdict().get("variable") or "").strip() or value_name
        if not variable:
            raise SchemaError(f"column {column!r} has no variable name; pass value_name=")
        records[(variable, match.group("period"))] = column
    if unmatched:
        raise SchemaError(
            f"columns {first_items(unmatched)} match neither the id, keep= nor pattern {pattern!r}; "
            "add them to keep= or drop them before reshaping"
        )
    if not records:
        raise SchemaError(f"no column matches pattern {pattern!r}")
    variables = list(dict.fromkeys(v for v, _ in records))
    periods = sorted({p for _, p in records}, key=lambda p: (len(p), p))
    rows = []
    for _, unit in frame.iterrows():
        for period in periods:
            row = {id: unit[id], time_name: int(period) if period.isdigit() else period}
            for name in keep or []:
                row[name] = unit[name]
            for variable in variables:
                column = records.get((variable, period))
                row[variable] = unit[column] if column is not None else None
            rows.append(row)
    return pd.DataFrame(rows, columns=[id, time_name, *(keep or []), *variables])

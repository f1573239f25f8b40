"""Reading and writing weights files, with ids kept as text and checked against the data.

Formats (chosen by extension, or ``format=``):

========  ===========  ==========================================================================
format    extension    content
========  ===========  ==========================================================================
gal       .gal         neighbour lists (GeoDa, R spdep, libpysal); binary weights
gwt       .gwt         "focal neighbour weight" lines (GeoDa); islands as "id id 0"
csv       .csv         edge list ``focal,neighbor,weight``; islands as a 0 self-link (libpysal)
matrix    .csv         full n x n matrix, ids in the header row and the first column
xlsx      .xlsx        the same full matrix as an Excel sheet
mtx       .mtx         Matrix Market (sparse); ids in a ``%ids`` comment line
mat       .mat         MATLAB (Elhorst's toolbox): sparse ``W`` and a cell array ``ids``
dta       .dta         Stata: string ``id`` and columns ``w1..wn`` (labelled by id), read by
                       ``spmat dta`` / ``spmatrix fromdata`` for xsmle
========  ===========  ==========================================================================

Full matrices (matrix, xlsx, dta) are refused above n = 5000 unless ``force=True``. A read with
``ids=`` checks that the file's ids are exactly the data's (listing the differences) and returns
the graph in the data's order. Writes are atomic (a temporary file moved into place) and never
replace an existing file unless ``overwrite=True``. Text cells that a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``) are written with a leading ``'`` in CSV files and as text cells
in Excel; the reader removes that quote again.
"""

from __future__ import annotations

import contextlib
import io as _io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from weights.choices import Format
from weights._checks import check_entries, check_option, first_items, match_ids
from weights._graph import SparseWeights, canonical_csr, graph_ids, links_with_islands, matrix_of
from weights.errors import WeightsError, hint

__all__ = ["Format", "FULL_MATRIX_LIMIT", "read_weights", "read_matrix", "write_weights", "infer_format"]


FULL_MATRIX_LIMIT = 5000
"""Largest n written as a full matrix (CSV, Excel, Stata) unless ``force=True``."""

_EXTENSIONS = {".gal": "gal", ".gwt": "gwt", ".csv": "csv", ".xlsx": "xlsx", ".mtx": "mtx", ".mat": "mat",
               ".dta": "dta"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EDGE_HEADERS = {"focal", "from", "origin", "source", "i"}


def infer_format(path: str | os.PathLike, format: Format | None = None) -> str:
    """The format of ``path`` from ``format`` or its extension.

    Raises
    ------
    WeightsError
        For an unknown extension (listing the known ones).

    Examples
    --------
    >>> infer_format("W.gal"), infer_format("W.csv", "matrix")
    ('gal', 'matrix')
    """
    if format is not None:
        return check_option("format", format, Format)
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise WeightsError(
            f"{Path(path).name}: unknown weights format {suffix!r}; use one of "
            f"{', '.join(sorted(_EXTENSIONS))} (or format='matrix' for a full-matrix CSV)"
        )
    return _EXTENSIONS[suffix]


# ---------------------------------------------------------------------------------------------
# writing


@contextlib.contextmanager
def _atomic(path: Path, overwrite: bool) -> Iterator[Path]:
    if path.exists() and not overwrite:
        raise WeightsError(f"{path.name} already exists; pass {hint('overwrite', True)} to replace it")
    if not path.parent.is_dir():
        raise WeightsError(f"folder {path.parent} does not exist; create it first")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.spatial-{os.getpid()}-", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs get the usual permissions
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _safe_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unquote(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _check_token_ids(ids: Sequence[str], fmt: str) -> None:
    spaced = [i for i in ids if not i or any(c.isspace() for c in i)]
    if spaced:
        raise WeightsError(
            f"{fmt.upper()} files separate fields by spaces, so ids cannot contain spaces or be empty "
            f"({first_items(spaced)}); write a CSV edge list (.csv) instead"
        )


def write_weights(graph, path: str | os.PathLike, *, format: Format | None = None, overwrite: bool = False,
                  force: bool = False) -> Path:
    """Write weights to ``path`` (format from the extension or ``format``), atomically.

    Parameters
    ----------
    graph
        A libpysal ``Graph``.
    format
        See the module docstring; ``"matrix"`` writes a full-matrix CSV.
    overwrite
        Replace an existing file.
    force
        Write a full matrix (matrix, xlsx, dta) above n = 5000.

    Raises
    ------
    WeightsError
        An existing file without ``overwrite``, a full matrix too large without ``force``,
        weighted links in a GAL file (it stores neighbours only), ids with spaces in GAL/GWT.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from spatial import datasets
    >>> from weights.contiguity import queen
    >>> w = queen(datasets.load("us48_states"), id="fips")
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "queen.gal"
    >>> write_weights(w, target).name
    'queen.gal'
    >>> read_weights(target, ids=w.unique_ids).n_edges == w.n_edges
    True
    """
    fmt = infer_format(path, format)
    target = Path(path).expanduser()
    ids = graph_ids(graph)
    matrix = matrix_of(graph)
    n = len(ids)
    if fmt in ("matrix", "xlsx", "dta") and n > FULL_MATRIX_LIMIT and not force:
        raise WeightsError(
            f"a full {n} x {n} matrix is {n * n:,} cells; write a sparse format (.gwt, .csv edge list, .mtx, .mat) "
            f"or pass {hint('force', True)} to write it anyway"
        )
    # The checks of read_weights, so that no file is written that read_weights (weights info) then rejects.
    check_entries(matrix, ids, allow_self=True, what=f"the weights to write to {target.name}")
    writer = {
        "gal": _write_gal, "gwt": _write_gwt, "csv": _write_edges, "matrix": _write_matrix_csv,
        "xlsx": _write_xlsx, "mtx": _write_mtx, "mat": _write_mat, "dta": _write_dta,
    }[fmt]
    with _atomic(target, overwrite) as tmp:
        writer(tmp, matrix, ids)
    return target


def _write_gal(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    _check_token_ids(ids, "gal")
    for i in range(matrix.shape[0]):
        row = matrix.data[matrix.indptr[i]:matrix.indptr[i + 1]]
        if row.size and np.ptp(row) > 1e-12 * row.max():
            raise WeightsError(
                f"GAL files store neighbours only, but the weights of {ids[i]!r} differ; write .gwt or .csv to "
                "keep the weights (or write the binary weights)"
            )
    lines = [str(len(ids))]
    for i, unit in enumerate(ids):
        neighbours = matrix.indices[matrix.indptr[i]:matrix.indptr[i + 1]]
        lines.append(f"{unit} {neighbours.size}")
        lines.append(" ".join(ids[j] for j in neighbours))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _edge_rows(matrix: sparse.csr_array, ids: list[str]) -> pd.DataFrame:
    """One row per link, islands as a zero self-link, in id order."""
    rows, cols, data = links_with_islands(matrix)
    labels = np.asarray(ids, dtype=object)
    return pd.DataFrame({"focal": labels[rows], "neighbor": labels[cols], "weight": data})


def _write_gwt(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    _check_token_ids(ids, "gwt")
    edges = _edge_rows(matrix, ids)
    body = edges.to_csv(sep=" ", header=False, index=False, float_format="%.17g")
    path.write_text(f"0 {len(ids)} unknown id\n" + body, encoding="utf-8")


def _write_edges(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    edges = _edge_rows(matrix, ids)
    edges["focal"] = edges["focal"].map(_safe_cell)
    edges["neighbor"] = edges["neighbor"].map(_safe_cell)
    path.write_text(edges.to_csv(index=False, float_format="%.17g"), encoding="utf-8")


def _write_matrix_csv(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    safe = [_safe_cell(i) for i in ids]
    frame = pd.DataFrame(matrix.toarray(), index=safe, columns=safe)
    frame.index.name = "id"
    path.write_text(frame.to_csv(float_format="%.17g"), encoding="utf-8")


def _write_xlsx(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "W"
    sheet.cell(row=1, column=1, value="id").data_type = "s"
    for k, unit in enumerate(ids):
        for cell in (sheet.cell(row=1, column=k + 2), sheet.cell(row=k + 2, column=1)):
            cell.value = unit
            cell.data_type = "s"  # text, never a formula
    dense = matrix.toarray()
    for i in range(dense.shape[0]):
        for j in range(dense.shape[1]):
            sheet.cell(row=i + 2, column=j + 2, value=float(dense[i, j]))
    book.save(path)


def _write_mtx(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    from scipy.io import mmwrite

    buffer = _io.BytesIO()
    mmwrite(buffer, sparse.coo_matrix(matrix), comment="ids " + json.dumps(ids, ensure_ascii=False),
            field="real", precision=17)
    path.write_bytes(buffer.getvalue())


def _write_mat(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    from scipy.io import savemat

    cells = np.empty((len(ids), 1), dtype=object)
    cells[:, 0] = ids
    savemat(path, {"W": sparse.csc_matrix(matrix), "ids": cells}, do_compression=True)


def _write_dta(path: Path, matrix: sparse.csr_array, ids: list[str]) -> None:
    frame = pd.DataFrame(matrix.toarray(), columns=[f"w{k + 1}" for k in range(len(ids))])
    frame.insert(0, "id", pd.Series(ids, dtype=object))
    labels = {f"w{k + 1}": str(unit)[:80] for k, unit in enumerate(ids)}
    frame.to_stata(path, write_index=False, version=118, variable_labels=labels,
                   data_label="spatial weights; columns w1..wn follow the rows' id order")


# ---------------------------------------------------------------------------------------------
# reading


def read_weights(
    path: str | os.PathLike,
    *,
    ids: Sequence[str] | None = None,
    format: Format | None = None,
    allow_self: bool = False,
    variable: str = "W",
    encoding: str | None = None,
):
    """Read weights from a file, ids as text, checked against the data's ids.

    Parameters
    ----------
    path
        The file; the format comes from the extension (a ``.csv`` is an edge list when its
        header starts with ``focal``/``from``/``origin``/``source``, a full matrix otherwise).
    ids
        The data's unit ids. The file's ids must be exactly these (both differences are listed
        otherwise); the graph comes back in this order. For files without ids (a Matrix Market
        file or a ``.mat`` without ``ids``) they name the rows in file order.
    format
        Override the format.
    allow_self
        Accept self-neighbours (a nonzero diagonal).
    variable
        The matrix variable of a ``.mat`` file.
    encoding
        Text encoding of CSV/GAL/GWT files (default UTF-8, with or without BOM).

    Returns
    -------
    libpysal.graph.Graph

    Raises
    ------
    WeightsError
        Unreadable or malformed files (with the line), negative/NaN/infinite weights,
        self-neighbours, non-square or mislabelled matrices, ids that differ from ``ids``.
    """
    return read_matrix(path, ids=ids, format=format, allow_self=allow_self, variable=variable,
                       encoding=encoding).to_graph()


def read_matrix(
    path: str | os.PathLike,
    *,
    ids: Sequence[str] | None = None,
    format: Format | None = None,
    allow_self: bool = False,
    variable: str = "W",
    encoding: str | None = None,
) -> SparseWeights:
    """Read weights as :func:`read_weights` does, as a checked matrix (no ``Graph``, no libpysal).

    Same parameters, checks and errors as :func:`read_weights`; the estimators accept the result
    directly, which keeps libpysal (and the scikit-learn and geopandas it loads) out of a fit.

    Examples
    --------
    >>> from pathlib import Path
    >>> gal = Path(__file__).parent.parent / "tests" / "reference" / "columbus" / "columbus_queen.gal"
    >>> w = read_matrix(gal)
    >>> w.n, w.sparse.nnz
    (49, 236)
    """
    fmt = infer_format(path, format)
    source = Path(path).expanduser()
    if not source.is_file():
        raise WeightsError(f"weights file {source.name} does not exist")
    if fmt == "csv" and not _looks_like_edges(source, encoding):
        fmt = "matrix"
    reader = {
        "gal": _read_gal, "gwt": _read_gwt, "csv": _read_edges, "matrix": _read_matrix_csv,
        "xlsx": _read_xlsx, "mtx": _read_mtx, "mat": _read_mat, "dta": _read_dta,
    }[fmt]
    try:
        file_ids, matrix = reader(source, encoding=encoding, variable=variable)
    except WeightsError:
        raise
    except (ValueError, OSError, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise WeightsError(f"cannot read {source.name} as {fmt}: {exc}") from None
    what = f"the weights file {source.name}"
    if file_ids is not None and matrix.shape[0] > len(file_ids):  # a GWT header announcing more units
        file_ids = _name_unlisted_islands(file_ids, matrix.shape[0], ids, what)
    if file_ids is None:
        n = matrix.shape[0]
        if ids is not None and len(ids) != n:
            raise WeightsError(f"{what} is {n} x {n} but {len(ids)} ids were given; its rows follow the data's order")
        file_ids = [str(i) for i in ids] if ids is not None else [str(k + 1) for k in range(n)]
    check_entries(matrix, file_ids, allow_self=allow_self, what=what)
    file_ids = list(file_ids)
    _repeated(file_ids, what)
    if ids is not None:  # the data's order, applied to the matrix so that the Graph is built once
        wanted = [str(i) for i in ids]
        match_ids(file_ids, wanted, what=what)
        _repeated(wanted, "the data's ids")
        if wanted != file_ids:
            position = dict(zip(file_ids, range(len(file_ids))))
            order = np.fromiter(map(position.__getitem__, wanted), dtype=np.int64, count=len(wanted))
            matrix = sparse.csr_array(matrix)[order][:, order]
            file_ids = wanted
    return SparseWeights(tuple(file_ids), canonical_csr(matrix))


def _name_unlisted_islands(file_ids, declared, ids, what):
    """Name the islands a GWT file leaves out (GeoDa omits them from the links) from the data's ids."""
    missing = declared - len(file_ids)
    if ids is None:
        raise WeightsError(
            f"{what} announces {declared} units but its links name only {len(file_ids)}: {missing} islands are "
            "unnamed; pass the data's ids (ids=) so they can be identified"
        )
    extra = [str(i) for i in ids if str(i) not in set(file_ids)]
    if len(ids) != declared or len(extra) != missing:
        match_ids(file_ids, [str(i) for i in ids], what=what)
    return list(file_ids) + extra


def _text(path: Path, encoding: str | None) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError:
        raise WeightsError(
            f"{path.name} is not {encoding or 'UTF-8'} text; pass {hint('encoding')}, e.g. gbk"
        ) from None
    except LookupError:
        raise WeightsError(f"unknown encoding {encoding!r}") from None


def _repeated(ids: list[str], what: str) -> None:
    if len(set(ids)) == len(ids):
        return
    index = pd.Index(ids)
    if index.has_duplicates:
        raise WeightsError(f"{what} repeats ids: {first_items(index[index.duplicated()].unique().tolist())}")


def _read_gal(path: Path, *, encoding, variable) -> tuple[list[str], sparse.csr_array]:
    lines = _text(path, encoding).splitlines()
    if not lines or not lines[0].split():
        raise WeightsError(f"{path.name} is empty; a GAL file starts with the number of units")
    header = lines[0].split()
    try:
        n = int(header[1] if len(header) > 1 else header[0])
    except ValueError:
        raise WeightsError(f"{path.name}, line 1: expected the number of units, found {lines[0]!r}") from None
    focal, counts, tokens = _gal_regular(lines, n) or _gal_by_line(lines, n, path.name)
    _repeated(focal, path.name)
    position = {u: i for i, u in enumerate(focal)}
    try:
        cols = np.fromiter(map(position.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    except KeyError:
        unknown = sorted(set(tokens) - position.keys())
        raise WeightsError(
            f"{path.name} lists neighbours that have no entry of their own: {first_items(unknown)}"
        ) from None
    rows = np.repeat(np.arange(n), counts)
    matrix = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    return focal, matrix


def _gal_regular(lines: list[str], n: int) -> tuple[list[str], np.ndarray, list[str]] | None:
    """One vectorised pass over a GAL file whose units each take two lines (the usual layout).

    None when the layout is any other (a unit without neighbours and without its empty line, a
    malformed line): :func:`_gal_by_line` then reads it line by line and names the faulty line.
    """
    heads, lists = lines[1:1 + 2 * n:2], lines[2:2 + 2 * n:2]
    if len(lists) != n or any(line.strip() for line in lines[1 + 2 * n:]):
        return None
    head_tokens = " ".join(heads).split()
    if len(head_tokens) != 2 * n:
        return None
    focal, announced = head_tokens[0::2], head_tokens[1::2]
    if not all(map(str.isdigit, announced)):
        return None
    try:
        counts = np.asarray(announced).astype(np.int64)
    except ValueError:
        return None
    listed = np.fromiter(map(len, map(str.split, lists)), dtype=np.int64, count=n)
    if not np.array_equal(counts, listed):
        return None
    return focal, counts, " ".join(lists).split()


def _gal_by_line(lines: list[str], n: int, name: str) -> tuple[list[str], list[int], list[str]]:
    """The GAL units line by line (empty lines and units without a neighbour line allowed)."""
    focal, counts, tokens = [], [], []
    k = 1
    while len(focal) < n:
        if k >= len(lines):
            raise WeightsError(f"{name}: the header announces {n} units but the file lists {len(focal)}")
        parts = lines[k].split()
        if not parts:
            k += 1
            continue
        if len(parts) != 2 or not parts[1].isdigit():
            raise WeightsError(f"{name}, line {k + 1}: expected 'id count', found {lines[k]!r}")
        unit, count = parts[0], int(parts[1])
        listed = lines[k + 1].split() if count and k + 1 < len(lines) else []
        if len(listed) != count:
            raise WeightsError(
                f"{name}, line {k + 2}: unit {unit!r} announces {count} neighbours but lists {len(listed)}"
            )
        focal.append(unit)
        counts.append(count)
        tokens += listed
        k += 2 if count else (2 if k + 1 < len(lines) and not lines[k + 1].split() else 1)
    return focal, counts, tokens


def _triples_to_matrix(focal: list[str], neighbor: list[str], weight: np.ndarray, declared: int | None,
                       name: str) -> tuple[list[str], sparse.csr_array]:
    ids = list(dict.fromkeys(focal + neighbor))
    if declared is not None and len(ids) > declared:
        raise WeightsError(f"{name}: the header announces {declared} units but the links name {len(ids)}")
    frame = pd.DataFrame({"f": focal, "t": neighbor})
    island_marker = (frame["f"] == frame["t"]).to_numpy() & (weight == 0)
    repeated = frame[~island_marker].duplicated(keep=False)
    if repeated.any():
        shown = [f"{a}->{b}" for a, b in frame[~island_marker][repeated].drop_duplicates().itertuples(index=False)]
        raise WeightsError(f"{name} repeats links ({first_items(shown)}); each link must appear once")
    position = {u: i for i, u in enumerate(ids)}
    rows = np.fromiter((position[u] for u in focal), dtype=np.int64, count=len(focal))
    cols = np.fromiter((position[u] for u in neighbor), dtype=np.int64, count=len(neighbor))
    n = len(ids) if declared is None else declared  # a GWT header may announce unlisted islands
    keep = ~island_marker
    matrix = sparse.coo_array((weight[keep], (rows[keep], cols[keep])), shape=(n, n))
    return ids, matrix


def _read_gwt(path: Path, *, encoding, variable) -> tuple[list[str], sparse.coo_array]:
    lines = _text(path, encoding).splitlines()
    if not lines:
        raise WeightsError(f"{path.name} is empty")
    header = lines[0].split()
    declared = None
    with contextlib.suppress(ValueError, IndexError):
        declared = int(header[1] if len(header) > 1 else header[0])
    focal, neighbor, weight = [], [], []
    for number, line in enumerate(lines[1:], start=2):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise WeightsError(f"{path.name}, line {number}: expected 'focal neighbour weight', found {line!r}")
        try:
            value = float(parts[2])
        except ValueError:
            raise WeightsError(f"{path.name}, line {number}: weight {parts[2]!r} is not a number") from None
        focal.append(parts[0])
        neighbor.append(parts[1])
        weight.append(value)
    return _triples_to_matrix(focal, neighbor, np.asarray(weight, dtype="float64"), declared, path.name)


def _csv_frame(path: Path, encoding) -> pd.DataFrame:
    text = _text(path, encoding)
    try:
        return pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, header=None)
    except pd.errors.EmptyDataError:
        raise WeightsError(f"{path.name} is empty") from None
    except pd.errors.ParserError as exc:
        raise WeightsError(f"cannot parse {path.name} as CSV: {exc}") from None


def _looks_like_edges(path: Path, encoding) -> bool:
    first = _text(path, encoding).split("\n", 1)[0]
    cells = [c.strip().strip('"').lower() for c in first.split(",")]
    return bool(cells) and cells[0] in _EDGE_HEADERS and len(cells) in (2, 3)


def _read_edges(path: Path, *, encoding, variable) -> tuple[list[str], sparse.coo_array]:
    frame = _csv_frame(path, encoding)
    header = [c.strip().lower() for c in frame.iloc[0]]
    body = frame.iloc[1:]
    focal = [_unquote(v) for v in body.iloc[:, 0]]
    neighbor = [_unquote(v) for v in body.iloc[:, 1]]
    if len(header) == 3:
        weight = pd.to_numeric(body.iloc[:, 2], errors="coerce").to_numpy(dtype="float64")
        bad = np.isnan(weight) & (body.iloc[:, 2].str.strip().str.lower() != "nan").to_numpy()
        if bad.any():
            lines = (np.flatnonzero(bad) + 2).tolist()
            raise WeightsError(f"{path.name}: weights that are not numbers on lines {first_items(lines)}")
    else:
        weight = np.ones(len(body))
    empty = [k + 2 for k, (a, b) in enumerate(zip(focal, neighbor, strict=True)) if not a or not b]
    if empty:
        raise WeightsError(f"{path.name}: empty ids on lines {first_items(empty)}")
    return _triples_to_matrix(focal, neighbor, weight, None, path.name)


def _matrix_from_cells(cells: pd.DataFrame, name: str) -> tuple[list[str], sparse.coo_array]:
    """A labelled full matrix: first row = ids (after a corner cell), first column = ids."""
    if cells.shape[0] < 2 or cells.shape[1] < 2:
        raise WeightsError(f"{name}: a full matrix needs an id header row and an id column")
    col_ids = [_cell_id(v) for v in cells.iloc[0, 1:]]
    row_ids = [_cell_id(v) for v in cells.iloc[1:, 0]]
    table = cells.iloc[1:, 1:]
    table.index, table.columns = row_ids, col_ids
    from weights.block import from_matrix

    graph = from_matrix(table, allow_self=True, what=name)
    return graph_ids(graph), matrix_of(graph)


def _cell_id(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    return _unquote(str(value).strip())


def _read_matrix_csv(path: Path, *, encoding, variable) -> tuple[list[str], sparse.coo_array]:
    return _matrix_from_cells(_csv_frame(path, encoding), path.name)


def _read_xlsx(path: Path, *, encoding, variable) -> tuple[list[str], sparse.coo_array]:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:
        raise WeightsError(f"cannot open {path.name} as an Excel workbook: {exc}") from None
    with book:
        if len(book.sheet_names) > 1:
            raise WeightsError(
                f"{path.name} has {len(book.sheet_names)} sheets ({first_items(book.sheet_names)}); keep the matrix "
                "alone in the workbook"
            )
        cells = pd.read_excel(book, sheet_name=book.sheet_names[0], header=None, dtype=object)
    return _matrix_from_cells(cells, path.name)


def _read_mtx(path: Path, *, encoding, variable) -> tuple[list[str] | None, sparse.coo_array]:
    from scipy.io import mmread

    ids = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("%"):
                break
            if line.startswith("%ids "):
                ids = [str(i) for i in json.loads(line[5:])]
    matrix = sparse.coo_array(mmread(path))
    if ids is not None and len(ids) != matrix.shape[0]:
        raise WeightsError(f"{path.name}: {len(ids)} ids for a {matrix.shape[0]} x {matrix.shape[1]} matrix")
    return ids, matrix


def _read_mat(path: Path, *, encoding, variable) -> tuple[list[str] | None, sparse.coo_array]:
    from scipy.io import loadmat

    content = {k: v for k, v in loadmat(path).items() if not k.startswith("__")}
    if variable not in content:
        raise WeightsError(f"{path.name} has no variable {variable!r}; it holds {first_items(sorted(content))}")
    value = content[variable]
    matrix = sparse.coo_array(value) if sparse.issparse(value) else sparse.coo_array(np.asarray(value, dtype="float64"))
    ids = None
    if "ids" in content:
        ids = [str(np.asarray(v).ravel()[0]) if np.asarray(v).size else "" for v in np.asarray(content["ids"]).ravel()]
        if len(ids) != matrix.shape[0]:
            raise WeightsError(f"{path.name}: {len(ids)} ids for a {matrix.shape[0]} x {matrix.shape[1]} matrix")
    return ids, matrix


def _read_dta(path: Path, *, encoding, variable) -> tuple[list[str], sparse.coo_array]:
    with pd.io.stata.StataReader(path) as reader:
        frame = reader.read()
        labels = reader.variable_labels()
    if "id" not in frame.columns:
        raise WeightsError(f"{path.name} has no 'id' variable; expected 'id' and the columns w1..wn")
    row_ids = [_cell_id(v) for v in frame["id"]]
    columns = [c for c in frame.columns if c != "id"]
    col_ids = [labels.get(c) or c for c in columns]
    cells = pd.DataFrame([["id", *col_ids]] + [[r, *vals] for r, vals in
                                                 zip(row_ids, frame[columns].to_numpy().tolist(), strict=True)])
    return _matrix_from_cells(cells, path.name)

"""CSV outputs: formula-safe cells, written atomically in an encoding Excel opens correctly.

Excel on Chinese (and most other) Windows reads a CSV without a byte-order mark in the ANSI code
page, so UTF-8 names (北京市) come out garbled. Every CSV the application writes is therefore
UTF-8 *with* BOM (``utf-8-sig``) by default; ``[project] csv_encoding`` in a config, the global
``--csv-encoding`` option of the CLI, or ``encoding=`` in Python choose another (``utf-8`` for
tools that dislike the BOM, ``gbk``/``gb18030`` for old Chinese software).

Text cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) are
quoted with a leading ``'`` (CWE-1236).

Examples
--------
>>> import pandas as pd
>>> csv_text(pd.DataFrame({"name": ["北京市", "=1+1"]}), index=False)
"name\\n北京市\\n'=1+1\\n"
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import get_args

import pandas as pd

from spatial._fs import PathLike, atomic_path
from spatial.choices import CsvEncoding
from spatial.errors import ConfigError, OutputError

__all__ = ["DEFAULT_ENCODING", "ENCODINGS", "csv_encoding", "set_csv_encoding", "formula_safe", "csv_text",
           "write_csv_file"]

DEFAULT_ENCODING = "utf-8-sig"
ENCODINGS = get_args(CsvEncoding)
_ENCODING = DEFAULT_ENCODING


def _checked(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"unknown CSV encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}") from None
    return encoding


def set_csv_encoding(encoding: str | None) -> None:
    """Set the encoding of CSV outputs for this process (None: back to UTF-8 with BOM)."""
    global _ENCODING
    _ENCODING = DEFAULT_ENCODING if encoding is None else _checked(encoding)


def csv_encoding() -> str:
    """The encoding CSV outputs are written in (UTF-8 with BOM unless changed)."""
    return _ENCODING


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Quote text cells that a spreadsheet would run as a formula (CWE-1236)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):  # pandas 3: 'str' dtype
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
            )
    return out


def csv_text(frame: pd.DataFrame, **to_csv) -> str:
    """The formula-safe CSV text of ``frame`` (``to_csv`` keywords passed on)."""
    return formula_safe(frame).to_csv(**to_csv)


def write_csv_file(path: PathLike, frame: pd.DataFrame, *, encoding: str | None = None, **to_csv) -> Path:
    """Write ``frame`` as a formula-safe CSV atomically in ``encoding`` (default :func:`csv_encoding`).

    Raises
    ------
    OutputError
        When a cell cannot be written in the chosen encoding (e.g. a name outside GBK).
    """
    encoding = _checked(encoding) if encoding is not None else _ENCODING
    text = csv_text(frame, **to_csv)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise OutputError(
            f"{Path(path).name}: the text {bad!r} cannot be written in {encoding}; write the CSV in utf-8-sig "
            "(the default) instead"
        ) from None
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)

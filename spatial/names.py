"""Matching the user's unit keys to boundary ids: by code, by name in several spellings.

A panel keyed by 北京市, 北京, Beijing or 110000 must join the bundled Chinese boundaries without
editing. :func:`resolve_keys` tries, in order, the id itself, each alias column exactly, a
normalised form (Unicode NFKC, case, spaces and punctuation removed) and a stem without
administrative suffixes (省, 市, 自治区, Province, City, ...). A key must resolve to exactly one
unit; ambiguous and unknown keys fail with the closest candidates listed. A repeated name (朝阳区
in Beijing and in Changchun) is resolved through the unit's parents, the table's
:data:`PARENT_COLUMNS`: written before the name ("北京市朝阳区", "吉林 长春 朝阳区") or given
separately per key (a parent column of the user's table).

:func:`normalize_ids` applies an explicit, user-chosen normalisation (strip, casefold, NFC,
zero-padding) and :func:`suggest_normalization` finds the one that would make two id sets
match, for error messages.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence

import pandas as pd

from spatial.errors import IdMismatchError, SpatialPanelError, first_items
from spatial.hints import hint as option_hint

__all__ = ["resolve_keys", "normalize_ids", "suggest_normalization", "NORMALIZERS", "PARENT_COLUMNS"]

# Columns of a boundary table naming a unit's parents (county -> prefecture -> province), used only
# to resolve a key that is ambiguous or unknown on its own.
PARENT_COLUMNS = ("province_zh", "prefecture_zh")

# Longest first, so that 维吾尔自治区 is removed before 自治区.
_ZH_SUFFIXES = sorted(
    [
        "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
        "地区", "林区", "省", "市", "盟", "区", "县",
    ],
    key=len,
    reverse=True,
)
_ZH_ETHNIC = re.compile(
    r"(土家族|苗族|侗族|布依族|彝族|藏族|羌族|傣族|景颇族|傈僳族|白族|哈尼族|壮族|朝鲜族|蒙古族|"
    r"回族|哈萨克|柯尔克孜|维吾尔|黎族|瑶族|畲族|满族|仫佬族|毛南族|纳西族|普米族|怒族|独龙族|"
    r"拉祜族|佤族|阿昌族|德昂族|基诺族|水族|仡佬族|土族|撒拉族|东乡族|保安族|锡伯族|达斡尔族|"
    r"鄂温克族|鄂伦春族|裕固族|门巴族|珞巴族|京族|塔吉克|乌孜别克|俄罗斯族|赫哲族|高山族)+(?=自治)"
)
_EN_SUFFIXES = (
    "special administrative region", "autonomous region", "autonomous prefecture", "municipality",
    "province", "prefecture", "league", "region", "city", "sheng", "shi", "sar",
)

# "Xinjiang Uygur Autonomous Region", "Ningxia Hui ...", "Guangxi Zhuang ...": the qualifier goes.
_EN_ETHNIC = re.compile(r"\s+(uygur|uyghur|uighur|zhuang|hui)$")
_EN_VARIANTS = {"macao": "macau", "neimongol": "innermongolia", "xizang": "tibet"}


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\-_'’.·,()（）]", "", text)


def _stem(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if re.search(r"[\u4e00-\u9fff]", text):
        text = _ZH_ETHNIC.sub("", text)
        for suffix in _ZH_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                break
        return _normal(text)
    lowered = text.casefold()
    for suffix in _EN_SUFFIXES:
        if lowered.endswith(" " + suffix) or lowered.endswith(suffix) and lowered != suffix:
            lowered = lowered[: -len(suffix)]
            break
    lowered = _EN_ETHNIC.sub("", lowered.strip())
    return _EN_VARIANTS.get(_normal(lowered), _normal(lowered))


def _parent_lookup(table: pd.DataFrame, ids: list[str]) -> dict[str, set[str]]:
    """Normalised and stemmed parent names (北京市, 北京, 长春市, 长春) -> the ids of the units under them."""
    lookup: dict[str, set[str]] = {}
    for column in PARENT_COLUMNS:
        if column not in table.columns:
            continue
        for value, uid in zip(table[column], ids, strict=True):
            if pd.isna(value) or str(value).strip() == "":
                continue
            for form in {_normal(str(value)), _stem(str(value))}:
                lookup.setdefault(form, set()).add(uid)
    return lookup


def _readings(text: str, parents: dict[str, set[str]], within: set[str] | None):
    """Every way of reading parent names off the front of ``text``: (rest, units under those parents)."""
    yield text, within
    for n in range(len(text) - 1, 0, -1):
        under = parents.get(text[:n])
        if under:
            narrowed = under if within is None else within & under
            if narrowed:
                yield from _readings(text[n:], parents, narrowed)


def _lookup(key: str, tiers: list, within: set[str] | None = None) -> tuple[str, set[str]] | None:
    for label, transform, lookup in tiers:
        hits = lookup.get(transform(key))
        if hits and within is not None:
            hits = hits & within
        if hits:
            return label, hits
    return None


def _through_parents(key: str, parent: str | None, tiers: list,
                     parents: dict[str, set[str]]) -> tuple[str, set[str]] | None:
    """Resolve ``key`` among the units under the parents written before it (or given as ``parent``)."""
    text = re.sub(r"[/|\\、，,]", "", _normal((parent or "") + " " + key))
    found: dict[str, str] = {}
    for rest, within in _readings(text, parents, None):
        if within is None or not rest:
            continue
        hit = _lookup(rest, tiers, within)
        if hit is not None:
            for uid in hit[1]:
                found.setdefault(uid, f"parent + {hit[0]}")
    if not found:
        return None
    return (next(iter(found.values())) if len(found) == 1 else "parent"), set(found)


def resolve_keys(
    keys: Iterable[str],
    table: pd.DataFrame,
    id_column: str,
    alias_columns: Sequence[str],
    parents: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Map each distinct key to the one id of ``table`` it names.

    Parameters
    ----------
    keys
        The user's unit keys (codes or names). A name repeated across parents (朝阳区) can carry
        its parents in front: "北京市朝阳区", "吉林省长春市朝阳区", "辽宁 朝阳县".
    table
        The boundary attribute table. Its :data:`PARENT_COLUMNS` (``province_zh``,
        ``prefecture_zh``), where present, name each unit's parents.
    id_column
        The id the keys are mapped to (e.g. ``"adcode"``).
    alias_columns
        Other columns that name the units (e.g. ``name_zh``, ``short_zh``, ``name_en``).
    parents
        Optional parent name for each key, in the same order (a prefecture or province column of
        the user's table). A key is then resolved only among the units under its parent; an empty
        parent leaves the key to resolve on its own.

    Returns
    -------
    pandas.DataFrame
        One row per distinct key (per distinct ``(parent, key)`` with ``parents``, which adds a
        ``parent`` column): ``key``, ``id`` and ``matched_by`` (``"id"``, a column name,
        ``"normalised <column>"``, ``"stem <column>"``, or ``"parent + "`` one of these).

    Raises
    ------
    IdMismatchError
        Listing every ambiguous key with its candidates (with their parents) and every unknown
        key with the closest names.

    Examples
    --------
    >>> provinces = pd.DataFrame({"adcode": ["110000", "150000"], "name_zh": ["北京市", "内蒙古自治区"],
    ...                           "short_zh": ["北京", "内蒙古"], "name_en": ["Beijing", "Inner Mongolia"]})
    >>> resolve_keys(["北京市", "Beijing", "110000", "内蒙古", "inner mongolia"], provinces, "adcode",
    ...              ["name_zh", "short_zh", "name_en"])["id"].tolist()
    ['110000', '110000', '110000', '150000', '150000']
    >>> counties = pd.DataFrame({"adcode": ["110105", "220104", "211321"],
    ...                          "name_zh": ["朝阳区", "朝阳区", "朝阳县"],
    ...                          "prefecture_zh": ["北京市", "长春市", "朝阳市"],
    ...                          "province_zh": ["北京市", "吉林省", "辽宁省"]})
    >>> resolve_keys(["北京市朝阳区", "长春朝阳区", "朝阳县"], counties, "adcode", ["name_zh"])["id"].tolist()
    ['110105', '220104', '211321']
    """
    columns = [id_column, *[c for c in alias_columns if c != id_column]]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SpatialPanelError(f"name matching needs columns {missing} in the boundary table")
    ids = table[id_column].astype(str).tolist()
    # (label, transform, lookup): exact id first, then exact aliases, normalised, stems.
    tiers: list[tuple[str, object, dict[str, set[str]]]] = []
    for transform, label in ((str, "{}"), (_normal, "normalised {}"), (_stem, "stem {}")):
        for column in columns:
            lookup: dict[str, set[str]] = {}
            for value, uid in zip(table[column], ids, strict=True):
                if pd.isna(value) or str(value).strip() == "":
                    continue
                lookup.setdefault(transform(str(value)), set()).add(uid)
            name = "id" if (column == id_column and transform is str) else label.format(column)
            tiers.append((name, transform, lookup))
    parent_lookup = _parent_lookup(table, ids)

    keys = [str(k) for k in keys]
    if parents is None:
        pairs = [(None, k) for k in dict.fromkeys(keys)]
    else:
        given = ["" if pd.isna(p) else str(p) for p in parents]
        if len(given) != len(keys):
            raise SpatialPanelError(f"{len(given)} parent names for {len(keys)} keys: give one parent per key")
        if not parent_lookup:
            raise SpatialPanelError(
                f"the boundary table has none of the parent columns {list(PARENT_COLUMNS)} to match parents against"
            )
        pairs = list(dict.fromkeys(zip(given, keys)))

    rows, ambiguous, unknown = [], [], []
    for parent, key in pairs:
        found = _lookup(key, tiers) if not parent else None
        if parent or found is None or len(found[1]) > 1:
            found = _through_parents(key, parent, tiers, parent_lookup) or found
        shown = f"{parent} / {key}" if parent else key
        if found is None:
            unknown.append(shown)
            continue
        name, hits = found
        if len(hits) > 1:
            ambiguous.append(f"{shown!r} -> {_describe(sorted(hits), table, ids, columns)}")
            continue
        row = {"key": key, "id": next(iter(hits)), "matched_by": name}
        rows.append(row if parent is None else {"parent": parent, **row})
    if ambiguous or unknown:
        names = sorted({str(v) for c in columns for v in table[c].dropna()})
        parts = []
        if unknown:
            described = []
            for key in unknown[:10]:
                near = difflib.get_close_matches(key, names, n=3, cutoff=0.4)
                described.append(f"{key!r}" + (f" (closest: {', '.join(near)})" if near else ""))
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            parts.append(f"{len(unknown)} unknown: {'; '.join(described)}{more}")
        if ambiguous:
            parts.append(f"{len(ambiguous)} ambiguous: {first_items(ambiguous, 5)}")
        hint = ""
        if parent_lookup:
            hint = "; name the parent before a repeated name (北京市朝阳区)"
            if ambiguous and parents is None:
                hint += f" or give a table column naming each row's parent with {option_hint('match_parent', 'COLUMN')}"
        raise IdMismatchError(
            "unit names do not match the boundaries: " + "; ".join(parts)
            + f". Keys are matched against {', '.join(columns)}; correct the spelling or use codes{hint}"
        )
    return pd.DataFrame(rows, columns=(["key"] if parents is None else ["parent", "key"]) + ["id", "matched_by"])


def _describe(candidates: list[str], table: pd.DataFrame, ids: list[str], columns: list[str]) -> str:
    """``['110105', '220104']``, followed by each candidate's parents where the table has them."""
    present = [c for c in PARENT_COLUMNS if c in table.columns]
    if not present:
        return str(candidates)
    position = {uid: i for i, uid in enumerate(ids)}
    name_column = columns[1] if len(columns) > 1 else columns[0]
    chains = []
    for uid in candidates:
        row = table.iloc[position[uid]]
        chains.append(" ".join(dict.fromkeys(str(row[c]) for c in [*present, name_column] if pd.notna(row[c]))))
    return f"{candidates} ({'; '.join(chains)})"


NORMALIZERS = ("strip", "casefold", "nfc", "zfill<N>")


def _parse_normalizers(spec: str) -> list[str]:
    steps = [s.strip().lower() for s in spec.split(",") if s.strip()]
    for step in steps:
        if step not in {"strip", "casefold", "nfc"} and not re.fullmatch(r"zfill\d+", step):
            raise SpatialPanelError(
                f"id normalisation {step!r} is unknown; use a comma-separated list of "
                "strip, casefold, nfc and zfill<N> (e.g. 'strip,zfill5')"
            )
    return steps


def normalize_ids(values: pd.Series, spec: str) -> pd.Series:
    """Apply an explicit id normalisation, e.g. ``"strip,zfill5"``.

    Examples
    --------
    >>> normalize_ids(pd.Series(["1001 ", "01003"]), "strip,zfill5").tolist()
    ['01001', '01003']
    """
    out = values.astype(object)
    for step in _parse_normalizers(spec):
        if step == "strip":
            out = out.map(lambda v: v.strip() if isinstance(v, str) else v)
        elif step == "casefold":
            out = out.map(lambda v: v.casefold() if isinstance(v, str) else v)
        elif step == "nfc":
            out = out.map(lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v)
        else:
            width = int(step[5:])
            out = out.map(lambda v, w=width: v.zfill(w) if isinstance(v, str) and v.isdigit() else v)
    return out


def suggest_normalization(panel_ids: Iterable[str], other_ids: Iterable[str]) -> str | None:
    """The simplest normalisation under which the two id sets match exactly, if one exists.

    Examples
    --------
    >>> suggest_normalization(["1001", "2001"], ["01001", "02001"])
    'zfill5'
    """
    left, right = pd.Series(sorted(set(panel_ids)), dtype=object), pd.Series(sorted(set(other_ids)), dtype=object)
    widths = {len(v) for v in right if isinstance(v, str) and v.isdigit()} | {
        len(v) for v in left if isinstance(v, str) and v.isdigit()
    }
    candidates = ["strip", "nfc", "casefold", "strip,casefold", "strip,nfc,casefold"]
    candidates += [f"zfill{w}" for w in sorted(widths)] + [f"strip,zfill{w}" for w in sorted(widths)]
    for spec in candidates:
        if set(normalize_ids(left, spec)) == set(normalize_ids(right, spec)):
            return spec
    return None

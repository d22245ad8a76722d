"""DataFrame rows as CSV records, JSON Lines records and Arrow arrays.

The libraries do the encoding (the :mod:`csv` module, orjson, pyarrow); what is
decided here is what each pandas value becomes: missing values and non-finite
numbers are empty CSV cells, JSON ``null`` or Arrow nulls, datetimes ISO text
(a date where they fall on midnight), lists and objects JSON, integers exact.

>>> import pandas as pd
>>> df = pd.DataFrame({"id": ["s1", "s2"], "text": ["Japan, again", None], "hostility": [0.5, float("nan")]})
>>> csv_bytes(df)
b's1,"Japan, again",0.5\\ns2,,\\n'
>>> jsonl_bytes(df).decode()
'{"id":"s1","text":"Japan, again","hostility":0.5}\\n{"id":"s2","text":null,"hostility":null}\\n'
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .validate import cell_text, is_missing

__all__ = ["csv_bytes", "csv_writer", "jsonl_bytes", "json_bytes", "arrow_array", "text_array"]


def _iso(value: dt.date) -> str:
    # Midnight timestamps are dates: write them as dates so they read back as dates.
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    return value.isoformat()


def _json_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(x) for x in value]
    if isinstance(value, dict):
        return {str(k): _json_value(x) for k, x in value.items()}
    if is_missing(value):
        return None
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.datetime64):
        return _iso(pd.Timestamp(value))
    if isinstance(value, dt.date):
        return _iso(value)
    return str(value)


def _plain_values(s: pd.Series) -> list[Any]:
    """A column as a list of JSON values (dates as ISO text, missing and non-finite
    numbers as None), converted for the whole column: the per-cell work stays small."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [None if is_missing(v) else _iso(v) for v in s.astype(object)]
    if pd.api.types.is_float_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        values = s.to_numpy()
        finite = np.isfinite(values)
        column = values.tolist()
        if not finite.all():
            for i in np.flatnonzero(~finite).tolist():
                column[i] = None
        return column
    if s.dtype.kind in "iub" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        return s.tolist()
    if s.dtype.kind in "iub":  # nullable integers and booleans: Python values or NA
        return [None if v is pd.NA else v for v in s.tolist()]
    # strings, objects, categoricals, other nullable numbers
    return [v if type(v) is str or v is None else _json_value(v) for v in s.tolist()]


# --------------------------------------------------------------------------- JSON Lines

def json_bytes(value: Any) -> bytes:
    """The compact JSON text of a value (of :func:`_plain_values`).

    orjson refuses integers beyond 64 bits and unpaired surrogates: the standard
    library writes those (the surrogates as ``\\ud800`` escapes, as UTF-8 needs).

    b'[18446744073709551616,"\\\\u671d\\\\u9bae"]'
    b'[18446744073709551616,"\\u671d\\u9bae"]'
    """
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()


def jsonl_bytes(df: pd.DataFrame) -> bytes:
    """The rows of ``df`` as JSON Lines in UTF-8: one JSON object per row, each ending
    in "\\n".

    orjson encodes column by column (see :func:`_json_cells`), and the rows are laid
    out from the columns' cells by strided slice assignment, a loop in C: a dict per
    row, encoded on its own, made ``tonekit score`` to JSON Lines about 10% slower
    (``benchmarks/batch.py``: file-to-file ratio 0.48 -> 0.44).
    """
    if df.shape[1] == 0:
        return b"{}\n" * len(df)
    stride = df.shape[1] + 1
    pieces = [b"}\n"] * (len(df) * stride)
    for i, (name, s) in enumerate(df.items()):
        prefix = (b"{" if i == 0 else b",") + json_bytes(str(name)) + b":"
        pieces[i::stride] = [prefix + cell for cell in _json_cells(s)]
    return b"".join(pieces)


def _json_cells(s: pd.Series) -> list[bytes]:
    """The JSON text of each value of ``s``."""
    if s.dtype == np.float64:  # the scores, in one call: orjson writes NaN and infinities as null
        numbers = orjson.dumps(np.ascontiguousarray(s.to_numpy()), option=orjson.OPT_SERIALIZE_NUMPY)
        return numbers[1:-1].split(b",") if len(s) else []
    values = _plain_values(s)
    try:
        return list(map(orjson.dumps, values))
    except TypeError:  # a value orjson refuses: see json_bytes
        return [json_bytes(v) for v in values]


# --------------------------------------------------------------------------- CSV


def csv_writer(write: Callable[[str], Any]) -> Any:
    """A :func:`csv.writer` that hands each record, ending in "\\n", to ``write``.

    The writer is told "\\r\\n" ends a record, which makes it quote a field that holds
    a lone "\\r" too (before Python 3.12 it quotes only the characters of its line
    terminator, and an unquoted "\\r" ends the record on reading); each record's
    "\\r\\n" is then made "\\n".

    >>> lines = []
    >>> csv_writer(lines.append).writerows([["a\\rb", "Japan, again", ""], [""]])
    >>> lines
    ['"a\\rb","Japan, again",\\n', '""\\n']
    """
    return csv.writer(SimpleNamespace(write=lambda record: write(record[:-2] + "\n")), lineterminator="\r\n")


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The rows of ``df`` as CSV records in UTF-8 (no header), each ending in "\\n"."""
    if df.shape[1] == 0:
        return b""
    records: list[str] = []
    csv_writer(records.append).writerows(zip(*(_csv_values(s) for _, s in df.items())))
    return "".join(records).encode("utf-8")


def _csv_values(s: pd.Series) -> list[Any]:
    """A column's values for the csv module, which writes None as an empty cell and
    numbers and booleans as Python does: lists and objects become their JSON text.

    A column of floats (the scores) is written as text once per distinct value: most
    scores of most texts are 0.0, and formatting every cell made writing CSV about
    half again as slow (``benchmarks/batch.py`` writing CSV: file-to-file ratio 0.45
    -> 0.42).
    """
    if s.dtype.kind == "f" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        # By their bits: 0.0 and -0.0 are equal, but written differently.
        values = np.ascontiguousarray(s.to_numpy())
        codes, bits = pd.factorize(values.view(f"i{values.itemsize}"))
        texts = [repr(x) if math.isfinite(x) else "" for x in bits.view(values.dtype).tolist()]
        return np.array(texts, dtype=object)[codes].tolist()
    values = _plain_values(s)
    if s.dtype.kind in "iubM":
        return values
    return [v if type(v) is str or not isinstance(v, (list, dict)) else json.dumps(v, ensure_ascii=False) for v in values]


def _text(value: Any) -> str | None:
    """A value that is not a string as the text a Parquet column of text holds (see
    :func:`~tonekit.corpus.validate.cell_text`): a number's text depends on its value
    alone, so a column is the same whether its numbers came in one chunk or were
    widened first (1 and 2.5 make a double column) and made text later."""
    if isinstance(value, (bool, int, float, np.bool_, np.number)):
        return None if is_missing(value) else cell_text(value)
    value = _json_value(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return None if value is None else str(value)


def text_array(array: Any) -> Any:
    """An Arrow array made a column of text, each value as :func:`arrow_array` writes it
    in one (a Parquet column that meets text in a later chunk)."""
    import pyarrow as pa

    return pa.array([None if v is None else _text(v) for v in array.to_pylist()], type=pa.string())


# --------------------------------------------------------------------------- Arrow


def _plain_kind(series: pd.Series) -> type | None:
    """``bool`` for an object column of booleans, ``int`` for one of integers, ``float``
    for one of fractions, or of integers mixed with fractions that a double holds
    exactly, with nulls (None or NaN) or not; None for any other object column.

    JSON Lines chunks give such columns (pandas makes booleans with a gap ``object``),
    and so does concatenating chunks: they get the type a column without the gaps
    would, so that a Parquet column's type does not depend on where a null falls.
    """
    if not len(series) or isinstance(series.iloc[0], str):  # text: no need to look further
        return None
    kinds = {type(x) for x in series if not is_missing(x)}
    if kinds and kinds <= {bool, np.bool_}:
        return bool
    if kinds == {int}:
        return int
    if kinds and kinds <= {int, float} and all(abs(x) <= 2**53 for x in series if type(x) is int):
        return float  # every integer is exactly a double
    return None


def arrow_array(series: pd.Series) -> Any:
    """Arrow array with a type that does not depend on the chunk's contents: datetimes
    in microseconds, object columns of booleans or numbers typed as such, text and
    anything else in an object column as strings (its CSV text), nulls only as strings.

    >>> arrow_array(pd.Series([1, None], dtype=object)).type
    DataType(int64)
    """
    import pyarrow as pa

    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        tz = getattr(series.dtype, "tz", None)
        return pa.array(series.dt.as_unit("us"), type=pa.timestamp("us", tz=None if tz is None else str(tz)))
    kind = _plain_kind(series) if series.dtype == object else None
    if kind is not None:
        values = [None if is_missing(x) else kind(x) for x in series]
        try:
            return pa.array(values, type=pa.from_numpy_dtype(np.dtype(kind)))
        except OverflowError:  # integers beyond 64 bits: kept exactly, as text
            pass
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        vals = [None if is_missing(x) else (x if isinstance(x, str) else _text(x)) for x in series]
        return pa.array(vals, type=pa.string())
    arr = pa.array(series, from_pandas=True)
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.string())
    return arr


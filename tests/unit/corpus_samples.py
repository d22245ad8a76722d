"""Constructed statements and small helpers shared by the corpus tests.

The statements are short constructed examples in the style of DPRK statements about
Japan, not quotations.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

SRC = Path(__file__).resolve().parents[2] / "src"

# Constructed statements.
HOSTILE = "Japan had better drop its reckless ambition for overseas expansion."
COURTEOUS = "We sincerely hope that Japan will take a sincere attitude toward the past."
MIXED = "The Japanese reactionaries will pay dearly for this,\nand the world will see it."


def write_text(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def sample_frame(n: int = 5) -> pd.DataFrame:
    texts = [HOSTILE, COURTEOUS, MIXED, "", "Japan should not act rashly — «Rodong Sinmun», 朝鮮"]
    dates = ["2019-11-30", "2024-03-26", "2021-01-01", "", "2007-01-01"]
    return read_corpus_from_records(
        [
            {"id": f"s{i}", "date": dates[i % 5], "speaker": "KCNA", "text": texts[i % 5]}
            for i in range(n)
        ]
    )


def read_corpus_from_records(records: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(records)
    df["date"] = pd.to_datetime(df["date"].replace("", None)).astype("datetime64[us]")
    return df


def parquet_table(path: Path) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def chunks_each_with_a_new_key(n: int) -> list[pd.DataFrame]:
    """``n`` chunks of 3 rows; chunk ``k`` brings the key ``k{k}`` (between the text
    and the scores, as JSON Lines records with a new field give them); text that CSV
    must quote, a lone carriage return and non-ASCII text among the values."""
    texts = [HOSTILE, 'Japan, "the so-called" partner', "line\nbreak\rand 朝鮮 «KCNA»"]
    chunks = []
    for k in range(n):
        extra = {f"k{j}": [f"v{j}, of {k}", None, "" if j % 2 else '"q"'] for j in range(k + 1)}
        ids = {"id": [f"s{k}.{i}" for i in range(3)], "text": texts}
        scores = {"hostility": [0.5, -0.0, float(k)], "error": [None, None, f"e{k}"]}
        chunks.append(pd.DataFrame({**ids, **extra, **scores}))
    return chunks


def with_x(values: Any) -> pd.DataFrame:
    """Statements with a column ``x`` holding ``values`` (a list, Series or array)."""
    n = len(values)
    return pd.DataFrame({"id": [f"s{i}" for i in range(n)], "text": [HOSTILE] * n, "x": values})

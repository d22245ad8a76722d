"""Tests for tonekit.eras: tenure tables and era assignment."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tonekit.eras import Tenure, TenureError, TenureTable, assign_era, japan_prime_ministers


def frame(*dates: str | None) -> pd.DataFrame:
    # Constructed statements; only the dates matter here.
    return pd.DataFrame({"id": [f"s{i}" for i in range(len(dates))], "date": list(dates), "text": "Japan must apologise."})


@pytest.mark.parametrize(
    ("day", "era"),
    [
        ("2019-11-30", "Abe"),
        ("2024-03-26", "Kishida"),
        ("2021-01-01", "Suga"),
        ("2007-01-01", "Abe I"),
        ("2020-09-16", "Suga"),  # hand-over day: the incoming prime minister
        ("2020-09-15", "Abe"),
        ("2001-04-26", "Koizumi"),
        ("2012-12-26", "Abe"),
        ("2012-12-25", "Noda"),
        ("2025-10-21", "Takaichi"),
        ("2026-11-28", "Takaichi"),
        ("2024-10-01", "Ishiba"),
    ],
)
def test_acceptance_dates(day: str, era: str):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these is outside the table
        out = assign_era(frame(day))
    assert out.loc[0, "era"] == era
    assert japan_prime_ministers().era_of(day) == era


def test_bundled_table_is_contiguous_and_ordered():
    table = japan_prime_ministers()
    assert table is japan_prime_ministers()  # cached
    assert table.labels == (
        "Koizumi", "Abe I", "Fukuda", "Aso", "Hatoyama", "Kan", "Noda",
        "Abe", "Suga", "Kishida", "Ishiba", "Takaichi",
    )  # fmt: skip
    tenures = list(table)
    assert len(table) == 12 and tenures[0].start == dt.date(2001, 4, 26)
    for before, after in zip(tenures, tenures[1:]):
        assert before.end == after.start  # no gaps: each hand-over is one appointment day
    assert tenures[-1].end is None
    assert all("Prime Minister's Office of Japan" in t.note and t.person for t in tenures)


def test_date_before_table_is_na_with_warning_not_dropped():
    df = frame("1990-06-01", "2019-11-30", None, "")
    with pytest.warns(UserWarning, match=r"1 of 4 date\(s\) fall outside every tenure"):
        out = assign_era(df)
    assert len(out) == 4
    assert pd.isna(out.loc[0, "era"]) and out.loc[1, "era"] == "Abe"
    assert pd.isna(out.loc[2, "era"]) and pd.isna(out.loc[3, "era"])  # missing dates: NA
    assert "era" not in df.columns  # input untouched


def test_outside_raise_and_label():
    df = frame("1990-06-01", "2019-11-30")
    with pytest.raises(ValueError, match=r"rows 0 \(1990-06-01\)"):
        assign_era(df, outside="raise")
    out = assign_era(df, outside="before Koizumi")
    assert out["era"].tolist() == ["before Koizumi", "Abe"]


def test_result_is_ordered_categorical_and_pipeable():
    df = pd.DataFrame({"when": pd.to_datetime(["2021-01-01", "2007-01-01"])}, index=[10, 20])
    out = df.pipe(assign_era, date="when", column="pm")
    assert isinstance(out["pm"].dtype, pd.CategoricalDtype) and out["pm"].cat.ordered
    assert list(out["pm"].cat.categories) == list(japan_prime_ministers().labels)
    assert out.loc[20, "pm"] < out.loc[10, "pm"]  # chronological order
    tz = pd.DataFrame({"date": pd.to_datetime(["2020-09-16 01:00"]).tz_localize("Asia/Tokyo")})
    assert assign_era(tz)["era"].tolist() == ["Suga"]  # local calendar date counts


def test_bad_dates_and_missing_column():
    with pytest.raises(ValueError, match="unparseable date '16/09/2020'"):
        assign_era(frame("16/09/2020"))
    with pytest.raises(KeyError, match="no date column 'published'"):
        assign_era(frame("2020-01-01"), date="published")


TENURES_HEADER = "label,person,start,end,note\n"


def test_user_csv_with_overlap_names_the_line(tmp_path: Path):
    path = tmp_path / "leaders.csv"
    path.write_text(
        TENURES_HEADER
        + "Kim Il Sung,,1948-09-09,1994-07-08,\n"
        + "Kim Jong Il,,1994-07-08,2011-12-17,\n"
        + "Overlapping,,2010-01-01,2012-01-01,\n",
        encoding="utf-8",
    )
    with pytest.raises(TenureError) as info:
        TenureTable.from_csv(path)
    message = str(info.value)
    assert f"{path}, line 4, field 'start': 'Overlapping' (2010-01-01..2012-01-01) overlaps 'Kim Jong Il' on line 3" in message
    with pytest.raises(ValueError):  # TenureError is a ValueError; assign_era takes paths too
        assign_era(frame("2000-01-01"), tenures=path)


def test_user_csv_other_problems(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        TENURES_HEADER
        + "A,,2000-01-01,1999-01-01,\n"
        + "B,,2001-13-01,,\n"
        + "C,,2002-01-01,2003-01-01,\n"
        + "C,,2004-01-01,2005-01-01,\n",
        encoding="utf-8",
    )
    with pytest.raises(TenureError) as info:
        TenureTable.from_csv(path)
    message = str(info.value)
    assert "line 2, field 'end': end 1999-01-01 is not after start 2000-01-01" in message
    assert "line 3, field 'start': bad date '2001-13-01'" in message
    assert "line 5, field 'label': duplicate label 'C' (first on line 4)" in message


def test_user_table_with_gap_and_to_frame(tmp_path: Path):
    path = tmp_path / "gap.csv"
    path.write_text(TENURES_HEADER + "A,Ann,2000-01-01,2001-01-01,x\nB,Bo,2002-01-01,,y\n", encoding="utf-8")
    table = TenureTable.from_csv(path)
    assert table.era_of(dt.date(2001, 6, 1)) is None
    with pytest.warns(UserWarning, match="gap"):
        out = assign_era(frame("2001-06-01", "2000-06-01", "2030-01-01"), tenures=table)
    assert pd.isna(out.loc[0, "era"]) and out["era"].tolist()[1:] == ["A", "B"]
    df = table.to_frame()
    assert df.columns.tolist() == ["label", "person", "start", "end", "note"]
    assert df.loc[0, "start"] == pd.Timestamp("2000-01-01") and pd.isna(df.loc[1, "end"])


def test_tenure_validation():
    with pytest.raises(ValueError, match="on or before"):
        Tenure("X", dt.date(2020, 1, 2), dt.date(2020, 1, 1))
    a = Tenure("A", dt.date(2000, 1, 1), None)
    b = Tenure("B", dt.date(2001, 1, 1), None)
    with pytest.raises(TenureError, match="overlaps"):
        TenureTable((a, b))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.label = "changed"

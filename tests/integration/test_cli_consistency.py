"""One behaviour across the commands: the text column's option, bundled corpus names,
"line N" in messages, dates checked only where they are used, help for every option,
``tonekit corpora``, empty texts, and ``compare`` on tables it cannot compare."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd
import pytest

from tonekit import corpora
from tonekit.cli import build_parser, main

STATEMENTS = [
    ("kcna-001", "2019-11-30", "Abe is none other than a perfect imbecile and a political dwarf."),
    ("kcna-002", "2018-06-12", "The Japanese reactionaries will be reduced to ashes in a sea of fire."),
    ("kcna-003", "2024-03-26", "We express our deep condolences to Your Excellency for the victims of the earthquake."),
    ("kcna-004", "2024-03-25", "Any contact or negotiation with Japan is out of the question."),
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_statements(path: Path, *, text_col: str = "text", dates: list[str] | None = None) -> Path:
    frame = pd.DataFrame(STATEMENTS, columns=["id", "date", text_col])
    if dates is not None:
        frame["date"] = dates
    frame.to_csv(path, index=False)
    return path


# -- item: one name for the text column ---------------------------------------------------


def test_every_verb_takes_text_col_and_the_old_text_option_is_a_hidden_alias(capsys, tmp_path):
    corpus = write_statements(tmp_path / "speeches.csv", text_col="body")
    golden = tmp_path / "golden.csv"
    assert run(capsys, "snapshot", str(corpus), "--text-col", "body", "-o", str(golden))[0] == 0
    assert run(capsys, "check", str(corpus), "--golden", str(golden), "--text-col", "body", "--tolerance", "0")[0] == 0
    assert run(capsys, "check", str(corpus), "--golden", str(golden), "--text", "body", "--tolerance", "0")[0] == 0
    code, out, _ = run(capsys, "lexicon", "diff", "diplomatic-en", "diplomatic-en", "--corpus", str(corpus),
                       "--text-col", "body")
    assert code == 0 and "documents: 0 of 4 changed" in out
    assert run(capsys, "lexicon", "diff", "diplomatic-en", "diplomatic-en", "--corpus", str(corpus),
               "--text", "body")[0] == 0
    for verb in (["snapshot"], ["check"], ["lexicon", "diff"], ["score"], ["evaluate"]):
        with pytest.raises(SystemExit):
            main([*verb, "--help"])
        help_text = capsys.readouterr().out
        assert "--text-col" in help_text and "--text " not in help_text and "--text," not in help_text


# -- item: a bundled corpus name works in score too --------------------------------------


def test_score_accepts_a_bundled_corpus_name(capsys, tmp_path):
    out = tmp_path / "scores.csv"
    code, _, err = run(capsys, "score", "dprk_japan", "-o", str(out), "--no-progress")
    assert code == 0, err
    scored = pd.read_csv(out)
    assert len(scored) == len(corpora.load("dprk_japan")) and "hostility" in scored.columns
    code, _, err = run(capsys, "score", "no_such_corpus", "-o", str(out))
    assert code == 2 and "no such input file: no_such_corpus" in err


# -- item: dates are checked only by the commands that use them --------------------------


def test_snapshot_and_lexicon_diff_do_not_read_dates(capsys, tmp_path):
    corpus = write_statements(tmp_path / "dated.csv", dates=["30/11/2019", "2018-06-12", "26 March 2024", ""])
    code, out, err = run(capsys, "snapshot", str(corpus), "-o", "-")
    assert code == 0, err
    assert len(pd.read_csv(pd.io.common.StringIO(out))) == 4
    code, _, err = run(capsys, "lexicon", "diff", "diplomatic-en", "diplomatic-en", "--corpus", str(corpus))
    assert code == 0, err


def test_compare_names_the_line_of_a_bad_date(capsys, tmp_path):
    table = tmp_path / "scores.csv"
    table.write_text(
        "id,date,hostility\n"
        "a,2019-11-30,0.9\n"
        'b,2018-06-12,"0.8"\n'
        "c,30/11/2019,0.7\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "compare", str(table), "--metric", "hostility")
    assert code == 2
    assert "scores.csv, line 4, field 'date': unparseable date '30/11/2019'" in err


def test_compare_without_an_era_column_says_to_pass_by(capsys, tmp_path):
    table = tmp_path / "scores.csv"
    pd.DataFrame({"speaker": ["FM", "FM", "KCNA", "KCNA"], "hostility": [0.1, 0.2, 0.8, 0.9]}).to_csv(table, index=False)
    code, _, err = run(capsys, "compare", str(table), "--metric", "hostility")
    assert code == 2 and "pass --by" in err and "speaker" in err
    code, _, err = run(capsys, "compare", str(table), "--by", "outlet", "--metric", "hostility")
    assert code == 2 and "no column 'outlet'" in err and "pass --by" in err


# -- item: help for every --format, and tonekit corpora ----------------------------------


def _parsers(parser: argparse.ArgumentParser, path: str = "tonekit"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def test_every_format_option_has_help():
    checked = 0
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if "--format" in action.option_strings:
                checked += 1
                assert action.help and action.help != argparse.SUPPRESS, f"{path} --format has no help"
    assert checked >= 7


def test_corpora_lists_the_bundled_corpora(capsys):
    code, out, _ = run(capsys, "corpora")
    assert code == 0
    expected = corpora.list()
    for row in expected.itertuples():
        assert row.name in out and f"{row.n_statements} rows" in out and row.description in out
    code, out, _ = run(capsys, "corpora", "--format", "json")
    listed = json.loads(out)
    assert [c["name"] for c in listed] == expected["name"].tolist()
    assert {"name", "rows", "description", "path"} <= set(listed[0])


# -- item: empty texts, one policy --------------------------------------------------------


def test_score_gives_empty_texts_an_error_and_compare_leaves_them_out(capsys, tmp_path):
    rows = [
        (f"s{i}", date, text)
        for i, (date, text) in enumerate(
            [("2019-11-30", STATEMENTS[0][2]), ("2019-10-02", STATEMENTS[1][2]), ("2018-06-12", "   "),
             ("2019-03-01", "The Abe group must stop its reckless provocation."), ("2019-05-05", STATEMENTS[3][2]),
             ("2024-03-26", STATEMENTS[2][2]), ("2024-01-05", ""), ("2023-06-01", "We thank Your Excellency."),
             ("2022-09-01", "We offer our sincere congratulations."), ("2023-02-02", STATEMENTS[3][2])]
        )
    ]
    src = tmp_path / "statements.csv"
    pd.DataFrame(rows, columns=["id", "date", "text"]).to_csv(src, index=False)
    out = tmp_path / "scores.csv"
    code, _, err = run(capsys, "score", str(src), "-o", str(out), "--no-progress")
    assert code == 0 and "2 failed" in err
    scored = pd.read_csv(out)
    assert scored["error"].fillna("").tolist().count("empty text") == 2
    assert scored.loc[scored["error"] == "empty text", "hostility"].isna().all()
    assert run(capsys, "score", str(src), "-o", str(out), "--no-progress", "--strict")[0] == 1

    code, text, _ = run(capsys, "compare", str(out), "--groups", "Abe", "Kishida", "--metric", "hostility",
                        "--n-boot", "200")
    assert code == 0 and "2 rows with an error (such as an empty text) left out" in text
    code, text, _ = run(capsys, "compare", str(out), "--groups", "Abe", "Kishida", "--metric", "hostility",
                        "--n-boot", "200", "--format", "json")
    data = json.loads(text)
    assert data["n_errors"] == 2 and {g["group"]: g["n"] for g in data["groups"]} == {"Abe": 4, "Kishida": 4}
    code, _, err = run(capsys, "compare", str(out), "--groups", "Abe", "Kishida", "--metric", "hostility",
                       "--n-boot", "200", "--format", "csv")
    assert code == 0 and "2 row(s) with an error left out" in err


def test_evaluate_names_the_line_of_an_empty_text(capsys, tmp_path):
    corpus = tmp_path / "labelled.csv"
    corpus.write_text(
        "text,hostile\n"
        f'"{STATEMENTS[0][2]}",1\n'
        '"We thank Your Excellency\nfor the kind message.",0\n'
        '"   ",0\n'
        f'"{STATEMENTS[1][2]}",1\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "evaluate", str(corpus), "--label-col", "hostile", "--score", "hostility")
    assert code == 2 and "labelled.csv, line 5, field 'text': empty text" in err  # after a two-line cell


# -- item: compare on tables it cannot compare --------------------------------------------


def test_compare_refuses_a_json_array_line_with_its_line(capsys, tmp_path):
    table = tmp_path / "scores.jsonl"
    table.write_text(
        '{"id": "a", "era": "Abe", "hostility": 0.9}\n'
        '\n'
        '["b", "Kishida", 0.2]\n',
        encoding="utf-8",
    )
    code, _, err = run(capsys, "compare", str(table), "--metric", "hostility")
    assert code == 2 and "scores.jsonl, line 3: a record must be a JSON object, not an array" in err


def test_compare_says_no_rows_for_an_empty_table(capsys, tmp_path):
    for name, content in (("scores.csv", "id,era,hostility,courtesy,tone,error\n"), ("scores.jsonl", "\n")):
        table = tmp_path / name
        table.write_text(content, encoding="utf-8")
        code, _, err = run(capsys, "compare", str(table))
        assert code == 2 and "no rows" in err and "not numeric" not in err


def test_compare_refuses_infinite_scores(capsys, tmp_path):
    table = tmp_path / "scores.jsonl"
    records = [{"id": f"s{i}", "era": "Abe" if i < 6 else "Kishida", "hostility": 0.1 * i} for i in range(12)]
    lines = [json.dumps(r) for r in records]
    lines[4] = lines[4].replace('"hostility": 0.4', '"hostility": Infinity')
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "compare", str(table), "--metric", "hostility", "--n-boot", "200")
    assert code == 2 and out == ""
    assert "scores.jsonl, line 5, field 'hostility': infinite score inf" in err


def test_compare_by_a_column_of_many_groups_asks_for_groups_at_once(capsys, tmp_path):
    table = tmp_path / "scores.csv"
    n = 200_000
    pd.DataFrame({"id": [f"s{i}" for i in range(n)], "hostility": [i % 100 / 100 for i in range(n)]}).to_csv(
        table, index=False
    )
    start = time.perf_counter()
    code, _, err = run(capsys, "compare", str(table), "--by", "id", "--metric", "hostility")
    assert code == 2 and time.perf_counter() - start < 30
    assert "200000 groups" in err and "--groups" in err
    code, out, _ = run(capsys, "compare", str(table), "--by", "id", "--groups", "s1", "s2", "--metric", "hostility",
                       "--n-boot", "100")
    assert code == 0 and "s1 - s2" in out

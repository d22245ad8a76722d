"""The HTML report: self-contained, escaped, with the computed answer and the evidence."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import tonekit
from tonekit.batch import score_corpus
from tonekit.compare import compare
from tonekit.report import CSP, report

EVIL = "<script>alert(1)</script>"
# What the page may contain: HTML of the template and of the highlighted statements, and SVG
# of matplotlib. Anything else (a script, an iframe, an injected tag) is unexpected.
HTML_TAGS = {
    "html", "head", "meta", "link", "title", "style", "body", "header", "main", "section", "h1", "h2", "h3",
    "h4", "p", "span", "code", "var", "br", "s", "table", "caption", "thead", "tbody", "tr", "th", "td",
    "figure", "article", "div", "mark", "sup", "dl", "dt", "dd",
}
SVG_TAGS = {"svg", "title", "desc", "defs", "style", "g", "path", "use", "clippath", "rect", "text", "tspan",
            "polyline", "line", "circle", "ellipse", "polygon", "image"}

CORPUS = pd.DataFrame({
    "id": ["a1", "a2", "a3", f"b1{EVIL}", "b2", "b3"],
    "text": [
        f"Abe is none other than a perfect imbecile and a political dwarf. {EVIL} (constructed)",
        "The puppet clique and its stooges are nothing but warmongers. (constructed)",
        "We reject the so-called proposal and warn of merciless punishment. (constructed)",
        "I express deep condolences and sympathy to Your Excellency. (constructed)",
        "We sincerely hope for mutual respect and dialogue. (constructed)",
        f"Thank you for your kind message. {EVIL} (constructed)",
    ],
    "source_url": ["javascript:alert(1)", "https://example.org/a", "https://example.org/b",
                   "https://example.org/c", "https://example.org/d", "https://example.org/e"],
})


class Elements(HTMLParser):
    """Every start tag and its attributes, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def evil_page() -> str:
    column = f"group{EVIL}"
    scores = score_corpus(CORPUS, progress=False)
    scores[column] = [f"A{EVIL}"] * 3 + ["B"] * 3
    lexicon = tonekit.Lexicon.default()
    noted = tuple(dataclasses.replace(e, note=f"note {EVIL}") if e.term == "imbecile" else e for e in lexicon)
    return report(scores, by=column, lexicon=lexicon.replace(entries=noted), n_boot=500, run_date=dt.date(2026, 1, 1))


def test_corpus_strings_are_escaped_and_make_no_element(evil_page):
    page = parse(evil_page)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags
    assert set(tags) <= HTML_TAGS | SVG_TAGS, set(tags) - HTML_TAGS - SVG_TAGS
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not value.lower().startswith(("javascript:", "http:", "https:")), (tag, name, value)
    text = "".join(page.data)
    assert EVIL in text  # shown as text: in the statements, the ids, the group and column names
    assert f"A{EVIL}" in text and f"b1{EVIL}" in text and f"group{EVIL}" in text
    assert any(attrs.get("title") == f"note {EVIL}" for _, attrs in page.tags)  # a lexicon note
    assert "<script" not in evil_page.lower()


def test_the_page_forbids_scripts_and_requests(evil_page):
    csp = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', evil_page)
    assert csp == [CSP.replace("'", "&#39;")] or csp == [CSP]
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    assert not re.search(r'\b(?:src|href)\s*=\s*["\']?\s*https?:', evil_page, flags=re.I)
    assert "@import" not in evil_page and "url(http" not in evil_page


def test_every_plot_is_inline_svg_with_a_title_and_a_description(evil_page):
    svgs = re.findall(r"<svg\b.*?</svg>", evil_page, flags=re.S)
    assert svgs
    for svg in svgs:
        head = svg[: svg.index(">") + 1]
        assert 'role="img"' in head and "aria-labelledby=" in head
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title><desc id=\"[^\"]+\">[^<]+</desc>", svg)
    ids = re.findall(r'\bid="([^"]+)"', evil_page)
    assert len(ids) == len(set(ids)), "element ids are unique across the plots"
    # markers and clip paths are drawn through references: each must point at an element
    refs = re.findall(r'href="#([^"]+)"', evil_page) + re.findall(r"url\(#([^)]+)\)", evil_page)
    assert refs and set(refs) <= set(ids), sorted(set(refs) - set(ids))[:3]


def test_the_answer_is_the_comparison_read_aloud():
    scores = score_corpus(CORPUS, progress=False)
    scores["side"] = ["hostile"] * 3 + ["courteous"] * 3
    page = report(scores, by="side", groups=["hostile", "courteous"], n_boot=500, n_samples=1)
    cmp = compare(scores, by="side", groups=["hostile", "courteous"], n_boot=500)
    answer = re.search(r'<p id="answer">(.*?)</p>', page, flags=re.S).group(1)
    word = {1: "more hostile", -1: "less hostile", 0: "not reliably more or less hostile"}
    assert word[cmp.direction("hostility", "courteous", "hostile")] in answer
    assert "Statements of side courteous are" in answer and "than those of side hostile." in answer
    question = re.search(r'<p id="question">(.*?)</p>', page, flags=re.S).group(1)
    assert question.count("?") == 1
    # the method names what made the numbers
    lex = tonekit.Lexicon.default()
    assert lex.content_hash in page and lex.version in page and tonekit.__version__ in page


def test_same_inputs_same_page():
    scores = score_corpus(CORPUS, progress=False).assign(side=["x"] * 3 + ["y"] * 3)
    options = {"by": "side", "n_boot": 500, "run_date": dt.date(2026, 1, 1)}
    assert report(scores, **options) == report(scores, **options)


def test_errors_name_the_problem():
    scores = score_corpus(CORPUS, progress=False)
    with pytest.raises(KeyError, match="no group column 'era'"):
        report(scores, by="era")
    with pytest.raises(TypeError, match="DataFrame"):
        report([1, 2], by="era")


def test_a_table_of_numbers_alone_still_makes_a_page():
    scores = score_corpus(CORPUS, progress=False).assign(side=["x"] * 3 + ["y"] * 3)
    page = report(scores.drop(columns=["text", "id"]), by="side", n_boot=500)
    assert "No keyness: the scores table has no &#39;text&#39; column." in page
    assert "No statements shown: the scores table has no text column." in page
    assert page.count("<svg") == 1  # no dates, no timeline
    missing = scores.astype({"text": object})
    missing.loc[0, "text"] = None
    assert 'id="answer"' in report(missing, by="side", n_boot=500)

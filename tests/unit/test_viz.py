"""Plots and escaped HTML rendering."""

from __future__ import annotations

import html
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tonekit
from tonekit.batch import score_corpus
from tonekit.compare import compare
from tonekit.keyness import category_rates, keyness, markers_table
from tonekit.viz import (
    Rendered,
    plot_category_rates,
    plot_comparison,
    plot_distribution,
    plot_keyness,
    plot_timeline,
    render,
    render_html,
)

STATEMENTS = pd.DataFrame({
    "id": ["s1", "s2", "s3", "s4", "s5", "s6"],
    "date": pd.to_datetime(["2017-09-14", "2019-11-07", "2019-11-30", "2024-01-06", "2024-03-26", "2024-03-29"]),
    "text": [
        "The four islands of the archipelago should be sunken into the sea by the nuclear bomb of Juche.",
        "Abe is the only one idiot in the world and the most stupid man.",
        "Abe is none other than a perfect imbecile and a political dwarf.",
        "I express deep condolences and sympathy to Your Excellency and the Japanese people.",
        "Japan should make a political decision for a new future of the DPRK-Japan relations.",
        "We will not accept any contact or negotiation with the Japanese side.",
    ],
})


@pytest.fixture(scope="module")
def scores():
    return tonekit.eras.assign_era(score_corpus(STATEMENTS, progress=False))


def test_render_escapes_script_inside_a_statement():
    text = 'Abe is an idiot. <script>alert("x")</script> We regret it. (constructed)'
    out = str(render(text))
    assert "<script>" not in out and "</script>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert isinstance(render(text), Rendered)


def test_render_shows_markers_with_category_weight_and_modifiers_on_hover():
    result = tonekit.score("Abe is not an idiot, he is a very stupid man. (constructed)")
    out = render_html(result)
    assert out.count('<mark class="tonekit-marker"') == len(result.markers)
    assert "title=\"insult (hostility)" in out
    assert "negation &#x27;not&#x27; x0" in out  # modifiers and cues on hover, escaped
    assert "line-through" in out  # the negated insult is shown as not counted
    assert "effective" in out


def test_render_accepts_doc_result_and_text_alike(nlp):
    text = "We express deep condolences. (constructed)"
    assert str(render(nlp(text))) == str(render(tonekit.score(text))) == str(render(text))
    with pytest.raises(TypeError, match="render"):
        render(42)


def test_tone_result_repr_html_uses_render_html():
    result = tonekit.score("<b>bold</b> idiot (constructed)")
    assert result._repr_html_() == render_html(result)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_text_renders_escaped_and_round_trips(text):
    out = render_html(tonekit.score(text))
    body = out.split('<div style="white-space:pre-wrap;margin:0.3em 0">', 1)[1].rsplit("</div>", 2)[0]
    body = body.split("</div>", 1)[0]
    body = re.sub(r"<sup[^>]*>[^<]*</sup>", "", body)
    body = re.sub(r"</?mark[^>]*>", "", body)
    assert "<" not in body and ">" not in body  # only our own tags were left
    assert html.unescape(body) == text


def test_plots_draw(scores):
    ax = plot_distribution(scores, by="era", metric="hostility", groups=["Abe", "Kishida"])
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["Abe", "Kishida"]
    ax = plot_timeline(scores)
    labels = {t.get_text() for t in ax.texts}
    assert {"Abe", "Kishida"} <= labels  # tenure bands are labelled
    rates = category_rates(scores, by="era", groups=["Abe", "Kishida"], n_boot=200)
    ax = plot_category_rates(rates)
    assert len(ax.get_yticklabels()) == rates.loc[rates.rate > 0, "category"].nunique()
    k = keyness(markers_table(scores.drop(columns=["hostility"])), by="era", a="Abe", b="Kishida")
    ax = plot_keyness(k, n=5)
    assert len(ax.patches) == len(k.top(5, "Abe")) + len(k.top(5, "Kishida"))
    fig = plot_comparison(compare(scores, groups=["Abe", "Kishida"], n_boot=200))
    assert len(fig.axes) == 3
    plt.close("all")


def test_timeline_takes_the_dates_assign_era_takes():
    import matplotlib.dates as mdates

    aware = pd.DataFrame({
        "date": pd.to_datetime(["2020-09-16 08:00", "2019-01-01 09:00"]).tz_localize("Asia/Tokyo"),
        "hostility": [0.1, 0.2],
        "courtesy": [0.1, 0.1],
    })
    # Mixed UTC offsets, as statements collected from several sources come.
    mixed = aware.assign(date=["2020-09-16T00:30:00+09:00", "2019-01-01T00:00:00-05:00"])
    for frame in (aware, mixed):
        assert tonekit.eras.assign_era(frame)["era"].tolist() == ["Suga", "Abe"]
        ax = plot_timeline(frame)
        days = [mdates.num2date(x).date().isoformat() for x in ax.collections[0].get_offsets()[:, 0]]
        assert days == ["2020-09-16", "2019-01-01"]  # the calendar date as written decides the era
        assert {"Abe", "Suga"} <= {t.get_text() for t in ax.texts}
        plt.close("all")


def _points(ax):
    """The scatter points of the Axes, in display coordinates."""
    return [tuple(ax.transData.transform(xy)) for c in ax.collections for xy in c.get_offsets()]


def _covers(box, points):
    return [p for p in points if box.x0 <= p[0] <= box.x1 and box.y0 <= p[1] <= box.y1]


def test_timeline_legend_and_tenure_labels_hide_no_point_nor_the_title(scores):
    ax = plot_timeline(scores)  # the 2024 condolence message scores courtesy near the top right
    ax.set_title("DPRK statements on Japan: scores per statement, with prime-ministerial tenures")
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    points = _points(ax)
    assert len(points) == 2 * len(scores)
    assert not _covers(ax.get_legend().get_window_extent(renderer), points)
    title = ax.title.get_window_extent(renderer)
    labels = [t for t in ax.texts if t.get_text() in {"Abe", "Suga", "Kishida"}]
    assert len(labels) == 3
    for label in labels:
        box = label.get_window_extent(renderer)
        assert not _covers(box, points), label.get_text()
        assert not box.overlaps(title), label.get_text()
    plt.close("all")


def test_keyness_colours_markers_by_dimension_and_has_a_title(scores):
    k = keyness(markers_table(scores.drop(columns=["hostility"])), by="era", a="Abe", b="Kishida")
    ax = plot_keyness(k, n=5)
    assert "Abe" in ax.get_title() and "Kishida" in ax.get_title()
    colour_of = {h.get_label(): matplotlib.colors.to_hex(h.get_facecolor()) for h in ax.get_legend().legend_handles}
    assert set(colour_of) == {"hostility", "courtesy"}
    dimensions = [*k.top(5, "Kishida")["dimension"][::-1], *k.top(5, "Abe")["dimension"][::-1]]  # bottom up
    bars = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert bars == [colour_of[d] for d in dimensions]
    assert "courtesy" in dimensions  # condolences, on the Kishida side
    assert all(len(t.get_text()) <= 40 for t in ax.get_yticklabels())  # construction patterns are shortened
    plt.close("all")


NOTEBOOK_WITHOUT_WIDGETS = """
import sys, types, warnings
import IPython
sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")  # what tqdm.auto takes for Jupyter
import pandas as pd
import tonekit
df = pd.DataFrame({"text": ["You idiot. (constructed)"]})
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tonekit.score_corpus(df, progress=False)
    print("auto imported when off:", "tqdm.autonotebook" in sys.modules)
    tonekit.score_corpus(df, progress=True)
print("warnings:", [str(w.message)[:40] for w in caught])
"""


def test_progress_bar_gives_no_warning_in_a_notebook_without_widgets():
    import subprocess
    import sys

    pytest.importorskip("IPython")
    run = subprocess.run([sys.executable, "-c", NOTEBOOK_WITHOUT_WIDGETS], check=False, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "auto imported when off: False" in run.stdout
    assert "warnings: []" in run.stdout and "IProgress" not in run.stderr

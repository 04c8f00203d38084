"""The scorecard's charts: Vega-Lite built with altair, rendered offline to inline SVG.

altair's own HTML output loads vega-embed from a CDN, which an offline page cannot do;
vl-convert runs Vega in-process and returns SVG text that the page embeds as it is. One chart is
one conversion, and a family's small multiples are one faceted chart (one panel per metric, each
with its own y scale): a page costs a conversion per headline KPI, per experiment and per
family. A facet also keeps altair quick: a concatenation of one chart per metric spends seconds
copying and validating its parts.

The tables the charts draw have POINT_COLUMNS, values already on the scale a reader reads them
in (shares in %, see scorecard.py), so that one axis format fits every panel of a facet. The SVG
is made fit to sit many times in one HTML page: no namespace URLs (HTML parses inline SVG without
them), element ids prefixed per chart (Vega numbers its clip paths from 1 in every conversion),
and a `<title>` and aria-label that name what it shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert

# The page's palette (templates/scorecard.html.j2).
INK = "#1b1f24"
MUTED = "#57606a"
GRID = "#eaeef2"
LINE = "#0969da"
TARGET = "#9a6700"
SERIES = ("#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#57606a")
# Arial's metrics (Liberation Sans where Arial is missing): vl-convert lays labels out with
# them, so the browser that draws the SVG must find a font as wide.
FONT = "Arial, Helvetica, Liberation Sans, sans-serif"
PANEL_WIDTH = 190
PANEL_HEIGHT = 70
PANELS_PER_ROW = 4
# One row per metric (title: what a panel is headed with), week (a label of `weeks`) and series
# (one line each: `all`, or a task); target is the metric's target on the same scale, or null.
POINT_COLUMNS = ("metric_name", "title", "week", "series", "value", "ci_low", "ci_high", "target")
# Axis labels: SI prefixes for big numbers, three significant digits otherwise.
LABELS = "abs(datum.value) >= 10000 ? format(datum.value, '.3~s') : format(datum.value, ',.3~r')"


def trend_svg(points: pd.DataFrame, weeks: Sequence[str], label: str, key: str) -> str:
    """A headline KPI's trend: value line, 95 % band where present, target as a dashed rule;
    a second series (the comparison it is read against) gets its own colour and a legend."""
    title = str(points["title"].iloc[0]) if not points.empty else ""
    legend = "" if points["series"].nunique() > 1 else None
    chart = _layers(points, weeks, legend).properties(
        width=300, height=130, title=alt.TitleParams(title, anchor="start")
    )
    return _svg(chart, label, key)


def family_svg(
    points: pd.DataFrame, by_task: pd.DataFrame, weeks: Sequence[str], label: str, key: str
) -> str:
    """A family's small multiples: its program metrics, then its metrics over predictions with a
    line per task (either may be empty), each panel on its own y scale."""
    parts = [
        _facet(frame, weeks, legend)
        for frame, legend in ((points, None), (by_task, "task"))
        if not frame.empty
    ]
    chart = parts[0] if len(parts) == 1 else alt.vconcat(*parts, spacing=24)
    return _svg(chart, label, key)


def lift_svg(estimates: pd.DataFrame, label: str, key: str) -> str:
    """An experiment's lift with its 95 % interval against no change (the zero rule);
    `estimates` has columns estimate (its name), lift, ci_low and ci_high, one row each."""
    y = alt.Y("estimate:N", sort=None, axis=alt.Axis(title=None, labelLimit=150))
    x_axis = alt.Axis(title="treatment minus control, conversion rate", format="+.1%")
    base = alt.Chart(estimates)
    chart = alt.layer(
        alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color=MUTED).encode(x="zero:Q"),
        base.mark_rule(color=LINE, strokeWidth=3).encode(
            x=alt.X("ci_low:Q", axis=x_axis), x2="ci_high:Q", y=y
        ),
        base.mark_point(filled=True, size=70, color=INK).encode(x="lift:Q", y=y),
    ).properties(width=300, height=28 * len(estimates))
    return _svg(chart, label, key)


def _layers(points: pd.DataFrame, weeks: Sequence[str], legend: str | None) -> alt.LayerChart:
    """Band, line, points and target of the metrics in `points` (one panel's worth): one colour,
    or a colour per series with a legend titled `legend` ("" for none)."""
    labelled = [weeks[0], weeks[len(weeks) // 2], weeks[-1]] if weeks else []
    # Ordinal week labels: every week on the scale (a missing one leaves its gap), three shown.
    x = alt.X(
        "week:O",
        sort=list(weeks),
        scale=alt.Scale(domain=list(weeks)),
        axis=alt.Axis(title=None, values=labelled, labelAngle=0),
    )
    y = alt.Y(
        "value:Q",
        scale=alt.Scale(zero=False),
        axis=alt.Axis(title=None, tickCount=3, labelExpr=LABELS),
    )
    line = {"x": x, "y": y}
    band = {"x": x, "y": "ci_low:Q", "y2": "ci_high:Q"}
    if legend is None:
        line["color"] = band["color"] = alt.value(LINE)
    else:
        # Colour and dash both tell the series apart, so that a black-and-white print does too;
        # the legend comes from the line, not from the faint band.
        scale = alt.Scale(range=list(SERIES))
        line["color"] = alt.Color("series:N", scale=scale, legend=alt.Legend(title=legend or None))
        line["strokeDash"] = alt.StrokeDash("series:N", legend=alt.Legend(title=legend or None))
        band["color"] = alt.Color("series:N", scale=scale, legend=None)
    # The layers read the data of the chart that holds them, so that it is embedded once.
    base = alt.Chart()
    return alt.layer(
        base.mark_area(opacity=0.2).encode(**band),
        base.mark_line(strokeWidth=2).encode(**line),
        base.mark_point(filled=True, size=16, opacity=1).encode(x=x, y=y, color=line["color"]),
        base.mark_rule(color=TARGET, strokeDash=[4, 3], strokeWidth=1.5).encode(y="max(target):Q"),
        data=points,
    )


def _facet(points: pd.DataFrame, weeks: Sequence[str], legend: str | None) -> alt.FacetChart:
    titles = list(dict.fromkeys(points["title"]))
    header = alt.Header(
        title=None,
        labelAnchor="start",
        labelFontSize=12,
        labelColor=INK,
        labelLimit=PANEL_WIDTH + 30,
    )
    return (
        _layers(points, weeks, legend)
        .properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
        .facet(facet=alt.Facet("title:N", sort=titles, header=header), columns=PANELS_PER_ROW)
        .resolve_scale(y="independent")
    )


# Applied by vl-convert (configuring through altair would copy the whole chart once per call).
# No ARIA on marks, axes and legends: the <svg> is one image with its own label, and Vega's
# descriptions of every axis would make up a sixth of the page.
CONFIG = {
    "font": FONT,
    "background": "white",
    "padding": 6,
    "view": {"stroke": None},
    "mark": {"aria": False},
    "axis": {
        "labelColor": MUTED,
        "labelFontSize": 10,
        "gridColor": GRID,
        "domain": False,
        "aria": False,
    },
    "axisX": {"ticks": False, "labelPadding": 4},
    "axisY": {"ticks": False},
    "title": {"fontSize": 12, "fontWeight": "normal", "color": INK, "offset": 4},
    "legend": {"orient": "bottom", "labelFontSize": 11, "symbolSize": 60, "aria": False},
}


# altair's JSON-schema validation of a spec costs about as much as Vega's rendering of it: pages
# skip it, and the unit tests render a page of every kind of chart with it on.
VALIDATE = False

_OPENING = re.compile(r"<svg\b[^>]*>")
_NAMESPACE = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_ID_REFERENCES = re.compile(r'(\bid="|url\(#|href="#)')
_NOT_IN_IDS = re.compile(r"[^a-z0-9_-]+")


def _svg(chart: alt.TopLevelMixin, label: str, key: str) -> str:
    """The chart as SVG text for an HTML page, named by `label`, its ids prefixed by `key`
    (unique on the page)."""
    text = vl_convert.vegalite_to_svg(chart.to_dict(validate=VALIDATE), config=CONFIG)
    prefix = _NOT_IN_IDS.sub("-", key.lower()) + "-"
    text = _ID_REFERENCES.sub(lambda match: match.group(1) + prefix, text)
    opening = _OPENING.search(text)
    if opening is None:
        raise ValueError("vl-convert returned no <svg> element")
    name = html.escape(label, quote=True)
    tag = _NAMESPACE.sub("", opening.group(0))[:-1] + f' role="img" aria-label="{name}">'
    return f"{tag}<title>{name}</title>{text[opening.end() :]}"

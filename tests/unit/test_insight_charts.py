"""The server-drawn SVG charts: scalable, named for screen readers, text escaped, bars and
points where the figures put them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from opopmart.insight import charts
from opopmart.insight.charts import Bar, Line

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def test_given_bars_when_drawn_then_the_svg_scales_by_viewbox_and_is_named():
    svg = charts.bar_chart("c1", "Penjualan per provinsi", [
        Bar("Jawa Timur", 450_000, "Rp 450.000 (52,9 %)"),
        Bar("DKI Jakarta", 200_000, "Rp 200.000 (23,5 %)"),
    ])

    root = parse(svg)
    assert isinstance(svg, Markup)
    assert root.get("viewBox") == "0 0 400 84"
    assert root.get("width") is None and root.get("height") is None  # CSS sizes it
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Penjualan per provinsi"
    assert root.find(f"{SVG}desc").text == (
        "Jawa Timur: Rp 450.000 (52,9 %); DKI Jakarta: Rp 200.000 (23,5 %)")
    assert "style=" not in str(svg)  # the CSP forbids inline styles


def test_given_bars_when_drawn_then_widths_are_proportional_to_the_largest():
    root = parse(charts.bar_chart("c", "t", [Bar("a", 400, "400"), Bar("b", 100, "100"),
                                             Bar("c", 0, "0")]))

    fills = [float(r.get("width")) for r in root.iter(f"{SVG}rect")
             if r.get("class") == "chart-bar-fill"]
    tracks = {r.get("width") for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar-track"}
    assert fills == [400.0, 100.0, 0.0]  # across the whole width, under each label
    assert tracks == {"400"}


def test_given_markup_in_labels_when_drawn_then_it_is_escaped_text():
    svg = str(charts.bar_chart('x"><script>', 'T <b>&', [
        Bar('<script>alert("x")</script>', 5, "Rp 5 & <i>")]))

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in svg
    assert "Rp 5 &amp; &lt;i&gt;" in svg
    assert 'id="x&#34;&gt;&lt;script&gt;-title"' in svg
    parse(Markup(svg))  # still well-formed XML


def test_given_no_bars_when_drawn_then_the_message_is_shown():
    root = parse(charts.bar_chart("c", "Judul", [], empty="Belum ada penjualan."))

    assert [t.text for t in root.iter(f"{SVG}text")] == ["Belum ada penjualan."]
    assert root.find(f"{SVG}desc").text == "Belum ada penjualan."


def test_given_a_series_when_drawn_then_each_line_has_a_point_per_bucket():
    svg = charts.line_chart("s", "Penjualan per hari", ["1 Jun", "2 Jun", "3 Jun"], [
        Line("Online", "online", [0, 200_000, 100_000], area=True),
        Line("Langsung", "direct", [50_000, 0, 0]),
    ], point_text=lambda v: f"Rp {v}")

    root = parse(svg)
    assert root.get("viewBox") == "0 0 640 280"
    polylines = {p.get("class"): p.get("points") for p in root.iter(f"{SVG}polyline")}
    # Peak 200.000 -> the plot's top (y 12); zero at its bottom (y 218); x from 62 to 630.
    assert polylines["chart-line-online"] == "62,218 346,12 630,115"
    assert polylines["chart-line-direct"] == "62,166.5 346,218 630,218"
    assert len(list(root.iter(f"{SVG}polygon"))) == 1  # the area under the first line only
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert titles[:2] == ["1 Jun · Online: Rp 0", "2 Jun · Online: Rp 200000"]
    assert len(titles) == 6
    assert root.find(f"{SVG}desc").text == "1 Jun – 3 Jun. Online: Rp 300000; Langsung: Rp 50000"
    axis = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-axis"]
    assert axis[:5] == ["Rp 0", "Rp 50 rb", "Rp 100 rb", "Rp 150 rb", "Rp 200 rb"]


def test_given_one_bucket_when_drawn_then_its_point_is_centred():
    root = parse(charts.line_chart("s", "t", ["Jun 2025"], [Line("Online", "online", [10])]))

    [line] = root.iter(f"{SVG}polyline")
    assert line.get("points") == "346,12"


def test_given_many_buckets_when_drawn_then_only_a_few_x_labels_are_written():
    labels = [f"D{i}" for i in range(53)]
    values = [Line("Online", "online", list(range(53)))]

    def dates(svg):
        return [t.text for t in parse(svg).iter(f"{SVG}text")
                if t.get("class") == "chart-axis" and t.text.startswith("D")]

    assert dates(charts.line_chart("s", "t", labels, values)) == ["D0", "D13", "D26", "D39", "D52"]
    narrow = charts.line_chart("s", "t", labels, values, width=360, x_labels=3, css="chart-narrow")
    assert dates(narrow) == ["D0", "D26", "D52"]
    assert parse(narrow).get("viewBox") == "0 0 360 280"
    assert parse(narrow).get("class") == "chart chart-series chart-narrow"


def test_given_nothing_sold_when_drawn_then_the_axis_still_reads_sensibly():
    root = parse(charts.line_chart("s", "t", ["a", "b"], [Line("Online", "online", [0, 0])]))

    axis = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-axis"][:5]
    assert axis == ["Rp 0", "Rp 1", "Rp 2", "Rp 3", "Rp 4"]


def test_nice_ceiling_and_compact_rupiah():
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 7, 12, 180, 2_300, 99_000_000)] == [
        4, 4, 4, 10, 20, 200, 2_500, 100_000_000]
    assert charts.compact_rupiah(0) == "Rp 0"
    assert charts.compact_rupiah(12_000) == "Rp 12 rb"
    assert charts.compact_rupiah(1_500_000) == "Rp 1,5 jt"
    assert charts.compact_rupiah(350_000_000) == "Rp 350 jt"
    assert charts.compact_rupiah(147_321_766_000) == "Rp 147 M"
    assert charts.compact_rupiah(2_500_000_000_000) == "Rp 2,5 T"


def test_coordinates_are_short_and_stable():
    svg = str(charts.bar_chart("c", "t", [Bar("a", 3, "3"), Bar("b", 1, "1")]))

    assert not re.search(r"\d\.\d\d", svg)  # one decimal at most

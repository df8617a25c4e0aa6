import xml.etree.ElementTree as ET

from uppfoljning.charts import Series, bar_chart, report_charts

NS = "{http://www.w3.org/2000/svg}"


def chart():
    return bar_chart(
        title="Sysselsättning efter (%)",
        categories=["Arbete", "Studier <och> annat"],
        series=[Series("Före", [10.0, "<5"]), Series("Efter", [40.5, 0])],
        unit="%",
        max_value=100,
    )


def test_chart_is_valid_svg_with_a_text_alternative():
    root = ET.fromstring(chart())
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Sysselsättning efter (%)"
    desc = root.find(f"{NS}desc").text
    assert "Arbete – Före: 10\u00a0%, Efter: 40,5\u00a0%" in desc
    assert "Studier <och> annat – Före: <5" in desc  # escaped in the markup, intact as text


def test_chart_is_readable_without_colour_and_has_no_inline_style_or_script():
    svg = chart()
    texts = [t.text for t in ET.fromstring(svg).iter(f"{NS}text")]
    assert "40,5\u00a0%" in texts  # every bar carries its value
    assert "<5" in texts  # a masked value is labelled, not drawn
    assert "Före" in texts  # legend
    assert "style=" not in svg
    assert "<script" not in svg
    assert "pattern" in svg  # the second series differs by pattern, not only by colour


def test_two_charts_never_share_pattern_ids():
    a = bar_chart(title="A", categories=["x"], series=[Series("1", [1]), Series("2", [2])])
    b = bar_chart(title="B", categories=["x"], series=[Series("1", [1]), Series("2", [2])])
    ids_a = {e.get("id") for e in ET.fromstring(a).iter() if e.get("id")}
    ids_b = {e.get("id") for e in ET.fromstring(b).iter() if e.get("id")}
    assert not ids_a & ids_b


def test_report_charts_follow_the_snapshot_tables():
    snapshot = {
        "sektioner": [
            {
                "key": "deltagare",
                "tables": [
                    {
                        "key": "alder_kon",
                        "rows": [["16–19", 3, "<5", 0, 5], ["Totalt", 3, 2, 0, 5]],
                    }
                ],
            }
        ]
    }
    charts = report_charts(snapshot)
    assert list(charts) == ["deltagare"]
    assert "16–19" in charts["deltagare"][0]
    assert "Totalt" not in charts["deltagare"][0]

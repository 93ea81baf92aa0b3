"""Server-drawn SVG charts put names that users typed (OPD and supplier names) inside the
markup they return: each is escaped once, so a name can never become live markup."""
from pbj.web import charts

PAYLOAD = '<i hx-post="/keluar">x</i>"&'
ESCAPED = "&lt;i hx-post=&#34;/keluar&#34;&gt;x&lt;/i&gt;&#34;&amp;"


def test_bar_labels_titles_and_values_are_escaped_once():
    svg = str(charts.bars(PAYLOAD, PAYLOAD, [PAYLOAD], [5], [PAYLOAD], target=3, target_label=PAYLOAD))
    assert "<i hx-post" not in svg and ESCAPED in svg
    assert "&amp;lt;" not in svg  # not twice


def test_line_series_names_and_labels_are_escaped_once():
    svg = str(charts.lines(PAYLOAD, PAYLOAD, [PAYLOAD, "Feb"], [charts.Series(PAYLOAD, [1, 2])]))
    assert "<i hx-post" not in svg and ESCAPED in svg
    assert "&amp;lt;" not in svg

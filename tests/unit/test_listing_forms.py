"""The product form's number fields: rupiah and percentages typed the way people type them."""
import pytest

from pbj.web.fields import NumberProblem, format_percent_x100, parse_percent_x100, parse_rupiah


@pytest.mark.parametrize("typed, value", [
    ("Rp 1.250.000", 1_250_000), ("1.250.000", 1_250_000), ("1250000", 1_250_000),
    ("Rp1.250.000,-", 1_250_000), ("1.250.000,00", 1_250_000), ("RP. 500", 500),
    ("1 250 000", 1_250_000), ("1,250,000", 1_250_000),
])
def test_rupiah_as_people_type_it(typed, value):
    assert parse_rupiah(typed) == value


@pytest.mark.parametrize("typed", [
    "1.250,50", "12.5", "1,250",  # decimals (a comma is the Indonesian decimal mark)
    "-5000", "−5000",  # negatives
    "Rp", "satu juta", "1.25.000", "9" * 40, "1e6", "0x10",
])
def test_rupiah_refuses_decimals_negatives_and_words(typed):
    with pytest.raises(NumberProblem):
        parse_rupiah(typed)


@pytest.mark.parametrize("typed, x100", [
    ("43,25", 4325), ("43.25", 4325), ("43", 4300), ("43,5", 4350), ("0", 0), ("100", 10000),
    ("40,50 %", 4050), ("7,10", 710),
])
def test_percent_with_comma_or_point(typed, x100):
    assert parse_percent_x100(typed) == x100


@pytest.mark.parametrize("typed", ["43,255", "-1", "abc", "1.000,5", "4 3"])
def test_percent_refuses_three_decimals_negatives_and_words(typed):
    with pytest.raises(NumberProblem):
        parse_percent_x100(typed)


def test_percent_round_trips_in_indonesian(app):
    with app.test_request_context():
        for x100 in (0, 5, 710, 4000, 4325, 10000):
            assert parse_percent_x100(format_percent_x100(x100)) == x100
        assert format_percent_x100(4325) == "43,25"
        assert format_percent_x100(4050) == "40,5"

"""Proration arithmetic to the minor unit: exact fractions, half-to-even, zero-decimal currencies."""

from datetime import UTC, datetime, timedelta

import pytest

from revenue.services.proration import discounted_unit, prorate, remaining_fraction
from revenue.services.subscriptions_common import add_months

START = datetime(2026, 1, 10, tzinfo=UTC)
END = datetime(2026, 2, 10, tzinfo=UTC)  # 31 days


def test_upgrade_halfway_charges_the_difference_for_the_rest():
    # given 31 days, 10 left, 3 100 → 9 300 cents
    result = prorate(
        old_amount=3_100, new_amount=9_300, period_start=START, period_end=END, now=END - timedelta(days=10)
    )
    # then credit 1 000, charge 3 000, due 2 000
    assert (result.credit, result.charge, result.amount_due) == (1_000, 3_000, 2_000)


def test_rounding_half_to_even_each_side_on_its_own():
    # given a 2-second period with 1 second left: every amount is exactly halved
    end = START + timedelta(seconds=2)
    now = START + timedelta(seconds=1)
    # 5 / 2 = 2.5 → 2 (even); 7 / 2 = 3.5 → 4 (even)
    result = prorate(old_amount=5, new_amount=7, period_start=START, period_end=end, now=now)
    assert (result.credit, result.charge, result.amount_due) == (2, 4, 2)


def test_jpy_zero_decimal_stays_whole_yen():
    # given ¥1 000 → ¥2 500 a month with 1/3 of a 30-day period left (¥333.33… and ¥833.33…)
    end = START + timedelta(days=30)
    result = prorate(
        old_amount=1_000, new_amount=2_500, period_start=START, period_end=end, now=START + timedelta(days=20)
    )
    # then whole yen: credit ¥333, charge ¥833, due ¥500
    assert (result.credit, result.charge, result.amount_due) == (333, 833, 500)
    assert all(isinstance(v, int) for v in (result.credit, result.charge, result.amount_due))


def test_started_second_counts_as_used():
    remaining, length = remaining_fraction(
        period_start=START, period_end=END, now=END - timedelta(seconds=9.5)
    )
    assert (remaining, length) == (9, 31 * 86_400)


def test_outside_the_period_is_clamped():
    assert (
        prorate(
            old_amount=100, new_amount=200, period_start=START, period_end=END, now=END + timedelta(days=1)
        ).amount_due
        == 0
    )
    whole = prorate(
        old_amount=100, new_amount=200, period_start=START, period_end=END, now=START - timedelta(days=1)
    )
    assert (whole.credit, whole.charge) == (100, 200)


def test_cheaper_change_never_gives_money_back_here():
    assert (
        prorate(old_amount=900, new_amount=300, period_start=START, period_end=END, now=START).amount_due == 0
    )


def test_negative_amounts_refused():
    with pytest.raises(ValueError, match="never negative"):
        prorate(old_amount=-1, new_amount=0, period_start=START, period_end=END, now=START)


@pytest.mark.parametrize(
    ("unit", "percent", "expected"),
    [
        (999, "20", (799, 200)),
        (1_000, "12.5", (875, 125)),
        (5, "50", (3, 2)),
        (7, "50", (3, 4)),
        (1_000, "0", (1_000, 0)),
    ],
)
def test_retention_discount_rounds_half_to_even(unit, percent, expected):
    assert discounted_unit(unit, percent) == expected


def test_months_keep_the_anchor_day():
    anchor = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert add_months(anchor, 1) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert add_months(anchor, 2) == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert add_months(anchor, 12) == datetime(2027, 1, 31, 9, 0, tzinfo=UTC)

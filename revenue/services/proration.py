"""Proration: what an immediate upgrade costs for the rest of the current period.

Rule (exact to the minor unit, any currency; JPY's minor unit is the yen itself):

- The period's remaining fraction is `remaining / length`, both counted in whole seconds (the part of a second
  already started counts as used), computed as an exact fraction — no floats.
- credit = old period amount × fraction, charge = new period amount × fraction, each rounded half-to-even to
  the minor unit on its own (so the credit shown is the same whatever it is netted against).
- amount due = charge − credit, never below zero (a change that costs less is a downgrade and waits for the
  period end instead; see subscriptions.subscription_change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction


@dataclass(frozen=True)
class Proration:
    credit: int  # unused time of the old price, minor units
    charge: int  # remaining time at the new price, minor units
    amount_due: int  # charge − credit, ≥ 0
    remaining_seconds: int
    period_seconds: int


def round_half_even(value: Fraction) -> int:
    """Round an exact fraction to the nearest integer, ties to even (Python's round on Fraction does this)."""
    return round(value)


def remaining_fraction(*, period_start: datetime, period_end: datetime, now: datetime) -> tuple[int, int]:
    """(remaining whole seconds, period seconds); now outside the period gives 0 or the whole period."""
    length = int((period_end - period_start).total_seconds())
    if length <= 0:
        raise ValueError("the period must end after it starts")
    remaining = int((period_end - now).total_seconds())  # int() drops the started second: it is used
    return max(0, min(length, remaining)), length


def prorate(
    *, old_amount: int, new_amount: int, period_start: datetime, period_end: datetime, now: datetime
) -> Proration:
    """Credit for the unused part of `old_amount` and charge for the rest of the period at `new_amount`."""
    if old_amount < 0 or new_amount < 0:
        raise ValueError("amounts are never negative")
    remaining, length = remaining_fraction(period_start=period_start, period_end=period_end, now=now)
    fraction = Fraction(remaining, length)
    credit = round_half_even(old_amount * fraction)
    charge = round_half_even(new_amount * fraction)
    return Proration(
        credit=credit,
        charge=charge,
        amount_due=max(0, charge - credit),
        remaining_seconds=remaining,
        period_seconds=length,
    )


def discounted_unit(unit_amount: int, percent: Fraction | int | str) -> tuple[int, int]:
    """(unit price after a percentage discount, discount per unit); the discount rounds half-to-even."""
    off = round_half_even(Fraction(unit_amount) * Fraction(str(percent)) / 100)
    return unit_amount - off, off

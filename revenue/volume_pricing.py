"""Volume pricing: tiered per-unit (per-seat) prices. Pure functions, no database.

Mode "volume": every unit is priced at the tier the quantity reaches. With a list price of 20.00 and tiers
"from 10: 18.00", "from 50: 15.00", 9 seats cost 9 × 20.00, 10 seats cost 10 × 18.00 and 50 seats 50 × 15.00.
The unit price stays a whole number of minor units, so line net = unit × quantity exactly, with no rounding.
(The other common mode, "graduated", prices each band separately and would need a fractional unit price.)

Tiers are plain data — a list of {"min_quantity": int, "unit_amount": int} — so other apps (marketplace per-seat
plans) can use them through `revenue.facade.volume_unit_amount`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_TIERS = 10
MAX_UNIT_AMOUNT = 100_000_000_00  # the same sanity bound as product prices, in minor units
MAX_MIN_QUANTITY = 10_000


class VolumeTierError(ValueError):
    """Invalid tiers; the message says what to fix."""


@dataclass(frozen=True)
class VolumeTier:
    min_quantity: int
    unit_amount: int

    def as_dict(self) -> dict[str, int]:
        return {"min_quantity": self.min_quantity, "unit_amount": self.unit_amount}


@dataclass(frozen=True)
class VolumePrice:
    """The price of `quantity` units: `unit_amount` each (the tier reached, or the list price)."""

    quantity: int
    list_unit_amount: int
    unit_amount: int
    min_quantity: int  # the tier's threshold; 1 when the list price applies

    @property
    def net(self) -> int:
        return self.unit_amount * self.quantity

    @property
    def discount(self) -> int:
        """What the volume price saves against the list price, over the whole quantity."""
        return (self.list_unit_amount - self.unit_amount) * self.quantity

    @property
    def applies(self) -> bool:
        return self.unit_amount != self.list_unit_amount

    def as_dict(self) -> dict[str, int]:
        return {
            "list_unit_amount": self.list_unit_amount,
            "unit_amount": self.unit_amount,
            "min_quantity": self.min_quantity,
            "discount": self.discount,
        }


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def volume_tiers_clean(raw: Iterable[Mapping[str, Any]] | None, *, list_unit_amount: int) -> list[VolumeTier]:
    """Validate tiers against the list price; returns them sorted. Raises VolumeTierError.

    Rules: at most MAX_TIERS; min_quantity a whole number from 2 (1 is the list price) and each used once; unit
    prices whole minor units, each lower than the list price and than the tier before it."""
    tiers: list[VolumeTier] = []
    for index, item in enumerate(raw or []):
        if not isinstance(item, Mapping):
            raise VolumeTierError(f"Tier {index + 1}: give min_quantity and unit_amount.")
        min_quantity, unit_amount = item.get("min_quantity"), item.get("unit_amount")
        if not _whole(min_quantity) or not 2 <= min_quantity <= MAX_MIN_QUANTITY:
            raise VolumeTierError(
                f"Tier {index + 1}: the quantity is a whole number from 2 to {MAX_MIN_QUANTITY} "
                "(quantity 1 pays the list price)."
            )
        if not _whole(unit_amount) or not 0 <= unit_amount <= MAX_UNIT_AMOUNT:
            raise VolumeTierError(
                f"Tier {index + 1}: the unit price is a whole number of minor units (cents)."
            )
        tiers.append(VolumeTier(min_quantity=min_quantity, unit_amount=unit_amount))
    if len(tiers) > MAX_TIERS:
        raise VolumeTierError(f"At most {MAX_TIERS} volume tiers.")
    tiers.sort(key=lambda tier: tier.min_quantity)
    previous = list_unit_amount
    seen: set[int] = set()
    for tier in tiers:
        if tier.min_quantity in seen:
            raise VolumeTierError(f"Two tiers start at {tier.min_quantity}.")
        seen.add(tier.min_quantity)
        if tier.unit_amount >= previous:
            raise VolumeTierError(
                f"The price from {tier.min_quantity} units must be lower than the list price and the tier below it."
            )
        previous = tier.unit_amount
    return tiers


def _as_tiers(tiers: Sequence[VolumeTier | Mapping[str, Any] | tuple[int, int]]) -> list[VolumeTier]:
    result = []
    for tier in tiers:
        if isinstance(tier, VolumeTier):
            result.append(tier)
        elif isinstance(tier, Mapping):
            result.append(VolumeTier(int(tier["min_quantity"]), int(tier["unit_amount"])))
        else:
            min_quantity, unit_amount = tier
            result.append(VolumeTier(int(min_quantity), int(unit_amount)))
    return result


def volume_price(
    *,
    list_unit_amount: int,
    tiers: Sequence[VolumeTier | Mapping[str, Any] | tuple[int, int]],
    quantity: int,
) -> VolumePrice:
    """The volume price of `quantity` units: the tier with the highest min_quantity ≤ quantity, else the list
    price. Tiers may be given in any order (VolumeTier, {"min_quantity", "unit_amount"} or (min, amount))."""
    if not _whole(quantity) or quantity < 1:
        raise VolumeTierError("The quantity is a whole number from 1.")
    unit_amount, reached = list_unit_amount, 1
    for tier in sorted(_as_tiers(tiers), key=lambda t: t.min_quantity):
        if tier.min_quantity <= quantity:
            unit_amount, reached = tier.unit_amount, tier.min_quantity
    return VolumePrice(
        quantity=quantity, list_unit_amount=list_unit_amount, unit_amount=unit_amount, min_quantity=reached
    )


def volume_tiers_parse(text: str) -> list[dict[str, int]]:
    """Parse the form notation "10:1800, 50:1500" (quantity:unit price in minor units) into tier dicts.
    Raises VolumeTierError; validation against the list price is `volume_tiers_clean`'s job."""
    tiers = []
    parts = (text or "").replace(";", ",").replace("\n", ",").split(",")
    for part in (p.strip() for p in parts):
        if not part:
            continue
        quantity, sep, amount = part.partition(":")
        if not sep or not quantity.strip().isdigit() or not amount.strip().isdigit():
            raise VolumeTierError(f'"{part}" is not "quantity:unit price", e.g. 10:1800.')
        tiers.append({"min_quantity": int(quantity), "unit_amount": int(amount)})
    return tiers


def volume_tiers_format(tiers: Iterable[Mapping[str, Any]]) -> str:
    """The form notation of stored tiers ("10:1800, 50:1500")."""
    return ", ".join(f"{t['min_quantity']}:{t['unit_amount']}" for t in tiers)

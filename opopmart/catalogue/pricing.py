"""Unit prices by quantity (harga grosir), shared by the product page and the cart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Tier(Protocol):
    min_qty: int
    unit_price: int


def unit_price_for(base_price: int, tiers: Iterable[Tier], quantity: int) -> int:
    """The tier with the largest threshold at or below ``quantity`` wins; else the base."""
    price = base_price
    best = 0
    for tier in tiers:
        if best < tier.min_qty <= quantity:
            best, price = tier.min_qty, tier.unit_price
    return price


def tier_errors(base_price: int, tiers: list[tuple[int, int]]) -> list[str]:
    """Why a list of (min_qty, unit_price) cannot be sold; empty when it can.

    Tiers must start at 2 units or more, rise in quantity and fall in price, and stay
    below the normal price, as marketplaces require of harga grosir.
    """
    errors: list[str] = []
    last_qty, last_price = 1, base_price
    for min_qty, unit_price in sorted(tiers):
        if min_qty < 2:
            errors.append(f"min_qty {min_qty} < 2")
        if min_qty == last_qty:
            errors.append(f"duplicate min_qty {min_qty}")
        if unit_price <= 0 or unit_price >= last_price:
            errors.append(f"unit_price {unit_price} at {min_qty} must be below {last_price}")
        last_qty, last_price = min_qty, unit_price
    return errors

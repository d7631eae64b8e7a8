"""Money is integer rupiah everywhere; these are the only conversions.

The rupiah has no minor unit in daily use, but Stripe counts IDR in hundredths,
so a PaymentIntent for Rp 25.000 carries amount=2_500_000.
"""

from __future__ import annotations

STRIPE_IDR_FACTOR = 100


def format_rupiah(amount: int | None) -> str:
    """``147321766`` -> ``Rp 147.321.766`` (Indonesian thousands separator)."""
    if amount is None:
        return "-"
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are integers, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def format_rupiah_range(low: int | None, high: int | None) -> str:
    """One price when variants agree, ``Rp 45.000 – Rp 150.000`` when they differ."""
    if low is None:
        return "-"
    if high is None or high == low:
        return format_rupiah(low)
    return f"{format_rupiah(low)} – {format_rupiah(high)}"


def to_stripe_amount(rupiah: int) -> int:
    if isinstance(rupiah, bool) or not isinstance(rupiah, int):
        raise TypeError("rupiah amounts are integers")
    if rupiah < 0:
        raise ValueError("a charge cannot be negative")
    return rupiah * STRIPE_IDR_FACTOR


def from_stripe_amount(minor_units: int) -> int:
    if isinstance(minor_units, bool) or not isinstance(minor_units, int):
        raise TypeError("Stripe amounts are integers")
    rupiah, remainder = divmod(minor_units, STRIPE_IDR_FACTOR)
    if remainder:
        raise ValueError(f"{minor_units} IDR minor units is not a whole rupiah amount")
    return rupiah


def parse_rupiah(text: str | None) -> int | None:
    """Read what a person types: ``25.000``, ``Rp 25.000``, ``25000``. None if unreadable."""
    if text is None:
        return None
    cleaned = text.strip().lower().removeprefix("rp").strip().replace(".", "").replace(" ", "")
    if not cleaned or len(cleaned) > 15 or not cleaned.isascii() or not cleaned.isdigit():
        return None
    return int(cleaned)

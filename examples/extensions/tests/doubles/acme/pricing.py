"""A Python test double of the Acme.Pricing extension (Acme.Pricing/Quote.cs) for the SDK, which
cannot load .NET: the same names, arguments and errors as the C# type."""
from __future__ import annotations

import asyncio

_RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}


class Quote:
    """A price for a stock-keeping unit, in US dollars."""

    def __init__(self, sku: str, price: float) -> None:
        if price < 0:
            raise ValueError("a price is never negative")
        self._sku, self._price = sku, price

    @property
    def sku(self) -> str:
        return self._sku

    @property
    def price(self) -> float:
        return self._price

    def discounted(self, percent: float) -> float:
        return round(self._price * (1 - percent / 100), 2)

    async def price_in(self, currency: str) -> float:
        await asyncio.sleep(0)
        if currency not in _RATES:
            raise ValueError(f"no rate for {currency} (USD, EUR or GBP)")
        return round(self._price * _RATES[currency], 2)

"""On sale: a variant whose compare-at ("was") price is above its price. The catalogue's cards and product
page, the listing's filter (in SQL), the cart, promotions that leave sale items out and the back office's
check of a compare-at price all ask here. (A product shoppers can see is "listed", never "on sale".)"""

from __future__ import annotations


def on_sale(price: int, compare_at_price: int | None) -> bool:
    return compare_at_price is not None and compare_at_price > price


def on_sale_sql(price: str, compare_at_price: str) -> str:
    """on_sale over these columns: a NULL compare-at price is not on sale, as in Python."""
    return f"{compare_at_price} > {price}"

"""Domain errors carry every problem at once, so a page can show them all."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    pass


@dataclass(frozen=True)
class ShortLine:
    variant_id: int
    sku: str
    wanted: int
    available: int


class OutOfStock(DomainError):
    def __init__(self, lines: list[ShortLine]):
        super().__init__(", ".join(f"{s.sku}: wanted {s.wanted}, {s.available} left" for s in lines))
        self.lines = lines


class NotFound(DomainError):
    pass

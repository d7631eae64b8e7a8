"""State machines: one transition table per kind of thing, and a named error.

Products, reviews, orders and shipments each declare their table once; services ask
``workflow.require(current, target)`` before they move anything and write an event row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(Exception):
    def __init__(self, kind: str, current: StrEnum, target: StrEnum):
        super().__init__(f"{kind}: {current.value} -> {target.value} is not allowed")
        self.kind = kind
        self.current = current
        self.target = target


class Workflow(Generic[S]):
    def __init__(self, kind: str, table: Mapping[S, Iterable[S]]):
        self.kind = kind
        self.table: dict[S, frozenset[S]] = {k: frozenset(v) for k, v in table.items()}

    def allowed(self, current: S, target: S) -> bool:
        return target in self.table.get(current, frozenset())

    def targets(self, current: S) -> frozenset[S]:
        return self.table.get(current, frozenset())

    def require(self, current: S, target: S) -> None:
        if not self.allowed(current, target):
            raise IllegalTransition(self.kind, current, target)

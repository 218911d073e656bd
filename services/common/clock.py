"""One clock for the whole code base, so tests can move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """Wall clock returning aware UTC datetimes; `freeze`/`advance` are for tests."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("freeze() needs an aware datetime")
        self._frozen = at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._frozen = self.now() + timedelta(**delta)

    def unfreeze(self) -> None:
        self._frozen = None


clock = Clock()


def utcnow() -> datetime:
    return clock.now()

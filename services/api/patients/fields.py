"""Constrained field types shared by the chart's request bodies (profile, intake, scales, consents)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

Language = Literal["en", "es"]

_CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127))


def _single_line(v: str) -> str:
    if any(ch in _CONTROL or ch in "\n\r\t" for ch in v):
        raise ValueError("Use plain text on one line.")
    return v


def _multi_line(v: str) -> str:
    # NUL and other control characters are refused: PostgreSQL cannot store NUL in text.
    if any(ch in _CONTROL for ch in v):
        raise ValueError("Use plain text (no control characters).")
    return v


Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_single_line)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=60), AfterValidator(_single_line)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(_single_line)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=4000), AfterValidator(_multi_line)]
Reason = Annotated[str, StringConstraints(min_length=10, max_length=4000), AfterValidator(_multi_line)]


def _phone_digits(v: str) -> str:
    if not 7 <= sum(ch.isdigit() for ch in v) <= 15:
        raise ValueError("Enter a phone number with 7 to 15 digits.")
    return v


Phone = Annotated[
    str,
    StringConstraints(min_length=7, max_length=32, pattern=r"^\+?[0-9 ().\-]+$"),
    AfterValidator(_phone_digits),
]

"""Shared pydantic bases and constrained types for request and response bodies."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)


class RequestBody(BaseModel):
    """Request bodies reject unknown fields and trim surrounding spaces."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseBody(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _check_state(v: str) -> str:
    v = v.upper()
    if v not in US_STATES:
        raise ValueError("Use a two-letter US state code, e.g. ID or CA.")
    return v


_ZONES: frozenset[str] | None = None


def _check_zone(v: str) -> str:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    if v not in _ZONES:
        raise ValueError("Unknown time zone: use an IANA name such as America/Boise.")
    ZoneInfo(v)
    return v


USState = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(_check_state)]
TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_check_zone)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=False)]
OpaqueToken = Annotated[str, StringConstraints(min_length=10, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")]
OtpCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]

"""Dependencies of the consults endpoints: the API's signing keys, settings, and the check
that a call-events request was signed by the signaling service (run before the body is read)."""

from __future__ import annotations

from fastapi import Request

from services.api.config import Settings
from services.api.consults.service import consult_service
from services.common.internal import SIGNATURE_HEADER
from services.common.tokens import SigningKeys


def signing_keys(request: Request) -> SigningKeys:
    keys: SigningKeys = request.app.state.auth_kit.keys
    return keys


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def signed_by_signaling(request: Request) -> None:
    consult_service.verify_internal_call(
        request.app.state.settings, await request.body(), request.headers.get(SIGNATURE_HEADER)
    )

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.api.consents.documents import ConsentKind
from services.api.core.schemas import RequestBody, ResponseBody
from services.api.patients.fields import Language, Name

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ConsentDocumentRead(ResponseBody):
    kind: ConsentKind
    version: str
    effective_on: date
    language: Language
    title: str
    body: str
    text_sha256: str = Field(description="SHA-256 of the exact text (title, blank line, body); send it when signing.")


class ConsentSign(RequestBody):
    version: str = Field(min_length=1, max_length=20, description="The version shown to the patient.")
    language: Language
    text_sha256: Sha256 = Field(description="The hash of the text shown, from the document.")
    typed_name: Name = Field(description="The patient's name, typed as a signature.")
    agree: Literal[True] = Field(description="The patient ticked 'I have read and agree'.")


class ConsentSignatureRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    kind: ConsentKind
    version: str
    language: Language
    typed_name: str
    signed_at: datetime
    ip: str | None
    user_agent: str | None
    text_sha256: str


class ConsentStatus(ResponseBody):
    kind: ConsentKind
    title: str
    current_version: str
    signed_current: bool
    needs_signature: bool = Field(description="The current version is unsigned: sign before the next visit.")
    last_signed_version: str | None
    last_signed_at: datetime | None


class PatientConsents(ResponseBody):
    status: list[ConsentStatus]
    signatures: list[ConsentSignatureRead] = Field(description="Every signature, oldest first.")

"""Consents: versioned documents signed by typed name, with the hash of the exact text signed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.consents.documents import DOCUMENTS, REQUIRED_KINDS, ConsentDocument
from services.api.consents.models import ConsentSignature
from services.api.consents.repository import consent_repository
from services.api.consents.schemas import (
    ConsentDocumentRead,
    ConsentSign,
    ConsentSignatureRead,
    ConsentStatus,
    PatientConsents,
)
from services.api.core.context import Actor, RequestContext
from services.api.core.errors import Conflict, NotFound
from services.api.patients.service import patient_service
from services.common.clock import utcnow


class ConsentDocumentNotFound(NotFound):
    title = "Consent document not found"


class ConsentVersionOutdated(Conflict):
    title = "A newer version of this consent is in force"
    type_slug = "consent-version-outdated"


class ConsentTextMismatch(Conflict):
    title = "The text signed is not the text of this version"
    type_slug = "consent-text-mismatch"


class ConsentAlreadySigned(Conflict):
    title = "This version is already signed"
    type_slug = "consent-already-signed"


def _document_read(doc: ConsentDocument, language: str) -> ConsentDocumentRead:
    return ConsentDocumentRead(
        kind=doc.kind,
        version=doc.version,
        effective_on=doc.effective_on,
        language=language,
        title=doc.title[language],
        body=doc.body[language],
        text_sha256=doc.sha256(language),
    )


def _signature_read(s: ConsentSignature) -> ConsentSignatureRead:
    return ConsentSignatureRead(
        id=s.id,
        patient_id=s.patient_id,
        kind=s.kind,
        version=s.version,
        language=s.language,
        typed_name=s.typed_name,
        signed_at=s.signed_at,
        ip=s.ip,
        user_agent=s.user_agent,
        text_sha256=s.text_sha256,
    )


class ConsentService:
    def __init__(
        self,
        documents: Mapping[str, Sequence[ConsentDocument]] = DOCUMENTS,
        required: Sequence[str] = REQUIRED_KINDS,
    ) -> None:
        self.documents = documents
        self.required = tuple(required)

    def current(self, kind: str) -> ConsentDocument:
        return self.documents[kind][-1]

    def document(self, kind: str, language: str, version: str | None = None) -> ConsentDocumentRead:
        if version is None:
            return _document_read(self.current(kind), language)
        doc = next((d for d in self.documents.get(kind, ()) if d.version == version), None)
        if doc is None:
            raise ConsentDocumentNotFound(f"{kind} has no version {version}.")
        return _document_read(doc, language)

    def _status(self, signatures: Sequence[ConsentSignature], language: str) -> list[ConsentStatus]:
        out: list[ConsentStatus] = []
        for kind in self.required:
            doc = self.current(kind)
            mine = [s for s in signatures if s.kind == kind]
            last = max(mine, key=lambda s: s.signed_at) if mine else None
            signed_current = any(s.version == doc.version for s in mine)
            out.append(
                ConsentStatus(
                    kind=kind,
                    title=doc.title.get(language, doc.title["en"]),
                    current_version=doc.version,
                    signed_current=signed_current,
                    needs_signature=not signed_current,
                    last_signed_version=last.version if last else None,
                    last_signed_at=last.signed_at if last else None,
                )
            )
        return out

    async def consents(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID
    ) -> PatientConsents:
        patient = await patient_service.ensure_may_view_chart(session, actor, patient_id)
        signatures = await consent_repository.signatures(session, patient_id)
        audit.record(session, ctx, action="consent.read", subject_type="consent", patient_id=patient_id)
        return PatientConsents(
            status=self._status(signatures, patient.language),
            signatures=[_signature_read(s) for s in signatures],
        )

    async def sign(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, kind: str, body: ConsentSign
    ) -> ConsentSignatureRead:
        """Sign the current version, exactly as shown (version and text hash must match)."""
        patient = await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        doc = self.current(kind)
        if body.version != doc.version:
            raise ConsentVersionOutdated(f"Read and sign version {doc.version}.")
        if body.text_sha256 != doc.sha256(body.language):
            raise ConsentTextMismatch("Reload the document and sign the text shown.")
        if await consent_repository.signed(session, patient.user_id, kind, doc.version):
            raise ConsentAlreadySigned()
        row = ConsentSignature(
            patient_id=patient.user_id,
            kind=kind,
            version=doc.version,
            language=body.language,
            typed_name=body.typed_name,
            signed_at=utcnow(),
            ip=ctx.ip,
            user_agent=ctx.user_agent,
            text_sha256=doc.sha256(body.language),
        )
        try:
            async with session.begin_nested():
                await consent_repository.add(session, row)
        except IntegrityError:  # the same signature sent twice at once
            raise ConsentAlreadySigned() from None
        audit.record(
            session,
            ctx,
            action="consent.signed",
            subject_type="consent_signature",
            subject_id=row.id,
            patient_id=patient.user_id,
            detail={"kind": kind, "version": doc.version, "language": body.language},
        )
        return _signature_read(row)

    async def unsigned_required(self, session: AsyncSession, patient_id: uuid.UUID) -> list[str]:
        """Kinds whose current version the patient has not signed (treatment and visits wait on these)."""
        signatures = await consent_repository.signatures(session, patient_id)
        return [s.kind for s in self._status(signatures, "en") if s.needs_signature]


consent_service = ConsentService()

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.consents.documents import DOCUMENTS, KETAMINE_V1
from services.api.consents.models import ConsentSignature
from services.api.consents.service import ConsentService, consent_service
from services.common.clock import clock
from tests.api.patients.factories import audit_actions, count, on_care_team
from tests.factories import create_patient, create_staff, sign_in

# A published version is never edited: its text is what patients signed.
PUBLISHED = {
    ("telehealth", "2026-11-01", "en"): "846b178c6557702b863bbabf3c870168e16a78e834f967aa97364de339545140",
    ("telehealth", "2026-11-01", "es"): "f1f3be6d2ddbf27bde78aafdb46b60b081234c9ce9b37e9508f254603139580c",
    ("ketamine_treatment", "2026-11-01", "en"): "32d556dc753e2cf2a93b392a2ef5b9f76cf5ed7d795ee6a7dca9f6c418d5b80f",
    ("ketamine_treatment", "2026-11-01", "es"): "a56177d42fcb3b2578189033b194ff3491f02d3caf2e5aa3e32dfec22f695bdd",
}


def test_published_consent_texts_are_never_edited_in_place() -> None:
    found = {
        (d.kind, d.version, lang): d.sha256(lang) for docs in DOCUMENTS.values() for d in docs for lang in ("en", "es")
    }
    for key, digest in PUBLISHED.items():
        assert found[key] == digest, f"{key} changed: publish a new version instead"


async def _sign(
    client: httpx.AsyncClient, h: dict[str, str], kind: str, language: str = "en", **over: object
) -> httpx.Response:
    doc = (await client.get(f"/api/consents/documents/{kind}", params={"language": language}, headers=h)).json()
    body = {
        "version": doc["version"],
        "language": language,
        "text_sha256": doc["text_sha256"],
        "typed_name": "Pat Example",
        "agree": True,
    } | over
    return await client.post(
        f"/api/patients/me/consents/{kind}/signatures", json=body, headers=h | {"User-Agent": "TestBrowser/1.0"}
    )


async def test_signing_records_name_time_address_browser_and_the_hash_of_the_exact_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clock.freeze(datetime(2026, 11, 23, 17, tzinfo=UTC))
    pat = await create_patient(session, language="es")
    h = await sign_in(client, pat)
    status = (await client.get("/api/patients/me/consents", headers=h)).json()["status"]
    assert [(s["kind"], s["needs_signature"]) for s in status] == [("telehealth", True), ("ketamine_treatment", True)]
    assert status[0]["title"] == "Consentimiento para atención por telesalud"
    assert await consent_service.unsigned_required(session, pat.id) == ["telehealth", "ketamine_treatment"]

    doc = (await client.get("/api/consents/documents/telehealth", params={"language": "es"}, headers=h)).json()
    exact = f"{doc['title']}\n\n{doc['body']}"
    assert doc["text_sha256"] == hashlib.sha256(exact.encode()).hexdigest()

    r = await _sign(client, h, "telehealth", "es")
    assert r.status_code == 201, r.text
    sig = r.json()
    assert sig["typed_name"] == "Pat Example"
    assert sig["language"] == "es"
    assert sig["version"] == "2026-11-01"
    assert sig["signed_at"].startswith("2026-11-23T17:00")
    assert sig["ip"] == "203.0.113.7"
    assert sig["user_agent"] == "TestBrowser/1.0"
    assert sig["text_sha256"] == doc["text_sha256"]
    assert await consent_service.unsigned_required(session, pat.id) == ["ketamine_treatment"]
    assert "consent.signed" in await audit_actions(session, pat.id)

    assert (await _sign(client, h, "ketamine_treatment")).status_code == 201
    assert await consent_service.unsigned_required(session, pat.id) == []
    status = (await client.get("/api/patients/me/consents", headers=h)).json()
    assert all(not s["needs_signature"] for s in status["status"])
    assert len(status["signatures"]) == 2


async def test_a_signature_must_match_the_current_version_and_its_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    assert (await _sign(client, h, "telehealth", version="2025-01-01")).status_code == 409
    assert (await _sign(client, h, "telehealth", text_sha256="0" * 64)).status_code == 409
    # The Spanish text's hash does not sign the English one.
    es = (await client.get("/api/consents/documents/telehealth", params={"language": "es"}, headers=h)).json()
    assert (await _sign(client, h, "telehealth", "en", text_sha256=es["text_sha256"])).status_code == 409
    assert (await _sign(client, h, "telehealth", agree=False)).status_code == 422
    assert (await _sign(client, h, "telehealth", typed_name="")).status_code == 422
    assert (await _sign(client, h, "telehealth", text_sha256="not-a-hash")).status_code == 422
    r = await client.post("/api/patients/me/consents/photography/signatures", json={}, headers=h)
    assert r.status_code == 422
    assert await count(session, ConsentSignature, patient_id=pat.id) == 0

    assert (await _sign(client, h, "telehealth")).status_code == 201
    assert (await _sign(client, h, "telehealth")).status_code == 409  # once per version
    assert await count(session, ConsentSignature, patient_id=pat.id) == 1


async def test_a_new_version_asks_for_a_new_signature(client: httpx.AsyncClient, session: AsyncSession) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    for kind in ("telehealth", "ketamine_treatment"):
        assert (await _sign(client, h, kind)).status_code == 201
    assert await consent_service.unsigned_required(session, pat.id) == []

    v2 = replace(
        KETAMINE_V1,
        version="2027-02-01",
        effective_on=date(2027, 2, 1),
        body={lang: text + "\n9. (new clause)" for lang, text in KETAMINE_V1.body.items()},
    )
    published = ConsentService(documents={**DOCUMENTS, "ketamine_treatment": (KETAMINE_V1, v2)})
    assert await published.unsigned_required(session, pat.id) == ["ketamine_treatment"]
    assert published.document("ketamine_treatment", "en", "2026-11-01").text_sha256 == KETAMINE_V1.sha256("en")
    assert published.document("ketamine_treatment", "en").version == "2027-02-01"


async def test_the_care_team_reads_consents_and_nobody_else_does(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    other = await create_patient(session)
    doc = await create_staff(session, settings)
    stranger = await create_staff(session, settings)
    admin = await create_staff(session, settings, role="admin")
    await on_care_team(session, pat, doc)
    assert (await _sign(client, await sign_in(client, pat), "telehealth")).status_code == 201

    r = await client.get(f"/api/patients/{pat.id}/consents", headers=await sign_in(client, doc))
    assert r.status_code == 200
    assert [s["kind"] for s in r.json()["signatures"]] == ["telehealth"]
    assert "consent.read" in await audit_actions(session, pat.id)
    for who in (stranger, admin, other):
        r = await client.get(f"/api/patients/{pat.id}/consents", headers=await sign_in(client, who))
        assert r.status_code == 403
        assert "Pat Example" not in r.text
    other_h = await sign_in(client, other)
    assert (await client.get("/api/patients/me/consents", headers=other_h)).json()["signatures"] == []

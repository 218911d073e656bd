from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.core.context import Actor, Role
from services.api.core.errors import Forbidden, NotFound
from services.api.patients.service import patient_service
from tests.factories import create_patient, create_staff


async def test_who_may_see_a_patients_chart(session: AsyncSession, settings: Settings) -> None:
    alice = await create_patient(session)
    bob = await create_patient(session)
    doc = await create_staff(session, settings)
    other_doc = await create_staff(session, settings)
    admin = await create_staff(session, settings, role="admin")
    await patient_service.add_to_care_team(session, patient_id=alice.id, psychiatrist_id=doc.id, reason="booking")
    await patient_service.add_to_care_team(
        session, patient_id=alice.id, psychiatrist_id=doc.id, reason="booking"
    )  # idempotent

    as_alice = Actor(alice.id, Role.patient)
    as_doc = Actor(doc.id, Role.psychiatrist, mfa_verified=True)
    as_doc_no_mfa = Actor(doc.id, Role.psychiatrist, mfa_verified=False)
    as_other_doc = Actor(other_doc.id, Role.psychiatrist, mfa_verified=True)
    as_admin = Actor(admin.id, Role.admin, mfa_verified=True)

    assert await patient_service.may_view_chart(session, as_alice, alice.id)
    assert not await patient_service.may_view_chart(session, as_alice, bob.id)
    assert await patient_service.may_view_chart(session, as_doc, alice.id)
    assert not await patient_service.may_view_chart(session, as_doc_no_mfa, alice.id)
    assert not await patient_service.may_view_chart(session, as_doc, bob.id)
    assert not await patient_service.may_view_chart(session, as_other_doc, alice.id)
    assert not await patient_service.may_view_chart(session, as_admin, alice.id)  # billing, not notes

    assert (await patient_service.ensure_may_view_chart(session, as_doc, alice.id)).user_id == alice.id
    # A patient probing another id learns nothing (404, same as a random id).
    with pytest.raises(NotFound):
        await patient_service.ensure_may_view_chart(session, as_alice, bob.id)
    with pytest.raises(NotFound):
        await patient_service.ensure_may_view_chart(session, as_alice, uuid.uuid4())
    with pytest.raises(Forbidden):
        await patient_service.ensure_may_view_chart(session, as_other_doc, alice.id)

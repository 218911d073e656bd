"""Demo chart history for the embedded run: a submitted intake, signed consents and a PHQ-9
series over the past weeks, written through the same services a patient uses."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.consents.schemas import ConsentSign
from services.api.consents.service import consent_service
from services.api.core.context import Actor, RequestContext, Role
from services.api.scales import definitions
from services.api.scales.models import ScaleResult
from services.api.scales.service import score
from services.api.screening.schemas import IntakeAnswers
from services.api.screening.service import screening_service
from services.common.clock import utcnow

_INTAKE: dict[str, Any] = {
    "reasons_for_care": ["depression"],
    "psychiatric_history": {
        "diagnoses": ["Major depressive disorder, recurrent"],
        "hospitalisations": 0,
        "prior_treatments": ["psychotherapy", "antidepressants"],
        "antidepressant_trials": [
            {"medication": "sertraline", "weeks": 12, "adequate": True},
            {"medication": "venlafaxine", "weeks": 10, "adequate": True},
        ],
        "psychosis": False,
        "mania": False,
        "suicidal_thoughts_now": False,
        "suicide_attempt_history": False,
    },
    "medical_history": dict.fromkeys(
        (
            "hypertension",
            "heart_disease",
            "aneurysm_or_vascular_disease",
            "arteriovenous_malformation",
            "brain_haemorrhage",
            "seizures",
            "severe_lung_disease",
            "severe_liver_disease",
        ),
        False,
    ),
    "medications": [{"name": "bupropion XL", "dose": "300 mg", "frequency": "once a day"}],
    "no_known_allergies": True,
    "substance_use": {
        "alcohol_drinks_per_week": 1,
        "stimulant_use_current": False,
        "cannabis": "none",
        "ketamine_nonmedical_use": False,
        "substance_use_disorder": False,
    },
    "pregnancy": "not_pregnant",
    "vitals": {"weight_kg": 68, "bp_systolic": 124, "bp_diastolic": 80},
}

# PHQ-9 answers, one set a week from six weeks ago (items 1-9; item 9 stays 0).
_PHQ9_WEEKS = (
    [2, 3, 2, 2, 2, 2, 2, 2, 0],
    [2, 2, 2, 2, 2, 2, 2, 1, 0],
    [2, 2, 1, 2, 1, 1, 2, 1, 0],
    [1, 1, 1, 2, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 0, 1, 0, 0],
    [0, 1, 0, 1, 1, 0, 1, 0, 0],
)


async def seed_chart(
    session: AsyncSession, settings: Settings, patient_id: uuid.UUID, *, language: str, name: str, high_bp: bool
) -> None:
    actor = Actor(patient_id, Role.patient)
    ctx = RequestContext(request_id="seed-demo", user_agent="halcyon seed-demo", actor=actor)
    answers = dict(_INTAKE)
    if high_bp:  # leaves one flag for a psychiatrist to review in the demo
        answers["vitals"] = {"weight_kg": 81, "bp_systolic": 146, "bp_diastolic": 92}
    await screening_service.save_draft(session, ctx, actor, IntakeAnswers.model_validate(answers))
    await screening_service.submit(session, ctx, actor, settings)
    for kind in ("telehealth", "ketamine_treatment"):
        doc = consent_service.current(kind)
        body = ConsentSign(
            version=doc.version, language=language, text_sha256=doc.sha256(language), typed_name=name, agree=True
        )
        await consent_service.sign(session, ctx, actor, kind, body)
    phq9 = definitions.current("phq9")
    now = utcnow()
    for weeks_ago, values in zip(range(len(_PHQ9_WEEKS), 0, -1), _PHQ9_WEEKS, strict=True):
        given = {str(n): v for n, v in enumerate(values, start=1)}
        total, band, urgent = score(phq9, given)
        session.add(
            ScaleResult(
                patient_id=patient_id,
                scale="phq9",
                scale_version=phq9.version,
                language=language,
                answers=given,
                total=total,
                band=band,
                urgent=urgent,
                entered_by_role="patient",
                entered_by_id=patient_id,
                entered_at=now - timedelta(weeks=weeks_ago),
            )
        )
    await session.flush()

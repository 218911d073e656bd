"""Visit-note templates (data): SOAP prompts a new draft starts from, and suggested codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TemplateCode(StrEnum):
    free_consult = "free_consult"
    initial_evaluation = "initial_evaluation"
    follow_up = "follow_up"
    infusion_session = "infusion_session"


SECTIONS = ("subjective", "objective", "assessment", "plan")


@dataclass(frozen=True, slots=True)
class NoteTemplate:
    code: TemplateCode
    title: str
    description: str
    prompts: dict[str, str]
    suggested_codes: list[str] = field(default_factory=list)


TEMPLATES: dict[TemplateCode, NoteTemplate] = {
    TemplateCode.free_consult: NoteTemplate(
        TemplateCode.free_consult,
        "Free consultation",
        "A short introductory call: what brings the patient, whether ketamine therapy may fit.",
        {
            "subjective": "Reason for seeking care:\nPrior treatments:\nQuestions from the patient:\n",
            "objective": "",
            "assessment": "Possible fit for ketamine therapy:\n",
            "plan": "Next step (evaluation / referral / not a candidate):\n",
        },
    ),
    TemplateCode.initial_evaluation: NoteTemplate(
        TemplateCode.initial_evaluation,
        "Initial psychiatric evaluation",
        "Full diagnostic evaluation before a treatment series.",
        {
            "subjective": (
                "Chief complaint:\nHistory of present illness:\nPsychiatric history (diagnoses, hospitalisations):\n"
                "Antidepressant trials (drug, dose, duration, response):\nMedical history:\nCurrent medications:\n"
                "Allergies:\nSubstance use:\nFamily and social history:\n"
            ),
            "objective": "Mental status examination:\nRisk assessment:\n",
            "assessment": "Diagnoses and formulation:\nTreatment resistance:\nContraindications reviewed:\n",
            "plan": "Treatment plan:\nConsents:\nFollow-up:\n",
        },
        ["90792"],
    ),
    TemplateCode.follow_up: NoteTemplate(
        TemplateCode.follow_up,
        "Follow-up visit",
        "Progress since the last visit or series.",
        {
            "subjective": "Interval history:\nMood, sleep, function:\nSide effects:\n",
            "objective": "Mental status examination:\nRisk assessment:\n",
            "assessment": "Response to treatment:\n",
            "plan": "Changes to the plan:\nNext visit:\n",
        },
        ["99214"],
    ),
    TemplateCode.infusion_session: NoteTemplate(
        TemplateCode.infusion_session,
        "Infusion session note",
        "One IV ketamine infusion: dose, vitals, dissociation, side effects, discharge.",
        {
            "subjective": "Since the last infusion:\nPre-infusion check-in (fasting, escort):\n",
            "objective": "Dose and duration:\nVitals through the infusion:\nCADSS-6:\n",
            "assessment": "Tolerance of the infusion:\nSide effects and interventions:\n",
            "plan": "Discharge with escort:\nNext infusion:\n",
        },
    ),
}

"""Visit-note templates (data): SOAP prompts a new draft starts from, and suggested codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class TemplateCode(StrEnum):
    free_consult = "free_consult"
    initial_evaluation = "initial_evaluation"
    follow_up = "follow_up"
    infusion_session = "infusion_session"


SECTIONS = ("subjective", "objective", "assessment", "plan")


PromptLanguage = Literal["en", "es"]


@dataclass(frozen=True, slots=True)
class NoteTemplate:
    code: TemplateCode
    title: str
    description: str
    prompts: dict[str, str]
    suggested_codes: list[str] = field(default_factory=list)
    # The same prompts for a psychiatrist who writes in Spanish (every section of `prompts`).
    prompts_es: dict[str, str] = field(default_factory=dict)

    def prompts_in(self, language: str) -> dict[str, str]:
        return self.prompts_es if language == "es" else self.prompts

    def is_prompt(self, section: str, text: str) -> bool:
        """Whether `text` is still just this section's prompt, in either language."""
        return text.strip() in {self.prompts.get(section, "").strip(), self.prompts_es.get(section, "").strip()}


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
        prompts_es={
            "subjective": "Motivo de consulta:\nTratamientos previos:\nPreguntas del paciente:\n",
            "objective": "",
            "assessment": "Posible indicación de terapia con ketamina:\n",
            "plan": "Siguiente paso (evaluación / derivación / no es candidato):\n",
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
        prompts_es={
            "subjective": (
                "Motivo de consulta principal:\nEnfermedad actual:\n"
                "Antecedentes psiquiátricos (diagnósticos, hospitalizaciones):\n"
                "Ensayos con antidepresivos (fármaco, dosis, duración, respuesta):\nAntecedentes médicos:\n"
                "Medicación actual:\nAlergias:\nConsumo de sustancias:\nAntecedentes familiares y sociales:\n"
            ),
            "objective": "Examen del estado mental:\nValoración del riesgo:\n",
            "assessment": "Diagnósticos y formulación:\nResistencia al tratamiento:\nContraindicaciones revisadas:\n",
            "plan": "Plan de tratamiento:\nConsentimientos:\nSeguimiento:\n",
        },
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
        prompts_es={
            "subjective": "Evolución desde la última consulta:\nÁnimo, sueño, funcionamiento:\nEfectos secundarios:\n",
            "objective": "Examen del estado mental:\nValoración del riesgo:\n",
            "assessment": "Respuesta al tratamiento:\n",
            "plan": "Cambios en el plan:\nPróxima consulta:\n",
        },
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
        prompts_es={
            "subjective": "Desde la última infusión:\nComprobación previa a la infusión (ayuno, acompañante):\n",
            "objective": "Dosis y duración:\nSignos vitales durante la infusión:\nCADSS-6:\n",
            "assessment": "Tolerancia a la infusión:\nEfectos secundarios e intervenciones:\n",
            "plan": "Alta con acompañante:\nPróxima infusión:\n",
        },
    ),
}

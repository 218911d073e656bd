"""Consent documents as versioned data, in English and Spanish.

A published version is never edited: a change is a new version appended to its kind's list,
and every patient is asked to sign it before their next visit. A signature records the
SHA-256 of the exact text signed (title, blank line, body), so what was agreed to can be shown
later (tests/api/consents/test_documents.py pins the hash of every published version).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

ConsentKind = Literal["telehealth", "ketamine_treatment"]
REQUIRED_KINDS: tuple[ConsentKind, ...] = ("telehealth", "ketamine_treatment")


@dataclass(frozen=True)
class ConsentDocument:
    kind: ConsentKind
    version: str
    effective_on: date
    title: dict[str, str]
    body: dict[str, str]

    def text(self, language: str) -> str:
        """The exact text a patient reads and signs."""
        return f"{self.title[language]}\n\n{self.body[language]}"

    def sha256(self, language: str) -> str:
        return hashlib.sha256(self.text(language).encode("utf-8")).hexdigest()


TELEHEALTH_V1 = ConsentDocument(
    kind="telehealth",
    version="2026-11-01",
    effective_on=date(2026, 11, 1),
    title={
        "en": "Consent to telehealth care",
        "es": "Consentimiento para atención por telesalud",
    },
    body={
        "en": (
            "1. My visits take place by secure video between me and a psychiatrist of the practice. If video fails, "
            "the visit may continue by telephone, and the record will say so.\n"
            "2. Telehealth has limits: the psychiatrist cannot examine me in person, and a visit can be interrupted "
            "by technical problems. The psychiatrist may decide that I need an in-person evaluation.\n"
            "3. At the start of each visit I will say where I am physically located. My psychiatrist must be licensed "
            "in that state, and will use that location to send help in an emergency.\n"
            "4. I will join from a private place. I will not record a visit without the psychiatrist's agreement.\n"
            "5. My information is protected as health information: sent encrypted, seen only by the people caring "
            "for me, and every access is recorded.\n"
            "6. Telehealth is not an emergency service. If I am in crisis I will call or text 988, or call 911.\n"
            "7. I may withdraw this consent at any time; withdrawing does not affect care already given."
        ),
        "es": (
            "1. Mis consultas se realizan por video seguro entre un psiquiatra de la práctica y yo. Si el video falla, "
            "la consulta puede continuar por teléfono y así constará en el expediente.\n"
            "2. La telesalud tiene límites: el psiquiatra no puede examinarme en persona y una consulta puede "
            "interrumpirse por problemas técnicos. El psiquiatra puede decidir que necesito una evaluación en persona.\n"
            "3. Al inicio de cada consulta diré dónde me encuentro físicamente. Mi psiquiatra debe tener licencia en "
            "ese estado y usará esa ubicación para enviar ayuda en caso de emergencia.\n"
            "4. Me conectaré desde un lugar privado. No grabaré una consulta sin el acuerdo del psiquiatra.\n"
            "5. Mi información está protegida como información de salud: se envía cifrada, solo la ven las personas "
            "que me atienden y cada acceso queda registrado.\n"
            "6. La telesalud no es un servicio de emergencias. Si estoy en crisis llamaré o enviaré un mensaje de "
            "texto al 988, o llamaré al 911.\n"
            "7. Puedo retirar este consentimiento en cualquier momento; retirarlo no afecta la atención ya recibida."
        ),
    },
)

KETAMINE_V1 = ConsentDocument(
    kind="ketamine_treatment",
    version="2026-11-01",
    effective_on=date(2026, 11, 1),
    title={
        "en": "Consent to ketamine treatment",
        "es": "Consentimiento para el tratamiento con ketamina",
    },
    body={
        "en": (
            "1. Ketamine is an anaesthetic medicine. Its use for depression, PTSD, OCD, anxiety and chronic pain, "
            "given by intravenous infusion, is off-label: the FDA has not approved it for these conditions.\n"
            "2. A typical course is a series of about six infusions over two to three weeks (often 0.5 mg/kg over "
            "40 minutes), then booster infusions as needed. My psychiatrist will explain my plan.\n"
            "3. During and shortly after an infusion I may feel dissociation (feeling detached or dream-like), "
            "nausea, dizziness, headache, blurred vision, or a rise in blood pressure and heart rate. Rarely, "
            "breathing can slow. My blood pressure, heart rate and oxygen level will be checked during each session.\n"
            "4. Ketamine can be misused. Bladder problems and memory effects have been reported with frequent, "
            "non-medical use.\n"
            "5. I have told the practice about my medical and psychiatric history, my medicines, my substance use, "
            "and whether I am pregnant or breastfeeding, and I will tell them of any change.\n"
            "6. Before each infusion I will follow the fasting and medication instructions. Someone will take me "
            "home afterwards; I will not drive, operate machinery or make important decisions until the next day.\n"
            "7. Treatment may not help me. Other treatments exist, and my psychiatrist has discussed them with me.\n"
            "8. I may stop treatment at any time."
        ),
        "es": (
            "1. La ketamina es un medicamento anestésico. Su uso para la depresión, el TEPT, el TOC, la ansiedad y el "
            "dolor crónico, por infusión intravenosa, es fuera de indicación: la FDA no lo ha aprobado para estas "
            "condiciones.\n"
            "2. Un tratamiento típico es una serie de unas seis infusiones en dos o tres semanas (a menudo 0.5 mg/kg "
            "en 40 minutos) y luego infusiones de refuerzo según sea necesario. Mi psiquiatra me explicará mi plan.\n"
            "3. Durante la infusión y poco después puedo sentir disociación (sentirme desconectado(a) o como en un "
            "sueño), náuseas, mareo, dolor de cabeza, visión borrosa o un aumento de la presión arterial y del ritmo "
            "cardíaco. En raras ocasiones la respiración puede hacerse más lenta. Se revisarán mi presión arterial, "
            "mi ritmo cardíaco y mi nivel de oxígeno durante cada sesión.\n"
            "4. La ketamina puede usarse de forma indebida. Se han descrito problemas de vejiga y de memoria con el "
            "uso frecuente no médico.\n"
            "5. He informado a la práctica sobre mis antecedentes médicos y psiquiátricos, mis medicamentos, mi "
            "consumo de sustancias y si estoy embarazada o amamantando, y les informaré de cualquier cambio.\n"
            "6. Antes de cada infusión seguiré las instrucciones de ayuno y de medicamentos. Alguien me llevará a "
            "casa después; no manejaré, no usaré maquinaria ni tomaré decisiones importantes hasta el día siguiente.\n"
            "7. Es posible que el tratamiento no me ayude. Existen otros tratamientos y mi psiquiatra los ha "
            "hablado conmigo.\n"
            "8. Puedo dejar el tratamiento en cualquier momento."
        ),
    },
)

# Every published version of each kind, oldest first; the last is the one to sign now.
DOCUMENTS: dict[str, tuple[ConsentDocument, ...]] = {
    "telehealth": (TELEHEALTH_V1,),
    "ketamine_treatment": (KETAMINE_V1,),
}

"""Rating scales as versioned data: items and answer labels in English and Spanish, and bands.

A published version is never changed in place: a wording or scoring change is a new version,
appended to its scale's list, and results keep the version they were answered on
(tests/api/scales/test_definitions.py pins a fingerprint of every published version).

PHQ-9, GAD-7 and PCL-5 are in the public domain. The CADSS-6 and pain NRS wording here is the
practice's own rendering of the items; check it against your licensed instruments.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

ScaleCode = Literal["phq9", "gad7", "pcl5", "cadss6", "pain_nrs"]
Text = dict[str, str]  # language -> text; every text has "en" and "es"


@dataclass(frozen=True)
class Item:
    number: int
    text: Text


@dataclass(frozen=True)
class Choice:
    value: int
    label: Text


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    code: str
    label: Text


@dataclass(frozen=True)
class ScaleDefinition:
    code: ScaleCode
    version: str
    name: Text
    instructions: Text
    loinc: str | None
    items: tuple[Item, ...]
    choices: tuple[Choice, ...]
    bands: tuple[Band, ...]
    # Items whose answer above 0 is urgent whatever the total (PHQ-9 item 9).
    urgent_items: tuple[int, ...] = ()
    # The setting holding the program-entry threshold for this scale, if any.
    entry_setting: str | None = None

    @property
    def min_value(self) -> int:
        return min(c.value for c in self.choices)

    @property
    def max_value(self) -> int:
        return max(c.value for c in self.choices)

    @property
    def max_total(self) -> int:
        return self.max_value * len(self.items)

    def band_for(self, total: int) -> Band | None:
        return next((b for b in self.bands if b.low <= total <= b.high), None)

    def fingerprint(self) -> str:
        """SHA-256 of everything a patient sees and every scoring rule of this version."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _t(en: str, es: str) -> Text:
    return {"en": en, "es": es}


_FREQUENCY = (
    Choice(0, _t("Not at all", "Ningún día")),
    Choice(1, _t("Several days", "Varios días")),
    Choice(2, _t("More than half the days", "Más de la mitad de los días")),
    Choice(3, _t("Nearly every day", "Casi todos los días")),
)
_TWO_WEEKS = _t(
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    "Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes problemas?",
)

PHQ9_V1 = ScaleDefinition(
    code="phq9",
    version="1",
    name=_t("PHQ-9 (depression)", "PHQ-9 (depresión)"),
    instructions=_TWO_WEEKS,
    loinc="44249-1",
    items=(
        Item(1, _t("Little interest or pleasure in doing things", "Poco interés o placer en hacer cosas")),
        Item(2, _t("Feeling down, depressed, or hopeless", "Se ha sentido decaído(a), deprimido(a) o sin esperanzas")),
        Item(
            3,
            _t(
                "Trouble falling or staying asleep, or sleeping too much",
                "Dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
            ),
        ),
        Item(4, _t("Feeling tired or having little energy", "Se ha sentido cansado(a) o con poca energía")),
        Item(5, _t("Poor appetite or overeating", "Sin apetito o ha comido en exceso")),
        Item(
            6,
            _t(
                "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
                "Se ha sentido mal con usted mismo(a) — o que es un fracaso o que ha quedado mal con usted mismo(a) "
                "o con su familia",
            ),
        ),
        Item(
            7,
            _t(
                "Trouble concentrating on things, such as reading the newspaper or watching television",
                "Dificultad para concentrarse en cosas, como leer el periódico o ver la televisión",
            ),
        ),
        Item(
            8,
            _t(
                "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
                "fidgety or restless that you have been moving around a lot more than usual",
                "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? O lo contrario — muy "
                "inquieto(a) o agitado(a), moviéndose mucho más de lo normal",
            ),
        ),
        Item(
            9,
            _t(
                "Thoughts that you would be better off dead or of hurting yourself in some way",
                "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
            ),
        ),
    ),
    choices=_FREQUENCY,
    bands=(
        Band(0, 4, "minimal", _t("Minimal", "Mínima")),
        Band(5, 9, "mild", _t("Mild", "Leve")),
        Band(10, 14, "moderate", _t("Moderate", "Moderada")),
        Band(15, 19, "moderately_severe", _t("Moderately severe", "Moderadamente grave")),
        Band(20, 27, "severe", _t("Severe", "Grave")),
    ),
    urgent_items=(9,),
    entry_setting="program_entry_phq9_min",
)

GAD7_V1 = ScaleDefinition(
    code="gad7",
    version="1",
    name=_t("GAD-7 (anxiety)", "GAD-7 (ansiedad)"),
    instructions=_TWO_WEEKS,
    loinc="69737-5",
    items=(
        Item(
            1,
            _t(
                "Feeling nervous, anxious, or on edge",
                "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
            ),
        ),
        Item(
            2,
            _t(
                "Not being able to stop or control worrying",
                "No ha podido dejar de preocuparse o controlar la preocupación",
            ),
        ),
        Item(3, _t("Worrying too much about different things", "Se ha preocupado demasiado por diferentes cosas")),
        Item(4, _t("Trouble relaxing", "Dificultad para relajarse")),
        Item(
            5, _t("Being so restless that it is hard to sit still", "Tan inquieto(a) que le cuesta quedarse quieto(a)")
        ),
        Item(6, _t("Becoming easily annoyed or irritable", "Se ha molestado o irritado fácilmente")),
        Item(
            7,
            _t(
                "Feeling afraid, as if something awful might happen",
                "Ha sentido miedo, como si algo terrible fuera a pasar",
            ),
        ),
    ),
    choices=_FREQUENCY,
    bands=(
        Band(0, 4, "minimal", _t("Minimal", "Mínima")),
        Band(5, 9, "mild", _t("Mild", "Leve")),
        Band(10, 14, "moderate", _t("Moderate", "Moderada")),
        Band(15, 21, "severe", _t("Severe", "Grave")),
    ),
    entry_setting="program_entry_gad7_min",
)

_PCL5_ITEMS = (
    (
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "¿Recuerdos repetidos, perturbadores y no deseados de la experiencia estresante?",
    ),
    (
        "Repeated, disturbing dreams of the stressful experience?",
        "¿Sueños repetidos y perturbadores sobre la experiencia estresante?",
    ),
    (
        "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were "
        "actually back there reliving it)?",
        "¿De repente sentir o actuar como si la experiencia estresante estuviera ocurriendo de nuevo (como si "
        "estuviera allí reviviéndola)?",
    ),
    (
        "Feeling very upset when something reminded you of the stressful experience?",
        "¿Sentirse muy alterado(a) cuando algo le recordaba la experiencia estresante?",
    ),
    (
        "Having strong physical reactions when something reminded you of the stressful experience (for example, heart "
        "pounding, trouble breathing, sweating)?",
        "¿Tener reacciones físicas fuertes cuando algo le recordaba la experiencia estresante (por ejemplo, corazón "
        "acelerado, dificultad para respirar, sudor)?",
    ),
    (
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "¿Evitar recuerdos, pensamientos o sentimientos relacionados con la experiencia estresante?",
    ),
    (
        "Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
        "activities, objects, or situations)?",
        "¿Evitar cosas externas que le recuerden la experiencia estresante (por ejemplo, personas, lugares, "
        "conversaciones, actividades, objetos o situaciones)?",
    ),
    (
        "Trouble remembering important parts of the stressful experience?",
        "¿Dificultad para recordar partes importantes de la experiencia estresante?",
    ),
    (
        "Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts such "
        "as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is completely "
        "dangerous)?",
        "¿Tener creencias negativas fuertes sobre usted, otras personas o el mundo (por ejemplo, pensar: soy malo(a), "
        "hay algo muy mal en mí, no se puede confiar en nadie, el mundo es completamente peligroso)?",
    ),
    (
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "¿Culparse a usted mismo(a) o a otra persona por la experiencia estresante o por lo que pasó después?",
    ),
    (
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "¿Tener sentimientos negativos fuertes como miedo, horror, enojo, culpa o vergüenza?",
    ),
    (
        "Loss of interest in activities that you used to enjoy?",
        "¿Pérdida de interés en actividades que antes disfrutaba?",
    ),
    ("Feeling distant or cut off from other people?", "¿Sentirse distante o aislado(a) de otras personas?"),
    (
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings "
        "for people close to you)?",
        "¿Dificultad para sentir emociones positivas (por ejemplo, no poder sentir felicidad o cariño por las personas "
        "cercanas)?",
    ),
    (
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "¿Comportamiento irritable, arrebatos de enojo o actuar de forma agresiva?",
    ),
    (
        "Taking too many risks or doing things that could cause you harm?",
        "¿Correr demasiados riesgos o hacer cosas que podrían hacerle daño?",
    ),
    ("Being “superalert” or watchful or on guard?", "¿Estar “superalerta”, vigilante o en guardia?"),
    ("Feeling jumpy or easily startled?", "¿Sentirse nervioso(a) o asustarse con facilidad?"),
    ("Having difficulty concentrating?", "¿Tener dificultad para concentrarse?"),
    ("Trouble falling or staying asleep?", "¿Dificultad para quedarse o permanecer dormido(a)?"),
)

_INTENSITY = (
    Choice(0, _t("Not at all", "Nada")),
    Choice(1, _t("A little bit", "Un poco")),
    Choice(2, _t("Moderately", "Moderadamente")),
    Choice(3, _t("Quite a bit", "Bastante")),
    Choice(4, _t("Extremely", "Extremadamente")),
)

PCL5_V1 = ScaleDefinition(
    code="pcl5",
    version="1",
    name=_t("PCL-5 (PTSD)", "PCL-5 (TEPT)"),
    instructions=_t(
        "In the past month, how much were you bothered by:",
        "En el último mes, ¿cuánto le ha molestado lo siguiente?",
    ),
    loinc=None,
    items=tuple(Item(n, _t(en, es)) for n, (en, es) in enumerate(_PCL5_ITEMS, start=1)),
    choices=_INTENSITY,
    bands=(
        Band(
            0, 32, "below_threshold", _t("Below the probable-PTSD threshold", "Por debajo del umbral de TEPT probable")
        ),
        Band(33, 80, "probable_ptsd", _t("Probable PTSD", "TEPT probable")),
    ),
    entry_setting="program_entry_pcl5_min",
)

CADSS6_V1 = ScaleDefinition(
    code="cadss6",
    version="1",
    name=_t("CADSS-6 (dissociation during the session)", "CADSS-6 (disociación durante la sesión)"),
    instructions=_t(
        "During the infusion, how much did you experience the following?",
        "Durante la infusión, ¿cuánto experimentó lo siguiente?",
    ),
    loinc=None,
    items=(
        Item(
            1,
            _t("Did things seem to be moving in slow motion?", "¿Le parecía que las cosas se movían en cámara lenta?"),
        ),
        Item(
            2,
            _t(
                "Did things seem unreal to you, as if you were in a dream?",
                "¿Le parecían irreales las cosas, como si estuviera en un sueño?",
            ),
        ),
        Item(
            3,
            _t(
                "Did you feel separated from what was happening, as if you were watching a movie or a play?",
                "¿Se sintió separado(a) de lo que pasaba, como si estuviera viendo una película o una obra de teatro?",
            ),
        ),
        Item(
            4,
            _t(
                "Did you feel as if you were looking at things from outside your body?",
                "¿Sintió como si estuviera mirando las cosas desde fuera de su cuerpo?",
            ),
        ),
        Item(
            5,
            _t(
                "Did your body, or parts of it, seem changed in size or shape?",
                "¿Le pareció que su cuerpo, o partes de él, cambiaban de tamaño o de forma?",
            ),
        ),
        Item(
            6,
            _t(
                "Were there gaps in your memory of what happened?",
                "¿Hubo vacíos en su memoria sobre lo que pasó?",
            ),
        ),
    ),
    choices=_INTENSITY,
    bands=(),  # recorded per infusion, no cut-off
)

PAIN_NRS_V1 = ScaleDefinition(
    code="pain_nrs",
    version="1",
    name=_t("Pain rating (0–10)", "Escala de dolor (0–10)"),
    instructions=_t(
        "On average over the past 24 hours, how bad was your pain?",
        "En promedio, en las últimas 24 horas, ¿qué tan fuerte fue su dolor?",
    ),
    loinc=None,
    items=(Item(1, _t("Pain on a scale from 0 to 10", "Dolor en una escala de 0 a 10")),),
    choices=(
        Choice(0, _t("0 — No pain", "0 — Sin dolor")),
        *(Choice(n, _t(str(n), str(n))) for n in range(1, 10)),
        Choice(10, _t("10 — Worst pain imaginable", "10 — El peor dolor imaginable")),
    ),
    bands=(
        Band(0, 0, "none", _t("No pain", "Sin dolor")),
        Band(1, 3, "mild", _t("Mild", "Leve")),
        Band(4, 6, "moderate", _t("Moderate", "Moderado")),
        Band(7, 10, "severe", _t("Severe", "Intenso")),
    ),
)

# Every published version, oldest first; the last of each list is the one given out now.
SCALES: dict[str, tuple[ScaleDefinition, ...]] = {
    "phq9": (PHQ9_V1,),
    "gad7": (GAD7_V1,),
    "pcl5": (PCL5_V1,),
    "cadss6": (CADSS6_V1,),
    "pain_nrs": (PAIN_NRS_V1,),
}


def current(code: str) -> ScaleDefinition:
    return SCALES[code][-1]


def version(code: str, ver: str) -> ScaleDefinition | None:
    return next((d for d in SCALES.get(code, ()) if d.version == ver), None)

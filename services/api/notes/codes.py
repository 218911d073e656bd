"""Billing and diagnosis codes a note may carry (clinical.md), as data."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and up to
# four more characters (the 7th may be a placeholder X).
ICD10_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")

COMMON_ICD10 = {
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent, severe without psychotic features",
    "F41.1": "Generalized anxiety disorder",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F42.2": "Mixed obsessional thoughts and acts",
    "M79.7": "Fibromyalgia",
    "G90.50": "Complex regional pain syndrome I, unspecified",
}


def normalise_icd10(code: str) -> str:
    """Upper-case, with the dot after the category (F332 -> F33.2); raises ValueError if malformed."""
    raw = code.strip().upper()
    if "." not in raw and len(raw) > 3:
        raw = f"{raw[:3]}.{raw[3:]}"
    if not ICD10_PATTERN.match(raw):
        raise ValueError(f"'{code}' is not an ICD-10 code (e.g. F33.2).")
    return raw


@dataclass(frozen=True, slots=True)
class Cpt:
    code: str
    description: str
    kind: str  # evaluation | em | psychotherapy_addon | interactive_addon


_EM_NEW = {
    "99202": "New patient visit, straightforward",
    "99203": "New patient visit, low complexity",
    "99204": "New patient visit, moderate complexity",
    "99205": "New patient visit, high complexity",
}
_EM_ESTABLISHED = {
    "99212": "Established patient visit, straightforward",
    "99213": "Established patient visit, low complexity",
    "99214": "Established patient visit, moderate complexity",
    "99215": "Established patient visit, high complexity",
}

CPT: dict[str, Cpt] = {
    "90791": Cpt("90791", "Psychiatric diagnostic evaluation, no medical services", "evaluation"),
    "90792": Cpt("90792", "Psychiatric diagnostic evaluation with medical services", "evaluation"),
    **{code: Cpt(code, text, "em") for code, text in (_EM_NEW | _EM_ESTABLISHED).items()},
    "90833": Cpt("90833", "Psychotherapy add-on with E/M, 16+ minutes", "psychotherapy_addon"),
    "90836": Cpt("90836", "Psychotherapy add-on with E/M, 38+ minutes", "psychotherapy_addon"),
    "90838": Cpt("90838", "Psychotherapy add-on with E/M, 53+ minutes", "psychotherapy_addon"),
    "90785": Cpt("90785", "Interactive complexity add-on", "interactive_addon"),
}

# Modifiers follow from how the visit happened: 95 for video (clinical.md); 93 marks audio-only.
MODALITY_MODIFIERS = {"video": ["95"], "audio_only": ["93"], "in_person": []}
# Place of service: 10 = patient at home, 02 = telehealth elsewhere, 11 = office (in person).
TELEHEALTH_PLACES = frozenset({"02", "10"})
IN_PERSON_PLACES = frozenset({"11"})


def billing_problems(codes: list[str], modality: str, place_of_service: str) -> list[tuple[str, str]]:
    """(field, message) pairs for a code set that cannot go on one superbill."""
    problems: list[tuple[str, str]] = []
    kinds = [CPT[c].kind for c in codes if c in CPT]
    primaries = [c for c in codes if CPT[c].kind in ("evaluation", "em")]
    if len(primaries) > 1:
        problems.append(("billing_codes", f"Bill one evaluation or E/M code per visit, not {', '.join(primaries)}."))
    if "psychotherapy_addon" in kinds and "em" not in kinds:
        problems.append(
            ("billing_codes", "A psychotherapy add-on (90833/90836/90838) needs an E/M code (99202–99215).")
        )
    if kinds.count("psychotherapy_addon") > 1:
        problems.append(("billing_codes", "Bill one psychotherapy add-on per visit."))
    if "interactive_addon" in kinds and not ({"evaluation", "psychotherapy_addon"} & set(kinds)):
        problems.append(
            ("billing_codes", "Interactive complexity (90785) goes with 90791/90792 or a psychotherapy add-on.")
        )
    if len(set(codes)) != len(codes):
        problems.append(("billing_codes", "A code is listed twice."))
    telehealth = modality in ("video", "audio_only")
    if telehealth and place_of_service not in TELEHEALTH_PLACES:
        problems.append(("place_of_service", "A telehealth visit uses place of service 10 (home) or 02 (elsewhere)."))
    if not telehealth and place_of_service not in IN_PERSON_PLACES:
        problems.append(("place_of_service", "An in-person visit uses place of service 11 (office)."))
    return problems

"""The contraindication rule set: data that every rule can be read from, evaluated without a database."""

from __future__ import annotations

from typing import Any

import pytest

from services.api.config import Settings
from services.api.screening.rules import OPERATORS, PATIENT_FACTS, RULE_SET, evaluate, fields_of, settings_of
from services.api.screening.schemas import IntakeAnswers
from tests.api.patients.factories import intake


def _fired(answers: dict[str, Any], *, age: int = 40, settings: Settings | None = None) -> dict[str, dict[str, Any]]:
    s = settings or Settings()
    facts = {**answers, "patient": {"age_years": age}}
    return {m.rule["id"]: m.evidence for m in evaluate(RULE_SET, facts, lambda n: getattr(s, n))}


def _schema_paths(model: type[Any], prefix: str = "") -> set[str]:
    from pydantic import BaseModel

    paths: set[str] = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        for arg in getattr(field.annotation, "__args__", (field.annotation,)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                paths |= _schema_paths(arg, f"{path}.")
    return paths


def test_the_rule_set_is_well_formed_data() -> None:
    rules = RULE_SET["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "rule ids are unique"
    known_fields = _schema_paths(IntakeAnswers) | PATIENT_FACTS
    for rule in rules:
        assert set(rule) <= {"id", "version", "severity", "message", "when", "opens_safety_task"}
        assert isinstance(rule["version"], int)
        assert rule["version"] >= 1
        assert rule["severity"] in {"urgent", "high", "moderate"}
        assert rule["message"]
        for path in fields_of(rule["when"]):
            assert path in known_fields, f"{rule['id']} reads {path}, which the intake form does not have"
        for name in settings_of(rule["when"]):
            assert name in Settings.model_fields, f"{rule['id']} names an unknown setting {name}"

    def ops(cond: dict[str, Any]) -> list[str]:
        if "all" in cond or "any" in cond:
            return [o for c in cond.get("all") or cond.get("any") or [] for o in ops(c)]
        if "not" in cond:
            return ops(cond["not"])
        return [cond["op"]]

    assert {o for r in rules for o in ops(r["when"])} <= OPERATORS


def test_a_clean_intake_raises_no_flag() -> None:
    assert _fired(intake()) == {}


@pytest.mark.parametrize(
    ("rule_id", "changes"),
    [
        ("active_suicidal_ideation", {"psychiatric_history.suicidal_thoughts_now": True}),
        ("uncontrolled_hypertension", {"vitals": {"bp_systolic": 152, "bp_diastolic": 88}}),
        ("uncontrolled_hypertension", {"vitals": {"bp_systolic": 130, "bp_diastolic": 95}}),
        ("hypertension_without_reading", {"medical_history.hypertension": True, "vitals": {"weight_kg": 80}}),
        ("cardiac_disease", {"medical_history.heart_disease": True}),
        ("vascular_disease", {"medical_history.aneurysm_or_vascular_disease": True}),
        ("vascular_disease", {"medical_history.arteriovenous_malformation": True}),
        ("vascular_disease", {"medical_history.brain_haemorrhage": True}),
        ("psychosis", {"psychiatric_history.psychosis": True}),
        ("mania", {"psychiatric_history.mania": True}),
        ("substance_use_disorder", {"substance_use.substance_use_disorder": True}),
        ("substance_use_disorder", {"substance_use.ketamine_nonmedical_use": True}),
        ("current_stimulant_use", {"substance_use.stimulant_use_current": True}),
        ("seizures", {"medical_history.seizures": True}),
        ("severe_lung_or_liver_disease", {"medical_history.severe_lung_disease": True}),
        ("severe_lung_or_liver_disease", {"medical_history.severe_liver_disease": True}),
        ("pregnancy_or_breastfeeding", {"pregnancy": "pregnant"}),
        ("pregnancy_or_breastfeeding", {"pregnancy": "breastfeeding"}),
    ],
)
def test_each_contraindication_raises_its_flag_and_only_it(rule_id: str, changes: dict[str, Any]) -> None:
    fired = _fired(intake(**changes))
    assert set(fired) == {rule_id}
    assert fired[rule_id], "the flag says which answers matched"


def test_hypertension_is_above_the_setting_not_at_it_and_follows_the_setting() -> None:
    at_threshold = intake(vitals={"bp_systolic": 140, "bp_diastolic": 90})
    assert "uncontrolled_hypertension" not in _fired(at_threshold)
    above = intake(vitals={"bp_systolic": 141, "bp_diastolic": 80})
    assert _fired(above)["uncontrolled_hypertension"] == {"vitals.bp_systolic": 141}
    lenient = Settings(hypertension_systolic_mmhg=150, hypertension_diastolic_mmhg=95)
    assert "uncontrolled_hypertension" not in _fired(above, settings=lenient)
    both = _fired(intake(vitals={"bp_systolic": 170, "bp_diastolic": 105}))
    assert both["uncontrolled_hypertension"] == {"vitals.bp_systolic": 170, "vitals.bp_diastolic": 105}


def test_age_below_the_minimum_setting_is_flagged() -> None:
    assert "under_minimum_age" in _fired(intake(), age=17)
    assert "under_minimum_age" not in _fired(intake(), age=18)
    assert "under_minimum_age" in _fired(intake(), age=20, settings=Settings(screening_min_age_years=21))


def test_unanswered_questions_never_match_a_comparison() -> None:
    assert _fired({}) == {}
    # ...except the one rule that looks for a missing reading on purpose.
    assert set(_fired({"medical_history": {"hypertension": True}})) == {"hypertension_without_reading"}

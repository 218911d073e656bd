"""Contraindication screening rules, as data.

A rule set has a version; each rule has an id, its own version, a severity, a message for the
psychiatrist and a condition over the intake answers (dotted paths) and a few facts about the
patient (`patient.age_years`). Conditions are JSON-shaped:

    {"all": [cond, ...]}   {"any": [cond, ...]}   {"not": cond}
    {"field": "vitals.bp_systolic", "op": "gt", "value": 140}
    {"field": "vitals.bp_systolic", "op": "gt", "value": {"setting": "hypertension_systolic_mmhg"}}

Operators: eq, ne, gt, gte, lt, lte, in, is_true, present, absent. A missing answer never
matches a comparison. A value may name a setting, so the practice's thresholds stay settings.
Changing a rule means publishing a new rule-set version: flags record the version they came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

RuleData = dict[str, Any]

RULE_SET: dict[str, Any] = {
    "version": "2026.11.1",
    "rules": [
        {
            "id": "active_suicidal_ideation",
            "version": 1,
            "severity": "urgent",
            "message": "Reports thoughts of suicide now or in the past month: urgent review (not an automatic exclusion).",
            "when": {"field": "psychiatric_history.suicidal_thoughts_now", "op": "is_true"},
            "opens_safety_task": True,
        },
        {
            "id": "uncontrolled_hypertension",
            "version": 1,
            "severity": "high",
            "message": "Reported resting blood pressure above the practice's hypertension threshold.",
            "when": {
                "any": [
                    {"field": "vitals.bp_systolic", "op": "gt", "value": {"setting": "hypertension_systolic_mmhg"}},
                    {"field": "vitals.bp_diastolic", "op": "gt", "value": {"setting": "hypertension_diastolic_mmhg"}},
                ]
            },
        },
        {
            "id": "hypertension_without_reading",
            "version": 1,
            "severity": "moderate",
            "message": "History of hypertension and no recent blood pressure reading: measure before treatment.",
            "when": {
                "all": [
                    {"field": "medical_history.hypertension", "op": "is_true"},
                    {"field": "vitals.bp_systolic", "op": "absent"},
                ]
            },
        },
        {
            "id": "cardiac_disease",
            "version": 1,
            "severity": "high",
            "message": "History of heart disease.",
            "when": {"field": "medical_history.heart_disease", "op": "is_true"},
        },
        {
            "id": "vascular_disease",
            "version": 1,
            "severity": "high",
            "message": "Aneurysmal vascular disease, arteriovenous malformation or brain haemorrhage.",
            "when": {
                "any": [
                    {"field": "medical_history.aneurysm_or_vascular_disease", "op": "is_true"},
                    {"field": "medical_history.arteriovenous_malformation", "op": "is_true"},
                    {"field": "medical_history.brain_haemorrhage", "op": "is_true"},
                ]
            },
        },
        {
            "id": "psychosis",
            "version": 1,
            "severity": "high",
            "message": "Active or past psychosis.",
            "when": {"field": "psychiatric_history.psychosis", "op": "is_true"},
        },
        {
            "id": "mania",
            "version": 1,
            "severity": "high",
            "message": "History of mania or hypomania.",
            "when": {"field": "psychiatric_history.mania", "op": "is_true"},
        },
        {
            "id": "substance_use_disorder",
            "version": 1,
            "severity": "high",
            "message": "Substance use disorder, or ketamine used outside medical care.",
            "when": {
                "any": [
                    {"field": "substance_use.substance_use_disorder", "op": "is_true"},
                    {"field": "substance_use.ketamine_nonmedical_use", "op": "is_true"},
                ]
            },
        },
        {
            "id": "current_stimulant_use",
            "version": 1,
            "severity": "moderate",
            "message": "Current stimulant use (not as prescribed).",
            "when": {"field": "substance_use.stimulant_use_current", "op": "is_true"},
        },
        {
            "id": "seizures",
            "version": 1,
            "severity": "high",
            "message": "History of seizures.",
            "when": {"field": "medical_history.seizures", "op": "is_true"},
        },
        {
            "id": "severe_lung_or_liver_disease",
            "version": 1,
            "severity": "high",
            "message": "Severe lung or liver disease.",
            "when": {
                "any": [
                    {"field": "medical_history.severe_lung_disease", "op": "is_true"},
                    {"field": "medical_history.severe_liver_disease", "op": "is_true"},
                ]
            },
        },
        {
            "id": "pregnancy_or_breastfeeding",
            "version": 1,
            "severity": "high",
            "message": "Pregnant or breastfeeding.",
            "when": {"field": "pregnancy", "op": "in", "value": ["pregnant", "breastfeeding"]},
        },
        {
            "id": "under_minimum_age",
            "version": 1,
            "severity": "high",
            "message": "Younger than the practice's minimum age for treatment.",
            "when": {"field": "patient.age_years", "op": "lt", "value": {"setting": "screening_min_age_years"}},
        },
    ],
}

# Facts the evaluator is given besides the answers.
PATIENT_FACTS = frozenset({"patient.age_years"})

MISSING = object()
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
}
OPERATORS = frozenset({*_COMPARE, "is_true", "present", "absent"})


class RuleError(ValueError):
    """A rule set that cannot be evaluated (caught by the rule-set test, never at run time)."""


def lookup(facts: Mapping[str, Any], path: str) -> Any:
    node: Any = facts
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node or node[part] is None:
            return MISSING
        node = node[part]
    return node


@dataclass(slots=True)
class Match:
    rule: RuleData
    evidence: dict[str, Any] = field(default_factory=dict)


def _value(raw: Any, setting: Callable[[str], Any]) -> Any:
    if isinstance(raw, Mapping) and set(raw) == {"setting"}:
        return setting(str(raw["setting"]))
    return raw


def _holds(cond: RuleData, facts: Mapping[str, Any], setting: Callable[[str], Any], evidence: dict[str, Any]) -> bool:
    if "all" in cond:
        found: dict[str, Any] = {}
        if all(_holds(c, facts, setting, found) for c in cond["all"]):
            evidence.update(found)
            return True
        return False
    if "any" in cond:
        hit = False
        for c in cond["any"]:  # every matching branch is evidence, not just the first
            hit = _holds(c, facts, setting, evidence) or hit
        return hit
    if "not" in cond:
        return not _holds(cond["not"], facts, setting, {})
    path, op = str(cond["field"]), str(cond["op"])
    actual = lookup(facts, path)
    if op == "absent":
        return actual is MISSING
    if actual is MISSING:
        return False
    if op == "present":
        ok = True
    elif op == "is_true":
        ok = actual is True
    elif op in _COMPARE:
        try:
            ok = _COMPARE[op](actual, _value(cond.get("value"), setting))
        except TypeError:
            ok = False
    else:
        raise RuleError(f"unknown operator {op!r}")
    if ok:
        evidence[path] = actual
    return ok


def evaluate(rule_set: Mapping[str, Any], facts: Mapping[str, Any], setting: Callable[[str], Any]) -> list[Match]:
    """Every rule whose condition holds, with the answers that made it hold."""
    matches: list[Match] = []
    for rule in rule_set["rules"]:
        evidence: dict[str, Any] = {}
        if _holds(rule["when"], facts, setting, evidence):
            matches.append(Match(rule=rule, evidence=evidence))
    return matches


def fields_of(cond: RuleData) -> list[str]:
    """Every field a condition reads (the rule-set test checks each exists in the form)."""
    if "all" in cond or "any" in cond:
        return [f for c in (cond.get("all") or cond.get("any") or []) for f in fields_of(c)]
    if "not" in cond:
        return fields_of(cond["not"])
    return [str(cond["field"])]


def settings_of(cond: RuleData) -> list[str]:
    if "all" in cond or "any" in cond:
        return [s for c in (cond.get("all") or cond.get("any") or []) for s in settings_of(c)]
    if "not" in cond:
        return settings_of(cond["not"])
    value = cond.get("value")
    return [str(value["setting"])] if isinstance(value, Mapping) and "setting" in value else []

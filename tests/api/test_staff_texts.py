"""Server texts that staff pages show are sent as codes, and the web app has words for every code
in English and Spanish: a new rule, template, indication, consent or problem type without its
Spanish words would reach a Spanish-speaking psychiatrist in English, and fails here."""

from __future__ import annotations

import inspect
import typing
from types import ModuleType

import pytest

from services.api.consents import documents
from services.api.core.errors import HalcyonError
from services.api.notes import service as notes_service
from services.api.notes.templates import TEMPLATES
from services.api.safety import service as safety_service
from services.api.screening import service as screening_service
from services.api.screening.rules import RULE_SET
from services.api.treatment import service as treatment_service
from services.api.treatment.schemas import Indication
from tests.e2e.i18n import messages  # the same reader the journeys use


def words(key: str) -> tuple[str, str]:
    en, es = messages("en"), messages("es")
    assert key in en, f"{key} is missing in en.ts"
    assert key in es, f"{key} is missing in es.ts"
    return en[key], es[key]


@pytest.mark.parametrize("rule", RULE_SET["rules"], ids=lambda r: r["id"])
def test_every_screening_rule_has_words_in_both_languages(rule: dict[str, typing.Any]) -> None:
    en, es = words(f"screening.rule.{rule['id']}")
    assert en == rule["message"], "English pages show the rule's own message"
    assert es != en


@pytest.mark.parametrize("code", list(TEMPLATES), ids=str)
def test_every_note_template_has_a_title_and_description_in_both_languages(code: str) -> None:
    template = TEMPLATES[code]  # type: ignore[index]
    title_en, title_es = words(f"notes.templateTitle.{code}")
    description_en, description_es = words(f"notes.templateDescription.{code}")
    assert (title_en, description_en) == (template.title, template.description)
    assert title_es != title_en
    assert description_es != description_en


@pytest.mark.parametrize("code", typing.get_args(Indication))
def test_every_plan_indication_has_a_name_in_both_languages(code: str) -> None:
    en, es = words(f"treatment.indication.{code}")
    assert "_" not in en
    assert "_" not in es


@pytest.mark.parametrize("kind", documents.REQUIRED_KINDS)
def test_every_required_consent_is_named_as_the_patient_reads_it(kind: str) -> None:
    current = documents.DOCUMENTS[kind][-1]
    assert words(f"treatment.consent.{kind}") == (current.title["en"], current.title["es"])


def _errors(module: ModuleType) -> list[type[HalcyonError]]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, HalcyonError) and cls.__module__ == module.__name__
    ]


STAFF_PROBLEMS = sorted(
    {
        cls.type_slug
        for cls in (
            *_errors(treatment_service),
            *_errors(notes_service),
            *_errors(safety_service),
            screening_service.FlagAlreadyReviewed,
            screening_service.FlagNotFound,
        )
    }
    | {"validation", "forbidden", "not-found", "unauthorized", "internal", "unavailable"}
)


@pytest.mark.parametrize("slug", STAFF_PROBLEMS)
def test_every_problem_a_staff_page_can_get_has_words_in_both_languages(slug: str) -> None:
    en, es = words(f"problem.{slug}")
    assert es != en

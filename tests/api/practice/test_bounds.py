"""The limits an admin's values must keep are the environment's own (services/api/config.py)."""

from __future__ import annotations

from typing import Any

from services.api.config import Settings
from services.api.practice.schemas import PracticeSettingsPatch
from services.api.practice.service import CATALOGUE

LIMITS = ("type", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "items", "maxItems", "minItems")


def _limits(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema's limits (for a nullable field, those of its non-null branch)."""
    branch = next((b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"), {})
    return {k: v for k, v in branch.items() if k in LIMITS}


def test_every_editable_setting_is_a_setting_of_the_environment_with_a_description() -> None:
    assert set(CATALOGUE) == set(PracticeSettingsPatch.model_fields)
    for key in CATALOGUE:
        assert key in Settings.model_fields, key
        assert Settings.model_fields[key].description, f"{key} needs a description (the settings page shows it)"


def test_the_admin_form_keeps_the_environments_numeric_limits() -> None:
    env = Settings.model_json_schema()["properties"]
    form = PracticeSettingsPatch.model_json_schema()["properties"]
    for key in CATALOGUE:
        if Settings.model_fields[key].annotation is str:
            continue  # the crisis texts: the form only refuses blanks and very long texts
        assert _limits(form[key]) == _limits(env[key]), key
        assert _limits(form[key]).keys() > {"type"}, f"{key} has no limits at all"
    # A list's limits are its values' and its length.
    assert _limits(form["reminder_offsets_minutes"]) == {
        "type": "array",
        "items": {"type": "integer", "minimum": 5, "maximum": 20160},
        "maxItems": 5,
    }

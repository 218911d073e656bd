"""The limits an admin's values must keep are the environment's own (services/api/config.py)."""

from __future__ import annotations

from typing import Any

from services.api.config import Settings
from services.api.practice.schemas import PracticeSettingsPatch
from services.api.practice.service import CATALOGUE


def _numeric_limits(metadata: list[Any]) -> dict[str, Any]:
    names = ("ge", "gt", "le", "lt")
    return {n: getattr(m, n) for m in metadata for n in names if getattr(m, n, None) is not None}


def test_every_editable_setting_is_a_setting_of_the_environment_with_a_description() -> None:
    assert set(CATALOGUE) == set(PracticeSettingsPatch.model_fields)
    for key in CATALOGUE:
        assert key in Settings.model_fields, key
        assert Settings.model_fields[key].description, f"{key} needs a description (the settings page shows it)"


def test_the_admin_form_keeps_the_environments_numeric_limits() -> None:
    for key in CATALOGUE:
        env = Settings.model_fields[key]
        if env.annotation is str:
            continue
        assert _numeric_limits(PracticeSettingsPatch.model_fields[key].metadata) == _numeric_limits(env.metadata), key

"""Docs stay true: every setting is documented in README."""

from __future__ import annotations

from pathlib import Path

from services.api.config import Settings
from services.signaling.config import SignalingSettings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_api_setting_is_in_the_readme() -> None:
    missing = [n for n in Settings.model_fields if f"HALCYON_{n.upper()}" not in README]
    assert not missing, f"document these settings in README.md: {missing}"


def test_every_signaling_setting_is_in_the_readme() -> None:
    common = {"env", "var_dir", "log_level", "log_json"}
    missing = [
        n for n in SignalingSettings.model_fields if n not in common and f"HALCYON_SIGNALING_{n.upper()}" not in README
    ]
    assert not missing, f"document these settings in README.md: {missing}"

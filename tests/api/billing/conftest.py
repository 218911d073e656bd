from __future__ import annotations

import pytest

from services.api.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The practice's billing identifiers, as a practice sets them (empty by default)."""
    return settings.model_copy(update={"practice_npi": "1093817465", "practice_tax_id": "82-1234567"})

"""Scales as versioned data, scored on the server with clinical.md's bands (no database)."""

from __future__ import annotations

import pytest

from services.api.core.errors import HalcyonError
from services.api.scales import definitions
from services.api.scales.service import score

# A published version never changes: a new wording or scoring rule is a new version.
PUBLISHED = {
    ("phq9", "1"): "6816de1b233e6f2eb93f2308a76e635e95674dfdf4e8b59cad7df706e9b364fd",
    ("gad7", "1"): "66fc6114966527fd26c03145ec36b1c6a4ee8647a523a2d52d73c124d33521ff",
    ("pcl5", "1"): "eee98242822a0ec1083257c9eb7345de02815eabd409a16ad6e1e87972c29edf",
    ("cadss6", "1"): "b42adeec4a8598107a27a30091f48c775b6ae306b9e98c1d04375b009dc43494",
    ("pain_nrs", "1"): "e1a618e3fec36e6d872b30c9053600c5474536e192ea4a80b890db99af083025",
}


def test_published_versions_are_never_edited_in_place() -> None:
    found = {(d.code, d.version): d.fingerprint() for versions in definitions.SCALES.values() for d in versions}
    for key, fingerprint in PUBLISHED.items():
        assert found[key] == fingerprint, f"{key} changed: publish a new version instead"


@pytest.mark.parametrize(
    ("code", "items", "low", "high", "max_total"),
    [
        ("phq9", 9, 0, 3, 27),
        ("gad7", 7, 0, 3, 21),
        ("pcl5", 20, 0, 4, 80),
        ("cadss6", 6, 0, 4, 24),
        ("pain_nrs", 1, 0, 10, 10),
    ],
)
def test_each_scale_has_the_items_and_ranges_of_clinical_md(
    code: str, items: int, low: int, high: int, max_total: int
) -> None:
    d = definitions.current(code)
    assert [i.number for i in d.items] == list(range(1, items + 1))
    assert (d.min_value, d.max_value, d.max_total) == (low, high, max_total)
    assert [c.value for c in d.choices] == list(range(low, high + 1))


def test_every_text_is_in_english_and_spanish() -> None:
    for versions in definitions.SCALES.values():
        for d in versions:
            texts = [
                d.name,
                d.instructions,
                *(i.text for i in d.items),
                *(c.label for c in d.choices),
                *(b.label for b in d.bands),
            ]
            for t in texts:
                assert set(t) == {"en", "es"}, (d.code, t)
                assert all(v.strip() for v in t.values()), (d.code, t)


def test_bands_cover_every_total_without_gaps_or_overlaps() -> None:
    for code in ("phq9", "gad7", "pcl5", "pain_nrs"):
        d = definitions.current(code)
        for total in range(d.max_total + 1):
            assert len([b for b in d.bands if b.low <= total <= b.high]) == 1, (code, total)
    assert definitions.current("cadss6").bands == ()  # recorded per infusion, no cut-off


def _answers(code: str, total: int) -> dict[str, int]:
    d = definitions.current(code)
    out: dict[str, int] = {}
    remaining = total
    for item in reversed(d.items):  # fill from the last item so PHQ-9 item 9 stays 0 when it can
        v = 0 if (code == "phq9" and item.number == 9) else min(d.max_value, remaining)
        out[str(item.number)] = v
        remaining -= v
    assert remaining == 0
    return out


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately_severe"),
        ("phq9", 19, "moderately_severe"),
        ("phq9", 20, "severe"),
        ("phq9", 24, "severe"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("pcl5", 32, "below_threshold"),
        ("pcl5", 33, "probable_ptsd"),
        ("pcl5", 80, "probable_ptsd"),
        ("pain_nrs", 0, "none"),
        ("pain_nrs", 3, "mild"),
        ("pain_nrs", 4, "moderate"),
        ("pain_nrs", 7, "severe"),
        ("cadss6", 12, None),
    ],
)
def test_scores_fall_in_the_clinical_bands(code: str, total: int, band: str | None) -> None:
    assert score(definitions.current(code), _answers(code, total))[:2] == (total, band)


def test_phq9_item_9_above_0_is_urgent_whatever_the_total() -> None:
    d = definitions.current("phq9")
    low_total = {str(n): 0 for n in range(1, 9)} | {"9": 1}
    assert score(d, low_total) == (1, "minimal", True)
    high_total = {str(n): 3 for n in range(1, 9)} | {"9": 0}
    assert score(d, high_total) == (24, "severe", False)


def _problems(code: str, answers: dict[str, int]) -> list[tuple[str, str]]:
    with pytest.raises(HalcyonError) as caught:
        score(definitions.current(code), answers)
    assert caught.value.status == 422
    return [(e.field, e.code) for e in caught.value.errors]


def test_a_partial_or_out_of_range_scale_is_refused_naming_each_item() -> None:
    answers = {str(n): 1 for n in range(1, 10)}
    partial = {k: v for k, v in answers.items() if k not in {"4", "9"}}
    assert _problems("phq9", partial) == [("body.answers.4", "missing"), ("body.answers.9", "missing")]
    assert _problems("phq9", answers | {"3": 4}) == [("body.answers.3", "out_of_range")]
    assert _problems("phq9", answers | {"10": 0}) == [("body.answers.10", "unknown_item")]
    assert _problems("pain_nrs", {"1": 11}) == [("body.answers.1", "out_of_range")]
    assert _problems("gad7", {}) == [(f"body.answers.{n}", "missing") for n in range(1, 8)]

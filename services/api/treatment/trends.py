"""Score trends: points per scale, the PHQ-9 baseline, response and remission (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.api.config import Settings
from services.api.scales import definitions
from services.api.scales.models import ScaleResult
from services.api.treatment.schemas import LocalizedText, Phq9Outcome, ScaleTrend, TrendPoint

PHQ9 = "phq9"
SCALE_LABELS = {"phq9": "PHQ-9", "gad7": "GAD-7", "pcl5": "PCL-5", "cadss6": "CADSS-6", "pain_nrs": "Pain NRS"}


@dataclass(frozen=True, slots=True)
class ScorePoint:
    scale: str
    score: int
    band: str | None
    at: datetime
    version: str | None = None


def band_label(scale: str, version: str | None, band: str | None) -> LocalizedText | None:
    """A band's name in both languages, from the scale version the result was answered on."""
    if band is None:
        return None
    found = definitions.version(scale, version) if version is not None else None
    for d in (found, *reversed(definitions.SCALES.get(scale, ()))):
        label = next((b.label for b in d.bands if b.code == band), None) if d is not None else None
        if label is not None:
            return LocalizedText(en=label["en"], es=label["es"])
    return None


def score_points(results: Iterable[ScaleResult]) -> dict[str, list[ScorePoint]]:
    """Group scale results (oldest first, corrections already applied) by scale code."""
    out: dict[str, list[ScorePoint]] = {}
    for r in results:
        point = ScorePoint(scale=r.scale, score=r.total, band=r.band, at=r.entered_at, version=r.scale_version)
        out.setdefault(point.scale, []).append(point)
    for points in out.values():
        points.sort(key=lambda p: p.at)
    return out


def baseline_index(points: Sequence[ScorePoint], series_start: datetime | None) -> int | None:
    """The last score taken at or before the first infusion; else the first score on record."""
    if not points:
        return None
    if series_start is not None:
        before = [i for i, p in enumerate(points) if p.at <= series_start]
        if before:
            return before[-1]
    return 0


def from_baseline(points: dict[str, list[ScorePoint]], series_start: datetime | None) -> dict[str, list[ScorePoint]]:
    """Each scale's scores from its baseline on (the scores along a series)."""
    out: dict[str, list[ScorePoint]] = {}
    for scale, pts in points.items():
        i = baseline_index(pts, series_start)
        if i is not None:
            out[scale] = pts[i:]
    return out


def is_response(baseline: int, score: int, settings: Settings) -> bool:
    return baseline > 0 and (baseline - score) * 100 >= settings.phq9_response_drop_percent * baseline


def is_remission(score: int, settings: Settings) -> bool:
    return score < settings.phq9_remission_below


def build(
    points: dict[str, list[ScorePoint]], series_start: datetime | None, settings: Settings
) -> tuple[list[ScaleTrend], Phq9Outcome]:
    """Trend lines for every scale, PHQ-9 points marked baseline / response / remission."""
    trends: list[ScaleTrend] = []
    outcome = Phq9Outcome(
        baseline_score=None,
        baseline_at=None,
        latest_score=None,
        latest_at=None,
        change_percent=None,
        response=False,
        remission=False,
        first_response_at=None,
        first_remission_at=None,
        response_drop_percent=settings.phq9_response_drop_percent,
        remission_below=settings.phq9_remission_below,
    )
    for scale in sorted(points):
        pts = points[scale]
        if scale != PHQ9:
            trends.append(
                ScaleTrend(
                    scale=scale,
                    points=[
                        TrendPoint(
                            at=p.at, score=p.score, band=p.band, band_label=band_label(p.scale, p.version, p.band)
                        )
                        for p in pts
                    ],
                )
            )
            continue
        base_i = baseline_index(pts, series_start)
        marked: list[TrendPoint] = []
        for i, p in enumerate(pts):
            after = base_i is not None and i > base_i
            base_score = pts[base_i].score if base_i is not None else 0
            marked.append(
                TrendPoint(
                    at=p.at,
                    score=p.score,
                    band=p.band,
                    band_label=band_label(p.scale, p.version, p.band),
                    baseline=i == base_i,
                    response=after and is_response(base_score, p.score, settings),
                    remission=after and is_remission(p.score, settings),
                )
            )
        trends.append(ScaleTrend(scale=scale, points=marked))
        if base_i is None:
            continue
        baseline, latest = pts[base_i], pts[-1]
        latest_mark = marked[-1]
        outcome = outcome.model_copy(
            update={
                "baseline_score": baseline.score,
                "baseline_at": baseline.at,
                "latest_score": latest.score,
                "latest_at": latest.at,
                "change_percent": round((baseline.score - latest.score) * 100 / baseline.score, 1)
                if baseline.score
                else None,
                "response": latest_mark.response,
                "remission": latest_mark.remission,
                "first_response_at": next((m.at for m in marked if m.response), None),
                "first_remission_at": next((m.at for m in marked if m.remission), None),
            }
        )
    return trends, outcome

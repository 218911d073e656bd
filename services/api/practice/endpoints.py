from __future__ import annotations

from fastapi import Request

from services.api.core.routing import APIRouter
from services.api.core.schemas import ResponseBody

router = APIRouter(prefix="/api", tags=["practice"])


class PracticeInfo(ResponseBody):
    name: str
    crisis_line_text: str
    crisis_line_text_es: str
    environment: str


@router.get("/practice", response_model=PracticeInfo)
async def get_practice(request: Request) -> PracticeInfo:
    """Public facts about the practice for the home page."""
    s = request.app.state.settings
    return PracticeInfo(
        name=s.practice_name,
        crisis_line_text=s.crisis_resources_text,
        crisis_line_text_es=s.crisis_resources_text_es,
        environment=s.env.value,
    )

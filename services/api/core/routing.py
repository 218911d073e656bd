"""Our APIRouter: one database transaction per request, committed before the response.

The route class opens the session itself (rather than a `yield` dependency, whose exit runs
at a point FastAPI has moved between versions), commits when the endpoint produced a
success response and rolls back on any error, so a failed request never leaves half a record.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter as _FastAPIRouter
from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.core.errors import HalcyonError


class TransactionalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run_in_transaction(request: Request) -> Response:
            maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
            async with maker() as session:
                request.state.db = session
                try:
                    response = await handler(request)
                except HalcyonError as exc:
                    await (session.commit() if exc.keep_changes else session.rollback())
                    raise
                except BaseException:
                    await session.rollback()
                    raise
                finally:
                    request.state.db = None
                if response.status_code < 400:
                    await session.commit()
                else:
                    await session.rollback()
                return response

        return run_in_transaction


class APIRouter(_FastAPIRouter):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", TransactionalRoute)
        super().__init__(**kwargs)


def iter_api_routes(app: Any) -> list[APIRoute]:
    """Every APIRoute the app serves, expanding included routers.

    Newer FastAPI keeps included routers as one entry each; our routers carry their full
    prefix themselves (nothing is added at include time) so their routes' paths are final.
    """
    found: list[APIRoute] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):
                walk(list(route.original_router.routes))

    walk(list(app.router.routes))
    return found

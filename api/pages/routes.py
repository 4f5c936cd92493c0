"""The routes of the public pages."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from api import suggest
from api.pages.changes import changes_page
from api.pages.gradestyle import grades_css
from api.pages.home import home
from api.pages.methodology import methodology_page
from api.pages.open_data import open_data_page
from api.pages.service import service_page
from api.pages.static import favicon, static_asset


def page_routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/services/{slug}", service_page, methods=["GET"]),
        Route("/methodology", methodology_page, methods=["GET"]),
        Route("/suggest", suggest.suggest, methods=["GET"]),
        Route("/suggest", suggest.submit, methods=["POST"]),
        Route("/changes", changes_page, methods=["GET"]),
        Route("/open-data", open_data_page, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/grades.css", grades_css, methods=["GET"]),
        Mount("/static", routes=[Route("/{name:path}", static_asset, methods=["GET"])]),
    ]

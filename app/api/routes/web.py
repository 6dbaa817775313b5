"""The web chat page at `/`: static files from `app/web/`, no build step, nothing external."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.errors import NotFoundError

WEB = Path(__file__).resolve().parents[2] / "web"
# Served by name only: nothing else under app/ is reachable through these routes.
_ASSETS = {"app.js": "text/javascript", "style.css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    """The chat page."""
    return FileResponse(WEB / "index.html", media_type="text/html")


@router.get("/web/{name}")
def asset(name: str) -> FileResponse:
    """The page's script and style sheet."""
    if name not in _ASSETS:
        raise NotFoundError(f"No web asset named '{name}'.")
    return FileResponse(WEB / name, media_type=_ASSETS[name])

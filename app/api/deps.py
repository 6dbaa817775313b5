"""Dependency providers, each with an Annotated alias so route signatures read like prose."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends

from app.service import Service
from app.settings import Settings, get_settings


@lru_cache(maxsize=1)
def get_service() -> Service:
    return Service(get_settings())


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[Service, Depends(get_service)]

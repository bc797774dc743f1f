"""The web UI (Vietnamese first, English on a switch): server-rendered pages over the API's own
services, access rules and commands, served by the API's process (docs/web.md)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def install(api: FastAPI) -> None:
    """Add the pages and their static files (one small CSS file, one small script). The pages
    are imported here, not with the package: its catalog (`infra.web.i18n`) is read by the
    history's sentences (infra/history.py), which the pages themselves use. `starts` comes
    before `records`: /cases/new is matched before /cases/{id}."""
    from infra.web import (
        account,
        audit,
        boards,
        dissolution,
        export,
        pages,
        records,
        register,
        registration,
        session,
        starts,
    )
    from infra.web.session import HERE

    for module in (
        session,
        pages,
        register,
        starts,
        registration,  # before records: /members/new is matched before /members/{id}
        records,
        audit,
        dissolution,
        export,
        account,
    ):
        api.include_router(module.router)
    for module in (boards,):  # the probation and transfer boards (issue 15)
        api.include_router(module.router)
    from infra.web import orgpapers, papers

    for module in (papers, orgpapers):  # issue 16: verify a paper; papers about a unit
        api.include_router(module.router)
    api.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

"""Kiểm tra giấy tờ (verify a paper): anyone holding a paper opens `/verify/{code}` (its QR
code leads there) and reads whether it matches the record — its kind, number, date, issuing
body, and whether it was superseded; a logged-in user whose subtree holds the case also gets
a link to it. The same answers as `GET /api/verify/{code}` (infra/papers/verify.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from infra.api.auth import SESSION_COOKIE, client_address
from infra.api.papers import maybe_user
from infra.api.services import services
from infra.papers.verify import verify
from infra.web.i18n import label, t
from infra.web.session import WebRoute, _here, language, templates

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/verify/{code}")
async def verify_page(request: Request, code: str) -> Response:
    s = services(request)
    user = await run_in_threadpool(maybe_user, s, None, request.cookies.get(SESSION_COOKIE))
    found = await run_in_threadpool(verify, s, code[:40], client_address(request), user)
    lang = language(request)
    return templates.TemplateResponse(
        request,
        "verify.html",
        {
            "t": lambda key, **v: t(lang, key, **v),
            "label": lambda prefix, value: label(lang, prefix, value),
            "lang": lang,
            "here": _here(request),
            "paper": found,
        },
    )

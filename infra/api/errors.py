"""Every refusal answers the same way: `{"rule_id", "message", "lang", "details"}` with a 4xx
status, the message in Vietnamese unless English is asked for (`?lang=en` or
`Accept-Language: en`). A domain refusal keeps its rule id whether the domain raised it here or
a workflow carried it back (a non-retryable ApplicationError, or the update validator's
CASE-STAGE). A malformed body or parameter is `REQUEST-INVALID` (422) in the same shape: where
and what, never the value sent, so no answer echoes personal data and every answer can be
written as JSON (a lone surrogate in a body would otherwise make the answer itself fail)."""

from __future__ import annotations

import json
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from temporalio.exceptions import ApplicationError

from domain.errors import ConcurrencyConflict, DomainError, RuleViolation

log = structlog.get_logger("dangvien.api")
STATUS: dict[str, int] = {
    "NOT-FOUND": 404,
    "CASE-STAGE": 409,  # the stage does not accept the step (the workflow's validator)
    "CASE-UNIQUE": 409,
    "USER-DUPLICATE": 409,
    "AUTH-REQUIRED": 401,
    "AUTH-LOGIN": 401,
    "AUTH-THROTTLED": 429,  # too many failed logins: wait (Retry-After)
    "AUTH-LOCKED": 423,  # an administrator lifts it
    "AUTH-BUSY": 503,  # every password check is taken: retry (Retry-After)
    "AUTH-OLD-PASSWORD": 403,
    "ACCESS-ROLE": 403,
    "AUTH-CSRF": 403,
    "ACCESS-SCOPE": 403,
    "TEMPORAL-UNAVAILABLE": 503,
    "TEMPORAL-TIMEOUT": 504,
    "CONCURRENCY": 409,
    "PERSON-ELSEWHERE": 403,
    "RATE-LIMITED": 429,
    "READ-REBUILDING": 503,  # the read model is rebuilt for this version: try again
    "PAPER-PDF": 503,  # the PDF converter failed: try again, or take the DOCX
}  # any other rule: 422


class SafeJSONResponse(JSONResponse):
    """JSON whatever the text: a lone surrogate is written as its escape, not an error."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "backslashreplace"
        )


class ApiError(DomainError):
    """A refusal of the API itself (authentication, access, availability)."""


WHAT = {
    "organization": "tổ chức",
    "dissolution": "việc giải thể",
    "user": "người dùng",
    "token": "phiên đăng nhập hoặc mã truy cập",
    "record at that moment": "bản ghi vào thời điểm đó",
    "member": "đảng viên",
    "person": "người",
    "paper": "giấy tờ",  # issue 16: papers
    "template version": "phiên bản mẫu giấy tờ",  # issue 16: paper templates
    "access request": "yêu cầu truy cập dữ liệu",  # issue 18, item 4
}


def not_found(what: str) -> ApiError:
    """An unknown id, or one outside the user's subtree: the same answer for both."""
    return ApiError("NOT-FOUND", f"Không tìm thấy {WHAT.get(what, what)}", f"No such {what}")


def auth_required() -> ApiError:
    return ApiError(
        "AUTH-REQUIRED",
        "Cần đăng nhập (cookie phiên hoặc Authorization: Bearer)",
        "Authentication required (session cookie or Authorization: Bearer)",
    )


def role_refused(command: str) -> ApiError:
    return ApiError(
        "ACCESS-ROLE",
        f"Vai trò của bạn không được thực hiện việc này ({command})",
        f"Your role may not do this ({command})",
        command=command,
    )


def scope_refused(what: str = "organization") -> ApiError:
    """What a command names in its body (a cell, a member) and the user does not reach:
    outside the subtree or unknown, the same answer, so it tells nothing of the tree."""
    return ApiError(
        "ACCESS-SCOPE",
        f"Không có {WHAT.get(what, what)} này trong phạm vi của bạn",
        f"No such {what} in your part of the tree",
    )


def route_of(request: Request) -> str:
    """The route's template (`/api/cases/{case_id}/steps`): logs name no value of a path."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "(no route)"


def _text(value: object, limit: int = 100) -> str:
    text = str(value)[:limit]
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


PROTOCOL = {
    404: ("NOT-FOUND", "Không tìm thấy", "Not found"),
    405: ("REQUEST-METHOD", "Phương thức không được phép", "Method not allowed"),
}
QUOTING = frozenset({"value_error", "assertion_error"})  # their messages may quote the input


def malformed(error: RequestValidationError) -> ApiError:
    """A body or parameter the models refuse: each problem by place and kind, no value."""
    problems = [
        {
            "loc": [p if isinstance(p, int) else _text(p) for p in problem.get("loc", ())],
            "type": _text(problem.get("type", "")),
            "msg": "Invalid value"
            if problem.get("type") in QUOTING
            else _text(problem.get("msg", ""), 300),
        }
        for problem in error.errors()[:50]
    ]
    where = ".".join(str(p) for p in problems[0]["loc"]) if problems else ""
    return ApiError(
        "REQUEST-INVALID",
        f"Yêu cầu không hợp lệ ({where})",
        f"The request is malformed ({where})",
        errors=problems,
    )


def carried(error: BaseException) -> DomainError | None:
    """The domain refusal a Temporal error carries (update, workflow or activity failure),
    found along its causes: an ApplicationError whose details name the rule."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ApplicationError) and cause.details:
            details = cause.details[0]
            if isinstance(details, dict) and "rule_id" in details:
                extra = details.get("details")
                return RuleViolation(
                    str(details["rule_id"]),
                    str(details.get("vi", "")),
                    str(details.get("en", "")),
                    **(extra if isinstance(extra, dict) else {}),
                )
        cause = cause.__cause__ or getattr(cause, "cause", None)
    return None


def language(request: Request) -> str:
    """`?lang=en`, else `Accept-Language: en…`; Vietnamese by default."""
    asked = request.query_params.get("lang")
    if asked in ("vi", "en"):
        return asked
    accept = request.headers.get("accept-language", "").strip().lower()
    return "en" if accept.startswith("en") else "vi"


def body(error: DomainError, lang: str) -> dict[str, Any]:
    return {
        "rule_id": error.rule_id,
        "message": error.vi if lang == "vi" else error.en,
        "lang": lang,
        "details": error.details,
    }


def install(api: FastAPI) -> None:
    """One handler for every domain and API refusal."""

    async def refused(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)
        status = STATUS.get(error.rule_id, 422)
        log.info("api.refused", path=route_of(request), status=status, rule_id=error.rule_id)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if "retry_after" in error.details:
            headers["Retry-After"] = str(error.details["retry_after"])
        return SafeJSONResponse(
            jsonable_encoder(body(error, language(request))), status_code=status, headers=headers
        )

    async def raced(request: Request, error: Exception) -> JSONResponse:
        """Another writer changed the record first: nothing of this request was written, and
        the command is idempotent, so the client may simply send it again."""
        return await refused(
            request,
            ApiError(
                "CONCURRENCY",
                "Hồ sơ vừa được người khác cập nhật; hãy gửi lại",
                "The record was just changed by someone else; send it again",
            ),
        )

    async def invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return await refused(request, malformed(error))

    async def http(request: Request, error: Exception) -> JSONResponse:
        """Starlette's own refusals (no such route, a method not allowed, a body that cannot
        be read) in the same shape; their headers (Allow…) kept."""
        assert isinstance(error, HTTPException)
        rule_id, vi, en = PROTOCOL.get(
            error.status_code, ("REQUEST-INVALID", "Yêu cầu không hợp lệ", "Bad request")
        )
        log.info("api.refused", path=route_of(request), status=error.status_code, rule_id=rule_id)
        return SafeJSONResponse(
            jsonable_encoder(body(ApiError(rule_id, vi, en), language(request))),
            status_code=error.status_code,
            headers=error.headers,
        )

    async def failed(request: Request, error: Exception) -> JSONResponse:
        """A fault of the server, not of the request: the same shape; the server logs it
        (Starlette raises it on to uvicorn, whose log goes through infra/logging.py)."""
        fault = ApiError("SERVER-ERROR", "Lỗi máy chủ", "Server error")
        return SafeJSONResponse(jsonable_encoder(body(fault, language(request))), status_code=500)

    api.add_exception_handler(DomainError, refused)
    api.add_exception_handler(RequestValidationError, invalid)
    api.add_exception_handler(HTTPException, http)
    api.add_exception_handler(Exception, failed)
    api.add_exception_handler(ConcurrencyConflict, raced)

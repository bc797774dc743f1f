"""Hostile input against the API and the web, served by uvicorn as `dangvien api` serves it
(logging configured by infra/logging.py into `<data>/logs/api.log`, uvicorn's loggers
included), with the stack's worker: lone surrogates, NUL, huge numbers, strings for numbers,
far dates, broken JSON, personal data where it does not belong. Every answer is a 4xx in the
structured shape, none a 5xx; afterwards no file of the data directory and no log holds any
of the personal values sent, and the client's idempotency key is logged only hashed."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import structlog
import uvicorn

from infra.api.app import create_api
from infra.logging import configure_logging, hashed_key
from tests.api.conftest import PASSWORD, TODAY, Stack, free_port

DAY = TODAY.isoformat()
NAME = "Quirrellus Fuzzname"
VNAME = "Ngô Thị Bí Ẩn"
CITIZEN = "079987654321"
ADDRESS = "Hẻm Kín Đáo 77"
BIRTH = "1913-07-19"
SECRETS = (NAME, VNAME, CITIZEN, ADDRESS, BIRTH, "19/07/1913")
KEY = "khoa-bi-mat-424242"  # a client's Idempotency-Key
FAR = "9999-12-31"


def person(**changes: Any) -> dict[str, Any]:
    return {
        "full_name": NAME,
        "birth_date": BIRTH,
        "citizen_id": CITIZEN,
        "gender": "female",
        "ethnicity": "Kinh",
        "religion": None,
        "address": ADDRESS,
        "education": "upper_secondary",
        "occupation": "student",
        **changes,
    }


@dataclass
class Served:
    url: str
    log: Path
    data: Path


@pytest.fixture(scope="module")
def served(stack: Stack) -> Iterator[Served]:
    """`create_api(settings)` on uvicorn with the logging of `dangvien api`, into a log file
    of the data directory; the previous logging configuration is restored afterwards."""
    data = stack.settings.data_dir
    log = data / "logs" / "api.log"
    log.parent.mkdir(exist_ok=True)
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    temporal = stack.env.client.service_client.config.target_host
    settings = replace(stack.settings, temporal_address=temporal)
    with log.open("a", encoding="utf-8") as stream:
        configure_logging("INFO", "console", stream=stream, cache_loggers=False)
        port = free_port()
        config = uvicorn.Config(
            create_api(settings),
            host="127.0.0.1",
            port=port,
            access_log=False,
            log_config=None,
            log_level="info",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield Served(f"http://127.0.0.1:{port}", log, data)
        server.should_exit = True
        thread.join(timeout=20)
        for handler in list(root.handlers):
            root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    structlog.configure(**saved)


@dataclass(frozen=True)
class Nasty:
    method: str
    path: str
    body: Any = None  # JSON (lone surrogates escaped), or bytes sent as they are
    params: dict[str, str] | None = None
    who: str | None = "secretary"  # None: unauthenticated
    key: str | None = None


def battery(case: str, cell: str, member: str) -> dict[str, Nasty]:
    steps = f"/api/cases/{case}/steps"

    def vote(**args: Any) -> Nasty:
        return Nasty("POST", steps, {"kind": "record_cell_vote", "on": DAY, "args": args})

    def opening(**changes: Any) -> Nasty:
        return Nasty(
            "POST", "/api/cases", {"cell_id": cell, "on": DAY, "person": person(**changes)}
        )

    return {
        "a lone surrogate in the ethnicity": opening(ethnicity="\ud800"),
        "a lone low surrogate in the name": opening(full_name=f"{VNAME}\udc80"),
        "a NUL in the name": opening(full_name=f"{VNAME}\x00"),
        "a string for a yes/no": opening(youth_union_member="true"),
        "a number for the name": opening(full_name=10**400),
        "a far day of the act": Nasty(
            "POST", "/api/cases", {"cell_id": cell, "on": FAR, "person": person()}
        ),
        "a birth date in year one": opening(birth_date="0001-01-01"),
        "an address of a megabyte": opening(address=ADDRESS * 70_000),
        "a personal field where none belongs": opening(**{VNAME: NAME, "notes": CITIZEN}),
        "a surrogate for the cell": Nasty(
            "POST", "/api/cases", {"cell_id": "\ud800", "on": DAY, "person": person()}
        ),
        "JSON cut short": Nasty(
            "POST", "/api/cases", f'{{"person": {{"full_name": "{NAME}", "citizen_id": "'.encode()
        ),
        "not UTF-8": Nasty("POST", "/api/cases", b'{"person": "\xff\xfe' + NAME.encode() + b'"}'),
        "a string for a vote count": vote(votes_for="5", votes_against=1),
        "a huge vote count": vote(votes_for=10**40, votes_against=1),
        "a yes for a vote count": vote(votes_for=True, votes_against=1),
        "a fraction for a vote count": vote(votes_for=5.0, votes_against=1),
        "a relative with a surrogate": Nasty(
            "POST",
            steps,
            {
                "kind": "declare_background",
                "on": DAY,
                "args": {
                    "relatives": [
                        {
                            "key": "r1",
                            "relationship": "father",
                            "full_name": VNAME,
                            "lives_or_works_at": f"{ADDRESS}\ud800",
                        }
                    ]
                },
            },
        ),
        "a surrogate for the kind of step": Nasty(
            "POST", steps, {"kind": "\ud800", "on": DAY, "args": {"note": NAME}}
        ),
        "a step the domain refuses": Nasty(
            "POST", steps, {"kind": "summarize_comments", "on": DAY, "args": {}}, key=KEY
        ),
        "a step the stage refuses": Nasty(
            "POST",
            steps,
            {"kind": "decide", "on": DAY, "args": {"number": NAME, "decided_by": cell}},
            who="department",
            key=KEY,
        ),
        "a string for a year": Nasty(
            "POST", f"/api/orgs/{cell}/targets", {"year": "2030", "on": DAY, "count": 3}
        ),
        "a huge target": Nasty(
            "POST", f"/api/orgs/{cell}/targets", {"year": 2030, "on": DAY, "count": 10**30}
        ),
        "a string for a rate": Nasty(
            "POST",
            f"/api/orgs/{cell}/targets",
            {"year": 2030, "on": DAY, "rate_percent": "5", "start_of_year_members": 9},
        ),
        "a surrogate in a portal reference": Nasty(
            "POST",
            "/api/transfers",
            {
                "member_id": member,
                "kind": "official",
                "reason": "new_job",
                "destination_org_id": cell,
                "trigger_on": DAY,
                "on": DAY,
                "portal_reference": f"{NAME}\ud800",
            },
        ),
        "an account named like a person": Nasty(
            "POST",
            "/api/users",
            {"username": VNAME, "role": "auditor", "org_id": cell, "password": NAME * 2},
            who="admin",
        ),
        "an account with a surrogate": Nasty(
            "POST",
            "/api/users",
            {"username": "fuzz", "role": "auditor", "display_name": f"{NAME}\ud800"},
            who="admin",
        ),
        "a login with a surrogate": Nasty(
            "POST", "/api/auth/login", {"username": "\ud800", "password": NAME}, who=None
        ),
        "a login with a surrogate password": Nasty(
            "POST", "/api/auth/login", {"username": VNAME, "password": "\udfff"}, who=None
        ),
        "a login of nobody": Nasty(
            "POST", "/api/auth/login", {"username": CITIZEN, "password": NAME}, who=None
        ),
        "a token with a NUL": Nasty(
            "POST", "/api/auth/token", {"username": f"{NAME}\x00", "password": 12}, who=None
        ),
        "a quota as of a far moment": Nasty(
            "GET", f"/api/orgs/{cell}/quota", params={"as_of": f"{FAR}T23:59:59"}
        ),
        "a quota of a huge year": Nasty(
            "GET", f"/api/orgs/{cell}/quota", params={"year": "9" * 30}
        ),
        "a board on a far day": Nasty("GET", f"/api/orgs/{cell}/board", params={"today": FAR}),
        "a case as of year one": Nasty(
            "GET", f"/api/cases/{case}/as-of", params={"moment": "0001-01-01T00:00:00"}
        ),
        "a case as of a far moment": Nasty(
            "GET", f"/api/cases/{case}/as-of", params={"moment": f"{FAR}T23:59:59+14:00"}
        ),
        "a dissolution preview on a far day": Nasty(
            "GET", f"/api/orgs/{cell}/dissolution/preview", params={"on": FAR}, who="admin"
        ),
    }


async def send(http: httpx.AsyncClient, stack: Stack, nasty: Nasty) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if nasty.who:
        headers |= stack.as_(nasty.who)
    if nasty.key:
        headers["Idempotency-Key"] = nasty.key
    content = None
    if nasty.body is not None:
        content = nasty.body if isinstance(nasty.body, bytes) else json.dumps(nasty.body)
    return await http.request(
        nasty.method, nasty.path, content=content, params=nasty.params, headers=headers
    )


def found_in(path: Path, secret: str) -> bool:
    """The secret as UTF-8 or as JSON escapes it (a JSON log writes \\u escapes)."""
    content = path.read_bytes()
    forms = {secret.encode(), json.dumps(secret)[1:-1].encode()}
    return any(form in content for form in forms)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def answered(stack: Stack, served: Served) -> dict[str, httpx.Response]:
    """Every nasty request of the battery, and the web's pages with far dates."""
    opened = await stack.open_case("secretary", stack.world.cell)
    member = str(stack.world.members[stack.world.cell][7])
    nasties = battery(opened["subject_id"], str(stack.world.cell), member)
    answers: dict[str, httpx.Response] = {}
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
        for name, nasty in nasties.items():
            answers[name] = await send(http, stack, nasty)
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as browser:
        login = await browser.post(
            "/api/auth/login", json={"username": "secretary", "password": PASSWORD}
        )
        assert login.status_code == 200
        case = opened["subject_id"]
        for name, (path, params) in {
            "the audit page as of a far day": ("/audit", {"case_id": case, "on": "31/12/9999"}),
            "the audit page as of year one": ("/audit", {"case_id": case, "on": "01/01/0001"}),
            "the quota page on a far day": ("/quota", {"on": "31/12/9999", "year": "9" * 30}),
            "the export on a far day": ("/export.xlsx", {"on": "31/12/9999"}),
            "a case page of no case": (f"/cases/{VNAME}", {}),
        }.items():
            answers[name] = await browser.get(path, params=params)
    return answers


async def test_hostile_input_is_refused_in_the_structured_shape_never_with_a_server_error(
    answered: dict[str, httpx.Response],
) -> None:
    failed = {n: (r.status_code, r.text[:200]) for n, r in answered.items() if r.status_code >= 500}
    assert failed == {}
    assert {n: r.status_code for n, r in answered.items() if r.status_code < 400} == {}
    for name, response in answered.items():
        if response.headers.get("content-type", "").startswith("application/json"):
            shape = response.json()
            assert {"rule_id", "message", "lang"} <= shape.keys(), name
            assert shape["message"], name
    assert answered["a string for a vote count"].json()["rule_id"] == "REQUEST-INVALID"
    assert answered["a step the domain refuses"].json()["rule_id"] == "ADM-COMMENTS"
    assert answered["a step the stage refuses"].json()["rule_id"] == "CASE-STAGE"
    assert answered["a login of nobody"].json()["rule_id"] == "AUTH-LOGIN"
    # No value sent is echoed back (an unknown field is named, to find the misspelling).
    named = "a personal field where none belongs"
    for name, response in answered.items():
        for secret in SECRETS:
            if (name, secret) != (named, VNAME):
                assert secret not in response.text, (name, secret)
    assert answered[named].json()["rule_id"] == "REQUEST-INVALID"


async def test_no_log_and_no_file_of_the_data_directory_holds_a_personal_value_sent(
    stack: Stack, served: Served, answered: dict[str, httpx.Response]
) -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = served.log.read_text(encoding="utf-8")
    assert "api.request" in log and "REQUEST-INVALID" in log  # the log was written
    files = [p for p in served.data.rglob("*") if p.is_file()]
    assert served.log in files
    hits = [(p.name, s) for p in files for s in SECRETS if found_in(p, s)]
    assert hits == []
    # The client's idempotency key: hashed, as the activity and the logs write it.
    assert KEY not in log
    assert hashed_key(f"api/{stack.users['secretary'].id}/{KEY}") in log


async def test_a_refusal_is_logged_as_one_line_with_its_rule_id_and_no_traceback(
    served: Served, answered: dict[str, httpx.Response]
) -> None:
    log = served.log.read_text(encoding="utf-8")
    refused = [line for line in log.splitlines() if "rule_id=ADM-COMMENTS" in line]
    assert any(" refused " in line and "activity=apply_step" in line for line in refused)
    assert "Traceback" not in log
    assert "Completing activity as failed" not in log

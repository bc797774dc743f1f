"""Access requests through the API (infra/api/access_requests.py, docs/privacy.md): the
organization department records a person's request to see their data, then downloads the file
to hand over — everything the record holds about the person, as a ZIP of a DOCX and a JSON —
each download an answer recorded with the file's SHA-256 and its actor. Bad input is refused
with its rule id and nothing written; outside the subtree everything answers 404; auditors list
the requests without names and never take the file."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from docx import Document

from infra.history import Narrator
from tests.api.conftest import TODAY, Stack
from tests.api.test_papers import issue, voted_case

NAME, BORN = "Nguyễn Thị Hoa", "15/03/1995"  # the test world's people (tests/builders.py)


def request_body(**changes: Any) -> dict[str, Any]:
    return {
        "requested_by": "data_subject",
        "requester_name": NAME,
        "received_on": "2030-03-02",
        "channel": "in_person",
        **changes,
    }


async def post_request(stack: Stack, person: UUID, user: str = "department", **kw: Any) -> Any:
    key = kw.pop("key", None)
    headers = {**stack.as_(user), **({"Idempotency-Key": key} if key else {})}
    return await stack.http.post(
        f"/api/people/{person}/access-requests", json=request_body(**kw), headers=headers
    )


def unpacked(content: bytes) -> tuple[str, dict[str, Any]]:
    """The DOCX's whole text (its tables too) and the JSON of a ZIP handed over."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["du-lieu-ca-nhan.docx", "du-lieu-ca-nhan.json"]
        body = Document(io.BytesIO(archive.read("du-lieu-ca-nhan.docx"))).element.body
        held = json.loads(archive.read("du-lieu-ca-nhan.json"))
    return " ".join("".join(body.itertext()).split()), held


def files_in(directory: Path) -> set[str]:
    return {str(p) for p in directory.rglob("*") if p.is_file()}


async def test_the_file_handed_over_holds_the_person_their_case_as_sentences_and_papers(
    stack: Stack,
) -> None:
    case = voted_case(stack)  # opened, its dossier through to the cell's vote
    paper = (await issue(stack, case)).json()
    taken = await stack.http.get(paper["download"], headers=stack.as_("grassroots"))
    assert taken.status_code == 200
    recorded = await post_request(stack, case.person_id, key=f"yc-{case.case_id}")
    assert recorded.status_code == 201, recorded.text
    request = recorded.json()
    assert (request["state"], request["requester_name"]) == ("received", NAME)
    data_dir = Path(stack.settings.data_dir)
    before = files_in(data_dir)

    got = await stack.http.get(request["file"], headers=stack.as_("department"))

    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    disposition = got.headers["content-disposition"]
    assert disposition == f'attachment; filename="du-lieu-ca-nhan-{request["id"]}.zip"'
    sha = hashlib.sha256(got.content).hexdigest()
    assert got.headers["x-content-sha256"] == sha
    text, held = unpacked(got.content)
    for fact in (NAME, BORN, paper["symbol"], f"Tải giấy tờ {paper['symbol']}", "Kinh"):
        assert fact in text, fact
    told = Narrator(stack.app, "vi", personal=True, users=stack.services.users)
    stages = told.lines(stack.app.history(case.case_id))
    assert len(stages) >= 8  # the case's steps, one sentence each
    for line in stages:
        assert " ".join(line.sentence.split()) in text, line.sentence
    assert "Chi bộ biểu quyết đề nghị kết nạp" in text
    assert held["person"]["full_name"] == NAME
    assert held["person"]["birth_date"] == "1995-03-15"
    (record,) = [r for r in held["records"] if r["kind"] == "case"]
    assert [e["sentence_vi"] for e in record["history"]] == [line.sentence for line in stages]
    assert all(e["sentence_en"] for e in record["history"])
    assert [p["symbol"] for p in held["papers"]] == [paper["symbol"]]
    assert held["access_requests"][0]["requester_name"] == NAME
    # made in memory: nothing new on disk but the databases' own journals
    assert all(f.endswith(("-wal", "-shm", "-journal")) for f in files_in(data_dir) - before)

    asked, answered = stack.app.history(UUID(request["id"]))
    department = stack.users["department"].id
    assert (asked.name, asked.actor.user_id) == ("AccessRequest.AccessRequested", department)
    assert (answered.name, answered.actor.user_id) == ("AccessRequest.AccessAnswered", department)
    assert answered.facts["sha256"] == sha and answered.effective_on == TODAY
    listed = await stack.http.get(
        f"/api/people/{case.person_id}/access-requests", headers=stack.as_("department")
    )
    (shown,) = listed.json()
    assert shown["state"] == "answered" and shown["answers"][0]["sha256"] == sha


async def test_a_second_download_is_a_second_answer_that_lists_the_first(stack: Stack) -> None:
    case = voted_case(stack)
    request = (await post_request(stack, case.person_id)).json()
    first = await stack.http.get(request["file"], headers=stack.as_("admin"))
    second = await stack.http.get(request["file"], headers=stack.as_("department"))
    _, held = unpacked(second.content)
    (shown,) = held["access_requests"]
    assert [a["sha256"] for a in shown["answers"]] == [hashlib.sha256(first.content).hexdigest()]
    answers = [h for h in stack.app.history(UUID(request["id"])) if h.name.endswith("Answered")]
    assert [a.actor.user_id for a in answers] == [
        stack.users["admin"].id,
        stack.users["department"].id,
    ]


async def test_the_same_key_records_the_request_once_and_answers_the_same(stack: Stack) -> None:
    case = voted_case(stack)
    key = f"yc-lap-{case.case_id}"
    first = await post_request(stack, case.person_id, key=key, requester_name="Lê Văn Khánh")
    before = stack.written()
    again = await post_request(stack, case.person_id, key=key, requester_name="Lê Văn Khánh")
    assert (again.status_code, again.json()) == (201, first.json())
    assert first.json()["requester_name"] == "Lê Văn Khánh"
    assert stack.written() == before
    with stack.services.engine.connect() as db:  # the kept first answers hold no name
        kept = db.execute(sa.text("SELECT answer FROM api_first_answers")).scalars().all()
    assert any(first.json()["id"] in answer for answer in kept)
    assert not any("Khánh" in answer for answer in kept)
    listed = await stack.http.get(
        f"/api/people/{case.person_id}/access-requests", headers=stack.as_("department")
    )
    assert len(listed.json()) == 1


async def test_a_future_date_or_an_unnamed_requester_is_refused_with_its_rule_and_nothing_written(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    before = stack.written()
    refusals = {
        "DATE-ORDER": {"received_on": "2030-03-05"},  # tomorrow
        "PDP-REQUESTER": {"requester_name": "   "},
        "PDP-GROUND": {"received_on": "2025-12-01", "ground": "pdp_law_2025"},
    }
    for rule_id, changes in refusals.items():
        refused = await post_request(stack, case.person_id, **changes)
        assert (refused.status_code, refused.json()["rule_id"]) == (422, rule_id), refused.text
    representative = await post_request(stack, case.person_id, requested_by="representative")
    assert representative.json()["rule_id"] == "PDP-REQUESTER"
    assert representative.json()["details"]["field"] == "requester_capacity"
    malformed = await post_request(stack, case.person_id, channel="pigeon")
    assert (malformed.status_code, malformed.json()["rule_id"]) == (422, "REQUEST-INVALID")
    assert stack.written() == before


async def test_outside_the_subtree_the_person_and_the_file_are_unknown(stack: Stack) -> None:
    case = voted_case(stack)
    request = (await post_request(stack, case.person_id)).json()
    before = stack.written()
    far = "far_department"  # the organization department of the other grassroots committee
    for answer in (
        await post_request(stack, case.person_id, far),
        await stack.http.get(
            f"/api/people/{case.person_id}/access-requests", headers=stack.as_(far)
        ),
        await stack.http.get(request["file"], headers=stack.as_(far)),
    ):
        assert (answer.status_code, answer.json()["rule_id"]) == (404, "NOT-FOUND")
    secretary = await post_request(stack, case.person_id, "secretary")
    assert (secretary.status_code, secretary.json()["rule_id"]) == (403, "ACCESS-ROLE")
    assert stack.written() == before


async def test_an_auditor_lists_the_requests_without_names_and_never_takes_the_file(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    request = (await post_request(stack, case.person_id)).json()
    before = stack.written()
    listed = await stack.http.get(
        f"/api/people/{case.person_id}/access-requests", headers=stack.as_("auditor")
    )
    (shown,) = listed.json()
    assert (shown["id"], shown["requester_name"]) == (request["id"], "[redacted]")
    refused = await stack.http.get(request["file"], headers=stack.as_("auditor"))
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-ROLE")
    assert stack.written() == before

"""Papers about an organization through the API and the web (issue 16, docs/documents.md): a
cell dissolved through the real DissolutionBatchWorkflow, then its decision — issued by its
grassroots committee with the list of moves, read back from the DOCX and the PDF, redacted
for auditors, hidden outside the subtree; a unit's quota report for a year; PAPER-STEP
refusing a paper before its step, beside the field on the pages."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest_asyncio
from docx import Document
from pypdf import PdfReader

from domain.organization import AdmissionTarget
from domain.values import CellSetting, OrgKind
from tests.api.conftest import TODAY, Stack
from tests.api.test_dissolutions import dissolve, until_done
from tests.api.test_web_starts import post_form, session
from tests.builders import ctx, person_data

DAY = TODAY.isoformat()
JOINED = date(2015, 6, 1)
NAMES = ("Trần Văn Bình", "Lê Thị Cúc")


@dataclass
class Dissolved:
    agency: UUID  # the dissolved cell, its two members moved to the hamlet's cell
    hamlet: UUID
    batch_id: str


def cell(stack: Stack, name: str, setting: CellSetting) -> UUID:
    return stack.app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name=name,
        parent_id=stack.world.grassroots,
        established_on=date(2005, 1, 5),
        setting=setting,
    )


def member(stack: Stack, cell_id: UUID, name: str) -> UUID:
    person = stack.app.register_person(ctx(), person_data(full_name=name), JOINED)
    return stack.app.register_member(
        ctx(),
        person_id=person,
        cell_id=cell_id,
        joined_on=JOINED,
        decided_on=JOINED,
        full_from=date(2016, 6, 1),
    )


async def dissolve_agency(stack: Stack, agency_name: str, hamlet_name: str) -> Dissolved:
    """A commune-agency cell of the world's grassroots committee, dissolved today through the
    batch workflow: each of its two members moves to the hamlet's cell."""
    agency = cell(stack, agency_name, CellSetting.commune_agency)
    hamlet = cell(stack, hamlet_name, CellSetting.hamlet)
    moving = [member(stack, agency, name) for name in NAMES]
    member(stack, hamlet, "Phạm Minh Đức")
    stack.project()
    body = {
        "on": DAY,
        "cells": [
            {
                "cell_id": str(agency),
                "moves": [{"member_id": str(m), "to_cell_id": str(hamlet)} for m in moving],
            }
        ],
    }
    started = await dissolve(stack, body)
    assert started.status_code == 202, started.text
    done = await until_done(stack, started.json()["batch_id"])
    assert done["dissolved"] == 1
    stack.project()
    return Dissolved(agency, hamlet, started.json()["batch_id"])


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def dissolved(stack: Stack) -> Dissolved:
    return await dissolve_agency(stack, "Chi bộ Cơ quan Ủy ban", "Chi bộ thôn Bến Đò")


def text_of(docx: bytes) -> str:
    body = Document(io.BytesIO(docx)).element.body  # the paragraphs and the tables
    return " ".join("".join(body.itertext()).split())


def rows_of(docx: bytes) -> list[list[str]]:
    """The rows of the moves' table (the one whose header is "TT")."""
    for table in Document(io.BytesIO(docx)).tables:
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        if rows and rows[0][0] == "TT":
            return rows
    raise AssertionError("no table of moves")


async def test_the_decision_dissolving_a_cell_lists_its_moves_in_the_docx_and_the_pdf(
    stack: Stack, dissolved: Dissolved
) -> None:
    url = f"/api/orgs/{dissolved.agency}/papers"
    headers = {**stack.as_("department"), "Idempotency-Key": f"qd-{dissolved.agency}"}
    issued = await stack.http.post(
        url, json={"kind": "dissolution_decision", "on": DAY}, headers=headers
    )
    assert issued.status_code == 201, issued.text
    paper = issued.json()
    assert (paper["subject"], paper["subject_id"]) == ("dissolution", str(dissolved.agency))
    assert paper["issuer_id"] == str(stack.world.grassroots)  # the cell's grassroots committee
    assert re.fullmatch(r"\d+-QĐ/ĐU", paper["symbol"])
    facts = paper["facts"]
    assert facts["cell_name"] == "Chi bộ Cơ quan Ủy ban"
    assert facts["dissolved_on"] == DAY and facts["moves_count"] == 2
    assert sorted(m["member_name"] for m in facts["member_moves"]) == sorted(NAMES)
    assert {m["to_cell_name"] for m in facts["member_moves"]} == {"Chi bộ thôn Bến Đò"}
    # Each names the person's record and its version too (ADR 0002: read as of it, later).
    assert all(
        UUID(m["member_person"]) and m["member_person_version"] for m in facts["member_moves"]
    )

    got = await stack.http.get(paper["download"], headers=stack.as_("department"))
    assert got.status_code == 200
    text = text_of(got.content)
    for line in (
        "QUYẾT ĐỊNH",
        "Về việc giải thể Chi bộ Cơ quan Ủy ban",
        f"Số {paper['symbol']}",
        "Điều 1. Giải thể Chi bộ Cơ quan Ủy ban",
        "kể từ ngày 04/03/2030",
        "Điều 2. Chuyển sinh hoạt đảng của 2 đảng viên",
        "Điều 3.",
        "T/M BAN THƯỜNG VỤ",
        f"Mã xác minh: {paper['code']}",
    ):
        assert line in text, line
    assert rows_of(got.content) == [
        ["TT", "Họ và tên đảng viên", "Chuyển đến chi bộ", "Ngày chuyển"],
        ["1", "Lê Thị Cúc", "Chi bộ thôn Bến Đò", "04/03/2030"],
        ["2", "Trần Văn Bình", "Chi bộ thôn Bến Đò", "04/03/2030"],
    ]
    pdf = await stack.http.get(f"/api/papers/{paper['id']}.pdf", headers=stack.as_("department"))
    assert pdf.status_code == 200
    printed = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    for line in ("Về việc giải thể Chi bộ Cơ quan Ủy ban", "Trần Văn Bình", paper["code"]):
        assert line in printed, line

    # Once: a second is refused (a correction supersedes); an auditor reads it redacted.
    again = await stack.http.post(
        url, json={"kind": "dissolution_decision", "on": DAY}, headers=stack.as_("department")
    )
    assert (again.status_code, again.json()["rule_id"]) == (422, "PAPER-ONCE")
    seen = await stack.http.get(f"/api/papers/{paper['id']}", headers=stack.as_("auditor"))
    assert seen.status_code == 200
    moves = seen.json()["facts"]["member_moves"]
    assert [m["member_name"] for m in moves] == ["[redacted]"] * 2
    assert [m["to_cell_name"] for m in moves] == ["Chi bộ thôn Bến Đò"] * 2
    listed = await stack.http.get(url, headers=stack.as_("auditor"))
    assert [p["id"] for p in listed.json()] == [paper["id"]]
    assert "Trần" not in listed.text


async def test_a_live_cell_has_no_dissolution_decision_and_a_cell_elsewhere_is_not_found(
    stack: Stack, dissolved: Dissolved
) -> None:
    before = stack.written()
    body = {"kind": "dissolution_decision", "on": DAY}
    live = await stack.http.post(
        f"/api/orgs/{dissolved.hamlet}/papers", json=body, headers=stack.as_("department")
    )
    assert (live.status_code, live.json()["rule_id"]) == (422, "PAPER-STEP")
    early = await stack.http.post(
        f"/api/orgs/{dissolved.agency}/papers",
        json={**body, "on": "2030-03-03"},  # the day before it was dissolved
        headers=stack.as_("department"),
    )
    assert (early.status_code, early.json()["rule_id"]) == (422, "PAPER-STEP")
    for method in ("GET", "POST"):
        far = await stack.http.request(
            method,
            f"/api/orgs/{dissolved.agency}/papers",
            json=body if method == "POST" else None,
            headers=stack.as_("far_department"),
        )
        assert (far.status_code, far.json()["rule_id"]) == (404, "NOT-FOUND")
    assert stack.written() == before


async def test_a_cell_s_quota_report_states_its_year_s_counts_without_a_name(
    stack: Stack,
) -> None:
    """A cell with no admission this year and a target of 3: zeros against the target."""
    unit = cell(stack, "Chi bộ thôn Giếng Mới", CellSetting.hamlet)
    stack.app.set_target(ctx(), unit, AdmissionTarget(year=2030, count=3), date(2030, 1, 2))
    stack.project()
    url = f"/api/orgs/{unit}/papers"
    body = {"kind": "quota_report", "on": DAY, "year": 2030}
    issued = await stack.http.post(url, json=body, headers=stack.as_("grassroots"))
    assert issued.status_code == 201, issued.text
    paper = issued.json()
    assert paper["subject"] == "quota" and paper["issuer_id"] == str(unit)
    assert re.fullmatch(r"\d+-BC/CB", paper["symbol"])
    facts = paper["facts"]
    assert (facts["report_year"], facts["target"], facts["admitted"]) == (2030, 3, 0)
    assert facts["counted_until"] == DAY
    got = await stack.http.get(paper["download"], headers=stack.as_("grassroots"))
    text = text_of(got.content)
    assert "BÁO CÁO" in text and "Kết quả công tác kết nạp đảng viên năm 2030" in text
    assert "chỉ tiêu kết nạp đảng viên của Chi bộ thôn Giếng Mới: 3" in text
    assert "T/M CHI BỘ" in text
    # The year not begun yet: refused, nothing written; one live report per year.
    before = stack.written()
    future = await stack.http.post(
        url, json={**body, "year": 2031}, headers=stack.as_("grassroots")
    )
    assert (future.status_code, future.json()["rule_id"]) == (422, "PAPER-STEP")
    again = await stack.http.post(url, json=body, headers=stack.as_("grassroots"))
    assert (again.status_code, again.json()["rule_id"]) == (422, "PAPER-ONCE")
    a_year = await stack.http.post(
        url,
        json={"kind": "dissolution_decision", "on": DAY, "year": 2030},
        headers=stack.as_("department"),
    )
    assert (a_year.status_code, a_year.json()["rule_id"]) == (422, "PAPER-KIND")
    assert stack.written() == before
    listed = await stack.http.get(url, headers=stack.as_("grassroots"))
    assert [p["id"] for p in listed.json()] == [paper["id"]]


# --- the web -------------------------------------------------------------------------------------


async def test_the_dissolved_cell_s_page_and_its_batch_offer_its_decision_refused_beside_the_date(
    stack: Stack,
) -> None:
    dissolved = await dissolve_agency(stack, "Chi bộ Cơ quan Đảng", "Chi bộ thôn Bãi Bồi")
    client = await session(stack, "department")
    try:
        page = f"/orgs?org={dissolved.agency}"
        shown = await client.get(page)
        assert shown.status_code == 200
        assert 'id="papers"' in shown.text
        refused = await post_form(
            client, f"/dissolve/{dissolved.agency}/papers", {"on": "01/03/2030"}, page
        )
        assert refused.status_code == 422
        error = re.search(r'id="err-paper-on">([^<]*)<', refused.text)
        assert error and "chưa diễn ra" in error.group(1)

        batch = f"/dissolve/batches/{dissolved.batch_id}"
        shown = await client.get(batch)
        assert shown.status_code == 200
        assert 'data-testid="decision"' in shown.text and "Chưa ban hành" in shown.text
        before = stack.written()
        bad = await post_form(client, f"{batch}/papers", {"on": "01/03/2030"}, batch)
        assert bad.status_code == 422
        assert re.search(r'id="err-decisions-on">[^<]+<', bad.text)
        assert stack.written() == before
        done = await post_form(client, f"{batch}/papers", {"on": "04/03/2030"}, batch)
        assert done.status_code == 303, done.text
        shown = await client.get(batch)
        assert re.search(r"\d+-QĐ/ĐU", shown.text) and "Chưa ban hành" not in shown.text
        shown = await client.get(page)  # the cell's page: the decision, to download or replace
        assert "Quyết định giải thể chi bộ" in shown.text and "/supersede" in shown.text
        # Its code leads a logged-in reader back to the cell's page; anyone else, no name.
        (paper,) = (await client.get(f"/api/orgs/{dissolved.agency}/papers")).json()
        checked = await client.get(f"/verify/{paper['code']}")
        assert f'href="/orgs?org={dissolved.agency}#papers"' in checked.text
        async with stack.fresh("10.16.9.9") as anonymous:
            told = await anonymous.get(f"/verify/{paper['code']}")
        assert told.status_code == 200 and paper["symbol"] in told.text
        assert "Trần Văn Bình" not in told.text and "/orgs?org=" not in told.text
    finally:
        await client.aclose()


async def test_the_quota_page_offers_the_year_s_report_and_refuses_it_before_the_year(
    stack: Stack,
) -> None:
    unit = cell(stack, "Chi bộ thôn Cây Đa", CellSetting.hamlet)
    stack.project()
    client = await session(stack, "grassroots")
    try:
        page = f"/quota?org={unit}&year=2031"
        shown = await client.get(page)
        assert shown.status_code == 200
        assert f'action="/quota/{unit}/2031/papers"' not in shown.text  # not begun: not offered
        refused = await post_form(client, f"/quota/{unit}/2031/papers", {"on": "04/03/2030"}, page)
        assert refused.status_code == 422
        assert re.search(r'id="err-paper-on">[^<]+<', refused.text)
        page = f"/quota?org={unit}&year=2030"
        shown = await client.get(page)
        assert f'action="/quota/{unit}/2030/papers"' in shown.text
        done = await post_form(client, f"/quota/{unit}/2030/papers", {"on": "04/03/2030"}, page)
        assert done.status_code == 303, done.text
        shown = await client.get(page)
        assert re.search(r"\d+-BC/CB", shown.text)
    finally:
        await client.aclose()

"""The committees' papers through the API and the record's pages (issue 16, docs/documents.md):
the grassroots committee's resolution after its vote, naming the cell's resolution by its
number; the admission decision decided without a number, numbered from the register, offered on
the case page right after the step; the recognition decision about a member, offered right after
the recognition, its personal facts redacted for auditors. Cases and members go through the real
workflows (the API's steps), in a cell of this module's own."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest_asyncio
from docx import Document
from pypdf import PdfReader

from tests.api.conftest import TODAY, Stack
from tests.api.test_confirm import DIGEST, Cell, case_at_the_cell_vote, cell_of_eight, step
from tests.api.test_papers import voted_case
from tests.api.test_process import ok
from tests.api.test_web_starts import post_form, session

DAY = TODAY.strftime("%d/%m/%Y")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def south(stack: Stack) -> Cell:
    return cell_of_eight(stack, "Chi bộ thôn Nam Sơn")


@pytest_asyncio.fixture(loop_scope="session")
async def department(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "department")
    yield client
    await client.aclose()


async def voted_by_the_committee(stack: Stack, cell: Cell) -> str:
    """A case of the cell through its dossier, the cell's unanimous vote and the grassroots
    committee's vote of 8 in 9, each step through the case's process."""
    case = await case_at_the_cell_vote(stack, cell)
    await step(stack, case, "record_cell_vote", TODAY, votes_for=8, votes_against=0)
    view = await step(
        stack, case, "record_committee_vote", TODAY, committee_size=9, votes_for=8, votes_against=1
    )
    assert view["stage"] == "decision"
    return case


async def issue(
    stack: Stack, user: str, record: str, kind: str, collection: str = "cases"
) -> httpx.Response:
    return await stack.http.post(
        f"/api/{collection}/{record}/papers",
        json={"kind": kind, "on": TODAY.isoformat()},
        headers=stack.as_(user),
    )


async def docx_of(stack: Stack, paper: dict[str, Any]) -> Any:
    got = await stack.http.get(paper["download"], headers=stack.as_("department"))
    assert got.status_code == 200, got.text
    return Document(io.BytesIO(got.content))


def text_of(doc: Any) -> str:
    """Every word of the DOCX, its tables (the heading, the signature) too, on one line."""
    return " ".join("".join(doc.element.body.itertext()).split())


def assert_party_layout(doc: Any, symbol: str) -> None:
    """A4, Times New Roman, the Party's name bold and underlined, the number, the place and
    date in italics (Hướng dẫn 36-HD/VPTW)."""
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    runs = [r for t in doc.tables for c in t.rows[0].cells for p in c.paragraphs for r in p.runs]
    party = next(r for r in runs if r.text == "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert party.bold and party.underline
    assert any(r.text == f"Số {symbol}" for r in runs)
    dated = next(r for r in runs if "ngày 04 tháng 3 năm 2030" in r.text)
    assert dated.italic


async def test_the_grassroots_committee_issues_its_resolution_after_its_vote_naming_the_cells(
    stack: Stack, south: Cell
) -> None:
    case = await case_at_the_cell_vote(stack, south)
    await step(stack, case, "record_cell_vote", TODAY, votes_for=8, votes_against=0)
    before = stack.written()
    early = await issue(stack, "grassroots", case, "grassroots_resolution")
    assert (early.status_code, early.json()["rule_id"]) == (422, "PAPER-STEP")
    assert stack.written() == before
    cell_paper = (await ok(await issue(stack, "grassroots", case, "cell_resolution")))["symbol"]
    await step(
        stack, case, "record_committee_vote", TODAY, committee_size=9, votes_for=8, votes_against=1
    )

    refused = await issue(stack, "secretary", case, "grassroots_resolution")
    assert refused.status_code == 404  # not the secretary's cell: as for an unknown id
    issued = await issue(stack, "grassroots", case, "grassroots_resolution")
    assert issued.status_code == 201, issued.text
    paper = issued.json()
    assert paper["issuer_id"] == str(stack.world.grassroots)
    assert re.fullmatch(r"\d+-NQ/ĐU", paper["symbol"])
    facts = paper["facts"]
    assert (facts["committee_votes_for"], facts["committee_size"]) == (8, 9)
    assert (facts["cell_resolution_symbol"], facts["step_on"]) == (cell_paper, TODAY.isoformat())
    again = await issue(stack, "grassroots", case, "grassroots_resolution")
    assert (again.status_code, again.json()["rule_id"]) == (422, "PAPER-ONCE")

    doc = await docx_of(stack, paper)
    text = text_of(doc)
    for said in (
        "NGHỊ QUYẾT",
        "Đề nghị kết nạp quần chúng Trần Thị Mai vào Đảng",
        f"Nghị quyết số {cell_paper} ngày {DAY} của Chi bộ thôn Nam Sơn",
        "sinh ngày 12/07/1998",
        "Tổng số cấp ủy viên: 9 đồng chí; số tán thành: 8 đồng chí (89%)",
        "T/M ĐẢNG ỦY",
        f"Mã xác minh: {paper['code']}",
    ):
        assert said in text, said
    assert "{{" not in text
    assert_party_layout(doc, paper["symbol"])


async def test_a_decision_decided_without_a_number_is_numbered_from_the_register_on_its_paper(
    stack: Stack, south: Cell, department: httpx.AsyncClient
) -> None:
    """On the case page: the decide step without a number, reviewed then confirmed; the page
    comes back with the decision offered right under the success message, dated the step's
    day; issued, the case states the paper's number."""
    case = await voted_by_the_committee(stack, south)
    page = f"/cases/{case}"
    url = f"{page}/steps/decide"
    form = {"on": DAY, "decided_by": str(stack.world.commune), "number": "", "key": "dec"}
    shown = await post_form(department, url, form, page)
    assert shown.status_code == 200
    said = html.unescape(re.sub(r"\s+", " ", shown.text))
    assert "số quyết định lấy từ sổ đăng ký văn bản" in said
    digest = DIGEST.search(shown.text)
    assert digest
    done = await post_form(department, url, {**form, "confirmed": digest.group(1)}, page)
    assert done.status_code == 303, done.text
    after = (await department.get(done.headers["location"])).text
    message, offer = after.index('role="status"'), after.index('data-testid="paper-offer"')
    assert message < offer < after.index('id="where"')  # right under the step's message
    assert after.count('data-testid="paper-offer"') == 1
    assert 'value="admission_decision"' in after[offer:]
    assert f'id="paper-on" name="on" value="{DAY}"' in after
    assert "chưa ban hành giấy tờ" in after
    history = await stack.http.get(f"/api/cases/{case}/history", headers=stack.as_("department"))
    decided = next(e for e in history.json() if e["name"] == "AdmissionCase.AdmissionDecided")
    assert decided["facts"]["number"] is None and "số" not in decided["sentence"]

    issued = await post_form(
        department, f"{page}/papers", {"kind": "admission_decision", "on": DAY}, page
    )
    assert issued.status_code == 303
    shown_page = (await department.get(issued.headers["location"])).text
    symbol = re.search(r"Số (\d+-QĐ/ĐU), ngày " + re.escape(DAY), shown_page)
    assert symbol, "the case states the decision's number"
    assert 'value="admission_decision"' not in shown_page  # issued: offered no more
    paper = (
        await stack.http.get(f"/api/papers/{paper_id(shown_page)}", headers=stack.as_("department"))
    ).json()
    assert paper["symbol"] == symbol.group(1)
    assert "decision_recorded_number" not in paper["facts"]
    text = text_of(await docx_of(stack, paper))
    assert f"Số {symbol.group(1)}" in text and "Kết nạp đảng viên" in text


def paper_id(page: str) -> str:
    found = re.search(r'href="/api/papers/([0-9a-f-]{36})\.docx"', page)
    assert found
    return found.group(1)


async def recognised_probationer(stack: Stack, cell: Cell) -> str:
    """A probationer of the cell past their twelve months, their dossier in, the cell's
    unanimous vote: recognition comes next (each step through the probation's process)."""
    (member,) = stack.world.add_members(
        cell.id, 1, joined_on=TODAY - timedelta(days=400), full=False
    )
    probationer = str(member)
    await ok(
        await stack.step(
            "grassroots",
            probationer,
            "assign_helper",
            "members",
            helper_member_id=str(cell.members[0]),
        )
    )
    for kind, args in (
        ("complete_new_member_course", {"certificate_no": "3/GCN-ĐVM"}),
        ("submit_self_review", {}),
        ("record_helper_comments", {}),
        ("record_probation_comments", {"source": "workplace_organizations"}),
        ("record_probation_comments", {"source": "residence_cell"}),
    ):
        await ok(await stack.step("grassroots", probationer, kind, "members", **args))
    await ok(
        await stack.step(
            "grassroots",
            probationer,
            "record_review_vote",
            "members",
            motion="recognize",
            votes_for=8,
            votes_against=0,
        )
    )
    return probationer


async def test_the_recognition_decision_is_the_recognising_committee_s_about_the_member(
    stack: Stack, south: Cell, department: httpx.AsyncClient
) -> None:
    member = await recognised_probationer(stack, south)
    before = stack.written()
    early = await issue(stack, "department", member, "recognition_decision", "members")
    assert (early.status_code, early.json()["rule_id"]) == (422, "PAPER-STEP")
    wrong = await issue(stack, "department", member, "admission_decision", "members")
    assert (wrong.status_code, wrong.json()["rule_id"]) == (422, "PAPER-KIND")
    far = await issue(stack, "far_department", member, "recognition_decision", "members")
    assert (far.status_code, far.json()["rule_id"]) == (404, "NOT-FOUND")
    assert stack.written() == before

    # The recognition on the member's page: its decision offered right after, dated that day.
    page = f"/members/{member}"
    url = f"{page}/steps/recognize"
    form = {"on": DAY, "decided_by": str(stack.world.commune), "key": "rec"}
    shown = await post_form(department, url, form, page)
    digest = DIGEST.search(shown.text)
    assert digest, shown.text[:400]
    done = await post_form(department, url, {**form, "confirmed": digest.group(1)}, page)
    assert done.status_code == 303, done.text
    after = (await department.get(done.headers["location"])).text
    offer = after.index('data-testid="paper-offer"')
    assert after.index('role="status"') < offer < after.index('id="where"')
    assert 'value="recognition_decision"' in after[offer:]
    assert "Ban hành Quyết định công nhận đảng viên chính thức" in after

    issued = await issue(stack, "department", member, "recognition_decision", "members")
    assert issued.status_code == 201, issued.text
    paper = issued.json()
    assert (paper["subject"], paper["subject_id"]) == ("member", member)
    assert paper["issuer_id"] == str(stack.world.commune)
    assert re.fullmatch(r"\d+-QĐ/ĐU", paper["symbol"])
    facts = paper["facts"]
    joined = TODAY - timedelta(days=400)
    assert facts["joined_on"] == joined.isoformat()
    assert facts["full_from"] == date(joined.year + 1, joined.month, joined.day).isoformat()
    assert (facts["review_votes_for"], facts["review_on_roll"]) == (8, 8)
    name = facts["member_name"]
    audited = await stack.http.get(f"/api/papers/{paper['id']}", headers=stack.as_("auditor"))
    assert audited.json()["facts"]["member_name"] == "[redacted]"
    assert audited.json()["facts"]["member_birth_date"] == "[redacted]"
    assert audited.json()["facts"]["full_from"] == facts["full_from"]

    doc = await docx_of(stack, paper)
    text = text_of(doc)
    for said in (
        "QUYẾT ĐỊNH",
        "Công nhận đảng viên chính thức",
        "BAN THƯỜNG VỤ " + facts["issuer_name"].upper(),
        f"Công nhận đồng chí {name}",
        f"là đảng viên chính thức của Đảng Cộng sản Việt Nam kể từ ngày "
        f"{date.fromisoformat(facts['full_from']).strftime('%d/%m/%Y')}",
        f"Chi bộ thôn Nam Sơn ngày {DAY} đề nghị công nhận đảng viên chính thức",
        "T/M BAN THƯỜNG VỤ",
    ):
        assert said in text, said
    assert_party_layout(doc, paper["symbol"])

    got = await stack.http.get(f"/api/papers/{paper['id']}.pdf", headers=stack.as_("department"))
    assert got.status_code == 200
    pages = PdfReader(io.BytesIO(got.content)).pages
    printed = " ".join(" ".join(p.extract_text() for p in pages).split())
    for said in ("ĐẢNG CỘNG SẢN VIỆT NAM", f"Số {paper['symbol']}", name, paper["code"]):
        assert said in printed, said
    width, height = (round(float(x)) for x in (pages[0].mediabox.width, pages[0].mediabox.height))
    assert (width, height) == (595, 842)  # A4

    listed = (await department.get(page)).text
    assert paper["symbol"] in listed and 'data-testid="paper-offer"' not in listed
    verified = (await department.get(f"/verify/{paper['code']}")).text
    assert f'href="/members/{member}"' in verified  # the member's page, inside the subtree
    assert UUID(paper["id"])


async def test_a_number_typed_at_the_decision_gives_way_to_the_symbol_of_its_paper_issued_here(
    stack: Stack, department: httpx.AsyncClient
) -> None:
    case = voted_case(stack)
    case.committee_vote()
    case.decide(on=date(2026, 1, 20))  # typed: 112-QĐ/ĐU, issued outside
    page = f"/cases/{case.case_id}"
    assert "Số 112-QĐ/ĐU, ngày 20/01/2026" in (await department.get(page)).text
    issued = await stack.http.post(
        f"/api/cases/{case.case_id}/papers",
        json={"kind": "admission_decision", "on": "2026-01-20"},
        headers=stack.as_("department"),
    )
    paper = await ok(issued)
    assert paper["facts"]["decision_recorded_number"] == "112-QĐ/ĐU"  # as typed, kept
    after = (await department.get(page)).text
    assert f"Số {paper['symbol']}, ngày 20/01/2026" in after
    assert "Số 112-QĐ/ĐU, ngày" not in after  # the paper's symbol is what counts
    assert "quyết định số 112-QĐ/ĐU" in after  # the history tells what was typed

"""A department's own paper templates through the API and the web (infra/api/paper_templates.py,
infra/web/paper_templates.py): uploaded by the organization department as new versions, in force
for the units below, fixed on each paper when it is issued (its DOCX read back with
python-docx), rolled back; a broken file refused with PAPER-TEMPLATE and nothing written; an
organization outside the subtree answered as an unknown one.

Each test adapts the templates of a grassroots organization of its own (and its cell), so the
papers of the shared test world keep the default wording."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
from docx import Document

from domain.values import CellSetting, OrgKind
from infra.papers.adaptation import default_bytes
from tests.api.conftest import Stack
from tests.api.test_web_starts import session
from tests.builders import ctx
from tests.unit.test_admission import open_case
from tests.unit.test_paper_docx import paragraphs

VOTED = date(2025, 12, 5)
KIND = "cell_resolution"


@dataclass
class Unit:
    grassroots: UUID
    cell: UUID


def new_unit(stack: Stack) -> Unit:
    """A grassroots organization under the commune with a cell of nine members."""
    app, world, tag = stack.app, stack.world, uuid4().hex[:6]
    grassroots = app.register_organization(
        ctx(),
        kind=OrgKind.grassroots_committee,
        name=f"Đảng bộ Công ty Mẫu {tag}",
        parent_id=world.commune,
        established_on=date(2005, 1, 5),
    )
    cell = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name=f"Chi bộ Phân xưởng {tag}",
        parent_id=grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.enterprise,
    )
    world.add_members(cell, 9)
    stack.project()
    return Unit(grassroots, cell)


def worded(title: str, extra: str | None = None) -> bytes:
    doc = Document(io.BytesIO(default_bytes(KIND)))
    heading = next(p for p in doc.paragraphs if p.text == "NGHỊ QUYẾT")
    heading.runs[0].text = title
    if extra is not None:
        doc.add_paragraph(extra)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def put(
    stack: Stack, org: UUID, content: bytes, user: str = "department", **headers: str
) -> httpx.Response:
    return await stack.http.post(
        f"/api/orgs/{org}/paper-templates/{KIND}",
        json={"content_base64": base64.b64encode(content).decode()},
        headers={**stack.as_(user), **headers},
    )


async def listed(stack: Stack, org: UUID, user: str = "department") -> dict[str, Any]:
    answer = await stack.http.get(f"/api/orgs/{org}/paper-templates", headers=stack.as_(user))
    assert answer.status_code == 200, answer.text
    return {k["kind"]: k for k in answer.json()}


async def issued_texts(stack: Stack, cell: UUID) -> tuple[str, list[str]]:
    """A case of the cell voted in the record, its resolution issued and downloaded."""
    here = replace(stack.world, cell=cell)  # helper and introducers: members of the cell
    case = open_case(here)
    case.dossier()
    on_roll, _ = stack.app.cell_count(cell, VOTED)
    case.cell_vote(on=VOTED, votes_for=on_roll, votes_against=0)
    issued = await stack.http.post(
        f"/api/cases/{case.case_id}/papers",
        json={"kind": KIND, "on": VOTED.isoformat()},
        headers=stack.as_("department"),
    )
    assert issued.status_code == 201, issued.text
    paper_id = issued.json()["id"]
    return paper_id, await paper_texts(stack, paper_id)


async def paper_texts(stack: Stack, paper_id: str) -> list[str]:
    docx = await stack.http.get(f"/api/papers/{paper_id}.docx", headers=stack.as_("department"))
    assert docx.status_code == 200, docx.text
    return [p.text for p in paragraphs(Document(io.BytesIO(docx.content)))]


async def test_a_committee_s_template_words_its_cells_papers_and_an_issued_paper_keeps_its_own(
    stack: Stack,
) -> None:
    unit = new_unit(stack)
    assert (await listed(stack, unit.cell))[KIND]["source"] == "default"
    first = worded("NGHỊ QUYẾT (MẪU CỦA ĐẢNG BỘ)")
    adopted = await put(stack, unit.grassroots, first)
    assert adopted.status_code == 201, adopted.text
    shown = adopted.json()
    assert (shown["source"], shown["version"]) == ("own", 1)
    assert shown["versions"][0]["sha256"] == hashlib.sha256(first).hexdigest()
    assert shown["versions"][0]["adopted_by"] == stack.users["department"].id
    stack.project()  # the read models pass over a template's events
    at_cell = (await listed(stack, unit.cell, "admin"))[KIND]
    assert (at_cell["source"], at_cell["owner_id"]) == ("inherited", str(unit.grassroots))

    old_paper, texts = await issued_texts(stack, unit.cell)
    assert "NGHỊ QUYẾT (MẪU CỦA ĐẢNG BỘ)" in texts and "NGHỊ QUYẾT" not in texts

    own = await put(stack, unit.cell, worded("NGHỊ QUYẾT (MẪU CỦA CHI BỘ)"))
    assert own.status_code == 201, own.text
    _, texts = await issued_texts(stack, unit.cell)
    assert "NGHỊ QUYẾT (MẪU CỦA CHI BỘ)" in texts
    # the paper issued before keeps the template it was issued with
    assert "NGHỊ QUYẾT (MẪU CỦA ĐẢNG BỘ)" in await paper_texts(stack, old_paper)

    version = await stack.http.get(
        f"/api/orgs/{unit.grassroots}/paper-templates/{KIND}/1.docx",
        headers=stack.as_("department"),
    )
    assert (version.status_code, version.content) == (200, first)
    in_force = await stack.http.get(
        f"/api/orgs/{unit.cell}/paper-templates/{KIND}.docx", headers=stack.as_("admin")
    )
    assert hashlib.sha256(in_force.content).hexdigest() == own.json()["sha256"]


async def test_a_roll_back_is_a_new_version_pointing_to_the_earlier_one(stack: Stack) -> None:
    unit = new_unit(stack)
    first = worded("NGHỊ QUYẾT BẢN MỘT")
    await put(stack, unit.cell, first)
    await put(stack, unit.cell, worded("NGHỊ QUYẾT BẢN HAI"))
    url = f"/api/orgs/{unit.cell}/paper-templates/{KIND}/1/restore"
    headers = {**stack.as_("department"), "Idempotency-Key": f"back-{unit.cell}"}
    restored = await stack.http.post(url, headers=headers)
    assert restored.status_code == 201, restored.text
    body = restored.json()
    assert (body["version"], body["versions"][-1]["restores"]) == (3, 1)
    assert body["sha256"] == hashlib.sha256(first).hexdigest()
    before = stack.written()
    again = await stack.http.post(url, headers=headers)
    assert (again.status_code, again.json()) == (201, body)
    assert stack.written() == before
    _, texts = await issued_texts(stack, unit.cell)
    assert "NGHỊ QUYẾT BẢN MỘT" in texts
    missing = await stack.http.post(
        f"/api/orgs/{unit.cell}/paper-templates/{KIND}/9/restore", headers=stack.as_("admin")
    )
    assert (missing.status_code, missing.json()["rule_id"]) == (422, "PAPER-TEMPLATE")


async def test_a_broken_template_is_refused_with_its_rule_and_nothing_is_written(
    stack: Stack,
) -> None:
    unit = new_unit(stack)
    before = stack.written()
    unknown = await put(
        stack,
        unit.cell,
        worded("NGHỊ QUYẾT", "Kính gửi {{ chu_tich_xa }}"),
        **{"Accept-Language": "en"},
    )
    assert (unknown.status_code, unknown.json()["rule_id"]) == (422, "PAPER-TEMPLATE")
    assert "chu_tich_xa" in unknown.json()["message"] and unknown.json()["lang"] == "en"
    syntax = await put(stack, unit.cell, worded("NGHỊ QUYẾT", "{% if votes_for %}"))
    assert (syntax.status_code, syntax.json()["rule_id"]) == (422, "PAPER-TEMPLATE")
    assert "Cú pháp" in syntax.json()["message"]
    for content in (b"", b"not a word file", b"PK" + b"x" * (1024 * 1024 + 10)):
        refused = await put(stack, unit.cell, content)
        assert refused.status_code == 422, refused.text
        assert refused.json()["rule_id"] in ("PAPER-TEMPLATE", "REQUEST-INVALID")
    not_base64 = await stack.http.post(
        f"/api/orgs/{unit.cell}/paper-templates/{KIND}",
        json={"content_base64": "không phải base64"},
        headers=stack.as_("department"),
    )
    assert (not_base64.status_code, not_base64.json()["rule_id"]) == (422, "PAPER-TEMPLATE")
    role = await put(stack, stack.world.cell, worded("NGHỊ QUYẾT"), "secretary")
    assert (role.status_code, role.json()["rule_id"]) == (403, "ACCESS-ROLE")
    assert stack.written() == before
    assert (await listed(stack, unit.cell))[KIND]["versions"] == []


async def test_an_organization_outside_the_subtree_is_answered_as_an_unknown_one(
    stack: Stack,
) -> None:
    """The department of the other grassroots organization, on this one's templates."""
    unit = new_unit(stack)
    await put(stack, unit.cell, worded("NGHỊ QUYẾT"))
    before = stack.written()
    far = stack.as_("far_department")
    for org in (unit.cell, UUID(int=7)):
        tries = [
            await stack.http.get(f"/api/orgs/{org}/paper-templates", headers=far),
            await stack.http.get(f"/api/orgs/{org}/paper-templates/{KIND}/1.docx", headers=far),
            await stack.http.get(f"/api/orgs/{org}/paper-templates/{KIND}.docx", headers=far),
            await put(stack, org, worded("NGHỊ QUYẾT"), "far_department"),
            await stack.http.post(f"/api/orgs/{org}/paper-templates/{KIND}/1/restore", headers=far),
        ]
        for answer in tries:
            assert (answer.status_code, answer.json()["rule_id"]) == (404, "NOT-FOUND")
    assert stack.written() == before


async def test_anyone_logged_in_takes_the_default_template_as_a_starting_point(
    stack: Stack,
) -> None:
    answer = await stack.http.get(f"/api/paper-templates/{KIND}.docx", headers=stack.as_("auditor"))
    assert (answer.status_code, answer.content) == (200, default_bytes(KIND))
    anonymous = await stack.http.get(f"/api/paper-templates/{KIND}.docx")
    assert anonymous.status_code == 401


# --- the web page --------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def test_the_web_page_uploads_a_template_and_shows_a_refusal_beside_the_file(
    stack: Stack,
) -> None:
    unit = new_unit(stack)
    browser = await session(stack, "department")
    try:
        org_page = await browser.get(f"/orgs?org={unit.grassroots}")
        assert f'href="/paper-templates?org={unit.grassroots}"' in org_page.text
        page = await browser.get(f"/paper-templates?org={unit.cell}")
        assert page.status_code == 200, page.text
        assert "Mẫu mặc định" in page.text
        token = CSRF.search(page.text)
        assert token is not None
        form = {"csrf": token.group(1), "org": str(unit.cell), "kind": KIND, "key": "k1"}
        before = stack.written()
        broken = await browser.post(
            "/paper-templates",
            data=form,
            files={"file": ("mau.docx", worded("NGHỊ QUYẾT", "{{ khong_co }}"), "application/x")},
        )
        assert broken.status_code == 422
        error = re.search(rf'id="err-file-{KIND}">([^<]*)<', broken.text)
        assert error is not None and "PAPER-TEMPLATE" in error.group(1)
        assert "khong_co" in error.group(1)
        assert stack.written() == before
        good = await browser.post(
            "/paper-templates",
            data={**form, "key": "k2"},
            files={"file": ("mau.docx", worded("NGHỊ QUYẾT MỚI"), "application/x")},
            follow_redirects=True,
        )
        assert good.status_code == 200, good.text
        assert "Mẫu riêng của tổ chức (phiên bản 1)" in good.text
        below = await browser.get(f"/paper-templates?org={unit.grassroots}")
        assert "Mẫu mặc định" in below.text  # the committee above keeps the default
        far = await session(stack, "far_department")
        try:
            hidden = await far.get(f"/paper-templates?org={unit.cell}")
            assert hidden.status_code == 404
        finally:
            await far.aclose()
    finally:
        await browser.aclose()

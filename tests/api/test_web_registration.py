"""Registration in the web, in-process on the API's stack: an organization's page with the
department officer's forms (only the choices that can succeed), a rename shown on the page it
leads to, a member from a paper dossier, a correction of personal data; each refusal beside
the field it judges with its rule id, writing nothing; a cell secretary sees no form and is
refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID

import httpx
import pytest
import pytest_asyncio

from domain.member import Member
from domain.organization import Organization
from domain.person import Person
from domain.values import CellSetting, OrgKind
from infra.web import registration
from tests.api.conftest import TODAY, Stack, applicant
from tests.api.test_idempotency import until_dissolved
from tests.api.test_web_starts import error_beside, post_form, session
from tests.builders import ctx

DAY = TODAY.strftime("%d/%m/%Y")
OPTION = re.compile(r'<option value="([^"]+)"[^>]*>([^<]*)</option>')


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """No projector runs beside this stack: the test projects itself, the page need not wait."""
    monkeypatch.setattr(registration, "SETTLE_SECONDS", 0.0)


@pytest_asyncio.fixture(loop_scope="session")
async def officer(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "department")
    yield client
    await client.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def secretary(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "secretary")
    yield client
    await client.aclose()


def options(html: str, select: str) -> dict[str, str]:
    found = re.search(rf'<select id="{re.escape(select)}".*?</select>', html, re.S)
    assert found, f"no select {select}"
    return dict(OPTION.findall(found.group(0)))


async def test_the_forms_offer_only_the_kinds_and_parents_that_can_succeed(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    world = stack.world
    page = (await officer.get(f"/orgs?org={world.grassroots}")).text
    assert set(options(page, "f-unit-kind")) == {"intermediate_committee", "cell"}
    assert options(page, "f-unit-kind")["cell"] == "Chi bộ"

    cell_page = (await officer.get(f"/orgs?org={world.other_cell}")).text
    parents = options(cell_page, "f-parent-parent_id")
    assert str(world.other_grassroots) in parents  # another grassroots committee
    assert str(world.grassroots) not in parents  # its own parent already
    assert str(world.cell) not in parents and str(world.commune) not in parents


async def test_the_officer_renames_a_cell_and_the_page_shows_the_new_name(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    made = await post_form(
        officer,
        f"/orgs/{stack.world.grassroots}/unit",
        {"kind": "cell", "name": "Chi bộ thôn Gò", "setting": "hamlet", "on": DAY},
        page=f"/orgs?org={stack.world.grassroots}",
    )
    assert made.status_code == 303, made.text
    stack.project()
    listed = (await officer.get(f"/orgs?org={stack.world.grassroots}")).text
    cell = re.search(r'<a href="/orgs\?org=([^"]+)">Chi bộ thôn Gò</a>', listed)
    assert cell, "the new cell is listed under its committee"
    cell_id = cell.group(1)

    renamed = await post_form(
        officer,
        f"/orgs/{cell_id}/rename",
        {"name": "Chi bộ thôn Gò Mới", "on": DAY},
        page=f"/orgs?org={cell_id}",
    )
    assert (renamed.status_code, renamed.headers["location"]) == (
        303,
        f"/orgs?org={cell_id}&done=rename",
    )
    stack.project()
    shown = (await officer.get(renamed.headers["location"])).text
    assert "Chi bộ thôn Gò Mới" in shown and "Đã ghi nhận: Đổi tên" in shown
    assert "Đổi tên thành Chi bộ thôn Gò Mới" in shown  # its history, as sentences


async def test_a_refused_registration_is_shown_beside_its_field_and_writes_nothing(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    before = stack.written()
    refused = await post_form(
        officer,
        f"/orgs/{stack.world.grassroots}/unit",
        {"kind": "cell", "name": "Chi bộ sớm", "on": "05/03/2030"},
        page=f"/orgs?org={stack.world.grassroots}",
    )
    assert refused.status_code == 422
    assert "[DATE-ORDER]" in error_beside(refused.text, "unit-on")
    assert 'value="Chi bộ sớm"' in refused.text  # kept as typed
    dissolve = await post_form(
        officer,
        f"/orgs/{stack.world.cell}/dissolve",
        {"on": DAY},
        page=f"/orgs?org={stack.world.cell}",
    )
    assert dissolve.status_code == 422
    assert "[ORG-DISSOLVE]" in error_beside(dissolve.text, "dissolve-on")
    assert stack.written() == before


async def test_a_cell_with_members_offers_the_dissolution_wizard_to_merge_it(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    page = (await officer.get(f"/orgs?org={stack.world.cell}")).text
    wizard = f"/dissolve?org={stack.world.grassroots}&amp;cells={stack.world.cell}"
    assert f'href="{wizard}" data-testid="merge-link"' in page
    assert 'data-testid="form-dissolve"' not in page


async def test_a_member_from_a_paper_dossier_and_a_correction_of_their_data(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    person = applicant(full_name="Vương Thị Lụa")
    fields = {
        "cell_id": str(stack.world.cell),
        "decided_on": "01/03/2015",
        "joined_on": "19/05/2015",
        "full_from": "19/05/2016",
        "person.full_name": person["full_name"],
        "person.birth_date": "02/09/1975",
        "person.citizen_id": person["citizen_id"],
        "person.gender": "female",
        "person.ethnicity": "Kinh",
        "person.address": "Thôn Đông",
        "person.education": "upper_secondary",
    }
    before = stack.written()
    early = await post_form(officer, "/members/new", fields | {"full_from": "19/05/2015"})
    assert early.status_code == 422
    assert "[PRB-EFFECTIVE]" in error_beside(early.text, "full_from")
    assert stack.written() == before

    made = await post_form(officer, "/members/new", fields)
    assert made.status_code == 303, made.text
    member_id = UUID(made.headers["location"].split("/")[2].split("?")[0])
    person_id = stack.app.load(Member, member_id).person_id
    stack.project()
    shown = (await officer.get(made.headers["location"])).text
    assert "Vương Thị Lụa" in shown and f"/people/{person_id}/correction" in shown

    correction = {k: v for k, v in fields.items() if k.startswith("person.")} | {
        "on": DAY,
        "person.full_name": "Vương Thị Lụa",
        "person.address": "Thôn Tây",
    }
    before = stack.written()
    other_id = correction | {"person.citizen_id": applicant()["citizen_id"]}
    refused = await post_form(officer, f"/people/{person_id}/correction", other_id)
    assert refused.status_code == 422, re.findall(r'role="alert"[^>]*>([^<]*)', refused.text)
    assert "[PERSON-ID]" in error_beside(refused.text, "person.citizen_id")
    assert stack.written() == before
    corrected = await post_form(officer, f"/people/{person_id}/correction", correction)
    assert corrected.status_code == 303, corrected.text
    assert stack.app.load(Person, person_id).data.address == "Thôn Tây"


async def test_a_cell_secretary_sees_no_registration_form_and_is_refused(
    stack: Stack, secretary: httpx.AsyncClient
) -> None:
    cell = stack.world.cell
    page = (await secretary.get(f"/orgs?org={cell}")).text
    assert 'data-testid="form-' not in page and "/members/new" not in page
    before = stack.written()
    refused = await post_form(
        secretary, f"/orgs/{cell}/rename", {"name": "Đổi", "on": DAY}, page=f"/orgs?org={cell}"
    )
    assert refused.status_code == 403 and "ACCESS-ROLE" in refused.text
    assert (await secretary.get("/members/new")).status_code == 403
    assert stack.written() == before
    assert stack.app.load(Organization, cell).name != "Đổi"


async def test_an_empty_cell_is_merged_into_another_from_its_page_in_english_too(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    made = await post_form(
        officer,
        f"/orgs/{stack.world.grassroots}/unit",
        {"kind": "cell", "name": "Chi bộ thôn Nhập", "setting": "hamlet", "on": DAY},
        page=f"/orgs?org={stack.world.grassroots}",
    )
    stack.project()
    listed = (await officer.get(f"/orgs?org={stack.world.grassroots}")).text
    found = re.search(r'<a href="/orgs\?org=([^"]+)">Chi bộ thôn Nhập</a>', listed)
    assert made.status_code == 303 and found
    cell = found.group(1)
    officer.cookies.set("lang", "en")
    page = (await officer.get(f"/orgs?org={cell}")).text
    officer.cookies.delete("lang")
    assert "Dissolve or merge" in page and "Directly under" in page
    targets = options(page, "f-dissolve-merged_into")
    assert str(stack.world.cell) in targets and cell not in targets
    assert str(stack.world.grassroots) not in targets  # only organizations of its kind

    merged = await post_form(
        officer,
        f"/orgs/{cell}/dissolve",
        {"on": DAY, "merged_into": str(stack.world.cell)},
        page=f"/orgs?org={cell}",
    )
    assert merged.status_code == 303, merged.text
    record = stack.app.load(Organization, UUID(cell))
    assert (record.dissolved_on, record.merged_into) == (TODAY, stack.world.cell)


async def test_a_cell_with_members_is_merged_into_another_of_its_grassroots_organization(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    world = stack.world
    cell = stack.app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Gộp",
        parent_id=world.grassroots,
        established_on=date(2010, 1, 1),
        setting=CellSetting.hamlet,
    )
    members = world.add_members(cell, 2)
    stack.project()
    page = (await officer.get(f"/orgs?org={cell}")).text
    targets = options(page, "f-merge-merged_into")
    assert str(world.cell) in targets and str(world.far_cell) not in targets  # TRF-KIND

    before = stack.written()
    early = await post_form(
        officer,
        f"/orgs/{cell}/merge",
        {"merged_into": str(world.cell), "on": "05/03/2030"},
        page=f"/orgs?org={cell}",
    )
    assert early.status_code == 422 and "[DATE-ORDER]" in error_beside(early.text, "merge-on")
    assert stack.written() == before

    merged = await post_form(
        officer,
        f"/orgs/{cell}/merge",
        {"merged_into": str(world.cell), "on": DAY},
        page=f"/orgs?org={cell}",
    )
    assert (merged.status_code, merged.headers["location"]) == (
        303,
        f"/dissolve/{cell}/progress",
    )
    await until_dissolved(stack, cell)
    assert stack.app.load(Organization, cell).merged_into == world.cell
    assert {stack.app.load(Member, m).cell_id for m in members} == {world.cell}


async def test_a_residence_link_offers_only_the_cells_of_hamlets_and_residential_groups(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    body = {
        "cell_id": str(stack.world.other_cell),
        "person": applicant(birth_date="1995-01-02"),
        "decided_on": "2029-11-20",
        "joined_on": "2029-12-01",
    }
    made = await stack.http.post("/api/members", json=body, headers=stack.as_("department"))
    assert made.status_code == 201, made.text
    stack.project()
    page = (await officer.get(f"/members/{made.json()['member_id']}")).text
    cells = options(page, "link_residence-residence_cell_id")
    assert str(stack.world.residence_cell) in cells and str(stack.world.cell) in cells
    assert str(stack.world.other_cell) not in cells  # a commune agency's cell

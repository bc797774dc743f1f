"""The quota's breakdowns after issue 18 item 5 (docs/privacy.md): counted without any flag of a
person in clear, they are still the figures the rows' flags gave (tests/breakdowns_reference.py)
for cases taken through the workflows, on the API, the quota page, the export and the board's
filter by group, before and after a person's correction."""

from __future__ import annotations

import io
import re
from typing import Any
from uuid import UUID

import httpx
import openpyxl  # type: ignore[import-untyped]

from domain.admission import AdmissionCase
from domain.person import Person
from projections.views.people import BREAKDOWNS, person_flags
from tests.api.conftest import PASSWORD, TODAY, Stack, applicant
from tests.api.test_process import CELL_STEPS, ok
from tests.breakdowns_reference import breakdowns_from_the_record

YEAR = TODAY.year
ROWS = re.compile(r'data-testid="breakdowns">\s*<tbody>(.*?)</tbody>', re.S)
CELLS = re.compile(r"<td>(\d+)</td>")
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})"')


async def admitted(stack: Stack, secretary: str, officer: str, cell: UUID, **person: Any) -> str:
    """A case opened, taken through every step of its workflow to the ceremony: its id."""
    case = (await stack.open_case(secretary, cell, **person))["subject_id"]
    introducers: list[dict[str, Any]] = [
        {"kind": "full_member", "member_id": str(m), "together_since": "2015-01-01"}
        for m in stack.world.members[cell][:2]
    ]
    if person.get("youth_union_member"):  # ADM-INTRO: the youth union's executive and a member
        introducers[1] = {"kind": "youth_union_executive"}
    for slot, introducer in enumerate(introducers, start=1):
        await ok(
            await stack.step(
                secretary,
                case,
                "assign_introducer",
                slot=slot,
                letter_on=TODAY.isoformat(),
                **introducer,
            )
        )
    for kind, args in CELL_STEPS:
        await ok(await stack.step(secretary, case, kind, **args))
    await ok(await stack.step(officer, case, "certify_background"))
    await ok(await stack.step(secretary, case, "record_comment", source="residence_cell"))
    await ok(await stack.step("admin", case, "record_comment", source="workplace_organizations"))
    await ok(await stack.step(secretary, case, "summarize_comments"))
    ballot = await ok(
        await stack.http.get(
            f"/api/cases/{case}/ballot",
            params={"on": TODAY.isoformat()},
            headers=stack.as_(secretary),
        )
    )
    needed = ballot["votes_needed"]
    await ok(
        await stack.step(secretary, case, "record_cell_vote", votes_for=needed, votes_against=0)
    )
    await ok(
        await stack.step(
            officer, case, "record_committee_vote", committee_size=9, votes_for=8, votes_against=1
        )
    )
    await ok(
        await stack.step(
            "department", case, "decide", number="21-QĐ/ĐU", decided_by=str(stack.world.commune)
        )
    )
    await ok(await stack.step(secretary, case, "receive_decision"))
    helper = str(stack.world.members[cell][2])
    view = await ok(await stack.step(secretary, case, "hold_ceremony", helper_member_id=helper))
    assert view["stage"] == "admitted"
    return str(case)


async def web(stack: Stack, name: str) -> httpx.AsyncClient:
    client = stack.fresh()
    response = await client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


async def shown_everywhere(stack: Stack, page: httpx.AsyncClient, unit: UUID) -> list[list[int]]:
    """The unit's breakdowns of the year on the API, the quota page and its export, in the
    order of BREAKDOWNS."""
    api = await ok(
        await stack.http.get(
            f"/api/orgs/{unit}/quota", params={"year": YEAR}, headers=stack.as_("admin")
        )
    )
    html = (await page.get("/quota", params={"org": str(unit)})).text
    on_page = [int(n) for n in CELLS.findall(ROWS.search(html).group(1))]  # type: ignore[union-attr]
    export = await page.get("/export.xlsx", params={"org": str(unit)})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    unit_row = [c.value for c in sheet[6]]  # row 5: the titles; row 6: the unit itself
    in_export = unit_row[-len(BREAKDOWNS) :]
    return [[api["breakdowns"][b] for b in BREAKDOWNS], on_page, [int(n) for n in in_export]]


async def auditors_see_no_small_count_of_a_sensitive_group(stack: Stack) -> None:
    """An auditor (no personal data) sees a unit's count of ethnic minorities or religious
    followers only from 3 people (docs/privacy.md, "Small counts"); every other figure as
    it is. The cell has exactly one religious follower admitted this year (Nguyễn Văn Đạo)."""
    w, engine = stack.world, stack.services.engine
    expected = breakdowns_from_the_record(stack.app, engine, w.cell, YEAR, TODAY)
    assert expected["religious"] == 1
    auditor = await web(stack, "auditor")
    try:
        for unit in (w.grassroots, w.cell):
            expected = breakdowns_from_the_record(stack.app, engine, unit, YEAR, TODAY)
            hidden = {
                g: None if g in ("ethnic_minority", "religious") and 0 < n < 3 else n
                for g, n in expected.items()
            }
            api = await ok(
                await stack.http.get(
                    f"/api/orgs/{unit}/quota", params={"year": YEAR}, headers=stack.as_("auditor")
                )
            )
            assert api["breakdowns"] == hidden
            html = (await auditor.get("/quota", params={"org": str(unit)})).text
            cells = re.findall(r"<td>([^<]*)</td>", ROWS.search(html).group(1))  # type: ignore[union-attr]
            assert cells == [str(n) if n is not None else "dưới 3" for n in hidden.values()]
        assert api["breakdowns"]["religious"] is None  # the cell's one religious follower
    finally:
        await auditor.aclose()


async def test_breakdowns_of_cases_taken_through_the_workflows_are_those_of_the_peoples_data(
    stack: Stack,
) -> None:
    w = stack.world
    cases = [
        await admitted(
            stack,
            "secretary",
            "grassroots",
            w.cell,
            full_name="Lò Thị Xuân",
            ethnicity="Thái",
            religion=None,
            occupation="student",
        ),
        await admitted(
            stack,
            "secretary",
            "grassroots",
            w.cell,
            full_name="Nguyễn Văn Đạo",
            gender="male",
            religion="Công giáo",
            youth_union_member=True,
            occupation="private_enterprise_worker",
        ),
        await admitted(
            stack,
            "far_secretary",
            "far_grassroots",
            w.far_cell,
            full_name="Hà Văn Sơn",
            gender="male",
            ethnicity="Mường",
            occupation="foreign_invested_worker",
        ),
    ]
    stack.project()
    page = await web(stack, "admin")
    units = (w.province, w.commune, w.grassroots, w.other_grassroots, w.cell, w.far_cell)
    engine = stack.services.engine
    try:
        for unit in units:
            expected = breakdowns_from_the_record(stack.app, engine, unit, YEAR, TODAY)
            assert await shown_everywhere(stack, page, unit) == [list(expected.values())] * 3
        commune = breakdowns_from_the_record(stack.app, engine, w.commune, YEAR, TODAY)
        assert commune["ethnic_minority"] >= 2 and commune["religious"] >= 1  # not all zeros
        await auditors_see_no_small_count_of_a_sensitive_group(stack)

        # The board's filter by group keeps the open cases of people of the group: a new
        # case of a religious applicant appears under "religious", not under "student".
        opened = await stack.open_case(
            "secretary", w.cell, full_name="Đỗ Thị Hòa", religion="Phật giáo", occupation="farmer"
        )
        stack.project()
        religious = await page.get("/board", params={"org": str(w.cell), "group": "religious"})
        listed = set(CASE_LINK.findall(religious.text))
        assert opened["subject_id"] in listed
        for case_id in listed:  # every one listed is of the group
            person = stack.app.load(AdmissionCase, UUID(case_id)).person_id
            assert person_flags(stack.app.load(Person, person).data)["religious"]
        students = await page.get("/board", params={"org": str(w.cell), "group": "student"})
        assert opened["subject_id"] not in CASE_LINK.findall(students.text)

        # A correction through the API (the Thái student was recorded wrongly: a Kinh
        # Buddhist) moves the figures everywhere, as it moved the flags.
        person_id = stack.app.load(AdmissionCase, UUID(cases[0])).person_id
        data = stack.app.load(Person, person_id).data
        corrected = applicant(
            full_name=data.full_name,
            citizen_id=data.citizen_id,
            ethnicity="Kinh",
            religion="Phật giáo",
            occupation="student",
        )
        await ok(
            await stack.http.post(
                f"/api/people/{person_id}/correction",
                json={"on": TODAY.isoformat(), "person": corrected},
                headers=stack.as_("department"),
            )
        )
        stack.project()
        for unit in units:
            expected = breakdowns_from_the_record(stack.app, engine, unit, YEAR, TODAY)
            assert await shown_everywhere(stack, page, unit) == [list(expected.values())] * 3
        after = breakdowns_from_the_record(stack.app, engine, w.commune, YEAR, TODAY)
        assert after["ethnic_minority"] == commune["ethnic_minority"] - 1
        assert after["religious"] == commune["religious"] + 1
    finally:
        await page.aclose()

"""What cannot be undone, in-process on the API's stack: a vote's numbers for API clients
(`GET …/ballot`), and in the web a step reviewed with its consequence and the domain's numbers
before it is confirmed — nothing written until then; a full member's standing steps on their
page, with only the choices that can succeed."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
import pytest_asyncio

from domain.admission import AdmissionCase, Stage
from domain.member import Member
from domain.values import CellSetting, HoldKind, OrgKind
from tests.api.conftest import TODAY, Stack, applicant
from tests.api.test_process import CELL_STEPS, ok
from tests.api.test_web_starts import DAY, post_form, session
from tests.builders import ctx

DIGEST = re.compile(r'name="confirmed" value="([0-9a-f]+)"')


@dataclass
class Cell:
    """A cell of this module's own (the shared cells' counts are other tests' premises)."""

    id: UUID
    members: list[UUID]


def cell_of_eight(stack: Stack, name: str) -> Cell:
    """A hamlet cell of the shared grassroots organization with eight full members."""
    cell = stack.app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name=name,
        parent_id=stack.world.grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.hamlet,
    )
    members = stack.world.add_members(cell, 8)
    stack.project()
    return Cell(cell, members)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def north(stack: Stack) -> Cell:
    return cell_of_eight(stack, "Chi bộ thôn Bắc")


@pytest_asyncio.fixture(loop_scope="session")
async def officer(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "grassroots")
    yield client
    await client.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def department(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = await session(stack, "department")
    yield client
    await client.aclose()


async def case_at_the_cell_vote(stack: Stack, cell: Cell, on: date = TODAY) -> str:
    """A case of its own, its dossier complete on `on`: the cell votes next."""
    opened = await stack.http.post(
        "/api/cases",
        json={"cell_id": str(cell.id), "on": on.isoformat(), "person": applicant()},
        headers=stack.as_("grassroots"),
    )
    case = str((await ok(opened))["subject_id"])
    for slot, member in enumerate(cell.members[:2], start=1):
        await step(
            stack,
            case,
            "assign_introducer",
            on,
            slot=slot,
            kind="full_member",
            letter_on=on.isoformat(),
            member_id=str(member),
            together_since="2015-01-01",
        )
    for kind, args in CELL_STEPS:
        await step(stack, case, kind, on, **args)
    await step(stack, case, "certify_background", on)
    for source in ("residence_cell", "workplace_organizations"):
        await step(stack, case, "record_comment", on, source=source)
    view = await step(stack, case, "summarize_comments", on)
    assert view["stage"] == "cell_vote"
    return case


async def step(stack: Stack, case: str, step_kind: str, on: date, /, **args: Any) -> Any:
    """A step of the case as the grassroots officer, dated `on`."""
    body = {"kind": step_kind, "on": on.isoformat(), "args": args}
    return await ok(
        await stack.http.post(
            f"/api/cases/{case}/steps", json=body, headers=stack.as_("grassroots")
        )
    )


async def full_members_on_the_roll(stack: Stack, cell: Cell) -> int:
    """The read model's roll of the cell: a count independent of the domain's outlook."""
    stack.project()
    roll = await ok(
        await stack.http.get(f"/api/orgs/{cell.id}/roll", headers=stack.as_("grassroots"))
    )
    return len(roll["full"])


def text(page: httpx.Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", page.text))


async def test_an_api_client_reads_the_roll_the_votes_needed_and_what_its_votes_lead_to(
    stack: Stack, north: Cell
) -> None:
    case = await case_at_the_cell_vote(stack, north)
    full = await full_members_on_the_roll(stack, north)
    assert full == 8
    needed = -(-2 * full // 3)
    before = stack.written()
    ballot = await ok(
        await stack.http.get(
            f"/api/cases/{case}/ballot",
            params={"on": TODAY.isoformat(), "votes_for": needed - 1, "votes_against": 1},
            headers=stack.as_("grassroots"),
        )
    )
    assert (ballot["on_roll"], ballot["denominator"], ballot["votes_needed"]) == (
        full,
        full,
        needed,
    )
    assert (ballot["quorum"], ballot["passes"], ballot["outcome"]) == (3, False, "case_ends")
    assert ballot["rules"] == ["ADM-VOTE-CELL", "ORG-MIN"]
    enough = await ok(
        await stack.http.get(
            f"/api/cases/{case}/ballot",
            params={"votes_for": needed, "votes_against": 0},
            headers=stack.as_("grassroots"),
        )
    )
    assert (enough["outcome"], enough["held_on"]) == ("proposed", TODAY.isoformat())
    committee = await ok(
        await stack.http.get(
            f"/api/cases/{case}/ballot",
            params={"committee_size": 9, "votes_for": 5, "votes_against": 4},
            headers=stack.as_("grassroots"),
        )
    )
    assert (committee["votes_needed"], committee["outcome"]) == (6, "reported_up")

    too_many = await stack.http.get(
        f"/api/cases/{case}/ballot",
        params={"votes_for": 99, "votes_against": 0},
        headers=stack.as_("grassroots"),
    )
    assert (too_many.status_code, too_many.json()["rule_id"]) == (422, "ADM-VOTE-CELL")
    member = north.members[0]
    review = await ok(
        await stack.http.get(
            f"/api/members/{member}/ballot",
            params={"motion": "strike_off", "votes_for": 1, "votes_against": 1},
            headers=stack.as_("grassroots"),
        )
    )
    assert (review["outcome"], review["deadlock_after"]) == ("vote_failed", 3)
    assert stack.written() == before  # reading numbers writes nothing
    # The API takes a step in one call: confirming is its client's part.
    view = await ok(
        await stack.step("grassroots", case, "record_cell_vote", votes_for=1, votes_against=0)
    )
    assert (view["stage"], view["closed"]) == ("rejected", True)


async def test_a_vote_that_ends_the_case_is_shown_with_its_numbers_and_written_once_confirmed(
    stack: Stack, north: Cell, officer: httpx.AsyncClient
) -> None:
    case = await case_at_the_cell_vote(stack, north)
    full = await full_members_on_the_roll(stack, north)
    needed = -(-2 * full // 3)
    path = f"/cases/{case}"
    step = f"{path}/steps/record_cell_vote"
    short = {"on": DAY, "votes_for": str(needed - 1), "votes_against": "1", "key": "v1"}

    before = stack.written()
    refused = await post_form(officer, step, {**short, "votes_for": "99"}, page=path)
    assert refused.status_code == 422
    assert "[ADM-VOTE-CELL]" in text(refused)
    assert 'id="err-record_cell_vote-votes_for"' in refused.text
    assert "review-record_cell_vote" not in refused.text  # refused: nothing to confirm

    shown = await post_form(officer, step, short, page=path)
    assert shown.status_code == 200
    said = text(shown)
    assert f"{full} đảng viên chính thức trong danh sách Chi bộ thôn Bắc ngày {DAY}" in said
    assert f"Cần ít nhất {needed} phiếu tán thành (2/3 của {full})" in said
    assert "hồ sơ sẽ kết thúc (không được đề nghị kết nạp)" in said
    assert "ADM-VOTE-CELL" in said and "ORG-MIN" in said
    digest = DIGEST.search(shown.text)
    assert digest
    # Values changed after the review are reviewed again, not taken.
    changed = await post_form(
        officer, step, {**short, "votes_for": str(needed), "confirmed": digest.group(1)}, path
    )
    assert changed.status_code == 200
    assert "chi bộ đề nghị kết nạp, hồ sơ chuyển lên cấp ủy xét" in text(changed)
    assert stack.written() == before  # declined so far: nothing written
    assert stack.app.load(AdmissionCase, UUID(case)).stage is Stage.cell_vote

    confirmed = await post_form(officer, step, {**short, "confirmed": digest.group(1)}, page=path)
    assert confirmed.status_code == 303, text(confirmed)[:2000]
    assert stack.app.load(AdmissionCase, UUID(case)).stage is Stage.rejected


async def test_a_full_member_s_page_shows_their_standing_and_the_steps_open_to_them(
    stack: Stack, north: Cell, department: httpx.AsyncClient
) -> None:
    member = north.members[5]
    page = await department.get(f"/members/{member}")
    said = text(page)
    assert "Đã kết thúc" not in said
    assert 'data-testid="standing"' in page.text
    for kind in ("place_hold", "exempt", "discipline", "link_residence", "record_departure"):
        assert f'id="step-{kind}"' in page.text, kind
    assert 'id="step-release_hold"' not in page.text  # no hold to release
    assert 'id="step-record_residence_comment"' not in page.text  # no residence link
    assert 'value="dismissal"' in page.text  # a full member's penalties

    path = f"/members/{member}"
    placed = await post_form(
        department, f"{path}/steps/place_hold", {"on": DAY, "kind": "inspection", "key": "h"}, path
    )
    assert placed.status_code == 303
    assert stack.app.load(Member, member).holds == {HoldKind.inspection}
    page = await department.get(path)
    assert 'id="step-release_hold"' in page.text
    release = page.text.split('id="step-release_hold"')[1].split("</details>")[0]
    assert 'value="inspection"' in release and 'value="complaint"' not in release
    released = await post_form(
        department,
        f"{path}/steps/release_hold",
        {"on": DAY, "kind": "inspection", "key": "r"},
        path,
    )
    assert released.status_code == 303
    assert stack.app.load(Member, member).holds == set()


async def test_a_discipline_is_confirmed_before_it_is_written_and_a_declined_one_writes_nothing(
    stack: Stack, north: Cell, department: httpx.AsyncClient
) -> None:
    member = north.members[6]
    path = f"/members/{member}"
    step = f"{path}/steps/discipline"
    form: dict[str, Any] = {"on": DAY, "penalty": "warning", "reason": "Vi phạm", "key": "d"}
    before = stack.written()
    shown = await post_form(department, step, form, path)
    assert shown.status_code == 200
    assert "Kỷ luật Cảnh cáo ngày" in text(shown) and "không xóa được" in text(shown)
    digest = DIGEST.search(shown.text)
    assert digest
    back = await department.get(path)  # "Không ghi, quay lại": the page again
    assert back.status_code == 200
    assert stack.written() == before and stack.app.load(Member, member).penalties == []

    done = await post_form(department, step, {**form, "confirmed": digest.group(1)}, path)
    assert done.status_code == 303
    assert [p for _, p in stack.app.load(Member, member).penalties] == ["warning"]
    page = await department.get(path)
    assert "Kỷ luật cảnh cáo: Vi phạm" in text(page)  # the penalty in words, never its code


async def test_a_ceremony_past_its_due_date_opens_the_approval_of_its_delay_first(
    stack: Stack, north: Cell, officer: httpx.AsyncClient
) -> None:
    long_ago = TODAY - timedelta(days=120)
    case = await case_at_the_cell_vote(stack, north, long_ago)
    await step(stack, case, "record_cell_vote", long_ago, votes_for=8, votes_against=0)
    await step(
        stack,
        case,
        "record_committee_vote",
        long_ago,
        committee_size=9,
        votes_for=9,
        votes_against=0,
    )
    decided = await stack.http.post(
        f"/api/cases/{case}/steps",
        json={
            "kind": "decide",
            "on": long_ago.isoformat(),
            "args": {"number": "7-QĐ/ĐU", "decided_by": str(stack.world.commune)},
        },
        headers=stack.as_("department"),
    )
    await ok(decided)
    await step(stack, case, "receive_decision", long_ago)
    page = await officer.get(f"/cases/{case}")
    opened = re.findall(r'<details class="step" id="step-([a-z_]+)" open', page.text)
    assert opened == ["approve_ceremony_delay"]  # not the ceremony, which would be refused
    assert 'id="step-hold_ceremony"' in page.text  # still there, folded


def section(page: httpx.Response, kind: str) -> str:
    """The form of one step on a page."""
    return page.text.split(f'id="step-{kind}"')[1].split("</details>")[0]


async def test_a_probationer_s_forms_offer_only_what_can_succeed(
    stack: Stack, north: Cell, department: httpx.AsyncClient
) -> None:
    (early,) = stack.world.add_members(
        north.id, 1, joined_on=TODAY - timedelta(days=60), full=False
    )
    (due,) = stack.world.add_members(north.id, 1, joined_on=TODAY - timedelta(days=400), full=False)
    stack.project()
    page = await department.get(f"/members/{early}")
    vote = section(page, "record_review_vote")
    assert 'value="strike_off"' in vote and 'value="recognize"' not in vote  # PRB-REVIEW
    discipline = section(page, "discipline")
    assert 'value="warning"' in discipline and 'value="dismissal"' not in discipline
    assert "Lớp bồi dưỡng đảng viên mới" in text(page)  # the probationer's standing
    page = await department.get(f"/members/{due}")
    assert 'value="recognize"' in section(page, "record_review_vote")


@pytest.mark.parametrize(
    ("query", "rule_id"),
    [
        ("votes_for=-1", "REQUEST-INVALID"),
        ("votes_for=many", "REQUEST-INVALID"),
        ("on=2026-02-31", "REQUEST-INVALID"),
        ("on=1950-01-01", "RULES-PERIOD"),
        ("excused_voting=5", "ADM-VOTE-CELL"),
        ("votes_for=1&votes_against=99", "ADM-VOTE-CELL"),
        ("committee_size=0&votes_for=0&votes_against=0", "ADM-VOTE-COMMITTEE"),
    ],
)
async def test_bad_numbers_of_a_vote_are_refused_with_their_rule_and_write_nothing(
    stack: Stack, north: Cell, query: str, rule_id: str
) -> None:
    case = (await stack.open_case("grassroots", north.id))["subject_id"]
    before = stack.written()
    response = await stack.http.get(
        f"/api/cases/{case}/ballot?{query}", headers=stack.as_("grassroots")
    )
    assert (response.status_code, response.json()["rule_id"]) == (422, rule_id)
    motion = await stack.http.get(
        f"/api/members/{north.members[0]}/ballot?motion=expel", headers=stack.as_("grassroots")
    )
    assert (motion.status_code, motion.json()["rule_id"]) == (422, "REQUEST-INVALID")
    assert stack.written() == before


async def test_a_role_that_may_not_take_a_step_gets_no_review_of_it_and_nothing_is_written(
    stack: Stack,
) -> None:
    secretary = await session(stack, "secretary")
    member = stack.world.members[stack.world.cell][3]
    path = f"/members/{member}"
    page = await secretary.get(path)
    assert 'id="step-discipline"' not in page.text  # a grassroots officer's step
    assert 'id="step-exempt"' in page.text  # the secretary's own
    before = stack.written()
    form = {"on": DAY, "penalty": "warning", "key": "x"}
    refused = await post_form(secretary, f"{path}/steps/discipline", form, path)
    await secretary.aclose()
    assert refused.status_code == 403 and "ACCESS-ROLE" in refused.text
    assert "review-discipline" not in refused.text
    assert stack.written() == before


async def test_the_review_speaks_english_when_asked(
    stack: Stack, north: Cell, department: httpx.AsyncClient
) -> None:
    path = f"/members/{north.members[7]}"
    await department.get("/lang/en")
    shown = await post_form(
        department, f"{path}/steps/discipline", {"on": DAY, "penalty": "reprimand"}, path
    )
    department.cookies.delete("lang")
    assert shown.status_code == 200
    said = text(shown)
    assert "Check before recording — this cannot be undone" in said
    assert "The penalty (Reprimand) of" in said and "cannot be removed" in said
    assert "Confirm and record" in said and "Khiển trách" not in said

"""Every command sent again with the same Idempotency-Key answers what it answered the first
time and writes nothing more (docs/api.md), even when the record moved on in between: a later
step on the case, the dissolution it started now ended, a target set again with another key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from domain.values import CellSetting, OrgKind
from tests.api.conftest import TODAY, Stack, applicant
from tests.api.test_papers import voted_case
from tests.api.test_transfer_letter import started_transfer
from tests.builders import ctx

Send = Callable[[str], Awaitable[httpx.Response]]  # the request, with this key


@dataclass
class Command:
    send: Send
    # what happens after the first answer and before the repeat (the record moves on)
    meanwhile: Callable[[], Awaitable[Any]] | None = None


def post(stack: Stack, who: str, path: str, body: dict[str, Any] | None = None) -> Send:
    async def send(key: str) -> httpx.Response:
        headers = {**stack.as_(who), "Idempotency-Key": key}
        return await stack.http.post(path, json=body, headers=headers)

    return send


def day() -> str:
    return TODAY.isoformat()


async def new_member(stack: Stack) -> UUID:
    """A full member of the world's cell, of this test alone."""
    (member,) = stack.world.add_members(stack.world.cell, 1)
    stack.project()
    return member


async def new_transfer(stack: Stack) -> str:
    member = await new_member(stack)
    body = {
        "member_id": str(member),
        "kind": "internal",
        "reason": "residence_change",
        "destination_org_id": str(stack.world.residence_cell),
        "trigger_on": day(),
        "on": day(),
    }
    response = await post(stack, "department", "/api/transfers", body)(f"chuyen-{uuid4()}")
    assert response.status_code == 201, response.text
    return str(response.json()["subject_id"])


async def until_dissolved(stack: Stack, cell: UUID) -> None:
    for _ in range(400):
        progress = await stack.http.get(
            f"/api/orgs/{cell}/dissolution", headers=stack.as_("department")
        )
        if progress.status_code == 200 and progress.json()["dissolved"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the dissolution did not end")


def doomed_cell(stack: Stack) -> tuple[UUID, list[dict[str, str]]]:
    world = stack.world
    cell = stack.app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name=f"Chi bộ Trạm y tế {uuid4().hex[:4]}",
        parent_id=world.grassroots,
        established_on=TODAY.replace(year=2005),
        setting=CellSetting.health_station,
    )
    moving = world.add_members(cell, 2)
    stack.project()
    return cell, [{"member_id": str(m), "to_cell_id": str(world.other_cell)} for m in moving]


async def open_case(stack: Stack) -> Command:
    body = {"cell_id": str(stack.world.cell), "on": day(), "person": applicant()}
    return Command(post(stack, "secretary", "/api/cases", body))


async def case_step(stack: Stack) -> Command:
    case = (await stack.open_case("secretary", stack.world.cell))["subject_id"]
    step = {"kind": "record_certificate", "on": day(), "args": {"number": "7/GCN"}}
    return Command(
        post(stack, "secretary", f"/api/cases/{case}/steps", step),
        meanwhile=lambda: stack.step("secretary", case, "submit_application"),
    )


async def member_step(stack: Stack) -> Command:
    member = await new_member(stack)
    path = f"/api/members/{member}/steps"
    step = {"kind": "place_hold", "on": day(), "args": {"kind": "inspection"}}
    release = {"kind": "release_hold", "on": day(), "args": {"kind": "inspection"}}
    return Command(
        post(stack, "grassroots", path, step),
        meanwhile=lambda: post(stack, "grassroots", path, release)(f"tha-{uuid4()}"),
    )


async def start_transfer(stack: Stack) -> Command:
    member = await new_member(stack)
    body = {
        "member_id": str(member),
        "kind": "internal",
        "reason": "residence_change",
        "destination_org_id": str(stack.world.residence_cell),
        "trigger_on": day(),
        "on": day(),
    }
    return Command(post(stack, "department", "/api/transfers", body))


async def transfer_step(stack: Stack) -> Command:
    transfer = await new_transfer(stack)
    step = {"kind": "record_portal_reference", "on": day(), "args": {"reference": "DVC-1"}}
    cancel = {"kind": "cancel_transfer", "on": day(), "args": {"reason": "đổi ý"}}
    path = f"/api/transfers/{transfer}/steps"
    return Command(
        post(stack, "department", path, step),
        meanwhile=lambda: post(stack, "department", path, cancel)(f"huy-{uuid4()}"),
    )


async def set_target(stack: Stack) -> Command:
    path = f"/api/orgs/{stack.world.grassroots}/targets"
    first = {"year": 2031, "count": 12, "on": day()}
    second = {"year": 2031, "count": 15, "on": day()}
    return Command(
        post(stack, "department", path, first),
        meanwhile=lambda: post(stack, "department", path, second)(f"chi-tieu-{uuid4()}"),
    )


async def correct_person(stack: Stack) -> Command:
    data = applicant()
    case = await stack.open_case("secretary", stack.world.cell, **data)
    person = (
        await stack.http.get(f"/api/cases/{case['subject_id']}", headers=stack.as_("secretary"))
    ).json()["person_id"]
    body = {"on": day(), "person": {**data, "full_name": "Trần Thị Mai Anh"}}
    return Command(post(stack, "grassroots", f"/api/people/{person}/correction", body))


async def dissolve(stack: Stack) -> Command:
    cell, moves = doomed_cell(stack)
    body = {"on": day(), "moves": moves}
    return Command(
        post(stack, "department", f"/api/orgs/{cell}/dissolution", body),
        meanwhile=lambda: until_dissolved(stack, cell),
    )


async def retry_dissolution(stack: Stack) -> Command:
    cell, moves = doomed_cell(stack)
    started = await post(
        stack,
        "department",
        f"/api/orgs/{cell}/dissolution",
        {
            "on": day(),
            "moves": moves,
        },
    )(f"giai-the-{uuid4()}")
    assert started.status_code == 202, started.text
    await until_dissolved(stack, cell)
    return Command(post(stack, "department", f"/api/orgs/{cell}/dissolution/retry"))


# --- issue 15: dissolution at scale ---


async def batch_done(stack: Stack, batch_id: str) -> None:
    for _ in range(400):
        progress = await stack.http.get(
            f"/api/dissolutions/{batch_id}", headers=stack.as_("department")
        )
        if progress.status_code == 200 and progress.json()["done"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the batch did not end")


def batch_body(stack: Stack) -> dict[str, Any]:
    cells = [doomed_cell(stack) for _ in range(2)]
    return {"on": day(), "cells": [{"cell_id": str(c), "moves": m} for c, m in cells]}


async def dissolve_cells(stack: Stack) -> Command:
    body = batch_body(stack)

    async def ended() -> None:  # each cell of the batch has the progress of a single one
        for cell in body["cells"]:
            await until_dissolved(stack, UUID(cell["cell_id"]))

    return Command(post(stack, "department", "/api/dissolutions", body), meanwhile=ended)


async def retry_batch(stack: Stack) -> Command:
    started = await post(stack, "department", "/api/dissolutions", batch_body(stack))(
        f"dot-{uuid4()}"
    )
    assert started.status_code == 202, started.text
    batch_id = started.json()["batch_id"]
    await batch_done(stack, batch_id)
    return Command(post(stack, "department", f"/api/dissolutions/{batch_id}/retry"))


# --- registration (infra/api/registration.py) ---


async def new_org(stack: Stack, name: str) -> str:
    body = {"parent_id": str(stack.world.grassroots), "kind": "cell", "name": name, "on": day()}
    made = await post(stack, "department", "/api/orgs", body)(f"to-chuc-{uuid4()}")
    assert made.status_code == 201, made.text
    stack.project()
    return str(made.json()["id"])


async def register_org(stack: Stack) -> Command:
    body = {
        "parent_id": str(stack.world.grassroots),
        "kind": "cell",
        "name": "Chi bộ Mới",
        "on": day(),
    }
    return Command(post(stack, "department", "/api/orgs", body))


async def rename_org(stack: Stack) -> Command:
    org = await new_org(stack, "Chi bộ Tên Cũ")
    path = f"/api/orgs/{org}/name"
    return Command(
        post(stack, "department", path, {"name": "Chi bộ Tên Mới", "on": day()}),
        meanwhile=lambda: post(stack, "department", path, {"name": "Khác", "on": day()})(
            f"ten-{uuid4()}"
        ),
    )


async def reparent_org(stack: Stack) -> Command:
    org = await new_org(stack, "Chi bộ Chuyển")
    body = {"parent_id": str(stack.world.other_grassroots), "on": day()}
    return Command(post(stack, "department", f"/api/orgs/{org}/parent", body))


async def dissolve_org(stack: Stack) -> Command:
    org = await new_org(stack, "Chi bộ Trống")
    return Command(post(stack, "department", f"/api/orgs/{org}/dissolve", {"on": day()}))


async def register_hamlet(stack: Stack) -> Command:
    path = f"/api/orgs/{stack.world.commune}/hamlets"
    key = f"thon-{uuid4().hex[:8]}"
    return Command(
        post(stack, "department", path, {"name": "Thôn Lặp", "key": key, "on": day()}),
        meanwhile=lambda: post(
            stack, "department", path, {"name": "Thôn Lặp Mới", "key": key, "on": day()}
        )(f"thon-{uuid4()}"),
    )


async def serve_hamlets(stack: Stack) -> Command:
    org = await new_org(stack, "Chi bộ Phụ Trách")
    return Command(
        post(stack, "department", f"/api/orgs/{org}/served-hamlets", {"keys": [], "on": day()})
    )


async def register_member(stack: Stack) -> Command:
    body = {
        "cell_id": str(stack.world.cell),
        "person": applicant(birth_date="1980-01-02"),
        "decided_on": "2020-03-01",
        "joined_on": "2020-03-20",
    }
    return Command(post(stack, "department", "/api/members", body))


# --- issue 16: papers ---
async def issue_paper(stack: Stack) -> Command:
    case = voted_case(stack)
    body = {"kind": "cell_resolution", "on": "2025-12-05"}
    return Command(post(stack, "secretary", f"/api/cases/{case.case_id}/papers", body))


async def supersede_paper(stack: Stack) -> Command:
    case = voted_case(stack)
    issued = await post(
        stack,
        "secretary",
        f"/api/cases/{case.case_id}/papers",
        {"kind": "cell_resolution", "on": "2025-12-05"},
    )(f"nq-{uuid4()}")
    path = f"/api/papers/{issued.json()['id']}/supersede"
    return Command(post(stack, "secretary", path, {"on": "2025-12-08", "reason": "Sửa"}))


async def issue_org_paper(stack: Stack) -> Command:
    """A unit's quota report (issue 16, papers about an organization): a cell of its own."""
    cell = stack.app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Báo Cáo",
        parent_id=stack.world.grassroots,
        established_on=TODAY,
        setting=CellSetting.hamlet,
    )
    stack.project()
    body = {"kind": "quota_report", "on": day(), "year": TODAY.year}
    return Command(post(stack, "grassroots", f"/api/orgs/{cell}/papers", body))


async def issue_transfer_letter(stack: Stack) -> Command:
    transfer, _ = await started_transfer(stack)
    body = {"kind": "transfer_letter", "on": TODAY.isoformat()}
    return Command(post(stack, "department", f"/api/transfers/{transfer}/papers", body))


@pytest.mark.parametrize(
    "command",
    [
        open_case,
        case_step,
        member_step,
        start_transfer,
        transfer_step,
        set_target,
        correct_person,
        dissolve,
        retry_dissolution,
        dissolve_cells,
        retry_batch,
        register_org,
        rename_org,
        reparent_org,
        dissolve_org,
        register_hamlet,
        serve_hamlets,
        register_member,
        issue_paper,  # issue 16
        supersede_paper,
        issue_org_paper,
        issue_transfer_letter,  # issue 16, the transfer letter
    ],
)
async def test_a_command_sent_again_with_its_key_answers_as_the_first_time_and_writes_nothing(
    stack: Stack, command: Callable[[Stack], Awaitable[Command]]
) -> None:
    given = await command(stack)
    key = f"lan-dau-{uuid4()}"
    first = await given.send(key)
    assert first.status_code in (200, 201, 202), first.text
    if given.meanwhile is not None:
        await given.meanwhile()
    written = stack.written()

    again = await given.send(key)

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert stack.written() == written

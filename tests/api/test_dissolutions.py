"""Dissolution at scale, in the API and the web, on the API's stack (docs/api.md,
"Dissolutions"): several commune-agency cells dissolved on one date in one request, checked
whole before anything starts (one refused cell refuses the batch, naming it; nothing written),
the same batch started once, the progress read from the workflows, the batch hidden outside
the user's subtree; the web's wizard offers only the cells the domain lets go.

The tree of this module, under the world's commune: two grassroots committees ("communes"),
each with its "Chi bộ Cơ quan xã" (2 members) and a "Chi bộ thôn Đông" (1 member: the same
name in both), and a grassroots cell (never dissolvable)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio

from domain.organization import Organization
from domain.values import CellSetting, OrgKind
from tests.api.conftest import PASSWORD, TODAY, Stack
from tests.builders import ctx

DAY = TODAY.isoformat()
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Commune:
    grassroots: UUID
    agency: UUID  # Chi bộ Cơ quan xã, 2 members
    hamlet: UUID  # Chi bộ thôn Đông, 1 member
    members: list[UUID]  # the agency's


@dataclass
class Tree:
    communes: list[Commune]
    grassroots_cell: UUID


def org(stack: Stack, kind: OrgKind, name: str, parent: UUID, setting: CellSetting | None) -> UUID:
    return stack.app.register_organization(
        ctx(),
        kind=kind,
        name=name,
        parent_id=parent,
        established_on=date(2005, 1, 5),
        setting=setting,
    )


def new_commune(stack: Stack, name: str) -> Commune:
    grassroots = org(stack, OrgKind.grassroots_committee, name, stack.world.commune, None)
    agency = org(stack, OrgKind.cell, "Chi bộ Cơ quan xã", grassroots, CellSetting.commune_agency)
    hamlet = org(stack, OrgKind.cell, "Chi bộ thôn Đông", grassroots, CellSetting.hamlet)
    members = stack.world.add_members(agency, 2)
    stack.world.add_members(hamlet, 1)
    # 213-QĐ/TW: the first agency member lives in the hamlet.
    stack.app.link_residence(ctx(), members[0], hamlet, date(2025, 2, 17))
    return Commune(grassroots, agency, hamlet, members)


def build_tree(stack: Stack) -> Tree:
    communes = [new_commune(stack, f"Đảng bộ xã Thử {uuid4().hex[:4]}") for _ in range(2)]
    lone = org(
        stack,
        OrgKind.grassroots_cell,
        "Chi bộ Trạm Y tế (cơ sở)",
        stack.world.commune,
        CellSetting.health_station,
    )
    stack.world.add_members(lone, 1)
    stack.project()
    return Tree(communes, lone)


def everyone_home(c: Commune) -> dict[str, Any]:
    return {
        "cell_id": str(c.agency),
        "moves": [{"member_id": str(m), "to_cell_id": str(c.hamlet)} for m in c.members],
    }


async def until_done(stack: Stack, batch_id: str, user: str = "department") -> dict[str, Any]:
    for _ in range(400):
        progress = await stack.http.get(f"/api/dissolutions/{batch_id}", headers=stack.as_(user))
        assert progress.status_code == 200, progress.text
        if progress.json()["done"]:
            found: dict[str, Any] = progress.json()
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the batch did not end")


async def dissolve(
    stack: Stack, body: dict[str, Any], user: str = "department", key: str | None = None
) -> httpx.Response:
    headers = {**stack.as_(user), **({"Idempotency-Key": key} if key else {})}
    return await stack.http.post("/api/dissolutions", json=body, headers=headers)


# --- the API -----------------------------------------------------------------------------------


async def test_two_communes_agency_cells_go_in_one_batch_and_the_same_batch_starts_once(
    stack: Stack,
) -> None:
    tree = build_tree(stack)
    body = {"on": DAY, "cells": [everyone_home(c) for c in tree.communes]}

    first = await dissolve(stack, body, key="giai-the-co-quan-2030")
    assert first.status_code == 202, first.text
    batch_id = first.json()["batch_id"]
    assert [c["cell_id"] for c in first.json()["cells"]] == [str(c.agency) for c in tree.communes]
    assert first.json()["members"] == 4

    done = await until_done(stack, batch_id)
    assert done["dissolved"] == 2 and done["moved"] == 4
    assert [(c["state"], c["moved"], c["total"]) for c in done["cells"]] == [
        ("dissolved", 2, 2)
    ] * 2
    for c in tree.communes:
        assert stack.app.load(Organization, c.agency).dissolved_on == TODAY
        assert stack.app.load(Organization, c.hamlet).members_on(TODAY) >= set(c.members)

    # The same request again: the first answer, nothing started or written.
    written = stack.written()
    again = await dissolve(stack, body, key="giai-the-co-quan-2030")
    assert (again.status_code, again.json()) == (202, first.json())
    assert stack.written() == written
    # Without the key, the same cells again: refused (they no longer exist that day).
    repeated = await dissolve(stack, body)
    assert (repeated.status_code, repeated.json()["rule_id"]) == (422, "ORG-TREE")
    assert stack.written() == written


async def test_one_refused_cell_refuses_the_whole_batch_naming_it_and_nothing_starts(
    stack: Stack,
) -> None:
    tree = build_tree(stack)
    ready, short = tree.communes
    left_out = everyone_home(short) | {"moves": everyone_home(short)["moves"][:1]}
    written = stack.written()

    refused = await dissolve(stack, {"on": DAY, "cells": [everyone_home(ready), left_out]})

    assert refused.status_code == 422, refused.text
    answer = refused.json()
    assert answer["rule_id"] == "ORG-DISSOLVE"
    assert answer["details"]["cell_id"] == str(short.agency)
    assert answer["details"]["missing"] == [str(short.members[1])]
    assert answer["message"].startswith("Chi bộ Cơ quan xã — Đảng bộ xã Thử")
    assert stack.written() == written
    never = await stack.http.get(
        f"/api/orgs/{ready.agency}/dissolution", headers=stack.as_("department")
    )
    assert never.status_code == 404  # the valid cell's dissolution never started


BAD: dict[str, tuple[Any, int, str]] = {
    # a grassroots cell: its members have no other cell of its own to go to
    "a grassroots cell": (
        lambda t: [{"cell_id": str(t.grassroots_cell), "moves": []}],
        422,
        "ORG-DISSOLVE",
    ),
    # moved into the hamlet cell the same batch dissolves
    "a destination dissolved by the same batch": (
        lambda t: [
            everyone_home(t.communes[0]),
            {"cell_id": str(t.communes[0].hamlet), "moves": []},
        ],
        422,
        "ORG-DISSOLVE",
    ),
    "a cell named twice": (
        lambda t: [everyone_home(t.communes[0]), everyone_home(t.communes[0])],
        422,
        "ORG-DISSOLVE",
    ),
    # the other commune's hamlet: not an internal transfer
    "a destination in another grassroots organization": (
        lambda t: [
            everyone_home(t.communes[0])
            | {
                "moves": [
                    {"member_id": str(m), "to_cell_id": str(t.communes[1].hamlet)}
                    for m in t.communes[0].members
                ]
            }
        ],
        422,
        "TRF-KIND",
    ),
    "no cell": (lambda t: [], 422, "REQUEST-INVALID"),
}


@pytest.mark.parametrize("name", list(BAD))
async def test_a_bad_batch_is_refused_with_its_rule_and_writes_nothing(
    stack: Stack, name: str
) -> None:
    tree = build_tree(stack)
    cells, status, rule = BAD[name]
    written = stack.written()
    refused = await dissolve(stack, {"on": DAY, "cells": cells(tree)}, key=f"bad-{uuid4()}")
    assert (refused.status_code, refused.json()["rule_id"]) == (status, rule), refused.text
    assert stack.written() == written


async def test_outside_the_subtree_a_cell_is_refused_and_a_batch_is_not_found(
    stack: Stack,
) -> None:
    """The department of the other grassroots committee: a cell here named in the body is
    ACCESS-SCOPE; a batch here is NOT-FOUND, answered as an unknown one."""
    tree = build_tree(stack)
    written = stack.written()
    body = {"on": DAY, "cells": [everyone_home(tree.communes[0])]}
    refused = await dissolve(stack, body, user="far_department")
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-SCOPE")
    assert stack.written() == written

    started = await dissolve(stack, body)
    batch_id = started.json()["batch_id"]
    await until_done(stack, batch_id)
    unknown_id = str(uuid4())
    outside = await stack.http.get(
        f"/api/dissolutions/{batch_id}", headers=stack.as_("far_department")
    )
    unknown = await stack.http.get(
        f"/api/dissolutions/{unknown_id}", headers=stack.as_("far_department")
    )
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()


# --- the web -----------------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def officer(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    client = stack.fresh()
    response = await client.post(
        "/api/auth/login", json={"username": "department", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    yield client
    await client.aclose()


def ticked(html: str) -> set[str]:
    return set(re.findall(r'name="cells" value="([^"]+)" checked', html))


async def test_the_wizard_ticks_every_agency_cell_and_never_offers_a_grassroots_cell(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    tree = build_tree(stack)
    page = await officer.get(f"/dissolve?org={stack.world.commune}&setting=commune_agency")
    assert page.status_code == 200
    agencies = {str(c.agency) for c in tree.communes}
    assert agencies <= ticked(page.text)
    assert f'value="{tree.grassroots_cell}"' not in page.text
    assert "Chi bộ Trạm Y tế (cơ sở) — [ORG-DISSOLVE]" in page.text  # kept, with its rule
    # A preselected cell (an organization page's link): ticked alone.
    one = await officer.get(f"/dissolve?cells={tree.communes[0].agency}")
    assert ticked(one.text) == {str(tree.communes[0].agency)}


async def test_the_review_suggests_the_residence_cell_and_confirms_once_for_the_batch(
    stack: Stack, officer: httpx.AsyncClient
) -> None:
    tree = build_tree(stack)
    a, b = tree.communes
    query = f"cells={a.agency}&cells={b.agency}&on=04/03/2030"
    review = await officer.get(f"/dissolve/review?{query}")
    assert review.status_code == 200
    html = review.text
    # Cells and destinations named with their commune; the 213 link suggested.
    assert html.count("Chi bộ thôn Đông — Đảng bộ xã Thử") >= 2
    assert re.search(rf'value="{a.hamlet}" selected>[^<]*· theo nơi cư trú', html)
    assert 'data-testid="total-members">4<' in html

    token = CSRF.search(html)
    assert token
    moves = {f"move.{m}": str(c.hamlet) for c in (a, b) for m in c.members}
    data = {"csrf": token.group(1), "key": str(uuid4()), "on": "04/03/2030", **moves}
    form: dict[str, Any] = {"cells": [str(a.agency), str(b.agency)], **data}
    written = stack.written()

    # Without the box ticked: refused beside it, nothing written.
    unconfirmed = await officer.post("/dissolve/review", data=form)
    assert unconfirmed.status_code == 422
    assert re.search(r'id="err-confirm">Hãy đánh dấu', unconfirmed.text)
    assert stack.written() == written

    confirmed = await officer.post("/dissolve/review", data={**form, "confirm": "on"})
    assert confirmed.status_code == 303, confirmed.text
    progress_url = confirmed.headers["location"]
    assert progress_url.startswith("/dissolve/batches/")
    await until_done(stack, progress_url.rsplit("/", 1)[1])
    page = await officer.get(progress_url)
    assert page.text.count('data-testid="state">Đã giải thể') == 2

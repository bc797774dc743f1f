"""Registration through the API (infra/api/registration.py) as the organization department of
the commune: organizations registered, renamed, moved and dissolved, hamlets and the hamlets a
cell serves, members from their paper dossiers — each seen by the read models once
projected; every bad input refused with its rule id and nothing written; every command
idempotent by its key."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.member import Member
from domain.organization import Organization
from domain.person import Person
from domain.values import CellSetting, OrgKind
from tests.api.conftest import TODAY, Stack, applicant
from tests.builders import ctx

DAY = TODAY.isoformat()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
OFFICER = "department"  # Ban Tổ chức of the commune


async def post(stack: Stack, url: str, body: Any, user: str = OFFICER, key: str = "") -> Any:
    headers = stack.as_(user) | ({"Idempotency-Key": key} if key else {})
    return await stack.http.post(url, json=body, headers=headers)


async def new_cell(stack: Stack, name: str, parent: UUID | None = None) -> str:
    parent = parent or stack.world.grassroots
    body = {"parent_id": str(parent), "kind": "cell", "name": name, "on": DAY}
    answer = await post(stack, "/api/orgs", body | {"setting": "hamlet"})
    assert answer.status_code == 201, answer.text
    stack.project()  # the scope of the next command is the read model's tree
    return str(answer.json()["id"])


async def read_org(stack: Stack, org_id: str) -> dict[str, Any]:
    stack.project()
    found = await stack.http.get(f"/api/orgs/{org_id}", headers=stack.as_(OFFICER))
    assert found.status_code == 200, found.text
    shown: dict[str, Any] = found.json()
    return shown


async def test_an_officer_registers_renames_and_moves_a_cell_and_the_read_model_follows(
    stack: Stack,
) -> None:
    world = stack.world
    cell = await new_cell(stack, "Chi bộ thôn Mới")
    shown = await read_org(stack, cell)
    assert (shown["name"], shown["kind"], shown["parent_id"]) == (
        "Chi bộ thôn Mới",
        "cell",
        str(world.grassroots),
    )
    assert shown["path"].endswith(f"/{world.grassroots}/{cell}/")

    renamed = await post(stack, f"/api/orgs/{cell}/name", {"name": "Chi bộ thôn Mới 1", "on": DAY})
    assert renamed.status_code == 200, renamed.text
    assert (await read_org(stack, cell))["name"] == "Chi bộ thôn Mới 1"

    body = {"parent_id": str(world.other_grassroots), "on": DAY}
    moved = await post(stack, f"/api/orgs/{cell}/parent", body)
    assert moved.status_code == 200, moved.text
    shown = await read_org(stack, cell)
    assert shown["parent_id"] == str(world.other_grassroots)
    assert shown["path"].endswith(f"/{world.other_grassroots}/{cell}/")


async def test_an_empty_cell_is_dissolved_into_another_and_one_with_members_is_sent_to_the_process(
    stack: Stack,
) -> None:
    empty = await new_cell(stack, "Chi bộ thôn Vắng")
    body = {"on": DAY, "merged_into": str(stack.world.cell)}
    dissolved = await post(stack, f"/api/orgs/{empty}/dissolve", body)
    assert dissolved.status_code == 200, dissolved.text
    assert dissolved.json()["merged_into"] == str(stack.world.cell)
    assert (await read_org(stack, empty))["dissolved_on"] == DAY

    with_members = stack.world.cell
    before = stack.written()
    refused = await post(stack, f"/api/orgs/{with_members}/dissolve", {"on": DAY})
    assert (refused.status_code, refused.json()["rule_id"]) == (422, "ORG-DISSOLVE")
    assert refused.json()["details"]["dissolution"] == f"/api/orgs/{with_members}/dissolution"
    assert stack.written() == before


async def test_a_commune_registers_a_hamlet_and_a_cell_serves_it_which_closes_the_coverage_gap(
    stack: Stack,
) -> None:
    commune = stack.world.commune
    registered = await post(
        stack, f"/api/orgs/{commune}/hamlets", {"name": "Thôn Đồng Xanh", "on": DAY}
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["hamlets"]["thon-dong-xanh"] == "Thôn Đồng Xanh"
    stack.project()
    coverage = f"/api/orgs/{commune}/coverage"
    gaps = (await stack.http.get(coverage, headers=stack.as_(OFFICER))).json()
    assert "Thôn Đồng Xanh" in gaps["hamlets_without_cell"]

    cell = await new_cell(stack, "Chi bộ thôn Đồng Xanh")
    served = await post(
        stack, f"/api/orgs/{cell}/served-hamlets", {"keys": ["thon-dong-xanh"], "on": DAY}
    )
    assert served.status_code == 200, served.text
    assert (served.json()["serves_commune_id"], served.json()["serves"]) == (
        str(commune),
        ["thon-dong-xanh"],
    )
    stack.project()
    gaps = (await stack.http.get(coverage, headers=stack.as_(OFFICER))).json()
    assert "Thôn Đồng Xanh" not in gaps["hamlets_without_cell"]


async def test_a_member_from_a_paper_dossier_is_on_the_roll_with_their_name(stack: Stack) -> None:
    cell = stack.world.cell
    person = applicant(full_name="Lương Văn Bền", birth_date="1970-05-02")
    body = {
        "cell_id": str(cell),
        "person": person,
        "decided_on": "2010-04-20",
        "joined_on": "2010-05-19",
        "full_from": "2011-05-19",
    }
    registered = await post(stack, "/api/members", body)
    assert registered.status_code == 201, registered.text
    member_id = registered.json()["member_id"]
    assert registered.json()["status"] == "full"
    assert stack.app.load(Person, UUID(registered.json()["person_id"])).data.full_name == (
        "Lương Văn Bền"
    )
    stack.project()
    roll = await stack.http.get(f"/api/orgs/{cell}/roll", headers=stack.as_(OFFICER))
    names = {m["member_id"]: m["name"] for m in roll.json()["members"]}
    assert names[member_id] == "Lương Văn Bền"

    # The 213 residence link is the member's own step, from its effective date.
    linked = await stack.http.post(
        f"/api/members/{member_id}/steps",
        json={
            "kind": "link_residence",
            "on": DAY,
            "args": {"residence_cell_id": str(stack.world.residence_cell)},
        },
        headers=stack.as_(OFFICER),
    )
    assert linked.status_code == 200, linked.text
    assert stack.app.load(Member, UUID(member_id)).residence_cell_id == stack.world.residence_cell


def member_body(stack: Stack, **changes: Any) -> dict[str, Any]:
    return {
        "cell_id": str(stack.world.cell),
        "person": applicant(birth_date="1980-01-02"),
        "decided_on": "2020-03-01",
        "joined_on": "2020-03-20",
        **changes,
    }


_dissolved: dict[int, UUID] = {}


def dissolved_cell(stack: Stack) -> UUID:
    """A cell of the grassroots committee founded in 2010, dissolved in 2029 (once per stack)."""
    if id(stack) not in _dissolved:
        cell = stack.app.register_organization(
            ctx(),
            kind=OrgKind.cell,
            name="Chi bộ đã giải thể",
            parent_id=stack.world.grassroots,
            established_on=date(2010, 1, 1),
            setting=CellSetting.hamlet,
        )
        stack.app.dissolve_organization(ctx(), cell, date(2029, 1, 1))
        stack.project()
        _dissolved[id(stack)] = cell
    return _dissolved[id(stack)]


BAD: dict[str, tuple[str, Any, str, str]] = {
    # name: (address, body, rule id, field the refusal names)
    "a cell founded tomorrow": (
        "/api/orgs",
        lambda s: {
            "parent_id": str(s.world.grassroots),
            "kind": "cell",
            "name": "Chi bộ sớm",
            "on": TOMORROW,
        },
        "DATE-ORDER",
        "on",
    ),
    "a cell directly under the commune committee": (
        "/api/orgs",
        lambda s: {"parent_id": str(s.world.commune), "kind": "cell", "name": "X", "on": DAY},
        "ORG-TREE",
        "",
    ),
    "a district committee after the reorganisation": (
        "/api/orgs",
        lambda s: {
            "parent_id": str(s.world.commune),
            "kind": "district_committee",
            "name": "X",
            "on": DAY,
        },
        "ORG-TREE",
        "",
    ),
    "a grassroots committee moved under a cell": (
        "/api/orgs/{grassroots}/parent",
        lambda s: {"parent_id": str(s.world.cell), "on": DAY},
        "ORG-TREE",
        "",
    ),
    "a rename dated tomorrow": (
        "/api/orgs/{cell}/name",
        lambda s: {"name": "Chi bộ thôn Đông mới", "on": TOMORROW},
        "DATE-ORDER",
        "on",
    ),
    "a committee dissolved with cells under it": (
        "/api/orgs/{grassroots}/dissolve",
        lambda s: {"on": DAY},
        "ORG-DISSOLVE",
        "on",
    ),
    "an organization merged into itself": (
        "/api/orgs/{other_cell}/dissolve",
        lambda s: {"on": DAY, "merged_into": str(s.world.other_cell)},
        "ORG-TREE",
        "merged_into",
    ),
    "a hamlet registered with a cell": (
        "/api/orgs/{cell}/hamlets",
        lambda s: {"name": "Thôn Lạ", "on": DAY},
        "ORG-TREE",
        "",
    ),
    "a cell serving a hamlet its commune does not have": (
        "/api/orgs/{cell}/served-hamlets",
        lambda s: {"keys": ["khong-co"], "on": DAY},
        "ORG-TREE",
        "",
    ),
    "a member joined before the decision": (
        "/api/members",
        lambda s: member_body(s, joined_on="2020-02-01"),
        "DATE-ORDER",
        "joined_on",
    ),
    "a member full before the end of probation": (
        "/api/members",
        lambda s: member_body(s, full_from="2020-09-20"),
        "PRB-EFFECTIVE",
        "full_from",
    ),
    "a member full from a day still to come": (
        "/api/members",
        lambda s: member_body(
            s, joined_on="2029-06-01", decided_on="2029-05-01", full_from="2030-06-01"
        ),
        "PRB-EFFECTIVE",
        "full_from",
    ),
    "a member joined tomorrow": (
        "/api/members",
        lambda s: member_body(s, decided_on=DAY, joined_on=TOMORROW),
        "DATE-ORDER",
        "joined_on",
    ),
    "a member at a dissolved cell": (
        "/api/members",
        lambda s: member_body(s, cell_id=str(dissolved_cell(s))),
        "ORG-TREE",
        "cell_id",
    ),
    "a member at a committee": (
        "/api/members",
        lambda s: member_body(s, cell_id=str(s.world.grassroots)),
        "ORG-TREE",
        "cell_id",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_a_bad_registration_is_refused_with_its_rule_and_writes_nothing(
    stack: Stack, case: str
) -> None:
    url, body, rule_id, field = BAD[case]
    world = stack.world
    address = url.format(grassroots=world.grassroots, cell=world.cell, other_cell=world.other_cell)
    sent = body(stack)
    before = stack.written()
    answer = await post(stack, address, sent)
    assert (answer.status_code, answer.json()["rule_id"]) == (422, rule_id), answer.text
    assert answer.json()["details"].get("field", "") == field
    assert stack.written() == before


async def test_a_person_already_a_member_is_not_registered_twice(stack: Stack) -> None:
    body = member_body(stack)
    first = await post(stack, "/api/members", body)
    assert first.status_code == 201, first.text
    before = stack.written()
    again = await post(stack, "/api/members", body | {"cell_id": str(stack.world.other_cell)})
    assert (again.status_code, again.json()["rule_id"]) == (409, "CASE-UNIQUE")
    assert stack.written() == before


async def test_a_person_whose_admission_is_under_way_is_not_registered_from_paper(
    stack: Stack,
) -> None:
    person = applicant(birth_date="1990-04-05")
    await stack.open_case("department", stack.world.cell, **person)
    before = stack.written()
    body = member_body(stack) | {"person": person}
    again = await post(stack, "/api/members", body)
    assert (again.status_code, again.json()["rule_id"]) == (409, "CASE-UNIQUE")
    assert stack.written() == before


async def test_a_registration_sent_twice_with_its_key_is_recorded_once(stack: Stack) -> None:
    body = {
        "parent_id": str(stack.world.grassroots),
        "kind": "cell",
        "name": "Chi bộ Lặp",
        "on": DAY,
    }
    first = await post(stack, "/api/orgs", body, key="reg-org-1")
    after_first = stack.written()
    again = await post(stack, "/api/orgs", body, key="reg-org-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert stack.written() == after_first
    org_id = UUID(first.json()["id"])
    stack.project()

    member = member_body(stack)
    first = await post(stack, "/api/members", member, key="reg-member-1")
    after_first = stack.written()
    again = await post(stack, "/api/members", member, key="reg-member-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert stack.written() == after_first

    rename = {"name": "Chi bộ Lặp 2", "on": DAY}
    await post(stack, f"/api/orgs/{org_id}/name", rename, key="reg-rename-1")
    after_first = stack.written()
    await post(stack, f"/api/orgs/{org_id}/name", rename, key="reg-rename-1")
    assert stack.written() == after_first
    assert stack.app.load(Organization, org_id).name == "Chi bộ Lặp 2"


async def test_the_officer_registers_only_inside_their_committee_and_a_secretary_not_at_all(
    stack: Stack,
) -> None:
    before = stack.written()
    body = {"parent_id": str(stack.world.cell), "kind": "cell", "name": "X", "on": DAY}
    refused = await post(stack, "/api/orgs", body, user="secretary")
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-ROLE")
    own = stack.users[OFFICER].org_id
    moved = await post(stack, f"/api/orgs/{own}/parent", {"parent_id": str(own), "on": DAY})
    assert (moved.status_code, moved.json()["rule_id"]) == (403, "ACCESS-SCOPE")
    assert stack.written() == before


async def test_two_hamlets_whose_names_differ_only_by_accents_are_two_hamlets(
    stack: Stack,
) -> None:
    commune = stack.world.commune
    for name in ("Thôn Đông Hải", "Thôn Đồng Hải", "Thôn Đông Hải"):
        answer = await post(stack, f"/api/orgs/{commune}/hamlets", {"name": name, "on": DAY})
        assert answer.status_code == 201, answer.text
    hamlets = answer.json()["hamlets"]
    assert (hamlets["thon-dong-hai"], hamlets["thon-dong-hai-2"]) == (
        "Thôn Đông Hải",
        "Thôn Đồng Hải",
    )
    assert "thon-dong-hai-3" not in hamlets


async def test_a_cell_moved_to_another_commune_leaves_the_old_commune_s_hamlets(
    stack: Stack,
) -> None:
    world = stack.world
    old_hamlet = await post(
        stack, f"/api/orgs/{world.commune}/hamlets", {"name": "Thôn Cũ Xa", "on": DAY}
    )
    assert old_hamlet.status_code == 201
    cell = await new_cell(stack, "Chi bộ thôn Cũ Xa")
    served = await post(
        stack, f"/api/orgs/{cell}/served-hamlets", {"keys": ["thon-cu-xa"], "on": DAY}
    )
    assert served.status_code == 200, served.text

    # Another commune, registered by an administrator of the whole tree.
    body = {"parent_id": str(world.province), "kind": "commune_committee", "name": "Đảng ủy xã Mới"}
    commune = (await post(stack, "/api/orgs", body | {"on": DAY}, user="admin")).json()["id"]
    stack.project()
    body = {"parent_id": commune, "kind": "grassroots_committee", "name": "Đảng bộ xã Mới"}
    grassroots = (await post(stack, "/api/orgs", body | {"on": DAY}, user="admin")).json()["id"]
    await post(stack, f"/api/orgs/{commune}/hamlets", {"name": "Thôn Mới Xa", "on": DAY}, "admin")
    stack.project()
    moved = await post(
        stack, f"/api/orgs/{cell}/parent", {"parent_id": grassroots, "on": DAY}, "admin"
    )
    assert moved.status_code == 200, moved.text
    served = await post(
        stack, f"/api/orgs/{cell}/served-hamlets", {"keys": ["thon-moi-xa"], "on": DAY}, "admin"
    )
    assert served.json()["serves_commune_id"] == commune
    stack.project()

    old = await stack.http.get(f"/api/orgs/{world.commune}/coverage", headers=stack.as_("admin"))
    new = await stack.http.get(f"/api/orgs/{commune}/coverage", headers=stack.as_("admin"))
    assert "Thôn Cũ Xa" in old.json()["hamlets_without_cell"]
    assert "Thôn Mới Xa" not in new.json()["hamlets_without_cell"]

"""Processes through the API as the users would run them: a case from opening to probation, a
transfer across the tree, a target, a dissolution; every event stamped with who acted; the
read models and the audit trail read back."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.organization import Organization
from domain.values import CellSetting, OrgKind
from tests.api.conftest import PASSWORD, TODAY, Stack, applicant
from tests.builders import ctx
from workflows.messages import Notification, View

CELL_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("record_certificate", {"number": "45/GCN"}),
    ("submit_application", {}),
    (
        "declare_background",
        {
            "relatives": [
                {
                    "key": "r1",
                    "relationship": "father",
                    "full_name": "Trần Văn Ba",
                    "is_party_member": True,
                },
                {"key": "r2", "relationship": "mother", "full_name": "Lê Thị Tư"},
            ]
        },
    ),
    ("exempt_family_side", {"member_relative_key": "r1"}),
    ("request_verification", {"subject": "applicant", "sent_to": "Đảng ủy xã An Bình"}),
    ("record_verification_result", {"subject": "applicant", "satisfactory": True}),
    ("request_verification", {"subject": "r2", "sent_to": "Đảng ủy xã Tân Lập"}),
    ("record_verification_result", {"subject": "r2", "satisfactory": True}),
]


async def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def probation_running(stack: Stack, case_id: str) -> None:
    """Until the case's workflow continued as new into the probation (PRB-LENGTH)."""
    handle = stack.env.client.get_workflow_handle(f"admission-{case_id}")
    for _ in range(200):
        view = await handle.query("status", result_type=View)
        if view is not None and view.subject == "member":
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the probation did not start")


async def test_a_case_goes_from_opening_to_probation_each_event_stamped_with_who_acted(
    stack: Stack,
) -> None:
    world, users = stack.world, stack.users
    opened = await stack.open_case("secretary", world.cell, full_name="Phạm Thị Lan")
    case = opened["subject_id"]
    assert (opened["stage"], opened["org_id"]) == ("course", str(world.cell))

    introducers = world.members[world.cell][:2]
    for slot, member in enumerate(introducers, start=1):
        await ok(
            await stack.step(
                "secretary",
                case,
                "assign_introducer",
                slot=slot,
                kind="full_member",
                letter_on=TODAY.isoformat(),
                member_id=str(member),
                together_since="2015-01-01",
            )
        )
    for kind, args in CELL_STEPS:
        await ok(await stack.step("secretary", case, kind, **args))
    await ok(await stack.step("grassroots", case, "certify_background"))
    await ok(await stack.step("secretary", case, "record_comment", source="residence_cell"))
    await ok(await stack.step("admin", case, "record_comment", source="workplace_organizations"))
    view = await ok(await stack.step("secretary", case, "summarize_comments"))
    assert view["stage"] == "cell_vote"
    ballot = await ok(
        await stack.http.get(
            f"/api/cases/{case}/ballot",
            params={"on": TODAY.isoformat()},
            headers=stack.as_("secretary"),
        )
    )  # other files of the package add members to this cell: the roll is read, not assumed
    needed = ballot["votes_needed"]
    view = await ok(
        await stack.step("secretary", case, "record_cell_vote", votes_for=needed, votes_against=1)
    )
    assert view["stage"] == "committee_vote"
    view = await ok(
        await stack.step(
            "grassroots",
            case,
            "record_committee_vote",
            committee_size=9,
            votes_for=8,
            votes_against=1,
        )
    )
    assert view["stage"] == "decision"
    assert view["deadline"]["rule_id"] == "ADM-DECIDE"
    view = await ok(
        await stack.step(
            "department", case, "decide", number="12-QĐ/ĐU", decided_by=str(world.commune)
        )
    )
    assert view["stage"] == "ceremony"
    await ok(await stack.step("secretary", case, "receive_decision"))
    view = await ok(
        await stack.step(
            "secretary", case, "hold_ceremony", helper_member_id=str(world.members[world.cell][2])
        )
    )
    assert (view["stage"], view["closed"]) == ("admitted", True)
    member = view["member_id"]

    # Probation continues the same workflow: its steps go to the member.
    await probation_running(stack, case)
    probation = await ok(
        await stack.step(
            "secretary", member, "complete_new_member_course", "members", certificate_no="7/BD"
        )
    )
    assert (probation["subject"], probation["stage"]) == ("member", "probationary")

    # Every event records the user who acted, in its role, for its organization (an
    # administrator of the whole tree acts for the root of the organization acted on).
    history = (
        await stack.http.get(f"/api/cases/{case}/history", headers=stack.as_("secretary"))
    ).json()
    actors = {e["name"].split(".")[1]: e["actor"] for e in history}
    assert actors["Opened"] == {
        "user_id": users["secretary"].id,
        "role": "cell_secretary",
        "org_id": str(world.cell),
    }
    assert actors["BackgroundCertified"] == {
        "user_id": users["grassroots"].id,
        "role": "grassroots_officer",
        "org_id": str(world.grassroots),
    }
    assert actors["AdmissionDecided"] == {
        "user_id": users["department"].id,
        "role": "org_department_officer",
        "org_id": str(world.commune),
    }
    workplace = next(e for e in history if e["facts"].get("source") == "workplace_organizations")
    assert workplace["actor"] == {
        "user_id": users["admin"].id,
        "role": "administrator",
        "org_id": str(world.province),
    }
    member_history = (
        await stack.http.get(f"/api/members/{member}/history", headers=stack.as_("secretary"))
    ).json()
    assert member_history[-1]["actor"]["user_id"] == users["secretary"].id
    assert member_history[-1]["name"] == "Member.NewMemberCourseCompleted"

    # The case page: personal data for the secretary, none for the auditor, who still reads
    # every event with the personal fields redacted.
    page = (await stack.http.get(f"/api/cases/{case}", headers=stack.as_("secretary"))).json()
    assert page["person"]["full_name"] == "Phạm Thị Lan"
    assert page["view"]["stage"] == "admitted"
    audited = (await stack.http.get(f"/api/cases/{case}", headers=stack.as_("auditor"))).json()
    assert audited["person"] is None
    assert audited["view"] == page["view"]
    vote = next(e for e in history if e["name"] == "AdmissionCase.CellVoted")
    assert vote["facts"]["facts"]["birth_date"] == "1998-07-12"
    audited_history = (
        await stack.http.get(f"/api/cases/{case}/history", headers=stack.as_("auditor"))
    ).json()
    audited_vote = next(e for e in audited_history if e["name"] == "AdmissionCase.CellVoted")
    assert audited_vote["facts"]["facts"]["birth_date"] == "[redacted]"
    assert audited_vote["facts"]["ballot"] == vote["facts"]["ballot"]
    assert [e["name"] for e in audited_history] == [e["name"] for e in history]

    # The person's timeline: their record, the case, the membership.
    person = page["person_id"]
    timeline = (
        await stack.http.get(f"/api/people/{person}/timeline", headers=stack.as_("secretary"))
    ).json()
    assert {e["subject"] for e in timeline} == {"person", "case", "member"}
    assert timeline[0]["name"] == "Person.Registered"
    assert timeline[0]["facts"]["data"]["full_name"] == "Phạm Thị Lan"
    audited_timeline = (
        await stack.http.get(f"/api/people/{person}/timeline", headers=stack.as_("auditor"))
    ).json()
    assert audited_timeline[0]["facts"]["data"] == "[redacted]"
    far = await stack.http.get(f"/api/people/{person}/timeline", headers=stack.as_("far_auditor"))
    assert far.status_code == 404

    # As of a moment: what the record knew then.
    first = datetime.fromisoformat(history[0]["recorded_at"])
    then = await ok(
        await stack.http.get(
            f"/api/cases/{case}/as-of",
            params={"moment": first.isoformat()},
            headers=stack.as_("auditor"),
        )
    )
    assert (then["stage"], then["version"], then["closed"]) == ("course", 1, False)
    now = await ok(
        await stack.http.get(
            f"/api/cases/{case}/as-of",
            params={"moment": datetime.now(UTC).isoformat()},
            headers=stack.as_("auditor"),
        )
    )
    assert (now["stage"], now["version"]) == ("admitted", len(history))
    before = await stack.http.get(
        f"/api/cases/{case}/as-of",
        params={"moment": (first - timedelta(seconds=1)).isoformat()},
        headers=stack.as_("auditor"),
    )
    assert before.status_code == 200  # not a refusal: an answer that it did not exist yet
    assert (before.json()["exists"], before.json()["stage"]) == (False, None)

    # The read models, once projected.
    stack.project()
    roll = (
        await stack.http.get(f"/api/orgs/{world.cell}/roll", headers=stack.as_("secretary"))
    ).json()
    assert member in [p["member_id"] for p in roll["probationary"]]
    assert {str(m) for m in world.members[world.cell][:3]} <= set(roll["full"])
    board = (
        await stack.http.get(f"/api/orgs/{world.grassroots}/board", headers=stack.as_("auditor"))
    ).json()
    assert case not in [c["id"] for c in board]  # closed
    member_page = await ok(
        await stack.http.get(f"/api/members/{member}", headers=stack.as_("secretary"))
    )
    assert member_page["status"] == "probationary"
    assert member_page["probation_ends"] == date(2031, 3, 4).isoformat()  # PRB-LENGTH
    assert member_page["person"]["full_name"] == "Phạm Thị Lan"


async def test_the_quota_reads_targets_and_admissions_now_and_as_of_a_past_moment(
    stack: Stack,
) -> None:
    world = stack.world
    target = await ok(
        await stack.http.post(
            f"/api/orgs/{world.commune}/targets",
            json={
                "year": 2031,
                "on": TODAY.isoformat(),
                "rate_percent": 7,
                "start_of_year_members": 40,
            },
            headers=stack.as_("department"),
        )
    )
    assert target["admissions"] == 3  # 7% of 40, rounded up: a target is a floor
    moment = datetime.now().astimezone()
    await ok(
        await stack.http.post(
            f"/api/orgs/{world.commune}/targets",
            json={"year": 2031, "on": TODAY.isoformat(), "count": 11},
            headers=stack.as_("department"),
        )
    )
    stack.project()
    quota = await ok(
        await stack.http.get(
            f"/api/orgs/{world.commune}/quota",
            params={"year": 2031},
            headers=stack.as_("department"),
        )
    )
    assert (quota["target"], quota["year"]) == (11, 2031)
    then = await ok(
        await stack.http.get(
            f"/api/orgs/{world.commune}/quota",
            params={"year": 2031, "as_of": moment.isoformat()},
            headers=stack.as_("department"),
        )
    )
    assert then["target"] == 3
    history = stack.app.history(world.commune)
    assert history[-1].actor.user_id == stack.users["department"].id


async def test_a_transfer_travels_up_and_down_the_tree_each_side_acting_on_its_part(
    stack: Stack,
) -> None:
    world = stack.world
    member = str(world.members[world.cell][8])
    started = await ok(
        await stack.http.post(
            "/api/transfers",
            json={
                "member_id": member,
                "kind": "official",
                "reason": "new_job",
                "destination_org_id": str(world.far_cell),
                "trigger_on": TODAY.isoformat(),
                "on": TODAY.isoformat(),
            },
            headers=stack.as_("department"),
        )
    )
    transfer = started["subject_id"]
    assert started["stage"] == "in_transit"
    hops = [
        ("grassroots", world.cell, world.grassroots),
        ("grassroots", world.grassroots, world.commune),
        ("department", world.commune, world.other_grassroots),
        ("far_grassroots", world.other_grassroots, world.far_cell),
    ]
    for user, here, there in hops:
        view = await ok(
            await stack.step(
                user,
                transfer,
                "forward_letter",
                "transfers",
                from_org_id=str(here),
                to_org_id=str(there),
                letter_no="GGT-15",
            )
        )
    assert view["stage"] == "letter_issued"
    assert view["deadline"]["rule_id"] == "TRF-PRESENT"

    stack.project()
    in_transit = (
        await stack.http.get(
            f"/api/orgs/{world.other_grassroots}/transfers-in-transit",
            headers=stack.as_("far_grassroots"),
        )
    ).json()
    assert transfer in [c["id"] for c in in_transit]

    # The sending cell reads the transfer, but the letter is presented at the receiving cell.
    written = stack.written()
    refused = await stack.step("secretary", transfer, "present_letter", "transfers")
    assert (refused.status_code, refused.json()["rule_id"]) == (403, "ACCESS-SCOPE")
    assert stack.written() == written
    await ok(await stack.step("far_secretary", transfer, "present_letter", "transfers"))
    view = await ok(await stack.step("far_secretary", transfer, "accept_transfer", "transfers"))
    assert view["stage"] == "completed"

    stack.project()
    roll = (
        await stack.http.get(f"/api/orgs/{world.far_cell}/roll", headers=stack.as_("far_secretary"))
    ).json()
    assert member in roll["full"]
    # The member now belongs to the far cell: its secretary reads them, the old one does not.
    assert (
        await stack.http.get(f"/api/members/{member}", headers=stack.as_("far_secretary"))
    ).status_code == 200
    assert (
        await stack.http.get(f"/api/members/{member}", headers=stack.as_("secretary"))
    ).status_code == 404
    page = (
        await stack.http.get(f"/api/transfers/{transfer}", headers=stack.as_("secretary"))
    ).json()
    assert (page["from_cell_id"], page["to_cell_id"]) == (str(world.cell), str(world.far_cell))


async def test_a_request_repeated_with_the_same_idempotency_key_repeats_nothing(
    stack: Stack,
) -> None:
    body = {"cell_id": str(stack.world.cell), "on": TODAY.isoformat(), "person": applicant()}
    headers = {**stack.as_("secretary"), "Idempotency-Key": "mo-ho-so-42"}
    first = await ok(await stack.http.post("/api/cases", json=body, headers=headers))
    written = stack.written()
    again = await stack.http.post("/api/cases", json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, first)
    assert stack.written() == written

    case = first["subject_id"]
    step = {"kind": "record_certificate", "on": TODAY.isoformat(), "args": {"number": "9/GCN"}}
    headers = {**stack.as_("secretary"), "Idempotency-Key": "chung-chi-42"}
    recorded = await ok(
        await stack.http.post(f"/api/cases/{case}/steps", json=step, headers=headers)
    )
    written = stack.written()
    repeated = await ok(
        await stack.http.post(f"/api/cases/{case}/steps", json=step, headers=headers)
    )
    assert repeated == recorded
    assert stack.written() == written
    names = [e.name for e in stack.app.history(UUID(case))]
    assert names.count("AdmissionCase.CertificateRecorded") == 1


async def test_a_cell_is_dissolved_into_the_cells_the_department_chose(stack: Stack) -> None:
    app, world = stack.app, stack.world
    doomed = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ Trạm y tế",
        parent_id=world.grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.health_station,
    )
    moving = world.add_members(doomed, 3)
    stack.project()
    department = stack.as_("department")

    preview = await stack.http.get(
        f"/api/orgs/{doomed}/dissolution/preview",
        params={"on": TODAY.isoformat()},
        headers=department,
    )
    assert sorted(p["member_id"] for p in preview.json()) == sorted(str(m) for m in moving)
    assert {p["to_cell_id"] for p in preview.json()} == {None}  # no residence link to follow
    moves = [{"member_id": str(m), "to_cell_id": str(world.other_cell)} for m in moving]
    started = await stack.http.post(
        f"/api/orgs/{doomed}/dissolution",
        json={"on": TODAY.isoformat(), "moves": moves},
        headers=department,
    )
    assert started.status_code == 202
    assert started.json()["total"] == 3

    for _ in range(200):
        progress = await ok(
            await stack.http.get(f"/api/orgs/{doomed}/dissolution", headers=department)
        )
        if progress["dissolved"]:
            break
        await asyncio.sleep(0.05)
    assert progress == {
        "cell_id": str(doomed),
        "total": 3,
        "moved": 3,
        "failed": [],
        "dissolved": True,
    }
    assert app.load(Organization, doomed).dissolved_on == TODAY
    stack.project()
    org = await ok(await stack.http.get(f"/api/orgs/{doomed}", headers=department))
    assert org["dissolved_on"] == TODAY.isoformat()
    roll = await ok(await stack.http.get(f"/api/orgs/{world.other_cell}/roll", headers=department))
    assert {str(m) for m in moving} <= set(roll["full"])


async def test_a_dissolution_with_a_transfer_under_way_is_refused_at_every_door_naming_it(
    stack: Stack,
) -> None:
    """§4, §6 (ORG-DISSOLVE-TRANSFER): the preview and the web's review show the member with
    their transfer, the dissolution is refused naming it and writes nothing; once the
    transfer is cancelled the same request goes through."""
    app, world = stack.app, stack.world
    doomed = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ Trường tiểu học",
        parent_id=world.grassroots,
        established_on=date(2005, 1, 5),
        setting=CellSetting.school,
    )
    leaving, staying = world.add_members(doomed, 2)
    stack.project()
    department = stack.as_("department")
    started = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": str(leaving),
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": str(world.far_cell),
            "trigger_on": TODAY.isoformat(),
            "on": TODAY.isoformat(),
        },
        headers=department,
    )
    transfer = (await ok(started))["subject_id"]

    preview = await ok(
        await stack.http.get(
            f"/api/orgs/{doomed}/dissolution/preview",
            params={"on": TODAY.isoformat()},
            headers=department,
        )
    )
    assert {p["member_id"]: p["transfer_id"] for p in preview} == {
        str(leaving): transfer,
        str(staying): None,
    }
    async with stack.fresh() as browser:
        login = {"username": "department", "password": PASSWORD}
        await browser.post("/api/auth/login", json=login)
        page = await browser.get(
            f"/dissolve/{doomed}",
            params={"on": TODAY.strftime("%d/%m/%Y")},
            follow_redirects=True,  # the one-cell address leads to the batch's review
        )
    assert page.status_code == 200
    assert "ORG-DISSOLVE-TRANSFER" in page.text
    assert f'href="/transfers/{transfer}"' in page.text
    assert "Đang chuyển sinh hoạt đi" in page.text

    moves = [{"member_id": str(m), "to_cell_id": str(world.other_cell)} for m in (leaving, staying)]
    body = {"on": TODAY.isoformat(), "moves": moves}
    written = stack.written()
    refused = await stack.http.post(
        f"/api/orgs/{doomed}/dissolution", json=body, headers=department
    )
    assert (refused.status_code, refused.json()["rule_id"]) == (422, "ORG-DISSOLVE-TRANSFER")
    assert refused.json()["details"]["transfers"] == [
        {"transfer_id": transfer, "member_id": str(leaving)}
    ]
    assert stack.written() == written

    await ok(
        await stack.http.post(
            f"/api/transfers/{transfer}/steps",
            json={"kind": "cancel_transfer", "on": TODAY.isoformat(), "args": {"reason": "ở lại"}},
            headers=department,
        )
    )
    again = await stack.http.post(f"/api/orgs/{doomed}/dissolution", json=body, headers=department)
    assert again.status_code == 202, again.text
    for _ in range(
        400
    ):  # settled, so its moves are not counted by the next test's "nothing written"
        progress = await ok(
            await stack.http.get(f"/api/orgs/{doomed}/dissolution", headers=department)
        )
        if progress["dissolved"]:
            break
        await asyncio.sleep(0.05)
    assert progress["dissolved"], progress


async def test_the_escalation_notices_of_an_organization_read_in_either_language(
    stack: Stack,
) -> None:
    cell = stack.world.residence_cell
    stack.services.notifications.notify(
        Notification(
            key=f"test/{cell}",
            org_id=cell,
            subject_id=cell,
            rule_id="ADM-CEREMONY",
            level=0,
            due=TODAY,
            created_at=datetime.now(UTC),
            message_vi="[ADM-CEREMONY] Lễ kết nạp: hạn 04/03/2030",
            message_en="[ADM-CEREMONY] Admission ceremony: due 2030-03-04",
        )
    )
    path = f"/api/orgs/{cell}/notifications"
    vi = await ok(await stack.http.get(path, headers=stack.as_("grassroots")))
    en = await ok(
        await stack.http.get(path, params={"lang": "en"}, headers=stack.as_("grassroots"))
    )
    assert [n["message"] for n in vi] == ["[ADM-CEREMONY] Lễ kết nạp: hạn 04/03/2030"]
    assert [n["message"] for n in en] == ["[ADM-CEREMONY] Admission ceremony: due 2030-03-04"]
    assert (await stack.http.get(path, headers=stack.as_("far_grassroots"))).status_code == 404
    # Acknowledged once, only from inside the subtree; auditors only read.
    ack = "/api/notifications/acknowledge"
    body = {"keys": [f"test/{cell}"]}
    assert (await stack.http.post(ack, json=body, headers=stack.as_("auditor"))).status_code == 403
    outside = await ok(await stack.http.post(ack, json=body, headers=stack.as_("far_grassroots")))
    assert outside == {"acknowledged": 0}
    assert (await ok(await stack.http.get(path, headers=stack.as_("grassroots"))))[0][
        "acknowledged_at"
    ] is None
    first = await ok(await stack.http.post(ack, json=body, headers=stack.as_("grassroots")))
    again = await ok(await stack.http.post(ack, json=body, headers=stack.as_("grassroots")))
    assert (first, again) == ({"acknowledged": 1}, {"acknowledged": 0})
    seen = await ok(await stack.http.get(path, headers=stack.as_("grassroots")))
    assert seen[0]["acknowledged_at"] is not None


async def test_a_unit_sees_its_due_soon_and_assignment_notices_by_their_kind(stack: Stack) -> None:
    """Issue 16: the API gives each notice's kind; the home page names the new kinds."""
    org = stack.world.grassroots
    for kind, vi, en in (
        ("due_soon", "[ADM-DECIDE] sắp đến hạn, còn 3 ngày làm việc", "[ADM-DECIDE] due soon"),
        ("assignment", "Đến lượt đơn vị: hồ sơ kết nạp đảng viên", "Your unit's turn"),
    ):
        stack.services.notifications.notify(
            Notification(
                f"test/{kind}/{org}", org, org, "ADM-DECIDE", -1, TODAY,
                datetime.now(UTC), vi, en, kind=kind,
            )
        )  # fmt: skip
    path = f"/api/orgs/{org}/notifications"
    listed = await ok(await stack.http.get(path, headers=stack.as_("grassroots")))
    kinds = {n["key"]: (n["kind"], n["level"]) for n in listed}
    assert kinds[f"test/due_soon/{org}"] == ("due_soon", -1)
    assert kinds[f"test/assignment/{org}"] == ("assignment", -1)

    officer = stack.fresh()
    login = {"username": "grassroots", "password": PASSWORD}
    assert (await officer.post("/api/auth/login", json=login)).status_code == 200
    home = (await officer.get("/")).text
    assert "Sắp đến hạn" in home and "Việc mới của đơn vị" in home
    assert "Đến lượt đơn vị: hồ sơ kết nạp đảng viên" in home
    assert "Chưa cảnh báo" not in home  # a level −1 is no escalation's
    await officer.aclose()


async def test_the_organizations_listed_are_those_of_the_users_subtree(stack: Stack) -> None:
    world = stack.world
    grassroots = await ok(await stack.http.get("/api/orgs", headers=stack.as_("grassroots")))
    ids = {o["id"] for o in grassroots}
    assert {str(world.grassroots), str(world.cell), str(world.other_cell)} <= ids
    assert not ids & {str(world.commune), str(world.far_cell), str(world.other_grassroots)}
    assert all(o["path"].startswith(grassroots[0]["path"]) for o in grassroots)
    everything = await ok(await stack.http.get("/api/orgs", headers=stack.as_("admin")))
    assert {str(world.province), str(world.far_cell)} <= {o["id"] for o in everything}
    under = await ok(
        await stack.http.get(
            "/api/orgs", params={"under": str(world.cell)}, headers=stack.as_("admin")
        )
    )
    assert [o["id"] for o in under] == [str(world.cell)]


async def test_a_full_member_without_a_process_takes_standing_steps_directly(
    stack: Stack,
) -> None:
    """Holds, the 213 residence link and its comment befall full members too: with no process
    to run them they are applied directly, with the same rules and stamps."""
    world = stack.world
    member = str(world.members[world.other_cell][2])
    held = await ok(
        await stack.step("grassroots", member, "place_hold", "members", kind="inspection")
    )
    assert (held["subject"], held["stage"], held["closed"]) == ("member", "full", True)

    # TRF-HOLD: no official transfer under inspection.
    written = stack.written()
    refused = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": member,
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": str(world.far_cell),
            "trigger_on": TODAY.isoformat(),
            "on": TODAY.isoformat(),
        },
        headers=stack.as_("department"),
    )
    assert (refused.status_code, refused.json()["rule_id"]) == (422, "TRF-HOLD")
    assert stack.written() == written

    await ok(await stack.step("grassroots", member, "release_hold", "members", kind="inspection"))
    await ok(
        await stack.step(
            "grassroots",
            member,
            "link_residence",
            "members",
            residence_cell_id=str(world.residence_cell),
        )
    )
    await ok(
        await stack.step("grassroots", member, "record_residence_comment", "members", year=2030)
    )
    # A probation step has no process to go to.
    review = await stack.step(
        "grassroots",
        member,
        "record_review_vote",
        "members",
        motion="recognize",
        votes_for=3,
        votes_against=0,
    )
    assert (review.status_code, review.json()["rule_id"]) == (409, "CASE-STAGE")

    history = (
        await stack.http.get(f"/api/members/{member}/history", headers=stack.as_("grassroots"))
    ).json()
    recent = [e["name"].split(".")[-1] for e in history[-4:]]
    assert recent == ["HoldPlaced", "HoldReleased", "ResidenceLinked", "ResidenceCommented"]
    assert {e["actor"]["user_id"] for e in history[-4:]} == {stack.users["grassroots"].id}
    stack.project()
    roll = await ok(
        await stack.http.get(
            f"/api/orgs/{world.residence_cell}/roll", headers=stack.as_("grassroots")
        )
    )
    assert member in roll["residence_links"]


async def test_a_probationer_registered_from_a_paper_dossier_gets_its_process_on_its_first_step(
    stack: Stack,
) -> None:
    world = stack.world
    (member,) = world.add_members(world.cell, 1, joined_on=TODAY - timedelta(days=60), full=False)
    handle = stack.env.client.get_workflow_handle(f"probation-{member}")
    view = await ok(
        await stack.step(
            "secretary", str(member), "complete_new_member_course", "members", certificate_no="9/BD"
        )
    )
    assert (view["subject"], view["stage"]) == ("member", "probationary")
    assert (await handle.describe()).status is not None  # the process runs now
    again = await ok(
        await stack.step(
            "secretary",
            str(member),
            "assign_helper",
            "members",
            helper_member_id=str(world.members[world.cell][0]),
        )
    )
    assert again["subject"] == "member"


async def test_the_recognition_vote_waits_for_its_checklist_which_the_api_and_the_page_show(
    stack: Stack,
) -> None:
    """PRB-DOSSIER: each prerequisite by its own step through the probation's process, one
    exempted with its reason; the member's answer and page list them."""
    world = stack.world
    (member,) = world.add_members(world.cell, 1, joined_on=TODAY - timedelta(days=400), full=False)
    probationer = str(member)
    helper = str(world.members[world.cell][0])
    await ok(
        await stack.step(
            "secretary", probationer, "assign_helper", "members", helper_member_id=helper
        )
    )
    denominator = stack.app.cell_ballot(world.cell, TODAY, 0, 0, 0).denominator
    vote = {"motion": "recognize", "votes_for": denominator, "votes_against": 0}

    written = stack.written()
    refused = await stack.step("secretary", probationer, "record_review_vote", "members", **vote)
    assert (refused.status_code, refused.json()["rule_id"]) == (422, "PRB-DOSSIER")
    assert stack.written() == written

    for kind, args in (
        ("complete_new_member_course", {"certificate_no": "3/GCN-ĐVM"}),
        ("submit_self_review", {}),
        ("record_helper_comments", {}),
        ("record_probation_comments", {"source": "workplace_organizations"}),
    ):
        await ok(await stack.step("secretary", probationer, kind, "members", **args))
    reason = "Chi bộ sinh hoạt là chi bộ nơi cư trú"
    exempt = {"source": "residence_cell", "reason": reason}
    await ok(await stack.step("grassroots", probationer, "exempt_comments", "members", **exempt))

    answer = await ok(
        await stack.http.get(f"/api/members/{probationer}", headers=stack.as_("secretary"))
    )
    checklist = {p["prerequisite"]: p for p in answer["recognition"]}
    assert set(checklist) == {
        "self_review",
        "helper_comments",
        "workplace_organizations",
        "residence_cell",
        "new_member_course",
    }
    assert all(p["done"] for p in checklist.values())
    assert checklist["self_review"]["on"] == TODAY.isoformat()
    assert checklist["residence_cell"] == {
        "prerequisite": "residence_cell",
        "done": True,
        "on": None,
        "exempted_because": reason,
    }
    async with stack.fresh() as browser:
        await browser.post("/api/auth/login", json={"username": "secretary", "password": PASSWORD})
        page = await browser.get(f"/members/{probationer}")
    assert page.status_code == 200
    assert "Hồ sơ xét công nhận đảng viên chính thức" in page.text
    assert "Bản tự kiểm điểm" in page.text
    assert f"miễn: {reason}" in page.text

    view = await ok(
        await stack.step("secretary", probationer, "record_review_vote", "members", **vote)
    )
    assert view["deadline"]["rule_id"] == "PRB-DECIDE"


async def test_a_full_member_leaves_the_party_and_the_answer_says_how_and_when(
    stack: Stack,
) -> None:
    world = stack.world
    (member,) = world.add_members(world.cell, 1)
    leaving = str(member)
    view = await ok(
        await stack.step(
            "department",
            leaving,
            "record_departure",
            "members",
            kind="expelled",
            decided_by=str(world.grassroots),
            reason="vi phạm pháp luật",
        )
    )
    assert (view["stage"], view["closed"]) == ("expelled", True)
    assert "record_expungement" in view["awaiting"]
    await ok(await stack.step("department", leaving, "record_expungement", "members"))
    answer = await ok(
        await stack.http.get(f"/api/members/{leaving}", headers=stack.as_("department"))
    )
    assert answer["status"] == "expelled"
    assert answer["departure"] == {
        "kind": "expelled",
        "on": TODAY.isoformat(),
        "expunged_on": TODAY.isoformat(),
    }

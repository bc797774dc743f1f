"""The boards through the API: an admission card's deadline is its stage's own (a document's
validity only a warning in its last 3 months), the probation board by what is due, the
transfer board by hop, seen from the sending and the receiving side (today: 2030-03-04)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.api.conftest import TODAY, Stack


async def board(stack: Stack, user: str, path: str) -> list[dict[str, Any]]:
    response = await stack.http.get(path, headers=stack.as_(user))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def certified(stack: Stack, issued_on: date) -> str:
    """A case at `cell` whose awareness certificate was issued on that day."""
    case = (await stack.open_case("secretary", stack.world.cell))["subject_id"]
    response = await stack.http.post(
        f"/api/cases/{case}/steps",
        json={"kind": "record_certificate", "on": issued_on.isoformat(), "args": {"number": "7"}},
        headers=stack.as_("secretary"),
    )
    assert response.status_code == 200, response.text
    return str(case)


async def test_an_early_stage_card_has_no_deadline_and_warns_only_in_the_certificate_s_last_months(
    stack: Stack,
) -> None:
    # A certificate of 2028-01-10 is valid through 2033-01-10: no deadline, no warning. One
    # of 2025-05-20 lapses on 2030-05-20, within 3 months of today: a warning, still no
    # deadline (the stage of the application letter has none of its own).
    fresh = await certified(stack, date(2028, 1, 10))
    ageing = await certified(stack, date(2025, 5, 20))
    stack.project()
    cards = {
        c["id"]: c
        for c in await board(stack, "secretary", f"/api/orgs/{stack.world.cell}/board")
        if c["id"] in (fresh, ageing)
    }
    seen = {
        case: (c["stage"], c["deadline_rule"], c["deadline_due"], c["working_days_left"])
        for case, c in cards.items()
    }
    assert seen == {
        fresh: ("application", None, None, None),
        ageing: ("application", None, None, None),
    }
    assert (cards[fresh]["warning_rule"], cards[fresh]["warning_due"]) == (None, None)
    assert (cards[ageing]["warning_rule"], cards[ageing]["warning_due"]) == (
        "ADM-CERT",
        "2030-05-20",
    )


async def test_the_probation_board_lists_the_cell_s_probationers_by_what_is_due(
    stack: Stack,
) -> None:
    # 12 months from 2029-01-02 ended on 2030-01-02; the cell's review (PRB-REVIEW, 30 WD)
    # was due in February: overdue today.
    (member,) = stack.world.add_members(stack.world.cell, 1, joined_on=date(2029, 1, 2), full=False)
    stack.project()
    path = f"/api/orgs/{stack.world.cell}/board/probation?overdue_only=true&due=review"
    (card,) = [c for c in await board(stack, "secretary", path) if c["id"] == str(member)]
    assert (card["kind"], card["stage"], card["due"]) == ("member", "probationary", "review")
    assert (card["deadline_rule"], card["probation_ends"]) == ("PRB-REVIEW", "2030-01-02")
    assert card["deadline_due"] < TODAY.isoformat() and card["working_days_left"] < 0
    assert card["cell_id"] == str(stack.world.cell) and card["failed_votes"] == 0
    # Another cell's secretary does not see it; the grassroots committee does.
    far = await board(stack, "far_secretary", f"/api/orgs/{stack.world.far_cell}/board/probation")
    assert str(member) not in {c["id"] for c in far}
    grassroots = f"/api/orgs/{stack.world.grassroots}/board/probation?due=decision"
    assert str(member) not in {c["id"] for c in await board(stack, "grassroots", grassroots)}


async def test_the_transfer_board_shows_a_transfer_to_both_sides_with_its_own_deadline(
    stack: Stack,
) -> None:
    (member,) = stack.world.add_members(stack.world.cell, 1)
    stack.project()
    started = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": str(member),
            "kind": "official",
            "reason": "new_job",
            "destination_org_id": str(stack.world.far_cell),
            "trigger_on": TODAY.isoformat(),
            "on": TODAY.isoformat(),
        },
        headers=stack.as_("admin"),
    )
    assert started.status_code == 201, started.text
    transfer = started.json()["subject_id"]
    stack.project()

    async def seen(user: str, org: object) -> dict[str, Any]:
        path = f"/api/orgs/{org}/board/transfers?hop=not_sent"
        (card,) = [c for c in await board(stack, user, path) if c["id"] == transfer]
        return card

    sending = await seen("secretary", stack.world.cell)
    receiving = await seen("far_secretary", stack.world.far_cell)
    # Not sent on yet: TRF-START, 60 working days from the decision of today.
    for card in (sending, receiving):
        assert (card["hop"], card["transfer_kind"], card["hops"]) == ("not_sent", "official", 0)
        assert card["deadline_rule"] == "TRF-START" and card["working_days_left"] == 60
        assert card["destination_id"] == str(stack.world.far_cell)
        assert card["letter_at_id"] == str(stack.world.cell)
    assert (sending["direction"], receiving["direction"]) == ("out", "in")
    # A cell of neither side does not see it.
    other = f"/api/orgs/{stack.world.other_cell}/board/transfers"
    assert transfer not in {c["id"] for c in await board(stack, "grassroots", other)}
    # The board keeps transfers in flight: a page of one, then none past it.
    one = await board(stack, "admin", f"/api/orgs/{stack.world.commune}/board/transfers?limit=1")
    assert len(one) == 1
    beyond = f"/api/orgs/{stack.world.commune}/board/transfers?offset=100000"
    assert await board(stack, "admin", beyond) == []


async def test_finished_transfers_are_searched_by_name_or_organization_on_both_sides(
    stack: Stack,
) -> None:
    (member,) = stack.world.add_members(stack.world.cell, 1)  # called Nguyễn Thị Hoa
    stack.project()
    started = await stack.http.post(
        "/api/transfers",
        json={
            "member_id": str(member),
            "kind": "internal",
            "reason": "other",
            "destination_org_id": str(stack.world.other_cell),
            "trigger_on": TODAY.isoformat(),
            "on": TODAY.isoformat(),
        },
        headers=stack.as_("admin"),
    )
    assert started.status_code == 201, started.text
    transfer = started.json()["subject_id"]
    cancelled = await stack.step("admin", transfer, "cancel_transfer", "transfers")
    assert cancelled.status_code == 200, cancelled.text
    stack.project()

    async def search(user: str, org: object, q: str | None) -> Any:
        return await stack.http.post(
            "/api/transfers/search",
            json={"org_id": str(org), "q": q},
            headers=stack.as_(user),
        )

    async def found(user: str, org: object, q: str | None) -> set[str]:
        response = await search(user, org, q)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["page_size"] == 50 and body["total"] >= len(body["transfers"])
        return {c["id"] for c in body["transfers"]}

    assert transfer in await found("secretary", stack.world.cell, None)
    assert transfer in await found("secretary", stack.world.cell, "nguyen thi hoa")
    assert transfer in await found("grassroots", stack.world.grassroots, "thôn")  # a cell's name
    assert transfer not in await found("grassroots", stack.world.grassroots, "tran van ba")
    # The auditor searches organizations only: a name finds nothing.
    assert await found("auditor", stack.world.grassroots, "nguyen thi hoa") == set()
    # Too many words for a name, and part of no organization's name: refused.
    refused = await search("secretary", stack.world.cell, " ".join(f"w{n}" for n in range(13)))
    assert (refused.status_code, refused.json()["rule_id"]) == (422, "SEARCH-NAME")

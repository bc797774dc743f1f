"""The transfer letter in the record (issue 16): issued by the sending grassroots organization
once the transfer has started, stating a probationer's probation, never for a cancelled
transfer; and TRF-LETTER-CODE, the check of its code the receiving committee makes before it
accepts (domain/transfer_letter.py)."""

from __future__ import annotations

import io
from datetime import date
from uuid import UUID, uuid4

from docx import Document

from domain.paper import Paper, PaperKind
from domain.services.paper_statements_transfer import check_transfer_letter
from domain.values import Role, TransferKind, TransferReason
from infra.papers.render import render_docx
from tests.assertions import refused, writes_nothing
from tests.builders import World, ctx
from tests.unit.test_members_and_transfers import start

STARTED = date(2026, 1, 5)


def letter(world: World, transfer_id: UUID, on: date = STARTED) -> Paper:
    paper_id = world.app.issue_paper(
        ctx(Role.org_department_officer, world.grassroots),
        paper_id=uuid4(),
        subject_id=transfer_id,
        kind=PaperKind.transfer_letter,
        on=on,
    )
    return world.app.load(Paper, paper_id)


def probationer_moving_inside(world: World) -> UUID:
    """A probationer (ceremony 2025-10-01) moving to another cell of the same grassroots
    organization: an internal transfer."""
    (member,) = world.add_members(world.cell, 1, joined_on=date(2025, 10, 1), full=False)
    return start(
        world, member, TransferKind.internal, TransferReason.other, world.other_cell, STARTED
    )


def test_the_letter_of_a_probationer_states_the_end_of_probation_and_is_the_grassroots(
    world: World,
) -> None:
    transfer = probationer_moving_inside(world)
    paper = letter(world, transfer)
    assert (paper.org_id, paper.symbol) == (world.grassroots, "1-GGT/ĐU")
    assert paper.facts["member_probationary"] is True
    assert paper.facts["member_probation_ends"] == "2026-10-01"
    assert paper.facts["transfer_kind"] == "internal" and paper.facts["hops"] == []
    doc = Document(io.BytesIO(render_docx(paper, "CODE", "https://x/verify/CODE")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "đảng viên dự bị; thời gian dự bị đến ngày 01/10/2026" in text
    assert "đảng viên chính thức từ ngày" not in text
    assert "Chuyển sinh hoạt đảng nội bộ" in text


def test_no_letter_before_the_transfer_started_nor_for_a_cancelled_one(world: World) -> None:
    transfer = probationer_moving_inside(world)
    with writes_nothing(world.app), refused("PAPER-STEP"):
        letter(world, transfer, date(2026, 1, 2))
    world.app.cancel_transfer(
        ctx(Role.org_department_officer, world.commune), transfer, "ở lại", STARTED
    )
    with writes_nothing(world.app), refused("CASE-STAGE"):
        letter(world, transfer)


def test_acceptance_needs_the_code_of_the_letter_in_force_once_one_was_issued(
    world: World,
) -> None:
    transfer = probationer_moving_inside(world)
    other = probationer_moving_inside(world)
    check_transfer_letter(world.app, transfer, "")  # no letter here: a paper from outside
    with refused("TRF-LETTER-CODE"):  # a code typed anyway must name its letter
        check_transfer_letter(world.app, transfer, "7KQM-2XRA-9DHT")
    first = letter(world, transfer)
    elsewhere = letter(world, other)
    code = world.app.paper_code(first.id)
    check_transfer_letter(world.app, transfer, code.lower().replace("-", " "))
    for wrong in ("", "7KQM-2XRA-9DHT", world.app.paper_code(elsewhere.id)):
        with refused("TRF-LETTER-CODE"):
            check_transfer_letter(world.app, transfer, wrong)
    new = world.app.supersede_paper(
        ctx(Role.org_department_officer, world.grassroots),
        paper_id=first.id,
        new_paper_id=uuid4(),
        on=STARTED,
        reason="Bổ sung",
    )
    with refused("TRF-LETTER-CODE") as superseded:
        check_transfer_letter(world.app, transfer, code)
    assert "superseded" in superseded.value.en
    check_transfer_letter(world.app, transfer, world.app.paper_code(new))

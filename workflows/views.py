"""Views of a record as its process sees it (the API and the web show the same), and the
preview of a cell's dissolution: read-only, no activity of their own."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.admission import AdmissionCase
from domain.application import Dangvien, OpenDeadline
from domain.commands import accepted
from domain.member import Member
from domain.organization import Organization
from domain.stages import Status
from domain.standing import member_standing
from domain.transfer import Transfer
from workflows.messages import DeadlineView, View


def view_of(app: Dangvien, subject_id: UUID, today: date) -> View:
    """What a case, probation or transfer awaits: its stage, deadline, escalation level, and
    the steps its stage accepts (the workflow's update validator refuses the others)."""
    agg: Any = app.repository.get(subject_id)
    deadline = app.open_deadline(subject_id, today)
    dview = DeadlineView(**vars(deadline)) if isinstance(deadline, OpenDeadline) else None
    level = agg.escalation_level((dview.rule_id, dview.start, dview.due) if dview else None)
    if isinstance(agg, AdmissionCase):
        stage = agg.stage
        return View(
            "admission",
            subject_id,
            str(stage),
            stage.is_closed,
            agg.cell_id,
            member_id=getattr(agg, "member_id", None),
            deadline=dview,
            escalation_level=level,
            awaiting=accepted("admission", stage),
        )
    if isinstance(agg, Member):
        status = agg.status
        return View(
            "member",
            subject_id,
            str(member_standing(agg)),
            status is not Status.probationary,
            agg.cell_id,
            member_id=subject_id,
            deadline=dview,
            escalation_level=level,
            failed_votes=agg.failed_votes,
            awaiting=accepted("member", status),
        )
    assert isinstance(agg, Transfer)
    tstage = agg.stage
    return View(
        "transfer",
        subject_id,
        str(tstage),
        tstage.is_closed,
        agg.from_cell_id,
        member_id=agg.member_id,
        deadline=dview,
        escalation_level=level,
        awaiting=accepted("transfer", tstage),
    )


def dissolution_preview(app: Dangvien, cell_id: UUID, today: date) -> list[dict[str, Any]]:
    """Where each member of the cell would go: the residence cell of their 213 link, when
    it is another cell of the same grassroots organization; otherwise the officer chooses.
    A member with a transfer under way out of, into or away from the cell carries its id:
    it is completed or cancelled before the dissolution (ORG-DISSOLVE-TRANSFER); members
    bound for the cell, or its guests, are listed with theirs."""
    cell = app.load(Organization, cell_id)
    suggestions = app.suggested_moves(cell.id, today)
    under_way = {m: t for t, m in app.transfers_under_way(cell_id, today).items()}
    preview = []
    for member_id in sorted(cell.members_on(today) | set(under_way)):
        suggested = suggestions.get(member_id)
        transfer_id = under_way.get(member_id)
        preview.append(
            {
                "member_id": str(member_id),
                "to_cell_id": str(suggested) if suggested else None,
                "transfer_id": str(transfer_id) if transfer_id else None,
            }
        )
    return preview

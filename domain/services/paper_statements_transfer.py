"""The transfer letter (giấy giới thiệu sinh hoạt đảng, issue 16): what it states, who issues
it, and the receiving committee's check of its code before it accepts (TRF-LETTER-CODE).

The letter is issued by the sending cell's grassroots organization (docs/rulebook.md §4: "the
letter goes up from the sending cell through the grassroots committee…"), for an official,
temporary or internal transfer alike: the cell proposes, the grassroots committee introduces
the member to the next level. A letter states the hops recorded by its date (a box per hop); a hop
recorded later is stated by a replacement (a correction supersedes the letter, PAPER-ONCE)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import policy
from domain.errors import RuleViolation
from domain.member import Member, Status
from domain.organization import Organization
from domain.paper import PaperKind
from domain.person import Person
from domain.services.organizations import Organizations
from domain.services.paper_statements import Statement, bodies, step_happened
from domain.transfer import Transfer
from domain.transfer_letter import check_letter_code

if TYPE_CHECKING:
    from domain.services.papers import Papers


def transfer_letter(app: Organizations, transfer_id: UUID, on: date) -> Statement:
    """Once the transfer has started (PAPER-STEP), and not for a cancelled one (CASE-STAGE):
    the member, the sending cell, the destination, the kind and reason, the deadlines, and
    each hop of the letter recorded by the paper's date."""
    transfer = app.load(Transfer, transfer_id)
    step_on = step_happened(PaperKind.transfer_letter, transfer.started_on, on)
    if transfer.cancelled_on is not None and transfer.cancelled_on <= on:
        raise RuleViolation(
            "CASE-STAGE",
            "Việc chuyển sinh hoạt đã bị hủy: không ban hành giấy giới thiệu",
            "The transfer was cancelled: no letter is issued for it",
        )
    grassroots = app.grassroots_of(transfer.from_cell_id, step_on)
    member = app.load(Member, transfer.member_id)
    person = app.load(Person, member.person_id).data

    def name(org_id: UUID) -> str:
        return app.load(Organization, org_id).name

    status = member.status_on(on)
    facts: dict[str, Any] = {
        "member_name": person.full_name,
        "member_birth_date": person.birth_date.isoformat(),
        "member_joined_on": member.ceremony_on.isoformat(),  # ngày vào Đảng
        "member_full_from": member.full_from.isoformat() if member.full_from else None,
        "member_probationary": status is Status.probationary,
        "member_probation_ends": (
            member.probation_ends.isoformat() if status is Status.probationary else None
        ),
        "from_cell_name": name(transfer.from_cell_id),
        "grassroots_name": grassroots.name,
        "destination_name": name(transfer.destination_org_id),
        "to_cell_name": name(transfer.to_cell_id) if transfer.to_cell_id else None,
        "transfer_kind": str(transfer.kind),
        "transfer_reason": str(transfer.reason),
        "trigger_on": transfer.trigger_on.isoformat(),
        "start_due": transfer.start_due.isoformat() if transfer.start_due else None,
        "returns_on": transfer.returns_on.isoformat() if transfer.returns_on else None,
        # TRF-PRESENT runs from the letter addressed to the receiving cell; until a hop has
        # addressed it, from this paper's date
        "present_due": policy.due_date("TRF-PRESENT", transfer.letter_on or on).due.isoformat(),
        "portal_reference": transfer.portal_reference,
        "hops": [
            {
                "from_name": name(hop.from_org_id),
                "to_name": name(hop.to_org_id),
                "letter_no": hop.letter_no,
                "on": hop.on.isoformat(),
            }
            for hop in transfer.hops
            if hop.on <= on
        ],
        **bodies(app, grassroots.id, on),
        "issuer_kind": str(grassroots.kind),
        "step_on": step_on.isoformat(),
    }
    return Statement(grassroots.id, grassroots.id, facts)


def check_transfer_letter(app: Papers, transfer_id: UUID, code: str) -> None:
    """TRF-LETTER-CODE on the record: the code the receiving committee typed names this
    transfer's live letter, when dangvien issued one."""
    letters = [p for p in app.papers_of(transfer_id) if p.kind is PaperKind.transfer_letter]
    named = app.paper_by_code(code) if code.strip() else None
    check_letter_code(transfer_id, letters, named, bool(code.strip()))

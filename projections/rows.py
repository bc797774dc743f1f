"""From aggregates to read-model rows: the domain derives every value (stage, deadline,
status); rows only copy them, so the read model cannot disagree with the record."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.admission import AdmissionCase
from domain.member import Member
from domain.organization import AdmissionTarget, Organization
from domain.person import PersonalData
from domain.transfer import Transfer

PRIVATE_SECTOR = {"private_enterprise_worker", "foreign_invested_worker"}
BREAKDOWNS = (  # DOMAIN.md §7
    "female",
    "ethnic_minority",
    "religious",
    "youth_union",
    "private_sector_worker",
    "student",
)

# Events that change nothing a row reads, nor anything a later event's `apply` reads: the
# projector leaves them in the store undecoded (projections.log.read_window). An event not
# named here is read, so a new kind of event is projected until someone says otherwise; the
# tests project a whole generated province with and without this list and compare.
UNREAD = frozenset(
    {
        # a person counts only through the breakdown flags of their data
        "domain.person:Person.CaseOpened",
        "domain.person:Person.CaseClosed",
        "domain.person:Person.MembershipRecorded",
        "domain.person:Person.LeftParty",
        # the roll is read from the members' rows, not from the organization's record of it
        "domain.organization:Organization.MemberEnrolled",
        "domain.organization:Organization.MemberReleased",
        # the record behind a step: the letters sent, each comment, the exempted side, the
        # yearly residence comments, the new-member course, the helper; the steps themselves
        # (results returned, background certified, comments summarized) are read
        "domain.admission:AdmissionCase.VerificationRequested",
        "domain.admission:AdmissionCase.CommentRecorded",
        "domain.admission:AdmissionCase.FamilySideExempted",
        "domain.member:Member.ResidenceCommented",
        "domain.member:Member.NewMemberCourseCompleted",
        "domain.member:Member.HelperAssigned",
    }
)


def org_row(org: Organization, path: str, grassroots_id: UUID | None) -> dict[str, Any]:
    return {
        "id": org.id,
        "kind": str(org.kind),
        "name": org.name,
        "setting": str(org.setting) if org.setting else None,
        "parent_id": org.parent_id,
        "path": path,
        "grassroots_id": grassroots_id,
        "registered_on": org.registered_on,
        "dissolved_on": org.dissolved_on,
        "may_admit": org.may_admit,
    }


def target_rows(org: Organization) -> list[dict[str, Any]]:
    rows = []
    for year, target in org.targets.items():
        assert isinstance(target, AdmissionTarget)
        rows.append(
            {
                "org_id": org.id,
                "year": year,
                "admissions": target.admissions,
                "count": target.count,
                "rate_percent": target.rate_percent,
                "start_of_year_members": target.start_of_year_members,
            }
        )
    return rows


def hamlet_rows(commune: Organization, served_by: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {"commune_id": commune.id, "key": key, "name": name, "cell_ids": served_by.get(key, [])}
        for key, name in commune.hamlets.items()
    ]


def person_flags(data: PersonalData | None) -> dict[str, bool]:
    """The breakdowns of DOMAIN.md §7, as flags only, from a person's data (all of it
    comes with their registration or a correction)."""
    if data is None:
        return dict.fromkeys(BREAKDOWNS, False)
    return {
        "female": str(data.gender) == "female",
        "ethnic_minority": data.ethnicity.strip().lower() not in ("kinh", ""),
        "religious": bool(data.religion),
        "youth_union": data.youth_union_member,
        "private_sector_worker": data.occupation in PRIVATE_SECTOR,
        "student": data.occupation == "student",
    }


def case_row(
    case: AdmissionCase,
    path: str,
    flags: dict[str, bool],
    stage_since: date,
    on: date,
    responsible_id: UUID | None,
) -> dict[str, Any]:
    deadline = case.current_deadline(on)
    return {
        "id": case.id,
        "person_id": case.person_id,
        "cell_id": case.cell_id,
        "grassroots_id": case.grassroots_id,
        "path": path,
        "opened_on": case.opened_on,
        "stage": str(case.stage),
        "stage_since": stage_since,
        "closed": case.stage.is_closed,
        "outcome_on": case.outcome_on,
        "ceremony_on": case.ceremony_on,
        "decided_on": case.decision[1] if case.decision else None,
        "member_id": getattr(case, "member_id", None),
        "deadline_rule": deadline[0] if deadline else None,
        "deadline_due": deadline[2] if deadline else None,
        "responsible_id": responsible_id,
        "escalation_level": case.escalation_level(deadline),
        **flags,
    }


def member_row(member: Member, path: str, host_cell_id: UUID | None) -> dict[str, Any]:
    deadline = member.current_deadline()
    exempt_until = max((e.ends_on for e in member.exemptions), default=None)
    return {
        "id": member.id,
        "person_id": member.person_id,
        "cell_id": member.cell_id,
        "path": path,
        "status": "deadlock"
        if member.deadlocked and str(member.status) == "probationary"
        else str(member.status),
        "joined_on": member.ceremony_on,
        "probation_ends": member.probation_ends,
        "full_from": member.full_from,
        "recognized_on": member.recognized_on,
        "struck_off_on": member.struck_off_on,
        "residence_cell_id": member.residence_cell_id,
        "host_cell_id": host_cell_id,
        "exempt_until": exempt_until,
        "deadline_rule": deadline[0] if deadline else None,
        "deadline_due": deadline[2] if deadline else None,
        "escalation_level": member.escalation_level(deadline),
        "failed_votes": member.failed_votes,
    }


def transfer_row(transfer: Transfer, from_path: str, to_path: str | None) -> dict[str, Any]:
    deadline = transfer.current_deadline()
    return {
        "id": transfer.id,
        "member_id": transfer.member_id,
        "kind": str(transfer.kind),
        "stage": str(transfer.stage),
        "from_cell_id": transfer.from_cell_id,
        "from_path": from_path,
        "to_cell_id": transfer.to_cell_id,
        "to_path": to_path,
        "started_on": transfer.started_on,
        "letter_on": transfer.letter_on,
        "presented_on": transfer.presented_on,
        "accepted_on": transfer.accepted_on,
        "deadline_rule": deadline[0] if deadline else None,
        "deadline_due": deadline[2] if deadline else None,
        "escalation_level": transfer.escalation_level(deadline),
    }

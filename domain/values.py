"""Value objects shared by the aggregates: who acted, under which rules, and the domain enums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from domain.bounds import Key, Name, Text


class Role(StrEnum):
    """Roles scoped to a node of the org tree."""

    cell_secretary = "cell_secretary"
    grassroots_officer = "grassroots_officer"
    org_department_officer = "org_department_officer"
    auditor = "auditor"
    administrator = "administrator"
    system = "system"  # the durable processes themselves (escalations, schedules)


@dataclass(frozen=True)
class Actor:
    """Who acted: a user, in a role, for an organization."""

    user_id: str
    role: Role
    org_id: UUID


@dataclass(frozen=True)
class Stamp:
    """What every event records besides its facts (docs/domain.md: actor, key, rules, dates).

    `effective_on` is the date the act happened (the meeting, the decision, the letter);
    the event's own timestamp is when it was recorded.
    """

    actor: Actor
    command_key: str
    rule_set: str
    effective_on: date


class OrgKind(StrEnum):
    """Kinds of party organization (docs/rulebook.md §6)."""

    province_committee = "province_committee"
    district_committee = "district_committee"  # abolished from 2025-07-01
    commune_committee = "commune_committee"  # commune/ward or sector committee
    grassroots_committee = "grassroots_committee"  # đảng bộ cơ sở
    grassroots_cell = "grassroots_cell"  # chi bộ cơ sở
    intermediate_committee = "intermediate_committee"  # đảng bộ bộ phận
    cell = "cell"  # chi bộ

    @property
    def is_grassroots(self) -> bool:
        return self in (OrgKind.grassroots_committee, OrgKind.grassroots_cell)

    @property
    def holds_members(self) -> bool:
        """Members keep their activity in cells (a grassroots cell is itself a cell)."""
        return self in (OrgKind.cell, OrgKind.grassroots_cell)


class CellSetting(StrEnum):
    """Where a cell works (docs/rulebook.md §6)."""

    hamlet = "hamlet"
    residential_group = "residential_group"
    commune_agency = "commune_agency"
    commune_military = "commune_military"
    police = "police"
    school = "school"
    health_station = "health_station"
    enterprise = "enterprise"
    cooperative = "cooperative"
    public_service_unit = "public_service_unit"
    other = "other"

    @property
    def is_residential(self) -> bool:
        return self in (CellSetting.hamlet, CellSetting.residential_group)


class Education(StrEnum):
    """Highest general education completed."""

    primary = "primary"
    lower_secondary = "lower_secondary"
    upper_secondary = "upper_secondary"


class Gender(StrEnum):
    female = "female"
    male = "male"


class Relationship(StrEnum):
    """Relatives whose background is verified (docs/rulebook.md §2.6)."""

    father = "father"
    mother = "mother"
    raiser = "raiser"  # the person who raised the applicant
    spouse = "spouse"
    father_in_law = "father_in_law"
    mother_in_law = "mother_in_law"
    adult_child = "adult_child"


class FamilySide(StrEnum):
    """A side of the family, which a member relative on that side may exempt."""

    paternal = "paternal"
    maternal = "maternal"
    spouse_family = "spouse_family"
    own = "own"  # the applicant, the person who raised them, adult children: never exempt


SIDE_OF: dict[Relationship, FamilySide] = {
    Relationship.father: FamilySide.paternal,
    Relationship.mother: FamilySide.maternal,
    Relationship.raiser: FamilySide.own,
    Relationship.spouse: FamilySide.spouse_family,
    Relationship.father_in_law: FamilySide.spouse_family,
    Relationship.mother_in_law: FamilySide.spouse_family,
    Relationship.adult_child: FamilySide.own,
}


@dataclass(frozen=True)
class Relative:
    """A relative declared in the background; `key` is local to the case (no names in ids)."""

    key: Key
    relationship: Relationship
    full_name: Name
    lives_or_works_at: Text = ""
    is_party_member: bool = False


class IntroducerKind(StrEnum):
    """Who may introduce (ADM-INTRO)."""

    full_member = "full_member"
    youth_union_executive = "youth_union_executive"  # ban chấp hành đoàn cơ sở
    trade_union_executive = "trade_union_executive"  # ban chấp hành công đoàn cơ sở


@dataclass(frozen=True)
class Introduction:
    """One introduction of the applicant; a member introducer carries the facts ADM-INTRO-TIME
    judges (known when the letter was written), so the event records what was known."""

    kind: IntroducerKind
    letter_on: date
    member_id: UUID | None = None
    together_since: date | None = None  # worked/studied/lived with the applicant since
    same_grassroots: bool = True
    member_status: str | None = None  # "full" | "probationary" on letter_on


@dataclass(frozen=True)
class Ballot:
    """A vote of a cell or committee: the roll as it stood on the meeting day and the result.

    For a cell (ADM-VOTE-CELL) `on_roll` counts full members on the cell's roll, `excused` those
    of them temporarily transferred out or exempted from activity who did not vote, so the
    denominator is `on_roll - excused`. For a committee, `on_roll` is its membership.
    """

    held_on: date
    on_roll: int
    excused: int
    votes_for: int
    votes_against: int

    @property
    def denominator(self) -> int:
        return self.on_roll - self.excused


class HoldKind(StrEnum):
    """States during which no official transfer is allowed (docs/rulebook.md §4)."""

    inspection = "inspection"
    complaint = "complaint"
    discipline_review = "discipline_review"


class TransferKind(StrEnum):
    official = "official"
    temporary = "temporary"
    internal = "internal"


class TransferReason(StrEnum):
    new_job = "new_job"
    retirement = "retirement"
    demobilisation = "demobilisation"
    residence_change = "residence_change"
    work_away = "work_away"  # temporary: away for work
    study = "study"  # temporary: full-time domestic study
    reorganisation = "reorganisation"  # internal: dissolution or merge of a cell
    other = "other"


class CommentSource(StrEnum):
    """Who comments on the applicant (admission step 7)."""

    workplace_organizations = "workplace_organizations"  # socio-political orgs at work
    residence_cell = "residence_cell"  # cell committee where the applicant resides


class Prerequisite(StrEnum):
    """What the cell's recognition vote needs (§3, PRB-DOSSIER): the probationer's
    self-review, the helper's comments, the comments of the unions where the probationer works
    and of the cell committee where they reside (the admission's comment sources), and the
    new-member course's certificate."""

    self_review = "self_review"
    helper_comments = "helper_comments"
    workplace_organizations = CommentSource.workplace_organizations.value
    residence_cell = CommentSource.residence_cell.value
    new_member_course = "new_member_course"


class Departure(StrEnum):
    """How a member leaves the Party (ra khỏi Đảng), each with its date (READMIT)."""

    left = "left"  # at the member's own request (xin ra khỏi Đảng)
    struck_off = "struck_off"  # xóa tên
    expelled = "expelled"  # khai trừ


class Motion(StrEnum):
    """What a probation review vote proposes."""

    recognize = "recognize"
    strike_off = "strike_off"


@dataclass(frozen=True)
class PersonalData:
    """Personal and political data (docs/rulebook.md §8): encrypted at rest, never logged."""

    full_name: str
    birth_date: date
    citizen_id: str
    gender: Gender
    ethnicity: str
    religion: str | None
    address: str
    education: Education
    youth_union_member: bool = False
    trade_union_member: bool = False
    occupation: str = ""  # e.g. "student", "private_enterprise_worker" (quota breakdowns)

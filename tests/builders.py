"""Builders of realistic test worlds: an org tree, members on cell rolls, applicants."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.application import Context, Dangvien
from domain.commands import probation as steps
from domain.handlers import handle
from domain.member import Member
from domain.person import PersonalData
from domain.policy import rulesets
from domain.values import (
    Actor,
    CellSetting,
    CommentSource,
    Education,
    Gender,
    OrgKind,
    Prerequisite,
    Role,
)

_counter = itertools.count(1)


def ctx(role: Role = Role.administrator, org_id: UUID | None = None, key: str = "") -> Context:
    """A context with a fresh command key (pass `key` to repeat a command)."""
    return Context(Actor(f"user-{role}", role, org_id or UUID(int=0)), key or f"cmd-{uuid4()}")


def person_data(
    *,
    birth_date: date = date(1995, 3, 15),
    full_name: str = "Nguyễn Thị Hoa",
    citizen_id: str | None = None,
    education: Education = Education.upper_secondary,
    youth_union_member: bool = False,
    trade_union_member: bool = False,
    gender: Gender = Gender.female,
) -> PersonalData:
    return PersonalData(
        full_name=full_name,
        birth_date=birth_date,
        citizen_id=citizen_id or f"0012{next(_counter):08d}",
        gender=gender,
        ethnicity="Kinh",
        religion=None,
        address="Thôn Đông, xã An Bình",
        education=education,
        youth_union_member=youth_union_member,
        trade_union_member=trade_union_member,
    )


@dataclass
class World:
    """Province → district (until 2025-06-30) → commune → grassroots committee → cells.

    From 2025-07-01 the grassroots committee sits directly under the commune committee, which
    is then its directly-superior committee (docs/rulebook.md §0).
    """

    app: Dangvien
    province: UUID
    district: UUID
    commune: UUID
    grassroots: UUID
    cell: UUID
    other_cell: UUID
    residence_cell: UUID
    other_grassroots: UUID
    far_cell: UUID
    members: dict[UUID, list[UUID]] = field(default_factory=dict)

    def add_members(
        self,
        cell: UUID,
        count: int,
        *,
        joined_on: date = date(2010, 5, 19),
        full: bool = True,
    ) -> list[UUID]:
        """Members admitted before dangvien, registered from their paper dossiers."""
        ids = []
        for _ in range(count):
            person = self.app.register_person(ctx(), person_data(), joined_on)
            ids.append(
                self.app.register_member(
                    ctx(),
                    person_id=person,
                    cell_id=cell,
                    joined_on=joined_on,
                    decided_on=joined_on,
                    full_from=date(joined_on.year + 1, joined_on.month, joined_on.day)
                    if full
                    else None,
                )
            )
        self.members.setdefault(cell, []).extend(ids)
        return ids


def build_world(app: Dangvien, *, cell_members: int = 9) -> World:
    on = date(2005, 1, 5)
    org = app.register_organization
    province = org(
        ctx(), kind=OrgKind.province_committee, name="Tỉnh ủy", parent_id=None, established_on=on
    )
    district = org(
        ctx(),
        kind=OrgKind.district_committee,
        name="Huyện ủy An Bình",
        parent_id=province,
        established_on=on,
    )
    commune = org(
        ctx(),
        kind=OrgKind.commune_committee,
        name="Đảng ủy xã An Bình",
        parent_id=district,
        established_on=on,
    )
    grassroots = org(
        ctx(),
        kind=OrgKind.grassroots_committee,
        name="Đảng bộ xã An Bình",
        parent_id=district,
        established_on=on,
    )
    cell = org(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Đông",
        parent_id=grassroots,
        established_on=on,
        setting=CellSetting.hamlet,
    )
    other_cell = org(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ cơ quan xã",
        parent_id=grassroots,
        established_on=on,
        setting=CellSetting.commune_agency,
    )
    residence_cell = org(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Tây",
        parent_id=grassroots,
        established_on=on,
        setting=CellSetting.hamlet,
    )
    other_grassroots = org(
        ctx(),
        kind=OrgKind.grassroots_committee,
        name="Đảng bộ Trường THPT An Bình",
        parent_id=district,
        established_on=on,
    )
    far_cell = org(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ giáo viên",
        parent_id=other_grassroots,
        established_on=on,
        setting=CellSetting.school,
    )
    # The 2025 reorganisation: the commune committee becomes directly superior.
    reorganised = date(2025, 7, 1)
    for g in (grassroots, other_grassroots):
        app.reparent_organization(ctx(), g, commune, reorganised)
    app.reparent_organization(ctx(), commune, province, reorganised)
    app.dissolve_organization(ctx(), district, reorganised)
    world = World(
        app,
        province,
        district,
        commune,
        grassroots,
        cell,
        other_cell,
        residence_cell,
        other_grassroots,
        far_cell,
    )
    world.add_members(cell, cell_members)
    world.add_members(other_cell, 4)
    world.add_members(residence_cell, 3)
    world.add_members(far_cell, 3)
    return world


def unrecorded_reorganisation(world: World) -> World:
    """A second branch whose 2025 reorganisation was never recorded: a district committee,
    never dissolved, still directly above its grassroots committee, whose hamlet cell holds 9
    full members (joined 2010-05-19). The world as seen from that branch: its `district`,
    `grassroots` and `cell`; the rest is the world's."""
    app, on = world.app, date(2005, 1, 5)
    org = app.register_organization
    district = org(
        ctx(),
        kind=OrgKind.district_committee,
        name="Huyện ủy Hòa Lạc",
        parent_id=world.province,
        established_on=on,
    )
    grassroots = org(
        ctx(),
        kind=OrgKind.grassroots_committee,
        name="Đảng bộ xã Hòa Lạc",
        parent_id=district,
        established_on=on,
    )
    cell = org(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Bắc",
        parent_id=grassroots,
        established_on=on,
        setting=CellSetting.hamlet,
    )
    stale = replace(world, district=district, grassroots=grassroots, cell=cell)
    stale.add_members(cell, 9)
    return stale


def file_recognition_papers(
    app: Dangvien, member_id: UUID, on: date, helper_id: UUID | None = None
) -> None:
    """What the cell's recognition vote needs (PRB-DOSSIER), each by its own step dated `on`
    and through the steps' own handlers: a helper when none is assigned (`helper_id`), the
    new-member course, the self-review, the helper's comments, the comments of the unions and
    of the residence. Those already in are left as they are."""
    member = app.load(Member, member_id)
    if member.helper_member_id is None and helper_id is not None:
        handle(app, ctx(), member_id, steps.AssignHelper(on=on, helper_member_id=helper_id))
    missing = [p for p, done in member.recognition_checklist.items() if not done]
    papers: dict[Prerequisite, steps.MemberStep] = {
        Prerequisite.new_member_course: steps.CompleteNewMemberCourse(
            on=on, certificate_no=f"ĐVM-{member_id.hex[:6]}"
        ),
        Prerequisite.self_review: steps.SubmitSelfReview(on=on),
        Prerequisite.helper_comments: steps.RecordHelperComments(on=on),
        Prerequisite.workplace_organizations: steps.RecordProbationComments(
            on=on, source=CommentSource.workplace_organizations
        ),
        Prerequisite.residence_cell: steps.RecordProbationComments(
            on=on, source=CommentSource.residence_cell
        ),
    }
    for prerequisite in missing:
        handle(app, ctx(Role.cell_secretary), member_id, papers[prerequisite])


def iter_days(start: date, end: date) -> Iterator[date]:
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        yield date.fromordinal(ordinal)


def set_rules(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Every rule set with a setting changed, as a confirmed reading would change it (a
    setting of docs/rules.md: a field of `RuleSet`)."""
    changed = tuple(replace(rs, **values) for rs in rulesets.RULE_SETS)  # type: ignore[arg-type]
    monkeypatch.setattr(rulesets, "RULE_SETS", changed)

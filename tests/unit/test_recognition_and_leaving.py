"""Who decides on a probationer, what the recognition vote needs, and how a member leaves the
Party (docs/rulebook.md §0, §1 READMIT, §3), through the application's own steps
(domain/commands/probation.py, run by domain/handlers.py as the API and the workflows run
them), on eventsourcing's in-memory recorder.

The world is tests/builders.py's: `world.cell` holds 9 full members under `world.grassroots`,
whose competent committee is the district until 2025-06-30 and the commune from 2025-07-01.
Every expected value is worked out by hand in a comment.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from domain.commands import Step
from domain.commands import probation as steps
from domain.handlers import handle
from domain.member import Member, Motion
from domain.organization import Organization
from domain.person import Person
from domain.services.store import Store
from domain.stages import Status
from domain.values import CommentSource, Departure, Prerequisite, Role
from infra.api.schemas import parse_step
from tests.assertions import refused, writes_nothing
from tests.builders import World, ctx, person_data, unrecorded_reorganisation

# A probationer of world.cell admitted on Monday 2025-03-10: probation ends 2026-03-10
# (PRB-LENGTH); the cell votes that day, papers filed the Friday before, 2026-03-06.
JOINED = date(2025, 3, 10)
ENDS = date(2026, 3, 10)
FILED = date(2026, 3, 6)


def take(world: World, member_id: UUID, step: Step, role: Role = Role.cell_secretary) -> None:
    handle(world.app, ctx(role), member_id, step)


def probationer(world: World, cell: UUID | None = None, joined_on: date = JOINED) -> UUID:
    """A probationer registered from the paper dossier, with a helper from its cell."""
    app, cell = world.app, cell or world.cell
    person = app.register_person(ctx(), person_data(), joined_on)
    member_id = app.register_member(
        ctx(),
        person_id=person,
        cell_id=cell,
        joined_on=joined_on,
        decided_on=joined_on,
        full_from=None,
    )
    helper = world.members[cell][0]
    take(world, member_id, steps.AssignHelper(on=joined_on, helper_member_id=helper))
    return member_id


PAPERS: dict[Prerequisite, Step] = {
    Prerequisite.self_review: steps.SubmitSelfReview(on=FILED),
    Prerequisite.helper_comments: steps.RecordHelperComments(on=FILED),
    Prerequisite.workplace_organizations: steps.RecordProbationComments(
        on=FILED, source=CommentSource.workplace_organizations
    ),
    Prerequisite.residence_cell: steps.RecordProbationComments(
        on=FILED, source=CommentSource.residence_cell
    ),
    Prerequisite.new_member_course: steps.CompleteNewMemberCourse(
        on=date(2025, 6, 20), certificate_no="12/GCN-ĐVM"
    ),
}


def file_papers(world: World, member_id: UUID, *, leave_out: Prerequisite | None = None) -> None:
    for prerequisite, step in PAPERS.items():
        if prerequisite is not leave_out:
            take(world, member_id, step)


def review(world: World, member_id: UUID, motion: Motion, on: date = ENDS) -> Member:
    # 6 of 9 full members: 6 × 3 = 18 ≥ 2 × 9, the vote passes.
    take(
        world, member_id, steps.RecordReviewVote(on=on, motion=motion, votes_for=6, votes_against=3)
    )
    return world.app.load(Member, member_id)


# --- PRB-DOSSIER: the recognition vote waits for its prerequisites -----------------------------


@pytest.mark.parametrize("missing", list(Prerequisite))
def test_the_cell_votes_on_recognition_only_once_every_prerequisite_is_in(
    world: World, missing: Prerequisite
) -> None:
    member_id = probationer(world)
    file_papers(world, member_id, leave_out=missing)
    assert world.app.load(Member, member_id).recognition_checklist[missing] is False

    with writes_nothing(world.app), refused("PRB-DOSSIER") as refusal:
        review(world, member_id, Motion.recognize)
    assert refusal.value.details["missing"] == [str(missing)]

    take(world, member_id, PAPERS[missing])
    voted = review(world, member_id, Motion.recognize)
    assert voted.resolution == (Motion.recognize, ENDS)
    assert all(voted.recognition_checklist.values())


def test_the_refusal_names_every_missing_prerequisite_in_both_languages(world: World) -> None:
    member_id = probationer(world)
    take(world, member_id, PAPERS[Prerequisite.self_review])
    with refused("PRB-DOSSIER") as refusal:
        review(world, member_id, Motion.recognize)
    assert refusal.value.details["missing"] == [
        "helper_comments",
        "workplace_organizations",
        "residence_cell",
        "new_member_course",
    ]
    assert "nhận xét của đảng viên giúp đỡ" in refusal.value.vi
    assert "bản tự kiểm điểm" not in refusal.value.vi
    assert "the new-member course certificate" in refusal.value.en


def test_striking_off_needs_none_of_the_recognition_papers(world: World) -> None:
    member_id = probationer(world)
    voted = review(world, member_id, Motion.strike_off, on=date(2025, 9, 15))
    assert voted.resolution == (Motion.strike_off, date(2025, 9, 15))


@pytest.mark.parametrize(
    ("source", "reason", "refused_by"),
    [
        # No socio-political organization where the probationer works.
        pytest.param(
            CommentSource.workplace_organizations,
            "làm nông nghiệp, không có tổ chức đoàn thể nơi làm việc",
            None,
            id="unions-exempted",
        ),
        # The probationer's own hamlet cell is that of the residence.
        pytest.param(
            CommentSource.residence_cell,
            "chi bộ sinh hoạt là chi bộ nơi cư trú",
            None,
            id="residence-exempted",
        ),
        pytest.param(CommentSource.residence_cell, "   ", "PRB-DOSSIER", id="no-reason"),
    ],
)
def test_the_unions_or_the_residence_comments_may_be_exempted_with_a_reason(
    world: World, source: CommentSource, reason: str, refused_by: str | None
) -> None:
    prerequisite = Prerequisite(source.value)
    member_id = probationer(world)
    file_papers(world, member_id, leave_out=prerequisite)
    exempt = steps.ExemptComments(on=FILED, source=source, reason=reason)
    if refused_by is not None:
        with writes_nothing(world.app), refused(refused_by):
            take(world, member_id, exempt, Role.grassroots_officer)
        return
    take(world, member_id, exempt, Role.grassroots_officer)
    member = world.app.load(Member, member_id)
    # Exempted is in, with its reason recorded, never silently skipped.
    assert member.recognition_checklist[prerequisite] is True
    assert member.exempted_papers == {prerequisite: reason}
    assert prerequisite not in member.papers
    assert world.app.history(member_id)[-1].name == "Member.PrerequisiteExempted"
    assert review(world, member_id, Motion.recognize).resolution == (Motion.recognize, ENDS)


@pytest.mark.parametrize("kept", ["self_review", "helper_comments", "new_member_course"])
def test_nothing_but_the_unions_or_the_residence_comments_can_be_exempted(kept: str) -> None:
    # The step names a comment source, nothing else: the probationer's own self-review, the
    # helper's comments and the course cannot be asked to be exempted at all.
    with pytest.raises(ValidationError):
        parse_step("exempt_comments", FILED, {"source": kept, "reason": "bận"})
    assert parse_step("exempt_comments", FILED, {"source": "residence_cell", "reason": "x"})


def test_the_helper_s_comments_wait_for_a_helper(world: World) -> None:
    app = world.app
    person = app.register_person(ctx(), person_data(), JOINED)
    member_id = app.register_member(
        ctx(),
        person_id=person,
        cell_id=world.cell,
        joined_on=JOINED,
        decided_on=JOINED,
        full_from=None,
    )
    with writes_nothing(app), refused("PRB-DOSSIER"):
        take(world, member_id, PAPERS[Prerequisite.helper_comments])
    take(
        world,
        member_id,
        steps.AssignHelper(on=FILED, helper_member_id=world.members[world.cell][1]),
    )
    take(world, member_id, PAPERS[Prerequisite.helper_comments])
    assert app.load(Member, member_id).papers == {Prerequisite.helper_comments: FILED}


def test_a_vote_dated_before_a_prerequisite_came_in_is_refused(world: World) -> None:
    member_id = probationer(world)
    file_papers(world, member_id, leave_out=Prerequisite.self_review)
    # The self-review came in on 2026-03-12, after the meeting of 2026-03-10.
    take(world, member_id, steps.SubmitSelfReview(on=date(2026, 3, 12)))
    with writes_nothing(world.app), refused("DATE-ORDER"):
        review(world, member_id, Motion.recognize)
    assert review(world, member_id, Motion.recognize, on=date(2026, 3, 12)).resolution


def test_a_prerequisite_dated_before_the_ceremony_is_refused(world: World) -> None:
    member_id = probationer(world)
    with writes_nothing(world.app), refused("DATE-ORDER"):
        take(world, member_id, steps.SubmitSelfReview(on=date(2025, 3, 7)))
    take(world, member_id, steps.SubmitSelfReview(on=JOINED))


def test_a_recognized_member_takes_no_more_recognition_papers(world: World) -> None:
    member_id = probationer(world)
    file_papers(world, member_id)
    review(world, member_id, Motion.recognize)
    world.app.recognize(ctx(), member_id, decided_by=world.commune, on=date(2026, 3, 20))
    with writes_nothing(world.app), refused("CASE-STAGE"):
        take(world, member_id, steps.SubmitSelfReview(on=date(2026, 3, 23)))


# --- PRB-DECIDE: who may decide, the same rule as admission's ----------------------------------


@pytest.mark.parametrize("motion", [Motion.recognize, Motion.strike_off])
@pytest.mark.parametrize(
    ("decided_on", "refused_by"),
    [
        pytest.param(date(2025, 6, 30), None, id="2025-06-30"),
        # The district tier is abolished: the tree still names the district, the rule does not.
        pytest.param(date(2025, 7, 1), "PRB-DECIDE", id="2025-07-01"),
    ],
)
def test_a_district_the_tree_still_shows_decides_on_a_probationer_only_before_2025_07_01(
    world: World, motion: Motion, decided_on: date, refused_by: str | None
) -> None:
    stale = unrecorded_reorganisation(world)
    # Joined 2024-06-28: the twelve months end on 2025-06-28; the cell votes on Monday
    # 2025-06-30 (6 of its 9 full members, 18 ≥ 18).
    member_id = probationer(stale, joined_on=date(2024, 6, 28))
    file_papers_on(stale, member_id, date(2025, 6, 27))
    review(stale, member_id, motion, on=date(2025, 6, 30))
    # Nothing in the record moved the grassroots committee: the district is still above it.
    assert world.app.competent_committee(stale.cell, decided_on).id == stale.district

    def decide() -> None:
        decision: Step = (
            steps.Recognize(on=decided_on, decided_by=stale.district)
            if motion is Motion.recognize
            else steps.StrikeOff(on=decided_on, decided_by=stale.district, reason="vi phạm")
        )
        take(stale, member_id, decision, Role.org_department_officer)

    if refused_by is None:
        decide()
        assert world.app.load(Member, member_id).status is not Status.probationary
        return
    with writes_nothing(world.app), refused(refused_by):
        decide()


def file_papers_on(world: World, member_id: UUID, on: date) -> None:
    for step in PAPERS.values():
        take(world, member_id, type(step)(**{**vars(step), "on": on}))


# --- leaving the Party, and READMIT ------------------------------------------------------------

LEFT = date(2026, 5, 4)  # a Monday


def leave(world: World, member_id: UUID, kind: Departure, on: date = LEFT) -> None:
    take(
        world,
        member_id,
        steps.RecordDeparture(
            on=on, kind=kind, decided_by=world.grassroots, reason="theo quyết định"
        ),
        Role.org_department_officer,
    )


@pytest.mark.parametrize("kind", list(Departure))
def test_a_full_member_leaves_the_party_recorded_with_its_kind_and_date(
    world: World, kind: Departure
) -> None:
    app = world.app
    member_id = world.members[world.cell][4]
    leave(world, member_id, kind)

    member = app.load(Member, member_id)
    assert member.departure == (kind, LEFT)
    assert member.status is Status(kind.value)
    assert member.status_on(date(2026, 5, 3)) is Status.full
    assert member.status_on(LEFT) is Status(kind.value)
    cell = app.load(Organization, world.cell)
    assert member_id in cell.members_on(date(2026, 5, 3))
    assert member_id not in cell.members_on(LEFT)
    person = app.load(Person, member.person_id)
    assert (person.departure, person.left_party_on, person.expunged_on) == (kind, LEFT, None)
    # Left once: the member is off the roll, no second departure.
    with writes_nothing(app), refused("CASE-STAGE"):
        leave(world, member_id, Departure.expelled, on=date(2026, 6, 1))


def test_a_probationer_leaves_only_through_the_cell_s_review(world: World) -> None:
    member_id = probationer(world)
    with writes_nothing(world.app), refused("CASE-STAGE"):
        leave(world, member_id, Departure.expelled)


def readmission(world: World, person_id: UUID, on: date) -> None:
    world.app.open_case(ctx(), case_id=uuid4(), person_id=person_id, cell_id=world.cell, on=on)


@pytest.mark.parametrize(
    ("kind", "expunged_on", "opened_on", "refused_by"),
    [
        # 36 months from leaving on 2026-05-04, whatever the kind: 2029-05-04.
        pytest.param(Departure.left, None, date(2029, 5, 3), "READMIT", id="left-a-day-early"),
        pytest.param(Departure.left, None, date(2029, 5, 4), None, id="left-36-months"),
        pytest.param(
            Departure.struck_off, None, date(2029, 5, 3), "READMIT", id="struck-off-a-day-early"
        ),
        pytest.param(Departure.struck_off, None, date(2029, 5, 4), None, id="struck-off-36"),
        pytest.param(
            Departure.expelled, None, date(2029, 5, 3), "READMIT", id="expelled-a-day-early"
        ),
        pytest.param(Departure.expelled, None, date(2029, 5, 4), None, id="expelled-36"),
        # Expelled for a lesser crime whose record was expunged on 2027-01-15: 60 months from
        # then, 2032-01-15; the 36 months after leaving are not enough.
        pytest.param(
            Departure.expelled, date(2027, 1, 15), date(2029, 5, 4), "READMIT", id="36-not-enough"
        ),
        pytest.param(
            Departure.expelled,
            date(2027, 1, 15),
            date(2032, 1, 14),
            "READMIT",
            id="60-months-a-day-early",
        ),
        pytest.param(
            Departure.expelled, date(2027, 1, 15), date(2032, 1, 15), None, id="60-months"
        ),
    ],
)
def test_readmission_waits_36_months_after_leaving_and_60_after_an_expungement(
    world: World,
    kind: Departure,
    expunged_on: date | None,
    opened_on: date,
    refused_by: str | None,
) -> None:
    member_id = world.members[world.cell][4]
    leave(world, member_id, kind)
    if expunged_on is not None:
        take(world, member_id, steps.RecordExpungement(on=expunged_on), Role.org_department_officer)
        assert world.app.load(Member, member_id).expunged_on == expunged_on
    person_id = world.app.load(Member, member_id).person_id
    if refused_by is None:
        readmission(world, person_id, opened_on)
        assert world.app.load(Person, person_id).open_case_id is not None
        return
    with writes_nothing(world.app), refused(refused_by):
        readmission(world, person_id, opened_on)


def test_an_expungement_is_recorded_only_after_leaving_the_party(world: World) -> None:
    member_id = world.members[world.cell][4]
    expunged = steps.RecordExpungement(on=date(2027, 1, 15))
    with writes_nothing(world.app), refused("READMIT"):
        take(world, member_id, expunged, Role.org_department_officer)
    leave(world, member_id, Departure.expelled)
    with writes_nothing(world.app), refused("DATE-ORDER"):
        take(world, member_id, steps.RecordExpungement(on=date(2026, 5, 1)))
    take(world, member_id, expunged, Role.org_department_officer)


def test_a_struck_off_probationer_is_recorded_as_struck_off(world: World) -> None:
    member_id = probationer(world)
    review(world, member_id, Motion.strike_off, on=date(2025, 9, 15))
    world.app.strike_off(
        ctx(), member_id, decided_by=world.commune, reason="vi phạm tư cách", on=date(2025, 9, 22)
    )
    member = world.app.load(Member, member_id)
    assert member.departure == (Departure.struck_off, date(2025, 9, 22))
    assert world.app.load(Person, member.person_id).departure is Departure.struck_off


def test_a_departure_recorded_before_departures_had_a_kind_reads_as_a_striking_off(
    world: World,
) -> None:
    # The only event of leaving the store held before: `LeftParty`, its flag false, recorded
    # when a probationer was struck off. Written here as it was then.
    app = world.app
    person_id = app.register_person(ctx(), person_data(), date(2020, 1, 6))
    person = app.load(Person, person_id)
    person._left(expunged_lesser_crime=False, stamp=Store.stamp(ctx(), date(2025, 9, 22)))
    app.commit(person)
    assert app.history(person_id)[-1].name == "Person.LeftParty"

    read = app.load(Person, person_id)
    assert (read.departure, read.left_party_on, read.expunged_on) == (
        Departure.struck_off,
        date(2025, 9, 22),
        None,
    )
    # READMIT as before: 2025-09-22 + 36 months = 2028-09-22.
    with refused("READMIT"):
        readmission(world, person_id, date(2028, 9, 21))
    readmission(world, person_id, date(2028, 9, 22))

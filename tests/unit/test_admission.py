"""An admission case from source to recognition, and every refusal on the way
(docs/rulebook.md §2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.admission import AdmissionCase, CommentSource, Stage
from domain.application import Dangvien
from domain.calendar import add_months
from domain.member import Member, Motion, Status
from domain.organization import Organization
from domain.person import Person
from domain.transfer import Hop
from domain.values import (
    CellSetting,
    IntroducerKind,
    Introduction,
    OrgKind,
    Relationship,
    Relative,
    TransferKind,
    TransferReason,
)
from tests.assertions import refused as refused_by
from tests.assertions import writes_nothing
from tests.builders import (
    World,
    ctx,
    file_recognition_papers,
    person_data,
    set_rules,
    unrecorded_reorganisation,
)


@contextmanager
def refused(app: Dangvien, rule_id: str) -> Iterator[None]:
    """The command is refused with `rule_id` and the store is unchanged."""
    with writes_nothing(app), refused_by(rule_id):
        yield


@dataclass
class Case:
    """Drives one case step by step with sensible dates (a vote on 2025-12-05)."""

    world: World
    case_id: UUID
    person_id: UUID
    shift: int = 0  # months by which the dossier's dates are moved (negative: earlier)

    def d(self, year: int, month: int, day: int) -> date:
        return add_months(date(year, month, day), self.shift)

    @property
    def app(self) -> Dangvien:
        return self.world.app

    @property
    def state(self) -> AdmissionCase:
        return self.app.load(AdmissionCase, self.case_id)

    def stage(self) -> Stage:
        return self.state.stage

    def introduction(
        self, member: UUID, letter_on: date | None = None, since: date = date(2020, 1, 1)
    ) -> Introduction:
        return Introduction(
            IntroducerKind.full_member,
            letter_on or self.d(2025, 10, 10),
            member_id=member,
            together_since=since,
        )

    def dossier(self, *, until: Stage = Stage.cell_vote, cert_on: date | None = None) -> None:
        app, cid, members = self.app, self.case_id, self.world.members[self.world.cell]
        steps: list[tuple[Stage, Callable[[], None]]] = [
            (
                Stage.course,
                lambda: app.record_certificate(
                    ctx(), cid, "45/GCN", cert_on or self.d(2025, 9, 20)
                ),
            ),
            (Stage.application, lambda: app.submit_application(ctx(), cid, self.d(2025, 10, 1))),
            (
                Stage.background,
                lambda: app.declare_background(
                    ctx(),
                    cid,
                    [
                        Relative("r1", Relationship.father, "Nguyễn Văn Ba", "xã An Bình", True),
                        Relative("r2", Relationship.mother, "Lê Thị Tư", "xã Hòa Lạc"),
                    ],
                    self.d(2025, 10, 5),
                ),
            ),
            (Stage.introducers, self.assign_introducers),
            (Stage.verification, self.verify),
            (Stage.comments, self.comment),
        ]
        for stage, step in steps:
            if stage == until:
                return
            step()
        assert members

    def assign_introducers(self) -> None:
        members = self.world.members[self.world.cell]
        self.app.assign_introducer(ctx(), self.case_id, 1, self.introduction(members[0]))
        self.app.assign_introducer(ctx(), self.case_id, 2, self.introduction(members[1]))

    def verify(self) -> None:
        app, cid = self.app, self.case_id
        app.exempt_family_side(ctx(), cid, "r1", self.d(2025, 10, 20))  # the father is a member
        for subject in ("applicant", "r2"):
            app.request_verification(
                ctx(), cid, subject, "Đảng ủy xã Hòa Lạc", self.d(2025, 10, 21)
            )
            app.record_verification_result(ctx(), cid, subject, True, "", self.d(2025, 11, 10))
        app.certify_background(ctx(), cid, self.d(2025, 11, 20))

    def comment(self) -> None:
        for source in CommentSource:
            self.app.record_comment(ctx(), self.case_id, source, self.d(2025, 11, 25))
        self.app.summarize_comments(ctx(), self.case_id, self.d(2025, 11, 26))

    def cell_vote(
        self, on: date = date(2025, 12, 5), votes_for: int = 6, votes_against: int = 1
    ) -> AdmissionCase:
        return self.app.record_cell_vote(
            ctx(), self.case_id, held_on=on, votes_for=votes_for, votes_against=votes_against
        )

    def committee_vote(self, on: date = date(2025, 12, 15), votes_for: int = 7) -> None:
        self.app.record_committee_vote(
            ctx(),
            self.case_id,
            held_on=on,
            committee_size=9,
            votes_for=votes_for,
            votes_against=9 - votes_for,
        )

    def decide(self, on: date = date(2026, 1, 20), by: UUID | None = None) -> None:
        self.app.decide_admission(
            ctx(), self.case_id, number="112-QĐ/ĐU", decided_by=by or self.world.commune, on=on
        )

    def ceremony(self, received_on: date = date(2026, 1, 22), on: date = date(2026, 2, 3)) -> UUID:
        self.app.receive_decision(ctx(), self.case_id, received_on)
        return self.app.hold_ceremony(ctx(), self.case_id, on)


def open_case(
    world: World, cell: UUID | None = None, on: date = date(2025, 9, 1), **data: object
) -> Case:
    app = world.app
    person = app.register_person(ctx(), person_data(**data), on)  # type: ignore[arg-type]
    case_id = uuid4()
    helper = world.members[world.cell][2]
    app.open_case(
        ctx(),
        case_id=case_id,
        person_id=person,
        cell_id=cell or world.cell,
        on=on,
        helper_member_id=helper,
    )
    return Case(world, case_id, person)


# --- the whole way ---------------------------------------------------------------------------


def test_a_case_goes_from_source_to_full_membership_with_every_step_recorded(world: World) -> None:
    case = open_case(world)
    assert case.stage() is Stage.course
    case.dossier()
    assert case.stage() is Stage.cell_vote
    assert all(case.state.dossier.values())
    voted = case.cell_vote()
    # 9 full members on the roll, 6 for: 6 × 3 = 18 ≥ 2 × 9 = 18 — exactly two thirds passes.
    assert voted.cell_ballots[-1].denominator == 9
    assert case.stage() is Stage.committee_vote
    case.committee_vote()
    assert case.stage() is Stage.decision
    # ADM-DECIDE: 60 working days from the resolution of 2025-12-05, over New Year's Day
    # (2026-01-01), the bridge day 2026-01-02 (made up on Saturday 2026-01-10) and Tết
    # (2026-02-16…20), counted by hand:
    #   Dec 2025: 8–12, 15–19, 22–26, 29–31 → 18
    #   Jan 2026: 5–9 (5), Sat 10 (1), 12–16, 19–23, 26–30 (15) → 21 (Jan 1–2 off) → total 39
    #   Feb 2026: 2–6, 9–13 (10) → 49; 16–20 Tết; 23–27 (5) → 54; Mar 2–6 (5) → 59; Mar 9 → 60
    assert case.state.decision_due == date(2026, 3, 9)
    case.decide()
    assert case.stage() is Stage.ceremony
    member_id = case.ceremony()
    state = case.state
    assert state.stage is Stage.admitted and state.member_id == member_id

    app = world.app
    member = app.load(Member, member_id)
    assert member.status is Status.probationary
    assert member.probation_ends == date(2027, 2, 3)  # PRB-LENGTH: 12 months from the ceremony
    assert member.decided_on == date(2026, 1, 20)  # party age starts with the decision
    assert member_id in app.load(Organization, world.cell).members_on(date(2026, 2, 3))
    person = app.load(Person, case.person_id)
    assert person.open_case_id is None and person.member_id == member_id

    app.complete_new_member_course(ctx(), member_id, "17/GCN-ĐVM", date(2026, 5, 20))
    assert app.load(Member, member_id).new_member_course == ("17/GCN-ĐVM", date(2026, 5, 20))
    # What the recognition vote needs (PRB-DOSSIER): the helper of the case is assigned.
    file_recognition_papers(app, member_id, date(2027, 2, 8))
    app.record_review_vote(
        ctx(),
        member_id,
        motion=Motion.recognize,
        held_on=date(2027, 2, 10),
        votes_for=7,
        votes_against=2,
    )
    # Recognised late (months after the 30 WD of PRB-DECIDE): it takes effect all the same
    # at the end of the twelve months (PRB-EFFECTIVE).
    app.recognize(ctx(), member_id, decided_by=world.commune, on=date(2027, 6, 1))
    member = app.load(Member, member_id)
    assert member.full_from == date(2027, 2, 3)
    assert member.status_on(date(2027, 2, 2)) is Status.probationary
    assert member.status_on(date(2027, 2, 3)) is Status.full
    recognized = app.history(member_id)[-1]
    assert recognized.name == "Member.Recognized"
    assert recognized.facts["overdue_wd"] > 0
    assert recognized.effective_on == date(2027, 6, 1)


def test_every_event_of_a_case_records_actor_rule_set_and_dates(world: World) -> None:
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    history = world.app.history(case.case_id)
    assert [h.version for h in history] == list(range(1, len(history) + 1))
    assert history[0].name == "AdmissionCase.Opened"
    assert all(h.actor.user_id and h.command_key for h in history)
    assert {h.rule_set for h in history} == {"2025-07-01"}
    vote = history[-1]
    assert vote.name == "AdmissionCase.CellVoted"
    assert vote.effective_on == date(2025, 12, 5)
    assert vote.facts["passed"] is True
    assert vote.facts["facts"].full_members_in_cell == 9  # what was known at the vote


def test_a_repeated_command_key_is_a_no_op(world: World) -> None:
    case = open_case(world)
    again = ctx()
    world.app.record_certificate(again, case.case_id, "45/GCN", date(2025, 9, 20))
    before = world.app.recorder.max_notification_id()
    world.app.record_certificate(again, case.case_id, "45/GCN", date(2025, 9, 20))
    assert world.app.recorder.max_notification_id() == before


# --- refusals (each writes nothing) ------------------------------------------------------------


def test_a_case_step_dated_before_any_rule_set_is_refused(world: World) -> None:
    # No rule set governs 2000: the step is refused before anything is written (a certificate
    # recorded then would make the case's deadline unanswerable).
    case = open_case(world)
    with refused(world.app, "RULES-PERIOD"):
        world.app.record_certificate(ctx(), case.case_id, "45/GCN", date(2000, 1, 1))
    person = world.app.register_person(ctx(), person_data(), date(2010, 1, 4))
    with refused(world.app, "RULES-PERIOD"):
        world.app.open_case(
            ctx(), case_id=uuid4(), person_id=person, cell_id=world.cell, on=date(2010, 1, 4)
        )


def test_a_person_cannot_have_two_live_cases(world: World) -> None:
    case = open_case(world)
    with refused(world.app, "CASE-UNIQUE"):
        world.app.open_case(
            ctx(),
            case_id=uuid4(),
            person_id=case.person_id,
            cell_id=world.cell,
            on=date(2025, 9, 2),
        )


def test_the_cell_vote_waits_for_a_complete_dossier(world: World) -> None:
    case = open_case(world)
    case.dossier(until=Stage.comments)
    assert case.stage() is Stage.comments
    with refused(world.app, "CASE-STAGE"):
        case.cell_vote()


@pytest.mark.parametrize(
    ("birth_date", "allowed"),
    [
        pytest.param(date(2007, 12, 5), True, id="18-years-exactly-on-the-meeting-day"),
        pytest.param(date(2007, 12, 6), False, id="one-day-short-of-18"),
    ],
)
def test_the_applicant_is_a_full_18_on_the_day_of_the_cell_meeting(
    world: World, birth_date: date, allowed: bool
) -> None:
    case = open_case(world, birth_date=birth_date)
    case.dossier()
    if allowed:
        assert case.cell_vote().cell_resolution_on == date(2025, 12, 5)
    else:
        with refused(world.app, "ADM-AGE"):
            case.cell_vote()


def test_an_expired_certificate_blocks_the_vote(world: World) -> None:
    # ADM-CERT: issued 2020-12-04, valid through 2025-12-04; the vote of 2025-12-05 is late.
    case = open_case(world)
    case.dossier(cert_on=date(2020, 12, 4))
    with refused(world.app, "ADM-CERT"):
        case.cell_vote()


def test_introducer_letters_older_than_12_months_must_be_redone(world: World) -> None:
    case = open_case(world, on=date(2024, 9, 1))
    case.dossier(until=Stage.introducers, cert_on=date(2024, 9, 20))
    members = world.members[world.cell]
    old = date(2024, 12, 4)  # stale from 2025-12-05, the day of the vote
    world.app.assign_introducer(ctx(), case.case_id, 1, case.introduction(members[0], old))
    world.app.assign_introducer(ctx(), case.case_id, 2, case.introduction(members[1]))
    case.verify()
    case.comment()
    with refused(world.app, "ADM-DOSSIER-AGE"):
        case.cell_vote()
    # A new letter from the same introducer (a replacement of slot 1) refreshes the dossier.
    world.app.assign_introducer(ctx(), case.case_id, 1, case.introduction(members[0]))
    assert case.cell_vote().cell_resolution_on == date(2025, 12, 5)
    assert world.app.history(case.case_id)[-2].facts["replaces"] is True


def test_a_probationary_member_cannot_introduce(world: World) -> None:
    case = open_case(world)
    (probationer,) = world.add_members(world.cell, 1, joined_on=date(2025, 3, 1), full=False)
    with refused(world.app, "ADM-INTRO-TIME"):
        world.app.assign_introducer(ctx(), case.case_id, 1, case.introduction(probationer))


def test_a_youth_union_member_is_introduced_by_the_youth_union_executive(world: World) -> None:
    case = open_case(world, youth_union_member=True)
    case.dossier()
    with refused(world.app, "ADM-INTRO"):
        case.cell_vote()
    union = Introduction(IntroducerKind.youth_union_executive, date(2025, 10, 12))
    world.app.assign_introducer(ctx(), case.case_id, 2, union)
    assert case.cell_vote().cell_resolution_on is not None


def move(world: World, member: UUID, to: UUID, kind: TransferKind, on: date) -> None:
    """Take a member through a whole transfer straight to the receiving cell."""
    app, transfer = world.app, uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=transfer,
        member_id=member,
        kind=kind,
        reason=TransferReason.new_job,
        destination_org_id=to,
        trigger_on=on,
        on=on,
    )
    from_cell = app.load(Member, member).cell_id
    app.forward_letter(ctx(), transfer, Hop(from_cell, to, "7/GGT", on))
    app.present_letter(ctx(), transfer, on)
    app.accept_transfer(ctx(), transfer, on)


def test_an_introducer_who_moved_to_another_grassroots_organization_must_be_replaced(
    world: World,
) -> None:
    case = open_case(world)
    case.dossier()
    members = world.members[world.cell]
    move(world, members[0], world.far_cell, TransferKind.official, date(2025, 11, 3))
    with refused(world.app, "ADM-INTRO"):
        case.cell_vote(votes_for=6)
    world.app.assign_introducer(ctx(), case.case_id, 1, case.introduction(members[3]))
    # The roll is now 8 full members: 6 for is 18 ≥ 16.
    assert case.cell_vote(votes_for=6).cell_ballots[-1].denominator == 8


def test_the_introducer_s_introduction_stands_when_the_setting_keeps_departed_introducers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADM-INTRO's replacement of an introducer is inferred (I): a setting, on by default."""
    set_rules(monkeypatch, replace_departed_introducers=False)
    case = open_case(world)
    case.dossier()
    move(
        world,
        world.members[world.cell][0],
        world.far_cell,
        TransferKind.official,
        date(2025, 11, 3),
    )
    assert case.cell_vote(votes_for=6).cell_resolution_on == date(2025, 12, 5)


def test_an_introducer_moved_inside_the_grassroots_organization_stays_valid(world: World) -> None:
    case = open_case(world)
    case.dossier()
    move(
        world,
        world.members[world.cell][0],
        world.other_cell,
        TransferKind.internal,
        date(2025, 11, 3),
    )
    assert case.cell_vote(votes_for=6).cell_resolution_on is not None


def test_background_is_certified_only_when_every_result_is_in(world: World) -> None:
    case = open_case(world)
    case.dossier(until=Stage.introducers)
    app = world.app
    app.request_verification(ctx(), case.case_id, "r2", "Đảng ủy xã Hòa Lạc", date(2025, 10, 21))
    with refused(app, "ADM-VERIFY"):
        app.certify_background(ctx(), case.case_id, date(2025, 11, 20))
    # The mother's side cannot be exempted: she is not a member.
    with refused(app, "ADM-VERIFY"):
        app.exempt_family_side(ctx(), case.case_id, "r2", date(2025, 10, 20))


def test_comments_are_summarised_only_when_work_and_residence_have_commented(world: World) -> None:
    case = open_case(world)
    world.app.record_comment(
        ctx(), case.case_id, CommentSource.workplace_organizations, date(2025, 11, 25)
    )
    with refused(world.app, "ADM-COMMENTS"):
        world.app.summarize_comments(ctx(), case.case_id, date(2025, 11, 26))


def test_a_cell_under_three_full_members_cannot_vote(world: World) -> None:
    app = world.app
    small = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ thôn Bắc",
        parent_id=world.grassroots,
        established_on=date(2010, 1, 1),
        setting=CellSetting.hamlet,
    )
    world.add_members(small, 2)
    world.members[small] = world.members[small]
    case = open_case(world, cell=small)
    world.members[world.cell], saved = world.members[small], world.members[world.cell]
    try:
        case.dossier(until=Stage.introducers)
        app.assign_introducer(ctx(), case.case_id, 1, case.introduction(world.members[small][0]))
        app.assign_introducer(ctx(), case.case_id, 2, case.introduction(world.members[small][1]))
        case.verify()
        case.comment()
        with refused(app, "ORG-MIN"):
            app.record_cell_vote(
                ctx(), case.case_id, held_on=date(2025, 12, 5), votes_for=2, votes_against=0
            )
    finally:
        world.members[world.cell] = saved


def test_a_member_exempted_from_activity_who_does_not_vote_leaves_the_denominator(
    world: World,
) -> None:
    from domain.member import Exemption

    case = open_case(world)
    case.dossier()
    app = world.app
    exempt = world.members[world.cell][8]
    app.exempt_member(ctx(), exempt, Exemption(date(2025, 6, 1), date(2026, 6, 1), "ốm dài ngày"))
    # 9 on the roll, 1 exempted and absent: denominator 8; 5 for is 15 < 16 (fails), 6 passes.
    voted = app.record_cell_vote(
        ctx(), case.case_id, held_on=date(2025, 12, 5), votes_for=6, votes_against=2
    )
    assert voted.cell_ballots[-1].denominator == 8


def test_with_the_other_reading_of_the_denominator_every_full_member_on_the_roll_counts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADM-VOTE-CELL's denominator is S: a setting. Read as every full member on the roll,
    the exempted member who stays away still counts: 9, not 8 (and 6 for, 18 ≥ 18, passes);
    no one is excused, so none can be reported as excused yet voting."""
    from domain.member import Exemption

    set_rules(monkeypatch, denominator_excuses_absent=False)
    case = open_case(world)
    case.dossier()
    app = world.app
    exempt = world.members[world.cell][8]
    app.exempt_member(ctx(), exempt, Exemption(date(2025, 6, 1), date(2026, 6, 1), "ốm dài ngày"))
    with refused(app, "ADM-VOTE-CELL"):
        app.record_cell_vote(
            ctx(),
            case.case_id,
            held_on=date(2025, 12, 5),
            votes_for=6,
            votes_against=2,
            excused_voting=1,
        )
    voted = app.record_cell_vote(
        ctx(), case.case_id, held_on=date(2025, 12, 5), votes_for=6, votes_against=2
    )
    assert voted.cell_ballots[-1].denominator == 9


def test_a_failed_cell_vote_rejects_the_case_and_frees_the_person(world: World) -> None:
    case = open_case(world)
    case.dossier()
    # 5 of 9: 15 < 18, short of two thirds (ADM-VOTE-CELL).
    assert case.cell_vote(votes_for=5).stage is Stage.rejected
    assert world.app.load(Person, case.person_id).open_case_id is None
    with refused(world.app, "CASE-STAGE"):
        case.committee_vote()


def test_a_failed_committee_vote_is_reported_up_in_full(world: World) -> None:
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote(votes_for=5)  # 15 < 18: short, but the result goes up either way
    assert case.stage() is Stage.decision
    assert world.app.history(case.case_id)[-1].facts["passed"] is False
    case.decide()  # the committee above decides on the full report
    assert case.stage() is Stage.ceremony


def authorised_to_admit(world: World) -> World:
    """The world seen from an enterprise's grassroots committee authorised to admit, with a
    cell of nine full members."""
    app = world.app
    enterprise = app.register_organization(
        ctx(),
        kind=OrgKind.grassroots_committee,
        name="Đảng bộ Công ty May An Bình",
        parent_id=world.district,
        established_on=date(2005, 1, 5),
        may_admit=True,
    )
    cell = app.register_organization(
        ctx(),
        kind=OrgKind.cell,
        name="Chi bộ phân xưởng 1",
        parent_id=enterprise,
        established_on=date(2005, 1, 5),
        setting=CellSetting.enterprise,
    )
    app.reparent_organization(ctx(), enterprise, world.commune, date(2025, 7, 1))
    authorised = replace(world, grassroots=enterprise, cell=cell, members={})
    authorised.add_members(cell, 9)
    return authorised


@pytest.mark.parametrize(("votes_for", "decides"), [(5, False), (6, True)], ids=["5/9", "6/9"])
def test_a_committee_authorised_to_admit_decides_only_after_its_own_vote_passed(
    world: World, votes_for: int, decides: bool
) -> None:
    enterprise = authorised_to_admit(world)
    case = open_case(enterprise)
    case.dossier()
    case.cell_vote()
    case.committee_vote(votes_for=votes_for)
    if decides:
        case.decide(by=enterprise.grassroots)
        assert case.stage() is Stage.ceremony
        return
    with refused(world.app, "ADM-VOTE-COMMITTEE"):
        case.decide(by=enterprise.grassroots)
    # It reports the result and may still refuse admission, which ends the case.
    world.app.refuse_admission(
        ctx(),
        case.case_id,
        decided_by=enterprise.grassroots,
        reason="nghị quyết đảng ủy không đạt 2/3",
        on=date(2026, 1, 20),
    )
    assert case.stage() is Stage.rejected


@pytest.mark.parametrize(
    ("vote_on", "decide_on", "by", "allowed"),
    [
        pytest.param(date(2025, 5, 5), date(2025, 6, 20), "district", True, id="district-2025-06"),
        pytest.param(date(2025, 5, 5), date(2025, 7, 2), "district", False, id="district-2025-07"),
        pytest.param(date(2025, 5, 5), date(2025, 7, 2), "commune", True, id="commune-2025-07"),
        pytest.param(date(2025, 12, 5), date(2026, 1, 20), "grassroots", False, id="not-competent"),
    ],
)
def test_the_deciding_committee_is_judged_by_the_date_of_the_decision(
    world: World, vote_on: date, decide_on: date, by: str, allowed: bool
) -> None:
    case = open_case(world, on=date(2024, 12, 2))
    case.shift = -8  # the dossier is complete by 2025-03-26, before the vote of 2025-05-05
    case.dossier()
    case.cell_vote(on=vote_on)
    case.committee_vote(on=vote_on)
    deciding = getattr(world, by)
    if allowed:
        case.decide(on=decide_on, by=deciding)
        assert case.stage() is Stage.ceremony
    else:
        with refused(world.app, "ADM-DECIDE"):
            case.decide(on=decide_on, by=deciding)


@pytest.mark.parametrize(
    ("decide_on", "allowed"),
    [
        pytest.param(date(2025, 6, 30), True, id="2025-06-30"),
        pytest.param(date(2025, 7, 1), False, id="2025-07-01"),
    ],
)
def test_a_district_the_tree_still_shows_above_the_grassroots_decides_only_before_2025_07_01(
    world: World, decide_on: date, allowed: bool
) -> None:
    # The re-parenting of 2025 was not recorded: the tree still names the district as the
    # competent committee, but the district tier is gone from 2025-07-01 (ADM-DECIDE, the same
    # rule recognition follows, PRB-DECIDE).
    stale = unrecorded_reorganisation(world)
    case = open_case(stale, on=date(2024, 12, 2))
    case.shift = -8  # the dossier is complete by 2025-03-26, before the vote of 2025-05-05
    case.dossier()
    case.cell_vote(on=date(2025, 5, 5))
    case.committee_vote(on=date(2025, 5, 5))
    if allowed:
        case.decide(on=decide_on, by=stale.district)
        assert case.stage() is Stage.ceremony
        return
    with writes_nothing(world.app), refused(world.app, "ADM-DECIDE"):
        case.decide(on=decide_on, by=stale.district)


def test_a_decision_deadline_is_extended_once_and_a_late_decision_is_recorded_late(
    world: World,
) -> None:
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote()
    app = world.app
    app.extend_decision_deadline(ctx(), case.case_id, 30, "bổ sung thẩm tra", date(2026, 3, 2))
    with refused(app, "ADM-DECIDE-EXT"):
        app.extend_decision_deadline(ctx(), case.case_id, 5, "lần hai", date(2026, 3, 3))
    # 60 WD → 2026-03-09; 30 more WD: Mar 10–13 (4), 16–20, 23–27, 30–Apr 3 (15) → 19,
    # Apr 6–10 (5) → 24, Apr 13–17 → 29, Apr 20 → 30.
    assert case.state.decision_due == date(2026, 4, 20)
    case.decide(on=date(2026, 4, 22))  # two working days late (Apr 21, 22)
    decided = app.history(case.case_id)[-1]
    assert decided.facts["overdue_wd"] == 2


def test_the_refusal_of_admission_ends_the_case(world: World) -> None:
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote()
    world.app.refuse_admission(
        ctx(),
        case.case_id,
        decided_by=world.commune,
        reason="chưa đủ tiêu chuẩn",
        on=date(2026, 1, 20),
    )
    assert case.stage() is Stage.rejected
    assert world.app.load(Person, case.person_id).open_case_id is None


def test_a_late_ceremony_needs_the_directly_superior_committees_approval(world: World) -> None:
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    case.committee_vote()
    case.decide()
    app = world.app
    app.receive_decision(ctx(), case.case_id, date(2026, 1, 22))
    # ADM-CEREMONY: 30 WD from 2026-01-22: Jan 23 (1), 26–30 (6), Feb 2–6 (11), 9–13 (16),
    # Tết 16–20, 23–27 (21), Mar 2–6 (26), Mar 9–12 (30) → due 2026-03-12.
    assert case.state.ceremony_due == date(2026, 3, 12)
    with refused(app, "ADM-CEREMONY"):
        app.hold_ceremony(ctx(), case.case_id, date(2026, 3, 13))
    # The committee directly above the cell approves, not the grassroots organization's parent.
    with refused(app, "ADM-CEREMONY"):
        app.approve_ceremony_delay(
            ctx(),
            case.case_id,
            until=date(2026, 3, 31),
            approved_by=world.commune,
            on=date(2026, 3, 10),
        )
    app.approve_ceremony_delay(
        ctx(),
        case.case_id,
        until=date(2026, 3, 31),
        approved_by=world.grassroots,
        on=date(2026, 3, 10),
    )
    assert case.state.ceremony_due == date(2026, 3, 31)
    assert case.state.current_deadline(date(2026, 3, 11)) == (
        "ADM-CEREMONY",
        date(2026, 1, 22),
        date(2026, 3, 31),
    )
    app.hold_ceremony(ctx(), case.case_id, date(2026, 3, 13))
    assert case.stage() is Stage.admitted


def test_under_an_intermediate_committee_it_approves_a_later_ceremony(world: World) -> None:
    app = world.app
    intermediate = app.register_organization(
        ctx(),
        kind=OrgKind.intermediate_committee,
        name="Đảng bộ bộ phận khu 1",
        parent_id=world.grassroots,
        established_on=date(2010, 1, 1),
    )
    app.reparent_organization(ctx(), world.cell, intermediate, date(2024, 1, 1))
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    app.record_intermediate_appraisal(ctx(), case.case_id, date(2025, 12, 10))
    case.committee_vote()
    case.decide()
    app.receive_decision(ctx(), case.case_id, date(2026, 1, 22))
    with refused(app, "ADM-CEREMONY"):
        app.approve_ceremony_delay(
            ctx(),
            case.case_id,
            until=date(2026, 3, 31),
            approved_by=world.grassroots,
            on=date(2026, 3, 10),
        )
    app.approve_ceremony_delay(
        ctx(), case.case_id, until=date(2026, 3, 31), approved_by=intermediate, on=date(2026, 3, 10)
    )
    assert case.state.ceremony_due == date(2026, 3, 31)


def test_a_withdrawn_case_ends_and_accepts_no_further_step(world: World) -> None:
    case = open_case(world)
    world.app.end_case(
        ctx(), case.case_id, withdrawn=True, reason="chuyển vùng", on=date(2025, 9, 9)
    )
    assert case.stage() is Stage.withdrawn
    assert case.state.outcome_reason == "chuyển vùng"
    with refused(world.app, "CASE-STAGE"):
        world.app.record_certificate(ctx(), case.case_id, "1/GCN", date(2025, 9, 20))
    with refused(world.app, "CASE-STAGE"):
        world.app.end_case(ctx(), case.case_id, withdrawn=False, reason="x", on=date(2025, 9, 10))


def test_a_cell_under_an_intermediate_committee_needs_its_appraisal(world: World) -> None:
    app = world.app
    intermediate = app.register_organization(
        ctx(),
        kind=OrgKind.intermediate_committee,
        name="Đảng bộ bộ phận khu 1",
        parent_id=world.grassroots,
        established_on=date(2010, 1, 1),
    )
    app.reparent_organization(ctx(), world.cell, intermediate, date(2024, 1, 1))
    case = open_case(world)
    case.dossier()
    case.cell_vote()
    assert case.stage() is Stage.intermediate_appraisal
    with refused(app, "CASE-STAGE"):
        case.committee_vote()
    app.record_intermediate_appraisal(ctx(), case.case_id, date(2025, 12, 10))
    case.committee_vote()
    assert case.stage() is Stage.decision


def test_the_state_of_a_case_at_an_earlier_version_is_reconstructed(world: World) -> None:
    case = open_case(world)
    case.dossier()
    history = world.app.history(case.case_id)
    certified = next(h.version for h in history if h.name == "AdmissionCase.BackgroundCertified")
    earlier = world.app.as_of_version(AdmissionCase, case.case_id, certified - 1)
    assert earlier.stage is Stage.verification
    assert world.app.as_of_version(AdmissionCase, case.case_id, certified).stage is Stage.comments


def test_a_step_is_never_dated_before_the_step_it_follows(world: World) -> None:
    case = open_case(world)
    case.dossier()
    with refused(world.app, "DATE-ORDER"):  # the comments were summarised on 2025-11-26
        case.cell_vote(on=date(2025, 11, 25))
    case.cell_vote()
    with refused(world.app, "DATE-ORDER"):  # the cell resolved on 2025-12-05
        case.committee_vote(on=date(2025, 12, 4))

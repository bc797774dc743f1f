"""A commune's year, built through the application service, for the read-model tests.

The world of tests/builders.py (province → commune → two grassroots committees → cells, with
members who joined on 2010-05-19, full from 2011-05-19), plus, for 2026:

| case | cell | person (breakdown flags) | where it ends up |
|---|---|---|---|
| A | cell | woman, Tày, student (female, ethnic_minority, student) | admitted 2026-02-03 |
| B | other_cell | man, Catholic, youth union, private firm (religious, youth_union, |
|   |   | private_sector_worker) | admitted 2026-02-03 |
| D | cell | woman, Kinh (female) | admitted 2026-02-03, struck off 2026-04-20 |
| L | far_cell | man, Mường, farmer (ethnic_minority) | admitted 2026-02-03 |
| C | cell | woman (female) | admitted 2025-03-03, recognized 2026-03-20 (full 2026-03-03) |
| E | cell | woman | refused by the commune on 2026-01-20 (rejected) |
| F | far_cell | woman | opened 2026-02-10, withdrawn 2026-03-02 |
| G | residence_cell | woman | opened 2026-05-04: stage `course` |
| H | cell | woman | committee voted 2025-12-15: stage `decision` (ADM-DECIDE 2026-03-09) |
| I | other_cell | woman | decided 2026-05-20, received 2026-05-22: stage `ceremony` |
| J | cell | woman | dossier complete 2025-11-26: stage `cell_vote` |
| K | far_cell | woman | certificate 2026-04-10: stage `application` |

Members and transfers: `cell`'s members[7] is away on a temporary transfer to `far_cell` (from
2026-03-05); an official transfer T of `other_cell`'s members[3] (triggered 2026-01-05) has not
left; an official transfer U of `cell`'s members[8] had its letter addressed to `far_cell` on
2026-06-05; `other_cell`'s members[0] resides in `cell`'s hamlet (213 link). New cells: `nam`
(no member, serves hamlet Thôn Nam), `trung` (2 full members + 1 probationer), `old` (dissolved).
Hamlets of the commune: Thôn Đông (served by `cell`), Thôn Nam (served by `nam`), Thôn Bắc (no
cell). Targets: the commune 8 for 2026; the grassroots 7% of 17 for 2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID, uuid4

from domain import policy
from domain.admission import Stage
from domain.application import Dangvien
from domain.member import Motion
from domain.organization import AdmissionTarget
from domain.person import PersonalData
from domain.transfer import Hop
from domain.values import (
    CellSetting,
    Gender,
    IntroducerKind,
    Introduction,
    OrgKind,
    TransferKind,
    TransferReason,
)
from tests.builders import World, build_world, ctx, file_recognition_papers, person_data
from tests.unit.test_admission import Case

TODAY = date(2026, 6, 15)  # a Monday


def applicant(
    *,
    gender: Gender = Gender.female,
    ethnicity: str = "Kinh",
    religion: str | None = None,
    youth_union_member: bool = False,
    occupation: str = "",
) -> PersonalData:
    """A person with the attributes the quota breakdowns count (docs/rulebook.md §7)."""
    data = person_data(gender=gender, youth_union_member=youth_union_member)
    return replace(data, ethnicity=ethnicity, religion=religion, occupation=occupation)


def open_case_for(world: World, data: PersonalData, cell: UUID, on: date) -> Case:
    app = world.app
    person = app.register_person(ctx(), data, on)
    case_id = uuid4()
    app.open_case(
        ctx(),
        case_id=case_id,
        person_id=person,
        cell_id=cell,
        on=on,
        helper_member_id=world.members[world.cell][2],
    )
    return Case(world, case_id, person)


def to_committee(case: Case, *, votes_for: int = 6, votes_against: int = 1) -> None:
    """The dossier of tests/unit/test_admission.py, the cell's vote of 2025-12-05 and the
    grassroots committee's vote of 2025-12-15 (both shifted with the case)."""
    case.dossier()
    case.cell_vote(on=case.d(2025, 12, 5), votes_for=votes_for, votes_against=votes_against)
    case.committee_vote(on=case.d(2025, 12, 15))


def admit(case: Case, *, votes_for: int = 6, votes_against: int = 1) -> UUID:
    """Through to the ceremony of 2026-02-03 (decision 2026-01-20 by the commune)."""
    to_committee(case, votes_for=votes_for, votes_against=votes_against)
    case.decide()
    return case.ceremony()


@dataclass
class Scenario:
    world: World
    cases: dict[str, Case] = field(default_factory=dict)
    members: dict[str, UUID] = field(default_factory=dict)  # A, B, C, D, L → member ids
    transfers: dict[str, UUID] = field(default_factory=dict)  # temp, T, U
    cells: dict[str, UUID] = field(default_factory=dict)  # nam, trung, old

    @property
    def app(self) -> Dangvien:
        return self.world.app

    def case_id(self, name: str) -> UUID:
        return self.cases[name].case_id


def build_scenario(app: Dangvien) -> Scenario:
    world = build_world(app)
    s = Scenario(world)
    w = world
    commune = w.commune

    # --- the 2025 admission, recognized in 2026 (C) ---------------------------------------
    c = open_case_for(w, applicant(), w.cell, date(2024, 10, 1))
    c.shift = -11  # dossier 2024-10-20 … 2024-12-26
    c.dossier()
    c.cell_vote(on=date(2025, 1, 6), votes_for=7, votes_against=1)
    c.committee_vote(on=date(2025, 1, 10))
    c.decide(on=date(2025, 2, 20), by=w.district)  # the district is competent until 2025-06-30
    s.members["C"] = c.ceremony(received_on=date(2025, 2, 24), on=date(2025, 3, 3))
    s.cases["C"] = c

    # --- the 2026 admissions (A, B, D, L) ----------------------------------------------------
    a = open_case_for(w, applicant(ethnicity="Tày", occupation="student"), w.cell, date(2025, 9, 1))
    s.members["A"] = admit(a)
    s.cases["A"] = a

    b = open_case_for(
        w,
        applicant(
            gender=Gender.male,
            religion="Công giáo",
            youth_union_member=True,
            occupation="private_enterprise_worker",
        ),
        w.other_cell,
        date(2025, 9, 1),
    )
    b.dossier()
    # ADM-INTRO: a youth-union member is introduced by the youth-union executive + 1 member.
    union = Introduction(IntroducerKind.youth_union_executive, date(2025, 10, 12))
    app.assign_introducer(ctx(), b.case_id, 2, union)
    b.cell_vote(votes_for=3, votes_against=1)  # 4 full members in other_cell: 9 ≥ 8
    b.committee_vote()
    b.decide()
    s.members["B"] = b.ceremony()
    s.cases["B"] = b

    d = open_case_for(w, applicant(), w.cell, date(2025, 9, 1))
    s.members["D"] = admit(d)
    s.cases["D"] = d

    far = w.members[w.far_cell]
    m = open_case_for(
        w,
        applicant(gender=Gender.male, ethnicity="Mường", occupation="farmer"),
        w.far_cell,
        date(2025, 9, 1),
    )
    m.dossier(until=Stage.introducers)
    app.assign_introducer(ctx(), m.case_id, 1, m.introduction(far[0]))
    app.assign_introducer(ctx(), m.case_id, 2, m.introduction(far[1]))
    m.verify()
    m.comment()
    m.cell_vote(votes_for=3, votes_against=0)  # 3 full members: 9 ≥ 6
    m.committee_vote()
    m.decide()
    s.members["L"] = m.ceremony()
    s.cases["L"] = m

    # --- lost cases: E refused, F withdrawn ----------------------------------------------
    e = open_case_for(w, applicant(), w.cell, date(2025, 9, 1))
    to_committee(e)
    app.refuse_admission(
        ctx(), e.case_id, decided_by=commune, reason="chưa đủ tiêu chuẩn", on=date(2026, 1, 20)
    )
    s.cases["E"] = e

    f = open_case_for(w, applicant(), w.far_cell, date(2026, 2, 10))
    app.end_case(ctx(), f.case_id, withdrawn=True, reason="chuyển vùng", on=date(2026, 3, 2))
    s.cases["F"] = f

    # --- open cases: G course, H decision, I ceremony, J cell_vote, K application ---------
    s.cases["G"] = open_case_for(w, applicant(), w.residence_cell, date(2026, 5, 4))

    h = open_case_for(w, applicant(), w.cell, date(2025, 9, 1))
    to_committee(h)
    s.cases["H"] = h

    i = open_case_for(w, applicant(), w.other_cell, date(2025, 9, 1))
    to_committee(i, votes_for=3, votes_against=1)
    i.decide(on=date(2026, 5, 20))  # late (ADM-DECIDE was due 2026-03-09): recorded late
    app.receive_decision(ctx(), i.case_id, date(2026, 5, 22))
    s.cases["I"] = i

    j = open_case_for(w, applicant(), w.cell, date(2025, 9, 1))
    j.dossier()
    s.cases["J"] = j

    k = open_case_for(w, applicant(), w.far_cell, date(2026, 4, 1))
    app.record_certificate(ctx(), k.case_id, "12/GCN", date(2026, 4, 10))
    s.cases["K"] = k

    # --- probation: C recognized, D struck off --------------------------------------------
    cell_members = w.members[w.cell]
    # A temporary transfer of members[7] to far_cell (another grassroots: TRF-KIND).
    temp = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=temp,
        member_id=cell_members[7],
        kind=TransferKind.temporary,
        reason=TransferReason.work_away,
        destination_org_id=w.far_cell,
        trigger_on=date(2026, 3, 2),
        on=date(2026, 3, 2),
        returns_on=date(2026, 9, 30),
    )
    app.forward_letter(ctx(), temp, Hop(w.cell, w.far_cell, "3/GGT", date(2026, 3, 3)))
    app.present_letter(ctx(), temp, date(2026, 3, 4))
    app.accept_transfer(ctx(), temp, date(2026, 3, 5))
    s.transfers["temp"] = temp

    # 9 full members on 2026-03-10, one away and not voting: denominator 8, 7 for passes.
    file_recognition_papers(app, s.members["C"], date(2026, 3, 9), cell_members[0])
    app.record_review_vote(
        ctx(),
        s.members["C"],
        motion=Motion.recognize,
        held_on=date(2026, 3, 10),
        votes_for=7,
        votes_against=1,
    )
    app.recognize(ctx(), s.members["C"], decided_by=commune, on=date(2026, 3, 20))
    # 10 full members on 2026-04-10 (C full from 2026-03-03), one away: denominator 9.
    app.record_review_vote(
        ctx(),
        s.members["D"],
        motion=Motion.strike_off,
        held_on=date(2026, 4, 10),
        votes_for=7,
        votes_against=1,
    )
    app.strike_off(
        ctx(), s.members["D"], decided_by=commune, reason="không đủ tư cách", on=date(2026, 4, 20)
    )

    # --- transfers: T has not left, U's letter is addressed to far_cell --------------------
    t = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=t,
        member_id=w.members[w.other_cell][3],
        kind=TransferKind.official,
        reason=TransferReason.new_job,
        destination_org_id=w.other_grassroots,
        trigger_on=date(2026, 1, 5),
        on=date(2026, 1, 6),
    )
    s.transfers["T"] = t
    u = uuid4()
    app.start_transfer(
        ctx(),
        transfer_id=u,
        member_id=cell_members[8],
        kind=TransferKind.official,
        reason=TransferReason.new_job,
        destination_org_id=w.other_grassroots,
        trigger_on=date(2026, 6, 1),
        on=date(2026, 6, 2),
    )
    app.forward_letter(ctx(), u, Hop(w.cell, w.far_cell, "9/GGT", date(2026, 6, 5)))
    s.transfers["U"] = u

    # --- residence contact (213): other_cell's members[0] lives in cell's hamlet ----------
    app.link_residence(ctx(), w.members[w.other_cell][0], w.cell, date(2026, 1, 15))

    # --- new cells, hamlets, targets -------------------------------------------------------
    def new_cell(name: str) -> UUID:
        return app.register_organization(
            ctx(),
            kind=OrgKind.cell,
            name=name,
            parent_id=w.grassroots,
            established_on=date(2010, 1, 4),
            setting=CellSetting.hamlet,
        )

    s.cells["nam"] = new_cell("Chi bộ thôn Nam")
    s.cells["trung"] = new_cell("Chi bộ thôn Trung")
    w.add_members(s.cells["trung"], 2)
    w.add_members(s.cells["trung"], 1, joined_on=date(2025, 10, 1), full=False)
    s.cells["old"] = new_cell("Chi bộ thôn Cũ")
    app.dissolve_organization(ctx(), s.cells["old"], date(2024, 1, 2))

    for key, name in (("dong", "Thôn Đông"), ("nam", "Thôn Nam"), ("bac", "Thôn Bắc")):
        app.register_hamlet(ctx(), commune, key, name, date(2020, 1, 6))
    app.serve_hamlets(ctx(), w.cell, commune, ("dong",), date(2020, 1, 6))
    app.serve_hamlets(ctx(), s.cells["nam"], commune, ("nam",), date(2020, 1, 6))

    app.set_target(ctx(), commune, AdmissionTarget(2026, count=8), date(2026, 1, 5))
    app.set_target(
        ctx(),
        w.grassroots,
        AdmissionTarget(2026, rate_percent=7.0, start_of_year_members=17),
        date(2026, 1, 5),
    )
    assert policy.rules_at(TODAY)
    return s

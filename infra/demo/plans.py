"""The plan of every demo process: each candidate's steps up to the stage it awaits today and
the four transfers, back-dated from today."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid5

from domain import policy
from domain.application import NAMESPACE
from domain.calendar import add_months
from domain.person import PersonalData
from domain.values import CellSetting, Gender, Role
from infra.demo.facts import CAL, DemoFacts, demo_id, workday
from infra.demo.story import (
    ADDRESS,
    COMMITTEE_SIZE,
    GAP,
    GIVEN,
    MEMBER_STAGES,
    MIDDLE,
    NEXT_STEP,
    SURNAMES,
    TREE,
    Candidate,
)
from workflows.messages import ActorRef, AdmissionStart, TransferStart


@dataclass
class Planned:
    """One human step of a demo process."""

    subject: str  # admission | member | transfer
    kind: str
    on: date
    actor: ActorRef
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Process:
    """A demo process: how to start its workflow, and its steps in order."""

    workflow_id: str
    subject_id: UUID
    start: AdmissionStart | TransferStart
    steps: list[Planned]
    member_id: UUID | None = None


class DemoPlans(DemoFacts):
    """The processes' plans (the same on every run: the generator is seeded)."""

    # --- a case's steps -------------------------------------------------------------------------

    def full_members(self, cell: str, count: int, start: int = 0) -> list[UUID]:
        """Introducers and helpers come from the first members of the roll (the last ones are
        the ones who transfer)."""
        pool = self.members[cell][: max(4, len(self.members[cell]) - 2)]
        return [pool[(start + i) % len(pool)] for i in range(count)]

    def plan_case(self, n: int, c: Candidate) -> Process:
        r, app = self.r, self.app
        cell_id = self.orgs[c.cell]
        spec = next(s for s in TREE if s.key == c.cell)
        assert spec.setting is not None
        grassroots = self.grassroots(c.cell)
        intermediate = self.parent_of[c.cell] == "an-lac-kdc"
        age = r.randint(20, 38) if spec.setting is not CellSetting.school else r.randint(24, 40)
        born = self.today - timedelta(days=age * 365 + r.randint(0, 364))
        address = f"{spec.name.removeprefix('Chi bộ ')}, {ADDRESS[grassroots]}"
        data = self.person(spec.setting, born, address)
        case_id = demo_id("case", n)
        secretary = self.actor(Role.cell_secretary, c.cell)
        steps = self.admission_path(n, c, data, intermediate)
        # Keep the steps a case at this stage has taken, back-dated from the last one
        # (`days` ago; for a member, the ceremony).
        kinds = [kind for kind, _, _ in steps]
        if c.stage == "rejected":
            steps = steps[: kinds.index("record_cell_vote") + 1]
        elif c.stage in NEXT_STEP:
            steps = steps[: kinds.index(NEXT_STEP[c.stage])]
        if c.stage == "withdrawn":
            steps.append(("withdraw", secretary, {"reason": "Chuyển đi làm ăn xa, xin rút hồ sơ"}))
        gaps = [
            GAP[kind] if i == 0 or steps[i - 1][0] != kind else 2
            for i, (kind, _, _) in enumerate(steps)
        ]
        opened = self.today - timedelta(days=c.days + sum(gaps))
        dates = [workday(opened + timedelta(days=sum(gaps[: i + 1]))) for i in range(len(gaps))]
        opened = workday(opened)
        planned = [
            self.dated(kind, on, actor, args, c.cell)
            for (kind, actor, args), on in zip(steps, dates, strict=True)
        ]
        member_id = None
        if c.stage in MEMBER_STAGES:
            member_id = uuid5(NAMESPACE, f"member/{case_id}")  # as hold_ceremony names it
            planned += self.probation(c, dates[-1], grassroots)[: MEMBER_STAGES[c.stage]]
        person_id = app.register_person(
            self.ctx(f"candidate/{n}", Role.cell_secretary, c.cell), data, opened
        )
        helper = self.full_members(c.cell, 1, start=n + 5)[0]
        return Process(
            workflow_id=f"admission-{case_id}",
            subject_id=case_id,
            start=AdmissionStart(case_id, person_id, cell_id, opened, secretary, helper),
            steps=planned,
            member_id=member_id,
        )

    def admission_path(
        self, n: int, c: Candidate, data: PersonalData, intermediate: bool
    ) -> list[tuple[str, ActorRef, dict[str, Any]]]:
        """Every admission step for this applicant, from the course to the ceremony (the ADM-*
        rules of docs/rules.md)."""
        r = self.r
        grassroots = self.grassroots(c.cell)
        secretary = self.actor(Role.cell_secretary, c.cell)
        officer = self.actor(Role.grassroots_officer, grassroots)
        introducers = self.full_members(c.cell, 2, start=n)
        relatives = self.relatives(data)
        exempt = [x for x in relatives if x["is_party_member"]]
        subjects = ["applicant"] + [x["key"] for x in relatives if not x["is_party_member"]]

        steps: list[tuple[str, ActorRef, dict[str, Any]]] = [
            ("record_certificate", secretary, {"number": f"{r.randint(10, 480)}-GCN/TTCT"}),
            ("submit_application", secretary, {}),
            ("declare_background", secretary, {"relatives": relatives}),
        ]
        # ADM-INTRO: a youth-union member by the youth union's executive and a full member.
        slots: list[dict[str, Any]] = (
            [{"kind": "youth_union_executive"}, {"kind": "full_member", "who": introducers[0]}]
            if data.youth_union_member
            else [
                {"kind": "full_member", "who": introducers[0]},
                {"kind": "full_member", "who": introducers[1]},
            ]
        )
        for slot, intro in enumerate(slots, 1):
            args: dict[str, Any] = {"slot": slot, "kind": intro["kind"]}
            if "who" in intro:
                args |= {"member_id": str(intro["who"])}
            steps.append(("assign_introducer", secretary, args))
        steps += [
            ("exempt_family_side", secretary, {"member_relative_key": x["key"]}) for x in exempt
        ]
        sent_to = "Đảng ủy xã Tân An"
        steps += [
            ("request_verification", officer, {"subject": s, "sent_to": sent_to}) for s in subjects
        ]
        steps += [
            ("record_verification_result", officer, {"subject": s, "satisfactory": True})
            for s in subjects
        ]
        steps += [
            ("certify_background", officer, {}),
            ("record_comment", secretary, {"source": "workplace_organizations"}),
            ("record_comment", secretary, {"source": "residence_cell"}),
            ("summarize_comments", secretary, {}),
            ("record_cell_vote", secretary, {"fails": c.stage == "rejected"}),
        ]
        if intermediate:
            steps.append(
                (
                    "record_intermediate_appraisal",
                    self.actor(Role.grassroots_officer, "an-lac-kdc"),
                    {},
                )
            )
        size = COMMITTEE_SIZE[grassroots]
        steps.append(
            (
                "record_committee_vote",
                officer,
                {"committee_size": size, "votes_for": size - 1, "votes_against": 1},
            )
        )
        department = self.actor(Role.org_department_officer, "commune")
        if c.stage == "decision_extended":
            reason = "Chờ kết quả thẩm tra lý lịch người thân đang làm việc ở tỉnh khác"
            steps.append(
                ("extend_decision_deadline", department, {"extra_wd": 30, "reason": reason})
            )
        steps += [
            ("decide", department, {"number": f"{r.randint(100, 990)}-QĐ/ĐU"}),
            ("receive_decision", secretary, {}),
            ("hold_ceremony", secretary, {}),
        ]
        return steps

    def dated(
        self, kind: str, on: date, actor: ActorRef, args: dict[str, Any], cell: str
    ) -> Planned:
        """The facts of a step that depend on its date: letters, ballots, the decider."""
        args = dict(args)
        if kind == "assign_introducer":
            args["letter_on"] = on.isoformat()
            if args["kind"] == "full_member":
                args["together_since"] = add_months(on, -self.r.randint(18, 72)).isoformat()
        if kind == "record_cell_vote":
            fails = args.pop("fails")
            ballot = self.app.cell_ballot(self.orgs[cell], on, 0, 0, 0)
            den = ballot.denominator
            if fails:
                votes_for = -(-2 * den // 3) - 2
                args |= {"votes_for": votes_for, "votes_against": den - votes_for - 1}
            else:  # unanimous in small cells, one against in the larger ones
                against = 1 if den >= 9 else 0
                args |= {"votes_for": den - against, "votes_against": against}
        if kind == "decide":
            args["decided_by"] = str(self.app.competent_committee(self.orgs[cell], on).id)
        return Planned("admission", kind, on, actor, args)

    def relatives(self, data: PersonalData) -> list[dict[str, Any]]:
        r = self.r
        surname = data.full_name.split()[0]
        where = "xã Tân An" if r.random() < 0.7 else "phường Hòa Bình, tỉnh Hòa Sơn"
        father = f"{surname} {r.choice(MIDDLE[Gender.male])} {r.choice(GIVEN[Gender.male])}"
        mother_surname = r.choice(SURNAMES)
        mother = f"{mother_surname} Thị {r.choice(GIVEN[Gender.female])}"
        found = [
            {
                "key": "r1",
                "relationship": "father",
                "full_name": father,
                "lives_or_works_at": where,
                "is_party_member": r.random() < 0.3,
            },
            {
                "key": "r2",
                "relationship": "mother",
                "full_name": mother,
                "lives_or_works_at": where,
                "is_party_member": False,
            },
        ]
        age = (self.today - data.birth_date).days // 365
        if age >= 27 and r.random() < 0.6:
            gender = Gender.male if data.gender is Gender.female else Gender.female
            spouse = f"{r.choice(SURNAMES)} {r.choice(MIDDLE[gender])} {r.choice(GIVEN[gender])}"
            found.append(
                {
                    "key": "r3",
                    "relationship": "spouse",
                    "full_name": spouse,
                    "lives_or_works_at": "xã Tân An",
                    "is_party_member": False,
                }
            )
        return found

    def probation(self, c: Candidate, ceremony: date, grassroots: str) -> list[Planned]:
        """The steps of the twelve months after the ceremony: the new-member course, what
        the review needs (the self-review, the helper's, the unions' and the residence's
        comments), the cell's review after the twelve months, the committee's recognition."""
        secretary = self.actor(Role.cell_secretary, c.cell)
        ends = policy.probation_ends(ceremony)
        course = workday(ceremony + timedelta(days=75))
        review = CAL.add_working_days(ends, 8)
        recognized = CAL.add_working_days(review, 12)
        den = self.app.cell_ballot(self.orgs[c.cell], review, 0, 0, 0).denominator
        against = 1 if den >= 9 else 0
        competent = self.app.competent_committee(self.orgs[c.cell], recognized).id
        steps = [
            Planned(
                "member",
                "complete_new_member_course",
                course,
                self.actor(Role.grassroots_officer, grassroots),
                {"certificate_no": f"{self.r.randint(10, 300)}-GCN/ĐVM"},
            ),
            Planned("member", "submit_self_review", CAL.add_working_days(ends, 1), secretary),
            Planned("member", "record_helper_comments", CAL.add_working_days(ends, 2), secretary),
            *(
                Planned(
                    "member",
                    "record_probation_comments",
                    CAL.add_working_days(ends, 3),
                    secretary,
                    {"source": source},
                )
                for source in ("workplace_organizations", "residence_cell")
            ),
            Planned(
                "member",
                "record_review_vote",
                review,
                secretary,
                {"motion": "recognize", "votes_for": den - against, "votes_against": against},
            ),
            Planned(
                "member",
                "recognize",
                recognized,
                self.actor(Role.org_department_officer, "commune"),
                {"decided_by": str(competent)},
            ),
        ]
        return [s for s in steps if s.on <= self.today]

    # --- transfers --------------------------------------------------------------------------

    def plan_transfers(self) -> list[Process]:
        """One official transfer in transit, one whose letter is overdue (TRF-PRESENT), a
        temporary stay in another grassroots organization, and an internal one just started."""
        t = self.today
        commune = "commune"

        def hops(route: list[str], first: date, every: int) -> list[tuple[str, str, date]]:
            return [
                (a, b, workday(first + timedelta(days=i * every)))
                for i, (a, b) in enumerate(itertools.pairwise(route))
            ]

        return [
            self.transfer(
                1,
                "phu-tay",
                "an-lac",
                "official",
                "residence_change",
                trigger=t - timedelta(days=40),
                start=t - timedelta(days=30),
                route=hops(["phu-tay", "tan-phu", commune], t - timedelta(days=25), 7),
            ),
            self.transfer(
                2,
                "co-quan",
                "thpt",
                "official",
                "new_job",
                trigger=t - timedelta(days=90),
                start=t - timedelta(days=80),
                route=hops(
                    ["co-quan", "tan-phu", commune, "thpt", "gv-xh"], t - timedelta(days=76), 4
                ),
            ),
            self.transfer(
                3,
                "phu-dong",
                "gv-tn",
                "temporary",
                "work_away",
                trigger=t - timedelta(days=40),
                start=t - timedelta(days=40),
                route=hops(["phu-dong", "tan-phu", "gv-tn"], t - timedelta(days=38), 3),
                returns_on=add_months(t - timedelta(days=40), 8),
                presented=t - timedelta(days=30),
            ),
            self.transfer(
                4,
                "trai-moi",
                "phu-dong",
                "internal",
                "residence_change",
                trigger=t - timedelta(days=75),
                start=t - timedelta(days=20),
                route=[],
            ),
        ]

    def transfer(
        self,
        n: int,
        cell: str,
        destination: str,
        kind: str,
        reason: str,
        *,
        trigger: date,
        start: date,
        route: list[tuple[str, str, date]],
        returns_on: date | None = None,
        presented: date | None = None,
    ) -> Process:
        transfer_id = demo_id("transfer", n)
        member_id = self.members[cell][-1]
        secretary = self.actor(Role.cell_secretary, cell)
        steps = [
            Planned(
                "transfer",
                "forward_letter",
                on,
                self.actor(Role.grassroots_officer, a),
                {
                    "from_org_id": str(self.orgs[a]),
                    "to_org_id": str(self.orgs[b]),
                    "letter_no": f"{self.r.randint(10, 250)}-GGT",
                },
            )
            for a, b, on in route
        ]
        if presented is not None:
            receiving = route[-1][1]
            host = self.actor(Role.cell_secretary, receiving)
            steps += [
                Planned("transfer", "present_letter", workday(presented), host),
                Planned(
                    "transfer", "accept_transfer", workday(presented + timedelta(days=2)), host
                ),
            ]
        return Process(
            workflow_id=f"transfer-{transfer_id}",
            subject_id=transfer_id,
            start=TransferStart(
                transfer_id,
                member_id,
                kind,
                reason,
                self.orgs[destination],
                workday(trigger),
                workday(start),
                secretary,
                returns_on=returns_on,
            ),
            steps=steps,
        )

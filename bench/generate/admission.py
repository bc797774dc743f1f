"""The admission lives: cases opened every month, each from the source to the ceremony."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import partial
from uuid import UUID

from bench.generate.base import ProvinceBase
from bench.generate.model import ADMIT_RATE, GIVEN, PLACES_LIST, SURNAMES, CellInfo
from bench.generate.simulation import CAL, CASES_FROM, END, Job
from domain import policy
from domain.admission import AdmissionCase, CommentSource, Stage
from domain.calendar import add_months
from domain.errors import RuleViolation
from domain.member import Member, Status
from domain.organization import Organization
from domain.person import Person, PersonalData
from domain.values import (
    Education,
    Gender,
    IntroducerKind,
    Introduction,
    Relationship,
    Relative,
    Role,
)


class Admissions(ProvinceBase):
    # --- admission: a case from source to recognition ---

    def intake(self) -> Job:
        """Cases open every month, in cells weighted by roll and setting (~2,560 a year at
        scale 1, of which ~2,000 reach the ceremony)."""
        month = CASES_FROM
        while month <= END:
            weights = self.admission_weights()
            cells = list(weights)
            cum = list(itertools.accumulate(weights.values()))
            trend = 1 + 0.015 * (month.year - 2017)
            count = self.s.n(232 * trend * self.r.uniform(0.85, 1.15), 0)
            for cell in self.r.choices(cells, cum_weights=cum, k=count):
                self.spawn(self.day(month, 0, 27), self.admission(cell))
            month = add_months(month.replace(day=1), 1)
            yield month

    def admission_weights(self) -> dict[CellInfo, float]:
        weights = {}
        for cell in self.cells.values():
            if cell.closing is not None:
                continue
            roll = len(self.agg(cell.id).roll)
            weights[cell] = max(roll, 1) * ADMIT_RATE[cell.setting]
        return weights

    def admission(self, cell: CellInfo, person_id: UUID | None = None) -> Job:
        app, r = self.app, self.r
        secretary = partial(self.ctx, Role.cell_secretary, cell.id)
        if cell.closing is not None or not self.agg(cell.id).exists_on(self.today):
            return
        if person_id is None:
            age_days = int(r.triangular(18.3, 45, 24) * 365.25)
            born = self.today - timedelta(days=age_days)
            data = self.person_data(cell.setting, born, cell.exempt_area)
            person_id = app.register_person(secretary(), data, self.today)
        person: Person = self.agg(person_id)
        data = person.data
        if data.education is Education.primary and not cell.exempt_area:
            return
        case_id = self.uuid()
        helper = self.full_members(cell.id, self.today, 1)
        app.open_case(
            secretary(),
            case_id=case_id,
            person_id=person_id,
            cell_id=cell.id,
            on=self.today,
            helper_member_id=helper[0] if helper else None,
        )
        fate = self.pick(
            (
                ("admit", 720),
                ("drop_course", 180),
                ("withdraw", 45),
                ("stop", 15),
                ("reject_cell", 25),
                ("refuse", 10),
                ("drop_review", 5),
            )
        )
        ctx = lambda: self.ctx(Role.cell_secretary, cell.id)  # noqa: E731
        if fate == "drop_course":
            yield self.day(self.today, 60, 540)
            app.end_case(ctx(), case_id, withdrawn=r.random() < 0.7, reason="source", on=self.today)
            self.outcomes["withdrawn (source)"] += 1
            return self.maybe_reapply(cell, person_id)
        # the political-awareness course and the dossier
        yield self.day(self.today, 20, 240)
        app.record_certificate(ctx(), case_id, f"{r.randint(1, 999)}/GCN", self.today)
        self.watch(case_id)
        yield self.day(self.today, 3, 40)
        app.submit_application(ctx(), case_id, self.today)
        yield self.day(self.today, 5, 30)
        relatives = self.relatives(data)
        app.declare_background(ctx(), case_id, relatives, self.today)
        if fate == "withdraw" and r.random() < 0.5:
            yield self.day(self.today, 10, 120)
            app.end_case(ctx(), case_id, withdrawn=True, reason="personal", on=self.today)
            self.outcomes["withdrawn"] += 1
            return self.maybe_reapply(cell, person_id)
        yield self.day(self.today, 3, 20)
        self.introduce(case_id, cell, data, self.today)
        self.watch(case_id)
        yield self.day(self.today, 1, 10)
        case: AdmissionCase = self.agg(case_id)
        for rel in relatives:
            if rel.is_party_member and rel.relationship in (
                Relationship.father,
                Relationship.mother,
                Relationship.spouse,
            ):
                app.exempt_family_side(ctx(), case_id, rel.key, self.today)
        officer = partial(self.ctx, Role.grassroots_officer, cell.grassroots.id)
        subjects = case.verification_subjects
        for subject in subjects:
            app.request_verification(
                officer(), case_id, subject, f"Đảng ủy xã {r.choice(PLACES_LIST)}", self.today
            )
        returns = sorted(self.day(self.today, 10, 60) for _ in subjects)
        for on in returns:
            yield on
            for subject in subjects:
                if subject not in case.verification_results:
                    app.record_verification_result(
                        self.ctx(Role.grassroots_officer, cell.grassroots.id),
                        case_id,
                        subject,
                        True,
                        "",
                        self.today,
                    )
                    break
        yield self.day(self.today, 3, 20)
        app.certify_background(
            self.ctx(Role.grassroots_officer, cell.grassroots.id), case_id, self.today
        )
        yield self.day(self.today, 0, 10)
        for source in CommentSource:
            app.record_comment(ctx(), case_id, source, self.today)
        yield self.day(self.today, 1, 7)
        app.summarize_comments(ctx(), case_id, self.today)
        if fate in ("withdraw", "stop"):
            yield self.day(self.today, 5, 90)
            app.end_case(
                ctx(),
                case_id,
                withdrawn=fate == "withdraw",
                reason="moved away" if fate == "withdraw" else "ADM-CERT",
                on=self.today,
            )
            self.outcomes["withdrawn" if fate == "withdraw" else "stopped"] += 1
            return None
        # the cell's vote (a working day 5–40 days on)
        yield self.day(self.today, 5, 40)
        vote_on = self.today
        self.refresh_introducers(case_id, cell, data, vote_on)
        probe = app.cell_ballot(cell.id, vote_on, 0, 0, 0)
        if probe.on_roll < 3:
            app.end_case(ctx(), case_id, withdrawn=False, reason="ORG-MIN", on=vote_on)
            self.outcomes["stopped (ORG-MIN)"] += 1
            return None
        votes_for, against = self.votes(probe.denominator, passes=fate != "reject_cell")
        case = app.record_cell_vote(
            ctx(), case_id, held_on=vote_on, votes_for=votes_for, votes_against=against
        )
        if case.stage is Stage.rejected:
            self.outcomes["rejected (cell vote)"] += 1
            return None
        self.watch(case_id)
        resolution = vote_on
        # decision within ADM-DECIDE (60 WD): most on time, some late, a few extended
        speed = self.pick((("fast", 70), ("slow", 18), ("late", 9), ("extended", 3)))
        decide_wd = {
            "fast": r.randint(12, 45),
            "slow": r.randint(46, 60),
            "late": r.randint(61, 95),
            "extended": r.randint(62, 85),
        }[speed]
        decide_on = CAL.add_working_days(resolution, decide_wd)
        if case.needs_intermediate_appraisal:
            yield self.wd(self.today, 3, 10)
            app.record_intermediate_appraisal(
                self.ctx(Role.grassroots_officer, cell.grassroots.id), case_id, self.today
            )
        yield min(self.wd(self.today, 5, 20), decide_on)
        size = cell.grassroots.committee_size
        app.record_committee_vote(
            self.ctx(Role.grassroots_officer, cell.grassroots.id),
            case_id,
            held_on=self.today,
            committee_size=size,
            votes_for=size if fate != "refuse" else size // 2,
            votes_against=0 if fate != "refuse" else size - size // 2,
        )
        if speed == "extended":
            yield CAL.add_working_days(resolution, r.randint(45, 58))
            app.extend_decision_deadline(
                self.ctx(Role.org_department_officer, cell.grassroots.id),
                case_id,
                30,
                "awaiting verification abroad",
                self.today,
            )
            self.watch(case_id)
        yield decide_on
        competent = app.competent_committee(cell.id, self.today).id
        department = partial(self.ctx, Role.org_department_officer, competent)
        if fate == "refuse":
            app.refuse_admission(
                department(),
                case_id,
                decided_by=competent,
                reason="ADM-VOTE-COMMITTEE",
                on=self.today,
            )
            self.outcomes["refused (decision)"] += 1
            return None
        app.decide_admission(
            department(),
            case_id,
            number=f"{r.randint(1, 3000)}-QĐ/ĐU",
            decided_by=competent,
            on=self.today,
        )
        # the ceremony within 30 WD of the cell's receipt (a few with an approved delay)
        yield self.day(self.today, 1, 10)
        app.receive_decision(ctx(), case_id, self.today)
        self.watch(case_id)
        received = self.today
        delay = r.random() < 0.02
        if delay:
            yield self.wd(received, 20, 28)
            superior = app.directly_superior(cell.id, self.today)
            assert superior is not None
            until = CAL.add_working_days(received, r.randint(35, 50))
            app.approve_ceremony_delay(
                self.ctx(Role.grassroots_officer, superior),
                case_id,
                until=until,
                approved_by=superior,
                on=self.today,
            )
            self.watch(case_id)
            yield min(CAL.add_working_days(received, r.randint(31, 34)), until)
        else:
            yield self.wd(received, 3, 28 if r.random() < 0.9 else 30)
        member_id = app.hold_ceremony(ctx(), case_id, self.today)
        self.remember(member_id, data)
        self.outcomes["admitted"] += 1
        self.watch(member_id)
        yield from self.probation(member_id, cell.id, strike=fate == "drop_review")

    def maybe_reapply(self, cell: CellInfo, person_id: UUID) -> None:
        if self.r.random() < 0.15:
            self.spawn(self.day(self.today, 365, 1100), self.admission(cell, person_id))

    def relatives(self, data: PersonalData) -> list[Relative]:
        r = self.r
        age = (self.today - data.birth_date).days // 365
        rels = [
            (Relationship.father, r.random() < 0.25),
            (Relationship.mother, r.random() < 0.08),
        ]
        if r.random() < 0.04:
            rels.append((Relationship.raiser, False))
        if age >= 24 and r.random() < min(0.9, (age - 22) * 0.1):
            rels += [
                (Relationship.spouse, r.random() < 0.1),
                (Relationship.father_in_law, r.random() < 0.2),
                (Relationship.mother_in_law, False),
            ]
        if age >= 40 and r.random() < 0.6:
            rels.append((Relationship.adult_child, False))
        return [
            Relative(
                f"r{i + 1}",
                rel,
                f"{r.choice(SURNAMES.split())} {r.choice(GIVEN[Gender.male].split())}",
                f"xã {r.choice(PLACES_LIST)}",
                member,
            )
            for i, (rel, member) in enumerate(rels)
        ]

    def full_members(
        self, cell_id: UUID, on: date, count: int, exclude: frozenset[UUID] = frozenset()
    ) -> list[UUID]:
        """Full members on the roll who can introduce or help: not away, not exempted, not
        disciplined, not moving."""
        cell: Organization = self.agg(cell_id)
        able = []
        for member_id in cell.members_on(on):
            if member_id in exclude or member_id in self.busy:
                continue
            m: Member = self.agg(member_id)
            if (
                m.status_on(on) is Status.full
                and not m.is_away_on(on)
                and not m.is_exempt_on(on)
                and not m.penalties
                and m.full_from is not None
                and add_months(m.full_from, 1) <= on
            ):
                able.append(member_id)
        able.sort()
        return self.r.sample(able, min(count, len(able)))

    def introduction(self, member_id: UUID | None, letter_on: date) -> Introduction:
        if member_id is None:
            return Introduction(IntroducerKind.youth_union_executive, letter_on)
        m: Member = self.agg(member_id)
        since = max(m.ceremony_on, letter_on - timedelta(days=self.r.randint(400, 3000)))
        since = min(since, add_months(letter_on, -13))
        status = m.status_on(letter_on)
        return Introduction(
            IntroducerKind.full_member,
            letter_on,
            member_id=member_id,
            together_since=since,
            member_status=str(status) if status else None,
        )

    def introduce(self, case_id: UUID, cell: CellInfo, data: PersonalData, on: date) -> None:
        """ADM-INTRO: two full members, or the youth-union executive and one full member."""
        app = self.app
        youth = data.youth_union_member
        chosen = self.full_members(cell.id, on, 1 if youth else 2)
        if len(chosen) < (1 if youth else 2):
            raise RuleViolation(
                "ADM-INTRO", "no introducer", "not enough full members to introduce"
            )
        slots: list[UUID | None] = [None, chosen[0]] if youth else list(chosen)
        for slot, member_id in enumerate(slots, start=1):
            app.assign_introducer(
                self.ctx(Role.cell_secretary, cell.id),
                case_id,
                slot,
                self.introduction(member_id, on),
            )

    def refresh_introducers(
        self, case_id: UUID, cell: CellInfo, data: PersonalData, on: date
    ) -> None:
        """Before the vote: an introducer who moved away or was disciplined is replaced, and
        letters about to pass 12 months are redone (ADM-INTRO, ADM-DOSSIER-AGE)."""
        case: AdmissionCase = self.agg(case_id)
        stale = False
        for intro in case.introductions.values():
            stale |= policy.dossier_stale_after(intro.letter_on, on) <= on + timedelta(days=7)
        current = {i.member_id for i in case.introductions.values() if i.member_id}
        for slot, intro in sorted(case.introductions.items()):
            if intro.member_id is None:
                if stale:
                    self.app.assign_introducer(
                        self.ctx(Role.cell_secretary, cell.id),
                        case_id,
                        slot,
                        self.introduction(None, on - timedelta(days=3)),
                    )
                continue
            m: Member = self.agg(intro.member_id)
            valid = (
                m.status_on(on) is Status.full
                and not any(d <= on for d, _ in m.penalties)
                and self.app.grassroots_of(m.cell_id, on).id == case.grassroots_id
            )
            if valid and not stale:
                continue
            letter = on - timedelta(days=self.r.randint(2, 8))
            member_id = intro.member_id
            if not valid:
                found = self.full_members(cell.id, letter, 1, exclude=frozenset(current))
                if not found:
                    raise RuleViolation("ADM-INTRO", "no replacement", "no replacement introducer")
                member_id = found[0]
                current.add(member_id)
            self.app.assign_introducer(
                self.ctx(Role.cell_secretary, cell.id),
                case_id,
                slot,
                self.introduction(member_id, letter),
            )

    def votes(self, denominator: int, passes: bool) -> tuple[int, int]:
        """A show of party cards: ≥ 2/3 of the denominator for, or short of it."""
        need = -(-2 * denominator // 3)
        present = max(1, round(denominator * self.r.uniform(0.8, 1.0)))
        if passes:
            votes_for = min(denominator, max(need, present - self.r.randint(0, 1)))
            return votes_for, min(denominator - votes_for, max(0, present - votes_for))
        votes_for = self.r.randint(max(0, need - 4), need - 1) if need > 0 else 0
        return votes_for, min(denominator - votes_for, max(0, present - votes_for))

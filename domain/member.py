"""A party member: probation, recognition or striking off, residence contact, holds.

Status as of any date is derived from effective dates, so recognition decided late still takes
effect at the end of the twelve months (PRB-EFFECTIVE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain import policy
from domain.errors import RuleViolation
from domain.labels import en, vi
from domain.record import Recorded
from domain.stages import Status
from domain.values import Ballot, CommentSource, Departure, HoldKind, Prerequisite, Stamp
from domain.values import Motion as Motion  # re-exported (was declared here)

PREREQUISITE_NAMES: dict[Prerequisite, tuple[str, str]] = {
    Prerequisite.self_review: ("bản tự kiểm điểm", "the self-review"),
    Prerequisite.helper_comments: (
        "nhận xét của đảng viên giúp đỡ",
        "the helper's comments",
    ),
    Prerequisite.workplace_organizations: (
        "nhận xét của đoàn thể nơi công tác",
        "the unions' comments",
    ),
    Prerequisite.residence_cell: (
        "nhận xét của chi ủy nơi cư trú",
        "the residence's comments",
    ),
    Prerequisite.new_member_course: (
        "giấy chứng nhận lớp bồi dưỡng đảng viên mới",
        "the new-member course certificate",
    ),
}


@dataclass(frozen=True)
class Exemption:
    """Temporary exemption from party activity (miễn sinh hoạt)."""

    starts_on: date
    ends_on: date
    reason: str


class Member(Recorded):
    """A member (đảng viên), created by the admission ceremony as probationary."""

    @event("Admitted")
    def __init__(
        self,
        id: UUID,  # chosen by the caller: opaque, stable, idempotent
        person_id: UUID,
        case_id: UUID | None,
        cell_id: UUID,
        decided_on: date,
        helper_member_id: UUID | None,
        probation_ends: date,
        full_from: date | None,
        stamp: Stamp,
    ) -> None:
        """`case_id` is None for a member admitted before dangvien, registered from the paper
        dossier (then `full_from` records a recognition that already took effect)."""
        self.person_id = person_id
        self.case_id = case_id
        self.cell_id = cell_id
        self.decided_on = decided_on  # starts party age (tuổi đảng)
        self.ceremony_on: date = stamp.effective_on  # date of joining; starts probation
        # The cells the member kept party activity in, each from its effective date (the roll
        # of a cell on any past day reads this, `periods`).
        self.cells: list[tuple[date, UUID]] = [(stamp.effective_on, cell_id)]
        self.probation_ends = probation_ends  # PRB-LENGTH, computed when admitted
        self.helper_member_id = helper_member_id
        self.new_member_course: tuple[str, date] | None = None
        self.review_ballots: list[tuple[Motion, Ballot, bool]] = []
        self.failed_votes = 0
        self.resolution: tuple[Motion, date] | None = None
        self.recognition_extension_wd = 0
        self.full_from = full_from
        self.recognized_on: date | None = None
        self.recognized_by: UUID | None = None  # the committee that recognised (its decision)
        self.struck_off_on: date | None = None  # struck off the probationers' list
        self.papers: dict[Prerequisite, date] = {}  # PRB-DOSSIER: each prerequisite's date
        self.exempted_papers: dict[Prerequisite, str] = {}  # … or why it is not needed
        self.departure: tuple[Departure, date] | None = None
        self.expunged_on: date | None = None  # READMIT: the lesser crime's record expunged
        self.holds: set[HoldKind] = set()
        self.exemptions: list[Exemption] = []
        self.away: list[tuple[date, date | None, UUID]] = []  # temporary transfers out
        self.residence_cell_id: UUID | None = None  # 213-QĐ/TW contact
        self.residence_comments: dict[int, date] = {}
        self.penalties: list[tuple[date, str]] = []

    # --- status ---

    def status_on(self, on: date) -> Status | None:
        """Full or probationary as of `on`, by effective dates (None before joining)."""
        if on < self.ceremony_on:
            return None
        if self.departure is not None and on >= self.departure[1]:
            return Status(self.departure[0])
        if self.full_from is not None and on >= self.full_from:
            return Status.full
        return Status.probationary

    def periods(self) -> list[tuple[UUID, date, date | None]]:
        """(cell, from, until) of each stay on a cell's roll, `until` excluded: the next
        cell's effective date, the day the member left the Party (at their request, struck
        off, expelled), or None while it lasts."""
        left = self.departure[1] if self.departure is not None else None
        ends = [since for since, _ in self.cells[1:]] + [left]
        return [(cell, since, until) for (since, cell), until in zip(self.cells, ends, strict=True)]

    @property
    def status(self) -> Status:
        if self.departure is not None:
            return Status(self.departure[0])
        return Status.full if self.full_from is not None else Status.probationary

    @property
    def deadlocked(self) -> bool:
        """PRB-DEADLOCK: the upper committee decides after three failed votes."""
        return policy.deadlocked(self.failed_votes, self.probation_ends)

    def is_exempt_on(self, on: date) -> bool:
        return any(e.starts_on <= on <= e.ends_on for e in self.exemptions)

    def is_away_on(self, on: date) -> bool:
        """Temporarily transferred out on `on` (excluded from vote denominators)."""
        return any(since <= on and (until is None or on < until) for since, until, _ in self.away)

    @property
    def away_transfer_id(self) -> UUID | None:
        return self.away[-1][2] if self.away and self.away[-1][1] is None else None

    @property
    def review_due(self) -> date:
        """PRB-REVIEW: the cell reviews within 30 WD of the end of the twelve months."""
        return policy.due_date("PRB-REVIEW", self.probation_ends).due

    @property
    def recognition_due(self) -> date | None:
        """PRB-DECIDE: from the cell's resolution, with any extension."""
        if self.resolution is None:
            return None
        return policy.due_date(
            "PRB-DECIDE", self.resolution[1], extension_wd=self.recognition_extension_wd
        ).due

    def current_deadline(self) -> tuple[str, date, date] | None:
        """(rule id, start, due): PRB-DECIDE once the cell resolved, else PRB-REVIEW from
        the end of the twelve months; none after a deadlock (the upper committee decides)."""
        if self.status is not Status.probationary or self.deadlocked:
            return None
        if self.resolution is not None and self.recognition_due is not None:
            return "PRB-DECIDE", self.resolution[1], self.recognition_due
        return "PRB-REVIEW", self.probation_ends, self.review_due

    @property
    def recognition_checklist(self) -> dict[Prerequisite, bool]:
        """PRB-DOSSIER: what the cell's recognition vote needs, each in (or exempted)."""
        done = {*self.papers, *self.exempted_papers}
        if self.new_member_course is not None:
            done.add(Prerequisite.new_member_course)
        return {p: p in done for p in Prerequisite}

    def paper_on(self, prerequisite: Prerequisite) -> date | None:
        """The date a prerequisite came in (the course's certificate: its completion)."""
        if prerequisite is Prerequisite.new_member_course and self.new_member_course:
            return self.new_member_course[1]
        return self.papers.get(prerequisite)

    def _expect_probation(self) -> None:
        if self.status is not Status.probationary:
            raise RuleViolation(
                "CASE-STAGE",
                f"Đảng viên không còn trong thời gian dự bị ({vi('stage', self.status)})",
                f"The member is no longer on probation ({en('stage', self.status).lower()})",
            )

    # --- probation ---

    def assign_helper(self, helper_member_id: UUID, stamp: Stamp) -> None:
        self._expect_probation()
        self._helper_assigned(helper_member_id=helper_member_id, stamp=stamp)

    @event("HelperAssigned")
    def _helper_assigned(self, helper_member_id: UUID, stamp: Stamp) -> None:
        self.helper_member_id = helper_member_id

    def complete_new_member_course(self, certificate_no: str, stamp: Stamp) -> None:
        self._new_member_course(certificate_no=certificate_no, stamp=stamp)

    @event("NewMemberCourseCompleted")
    def _new_member_course(self, certificate_no: str, stamp: Stamp) -> None:
        self.new_member_course = (certificate_no, stamp.effective_on)

    # --- what recognition needs (PRB-DOSSIER) ---

    def submit_self_review(self, stamp: Stamp) -> None:
        """The probationer's written self-review (bản tự kiểm điểm)."""
        self._file_paper(Prerequisite.self_review, stamp)

    def record_helper_comments(self, stamp: Stamp) -> None:
        """The comments of the member assigned to help the probationer."""
        if self.helper_member_id is None:
            raise RuleViolation(
                "PRB-DOSSIER",
                "Chưa phân công đảng viên giúp đỡ: phân công trước khi ghi nhận xét",
                "No helper is assigned: assign one before recording the helper's comments",
            )
        self._file_paper(Prerequisite.helper_comments, stamp)

    def record_comments(self, source: CommentSource, stamp: Stamp) -> None:
        """The comments of the unions where the probationer works, or of the cell committee
        where they reside."""
        self._file_paper(Prerequisite(CommentSource(source).value), stamp)

    def _file_paper(self, prerequisite: Prerequisite, stamp: Stamp) -> None:
        self._expect_probation()
        policy.check_not_before(stamp.effective_on, self.ceremony_on)
        self._paper_filed(prerequisite=prerequisite, stamp=stamp)

    @event("RecognitionPaperFiled")
    def _paper_filed(self, prerequisite: Prerequisite, stamp: Stamp) -> None:
        self.papers[Prerequisite(prerequisite)] = stamp.effective_on

    def exempt_comments(self, source: CommentSource, reason: str, stamp: Stamp) -> None:
        """The recognition goes without the comments of the unions (no socio-political
        organization where the probationer works) or of the residence (a probationer the 213
        contact exempts, §5, or whose own cell is the residence's), for a reason recorded here.
        Only these may be exempted (I): the self-review, the helper's comments and the course
        are the probationer's and the cell's own."""
        self._expect_probation()
        if not reason.strip():
            raise RuleViolation(
                "PRB-DOSSIER",
                "Miễn ý kiến nhận xét phải ghi rõ lý do",
                "An exemption from comments needs its reason",
            )
        prerequisite = Prerequisite(CommentSource(source).value)
        self._prerequisite_exempted(prerequisite=prerequisite, reason=reason, stamp=stamp)

    @event("PrerequisiteExempted")
    def _prerequisite_exempted(self, prerequisite: Prerequisite, reason: str, stamp: Stamp) -> None:
        self.exempted_papers[Prerequisite(prerequisite)] = reason

    def _check_recognition_papers(self, on: date) -> None:
        """PRB-DOSSIER: the cell votes on recognition once every prerequisite is in."""
        missing = [p for p, done in self.recognition_checklist.items() if not done]
        if missing:
            raise RuleViolation(
                "PRB-DOSSIER",
                "Chưa đủ hồ sơ xét công nhận đảng viên chính thức, còn thiếu: "
                + ", ".join(PREREQUISITE_NAMES[p][0] for p in missing),
                "The recognition dossier is incomplete; missing: "
                + ", ".join(PREREQUISITE_NAMES[p][1] for p in missing),
                missing=[str(p) for p in missing],
            )
        policy.check_not_before(on, *(self.paper_on(p) for p in Prerequisite))

    # --- the review ---

    def record_review_vote(self, motion: Motion, ballot: Ballot, stamp: Stamp) -> None:
        """PRB-REVIEW: the cell's vote on recognition (after the twelve months) or on striking
        off (at any time); a vote short of 2/3 counts toward PRB-DEADLOCK."""
        self._expect_probation()
        if self.resolution is not None or self.deadlocked:
            raise RuleViolation(
                "CASE-STAGE",
                "Chi bộ đã có nghị quyết hoặc việc này đã chuyển lên cấp trên quyết định",
                "The cell already resolved, or the upper committee now decides",
            )
        motion = Motion(motion)
        if motion is Motion.recognize and ballot.held_on < self.probation_ends:
            raise RuleViolation(
                "PRB-REVIEW",
                f"Chi bộ xét công nhận chính thức khi hết 12 tháng dự bị ({self.probation_ends})",
                f"The cell reviews for recognition when the 12 months end ({self.probation_ends})",
            )
        policy.check_not_before(ballot.held_on, self.ceremony_on)
        if motion is Motion.recognize:
            self._check_recognition_papers(ballot.held_on)
        policy.check_ballot(ballot, "PRB-REVIEW")
        # A late review stands but is recorded late, as every late act is.
        overdue = policy.working_days_overdue(self.review_due, ballot.held_on)
        self._review_voted(
            motion=motion,
            ballot=ballot,
            passed=policy.vote_passes(ballot),
            due=self.review_due,
            overdue_wd=max(overdue, 0),
            stamp=stamp,
        )

    @event("ReviewVoted")
    def _review_voted(
        self,
        motion: Motion,
        ballot: Ballot,
        passed: bool,
        stamp: Stamp,
        due: date | None = None,  # votes recorded before lateness was kept carry neither
        overdue_wd: int = 0,
    ) -> None:
        self.review_ballots.append((Motion(motion), ballot, passed))
        if passed:
            self.resolution = (Motion(motion), ballot.held_on)
        else:
            self.failed_votes += 1

    def extend_recognition_deadline(self, extra_wd: int, reason: str, stamp: Stamp) -> None:
        self._expect_probation()
        policy.check_extension(
            "PRB-DECIDE", self.recognition_extension_wd > 0, extra_wd, stamp.effective_on
        )
        self._recognition_extended(extra_wd=extra_wd, reason=reason, stamp=stamp)

    @event("RecognitionDeadlineExtended")
    def _recognition_extended(self, extra_wd: int, reason: str, stamp: Stamp) -> None:
        self.recognition_extension_wd = extra_wd

    def _check_resolution(self, motion: Motion, by_upper_committee: bool, on: date) -> None:
        policy.check_not_before(on, self.resolution[1] if self.resolution else self.ceremony_on)
        resolved = self.resolution is not None and self.resolution[0] is motion
        if not resolved and not (by_upper_committee and self.deadlocked):
            raise RuleViolation(
                "PRB-DEADLOCK" if by_upper_committee or self.deadlocked else "PRB-REVIEW",
                "Cần nghị quyết của chi bộ (hoặc ba lần biểu quyết không đủ 2/3 để cấp trên "
                "quyết định)",
                "A cell resolution is needed (or three failed votes for the upper committee to "
                "decide)",
                failed_votes=self.failed_votes,
            )

    def recognize(self, decided_by: UUID, by_upper_committee: bool, stamp: Stamp) -> None:
        """PRB-DECIDE + PRB-EFFECTIVE: full membership from the end of the twelve months."""
        self._expect_probation()
        self._check_resolution(Motion.recognize, by_upper_committee, stamp.effective_on)
        due = self.recognition_due
        overdue = policy.working_days_overdue(due, stamp.effective_on) if due else 0
        self._recognized(
            decided_by=decided_by,
            full_from=policy.full_membership_effective(self.ceremony_on),
            overdue_wd=max(overdue, 0),
            stamp=stamp,
        )

    @event("Recognized")
    def _recognized(self, decided_by: UUID, full_from: date, overdue_wd: int, stamp: Stamp) -> None:
        self.recognized_on = stamp.effective_on
        self.recognized_by = decided_by
        self.full_from = full_from

    def strike_off(
        self, decided_by: UUID, by_upper_committee: bool, reason: str, stamp: Stamp
    ) -> None:
        """Xóa tên khỏi danh sách đảng viên dự bị."""
        self._expect_probation()
        self._check_resolution(Motion.strike_off, by_upper_committee, stamp.effective_on)
        self._struck_off(decided_by=decided_by, reason=reason, stamp=stamp)

    @event("StruckOff")
    def _struck_off(self, decided_by: UUID, reason: str, stamp: Stamp) -> None:
        self.struck_off_on = stamp.effective_on
        self.departure = (Departure.struck_off, stamp.effective_on)

    def depart(self, kind: Departure, decided_by: UUID, reason: str, stamp: Stamp) -> None:
        """A full member leaves the Party: at their request, struck off or expelled. A
        probationer is struck off only through the cell's review (PRB-REVIEW) and is never
        expelled (PRB-DISCIPLINE)."""
        if self.status_on(stamp.effective_on) is not Status.full or self.status is not Status.full:
            raise RuleViolation(
                "CASE-STAGE",
                "Chỉ ghi ra khỏi Đảng cho đảng viên chính thức; đảng viên dự bị bị xóa tên qua "
                "việc xét của chi bộ",
                "Only a full member leaves the Party this way; a probationer is struck off "
                "through the cell's review",
                status=str(self.status),
            )
        self._departed(kind=Departure(kind), decided_by=decided_by, reason=reason, stamp=stamp)

    @event("Departed")
    def _departed(self, kind: Departure, decided_by: UUID, reason: str, stamp: Stamp) -> None:
        self.departure = (Departure(kind), stamp.effective_on)

    def record_expungement(self, stamp: Stamp) -> None:
        """READMIT: the record of the lesser crime for which the member left is expunged (xóa
        án tích) on the step's date; readmission then waits 60 months from it."""
        if self.departure is None:
            raise RuleViolation(
                "READMIT",
                "Chỉ ghi ngày xóa án tích cho người đã ra khỏi Đảng",
                "An expungement is recorded only for someone who has left the Party",
            )
        policy.check_not_before(stamp.effective_on, self.departure[1])
        self._expunged(stamp=stamp)

    @event("Expunged")
    def _expunged(self, stamp: Stamp) -> None:
        self.expunged_on = stamp.effective_on

    def discipline(self, penalty: str, reason: str, stamp: Stamp) -> None:
        """PRB-DISCIPLINE for probationers; full members' discipline is out of scope here."""
        if self.status_on(stamp.effective_on) is Status.probationary:
            policy.check_probation_discipline(penalty)
        self._disciplined(penalty=penalty, reason=reason, stamp=stamp)

    @event("Disciplined")
    def _disciplined(self, penalty: str, reason: str, stamp: Stamp) -> None:
        self.penalties.append((stamp.effective_on, penalty))

    # --- holds, exemptions, residence contact, cell ---

    def place_hold(self, kind: HoldKind, stamp: Stamp) -> None:
        """Inspection, complaint or discipline review: blocks official transfers (TRF-HOLD)."""
        if HoldKind(kind) not in self.holds:
            self._hold_placed(kind=kind, stamp=stamp)

    @event("HoldPlaced")
    def _hold_placed(self, kind: HoldKind, stamp: Stamp) -> None:
        self.holds.add(HoldKind(kind))

    def release_hold(self, kind: HoldKind, stamp: Stamp) -> None:
        if HoldKind(kind) in self.holds:
            self._hold_released(kind=kind, stamp=stamp)

    @event("HoldReleased")
    def _hold_released(self, kind: HoldKind, stamp: Stamp) -> None:
        self.holds.discard(HoldKind(kind))

    def exempt(self, exemption: Exemption, stamp: Stamp) -> None:
        if exemption.ends_on < exemption.starts_on:
            raise RuleViolation(
                "ORG-MIN",
                "Thời gian miễn sinh hoạt không hợp lệ",
                "The exemption ends before it starts",
            )
        self._exempted(exemption=exemption, stamp=stamp)

    @event("Exempted")
    def _exempted(self, exemption: Exemption, stamp: Stamp) -> None:
        self.exemptions.append(exemption)

    def link_residence(self, residence_cell_id: UUID | None, stamp: Stamp) -> None:
        """213-QĐ/TW: the cell where a working member resides (None ends the link)."""
        if residence_cell_id == self.cell_id:
            raise RuleViolation(
                "ORG-TREE",
                "Nơi cư trú trùng chi bộ sinh hoạt chính thức",
                "The residence cell is the member's own cell",
            )
        self._residence_linked(residence_cell_id=residence_cell_id, stamp=stamp)

    @event("ResidenceLinked")
    def _residence_linked(self, residence_cell_id: UUID | None, stamp: Stamp) -> None:
        self.residence_cell_id = residence_cell_id

    def record_residence_comment(self, year: int, favourable: bool, stamp: Stamp) -> None:
        """The residence cell's yearly comment, used in year-end evaluation."""
        if self.residence_cell_id is None:
            raise RuleViolation(
                "ORG-TREE",
                "Đảng viên chưa có liên hệ nơi cư trú",
                "The member has no residence link",
            )
        self._residence_commented(year=year, favourable=favourable, stamp=stamp)

    @event("ResidenceCommented")
    def _residence_commented(self, year: int, favourable: bool, stamp: Stamp) -> None:
        self.residence_comments[year] = stamp.effective_on

    def move_to_cell(self, cell_id: UUID, transfer_id: UUID, stamp: Stamp) -> None:
        """An official or internal transfer is accepted: the probation clock keeps running."""
        if cell_id != self.cell_id:
            self._cell_changed(cell_id=cell_id, transfer_id=transfer_id, stamp=stamp)

    @event("CellChanged")
    def _cell_changed(self, cell_id: UUID, transfer_id: UUID, stamp: Stamp) -> None:
        self.cell_id = cell_id
        self.cells.append((stamp.effective_on, cell_id))
        if self.residence_cell_id == cell_id:
            self.residence_cell_id = None

    def go_away(self, transfer_id: UUID | None, stamp: Stamp) -> None:
        """A temporary transfer starts (an id) or ends (None); the member stays on the roll."""
        if transfer_id != self.away_transfer_id:
            self._away(transfer_id=transfer_id, stamp=stamp)

    @event("AwayChanged")
    def _away(self, transfer_id: UUID | None, stamp: Stamp) -> None:
        if self.away and self.away[-1][1] is None:
            since, _, previous = self.away[-1]
            self.away[-1] = (since, stamp.effective_on, previous)
        if transfer_id is not None:
            self.away.append((stamp.effective_on, None, transfer_id))

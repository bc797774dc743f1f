"""The record's history as a person reads it: each event one sentence, in Vietnamese or
English, with the names of the people and organizations it concerns; who acted (name, role,
unit); when it took effect (dd/mm/yyyy) and when it was recorded (Vietnam time, to the minute).
The web's timelines, the API's histories (`sentence`, `who`) and the CLI's `case history` all
tell these lines.

Personal data — a person's name and background, relatives — appears only for a reader who may
see it (`personal`); others read a neutral word in its place. Facts never show as code: dates
as dd/mm/yyyy, organizations by name, values of the domain by their labels, yes/no in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain import policy
from domain.application import Dangvien
from domain.errors import NotFound
from domain.labels import LABELS
from domain.member import Exemption, Member
from domain.organization import AdmissionTarget, Organization
from domain.person import Person
from domain.services.store import HistoryEntry
from domain.stages import Stage, Status, TransferStage
from domain.transfer import Hop
from domain.values import (
    Actor,
    Ballot,
    CellSetting,
    FamilySide,
    Introduction,
    OrgKind,
    PersonalData,
    Relative,
    Role,
)
from infra.demo.story import ACTOR as DEMO_ACTOR
from infra.users import UserStore
from infra.web.i18n import dmy, label, t


@dataclass(frozen=True)
class Clause:
    """A part of a sentence said only when its fact is set (not None, false, zero or empty)."""

    fact: str
    vi: str
    en: str


@dataclass(frozen=True)
class Sentence:
    vi: str
    en: str
    clauses: tuple[Clause, ...] = ()


S, C = Sentence, Clause
LATE = C("overdue_wd", " (trễ {overdue_wd} ngày làm việc)", " ({overdue_wd} working days late)")
GUEST = C("guest", " (sinh hoạt tạm thời)", " (temporary stay)")

# One sentence per event, by the name the history gives it (`Aggregate.Event`); the events
# every record may have (`Escalated`) by their own name. Placeholders are the event's facts.
SENTENCES: dict[str, Sentence] = {
    # --- admission cases ---
    "AdmissionCase.Opened": S(
        "Mở hồ sơ kết nạp cho {person_id} tại {cell_id}",
        "Admission case opened for {person_id} in {cell_id}",
        (
            C(
                "helper_member_id",
                "; đảng viên giúp đỡ: {helper_member_id}",
                "; helper: {helper_member_id}",
            ),
            C(
                "needs_intermediate_appraisal",
                "; đảng ủy bộ phận thẩm định trước khi đảng ủy cơ sở xét",
                "; the intermediate committee appraises it first",
            ),
        ),
    ),
    "AdmissionCase.CertificateRecorded": S(
        "Ghi giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng số {number}, cấp ngày {issued_on}",
        "Political-awareness course certificate no. {number} recorded, issued on {issued_on}",
    ),
    "AdmissionCase.ApplicationSubmitted": S(
        "Nhận đơn xin vào Đảng", "The application letter was received"
    ),
    "AdmissionCase.BackgroundDeclared": S(
        "Nhận lý lịch người xin vào Đảng, khai {relatives} cần thẩm tra",
        "The background declaration was received, naming {relatives} to verify",
    ),
    "AdmissionCase.IntroducerAssigned": S(
        "Phân công người giới thiệu thứ {slot}: {introduction}",
        "Introducer {slot} assigned: {introduction}",
        (C("replaces", " (thay người giới thiệu trước)", " (replacing the previous one)"),),
    ),
    "AdmissionCase.VerificationRequested": S(
        "Gửi thẩm tra lý lịch của {subject} tới {sent_to}",
        "Verification of {subject} requested from {sent_to}",
    ),
    "AdmissionCase.VerificationReturned": S(
        "Kết quả thẩm tra lý lịch của {subject}: {satisfactory}",
        "Verification of {subject} returned: {satisfactory}",
        (C("note", " — {note}", " — {note}"),),
    ),
    "AdmissionCase.FamilySideExempted": S(
        "Miễn thẩm tra {side} vì có {member_relative_key} là đảng viên",
        "{side} exempted from verification: {member_relative_key} is a party member",
    ),
    "AdmissionCase.BackgroundCertified": S(
        "Đảng ủy cơ sở chứng nhận lý lịch", "The grassroots committee certified the background"
    ),
    "AdmissionCase.CommentRecorded": S(
        "Ghi ý kiến nhận xét của {source}", "Comments recorded from the {source}"
    ),
    "AdmissionCase.CommentsSummarized": S(
        "Chi ủy tổng hợp ý kiến nhận xét", "The cell committee summarized the comments"
    ),
    "AdmissionCase.CellVoted": S(
        "Chi bộ biểu quyết đề nghị kết nạp: {ballot} — {passed}",
        "The cell voted on proposing admission: {ballot} — {passed}",
    ),
    "AdmissionCase.IntermediateAppraised": S(
        "Đảng ủy bộ phận thẩm định hồ sơ", "The intermediate committee appraised the case"
    ),
    "AdmissionCase.CommitteeVoted": S(
        "Đảng ủy cơ sở biểu quyết đề nghị kết nạp: {ballot} — {passed}",
        "The grassroots committee voted on proposing admission: {ballot} — {passed}",
    ),
    "AdmissionCase.DecisionDeadlineExtended": S(
        "Gia hạn xét quyết định kết nạp thêm {extra_wd} ngày làm việc: {reason}",
        "The decision deadline was extended by {extra_wd} working days: {reason}",
    ),
    "AdmissionCase.AdmissionDecided": S(
        "{decided_by} quyết định kết nạp",
        "{decided_by} decided to admit",
        # the number typed for a decision issued outside dangvien; without it, the decision's
        # paper carries the register's number (its own line in the history)
        (C("number", ", quyết định số {number}", ", decision no. {number}"), LATE),
    ),
    "AdmissionCase.AdmissionRefused": S(
        "{decided_by} quyết định không kết nạp: {reason}",
        "{decided_by} refused the admission: {reason}",
    ),
    "AdmissionCase.DecisionReceived": S(
        "Chi bộ nhận quyết định kết nạp", "The cell received the admission decision"
    ),
    "AdmissionCase.CeremonyDelayApproved": S(
        "{approved_by} duyệt tổ chức lễ kết nạp muộn hơn, đến ngày {until}",
        "{approved_by} approved a later ceremony, until {until}",
    ),
    "AdmissionCase.CeremonyHeld": S(
        "Tổ chức lễ kết nạp: {member_id} trở thành đảng viên dự bị",
        "Admission ceremony held: {member_id} became a probationary member",
    ),
    "AdmissionCase.Ended": S(
        "Hồ sơ kết thúc: {outcome}",
        "The case ended: {outcome}",
        (C("reason", " — {reason}", " — {reason}"),),
    ),
    # --- every record ---
    "Escalated": S(
        "Cảnh báo quá hạn {rule_id} ({level}) gửi {target_org_id}: hạn {due}, "
        "trễ {overdue_wd} ngày làm việc",
        "Overdue {rule_id} escalated ({level}) to {target_org_id}: due {due}, "
        "{overdue_wd} working days late",
    ),
    # --- members ---
    "Member.Admitted": S(
        "{person_id} vào danh sách đảng viên của {cell_id}: quyết định kết nạp ngày {decided_on}, "
        "dự bị đến {probation_ends}",
        "{person_id} joined the roll of {cell_id}: admitted by a decision of {decided_on}, "
        "probation until {probation_ends}",
        (
            C("full_from", "; chính thức từ {full_from}", "; full member from {full_from}"),
            C(
                "helper_member_id",
                "; đảng viên giúp đỡ: {helper_member_id}",
                "; helper: {helper_member_id}",
            ),
        ),
    ),
    "Member.HelperAssigned": S(
        "Phân công {helper_member_id} giúp đỡ đảng viên dự bị",
        "{helper_member_id} was assigned to help the probationary member",
    ),
    "Member.NewMemberCourseCompleted": S(
        "Hoàn thành lớp bồi dưỡng đảng viên mới, giấy chứng nhận số {certificate_no}",
        "New-member course completed, certificate no. {certificate_no}",
    ),
    "Member.ReviewVoted": S(
        "Chi bộ biểu quyết đề nghị “{motion}”: {ballot} — {passed}",
        "The cell voted on “{motion}”: {ballot} — {passed}",
    ),
    "Member.RecognitionDeadlineExtended": S(
        "Gia hạn xét công nhận đảng viên chính thức thêm {extra_wd} ngày làm việc: {reason}",
        "The recognition deadline was extended by {extra_wd} working days: {reason}",
    ),
    "Member.Recognized": S(
        "{decided_by} công nhận đảng viên chính thức từ ngày {full_from}",
        "{decided_by} recognized the full membership from {full_from}",
        (LATE,),
    ),
    "Member.StruckOff": S(
        "{decided_by} xóa tên khỏi danh sách đảng viên dự bị: {reason}",
        "{decided_by} struck the name off the probationers' roll: {reason}",
    ),
    "Member.RecognitionPaperFiled": S(
        "Nộp {prerequisite} để xét công nhận đảng viên chính thức",
        "{prerequisite} filed for the recognition",
    ),
    "Member.PrerequisiteExempted": S(
        "Miễn {prerequisite} khi xét công nhận đảng viên chính thức: {reason}",
        "{prerequisite} exempted for the recognition: {reason}",
    ),
    "Member.Departed": S(
        "Ra khỏi Đảng ({kind}), do {decided_by} quyết định: {reason}",
        "Left the Party ({kind}), decided by {decided_by}: {reason}",
    ),
    "Member.Expunged": S("Án tích đã được xóa", "The criminal record was expunged"),
    "Member.Disciplined": S("Kỷ luật {penalty}: {reason}", "Disciplined ({penalty}): {reason}"),
    "Member.HoldPlaced": S(
        "Bắt đầu: {kind} (không chuyển sinh hoạt chính thức trong thời gian này)",
        "Began: {kind} (no official transfer meanwhile)",
    ),
    "Member.HoldReleased": S("Kết thúc: {kind}", "Ended: {kind}"),
    "Member.Exempted": S(
        "Miễn sinh hoạt đảng {exemption}", "Exempted from party activity {exemption}"
    ),
    "Member.ResidenceLinked": S(
        "Giữ liên hệ với {residence_cell_id} nơi cư trú (Quy định 213)",
        "Keeps contact with {residence_cell_id} where they reside (Regulation 213)",
    ),
    "Member.ResidenceLinked.none": S(
        "Thôi giữ liên hệ với chi bộ nơi cư trú (Quy định 213)",
        "No longer keeps contact with a residence cell (Regulation 213)",
    ),
    "Member.ResidenceCommented": S(
        "Chi bộ nơi cư trú nhận xét năm {year}: {favourable}",
        "The residence cell's comment for {year}: {favourable}",
    ),
    "Member.CellChanged": S("Chuyển sinh hoạt đến {cell_id}", "Moved to {cell_id}"),
    "Member.AwayChanged": S(
        "Đi sinh hoạt đảng tạm thời nơi khác", "Left for a temporary stay elsewhere"
    ),
    "Member.AwayChanged.back": S("Trở về sinh hoạt tại chi bộ", "Back from the temporary stay"),
    # --- transfers ---
    "Transfer.Started": S(
        "Bắt đầu chuyển sinh hoạt đảng ({kind}) của {member_id} từ {from_cell_id} đến "
        "{destination_org_id}, lý do: {reason}, từ ngày {trigger_on}",
        "Transfer ({kind}) of {member_id} started from {from_cell_id} to {destination_org_id}, "
        "reason: {reason}, from {trigger_on}",
        (
            C("returns_on", "; trở về ngày {returns_on}", "; returns on {returns_on}"),
            C("start_due", "; hạn bắt đầu {start_due}", "; to start by {start_due}"),
            C(
                "portal_reference",
                "; mã hồ sơ trên Cổng dịch vụ công {portal_reference}",
                "; portal reference {portal_reference}",
            ),
        ),
    ),
    "Transfer.LetterForwarded": S(
        "Chuyển giấy giới thiệu sinh hoạt đảng {hop}",
        "Transfer letter forwarded: {hop}",
        (C("to_cell", ", tới chi bộ tiếp nhận", ", to the receiving cell"),),
    ),
    "Transfer.LetterPresented": S(
        "Đảng viên nộp giấy giới thiệu cho chi ủy nơi đến",
        "The member presented the letter to the receiving cell committee",
        (LATE,),
    ),
    "Transfer.Accepted": S(
        "Chi bộ nơi đến tiếp nhận đảng viên", "The receiving cell accepted the member"
    ),
    "Transfer.Returned": S(
        "Kết thúc sinh hoạt tạm thời: đảng viên trở về",
        "The temporary stay ended: the member returned",
    ),
    "Transfer.PortalReferenced": S(
        "Ghi mã hồ sơ trên Cổng dịch vụ công: {reference}", "Portal reference recorded: {reference}"
    ),
    "Transfer.Cancelled": S(
        "Hủy chuyển sinh hoạt: {reason}", "The transfer was cancelled: {reason}"
    ),
    # --- people ---
    "Person.Registered": S("Ghi nhận người: {data}", "Person recorded: {data}"),
    "Person.Corrected": S(
        "Đính chính thông tin cá nhân: {data}", "Personal data corrected: {data}"
    ),
    "Person.CaseOpened": S("Mở hồ sơ kết nạp", "An admission case was opened"),
    "Person.CaseClosed": S(
        "Hồ sơ kết nạp kết thúc",
        "The admission case closed",
        (C("member_id", ": đã được kết nạp", ": admitted"),),
    ),
    "Person.MembershipRecorded": S("Ghi nhận là đảng viên", "Recorded as a party member"),
    "Person.Departed": S("Ra khỏi Đảng ({kind})", "Left the Party ({kind})"),
    "Person.Expunged": S("Án tích đã được xóa", "The criminal record was expunged"),
    "Person.LeftParty": S(
        "Ra khỏi Đảng",
        "Left the Party",
        (
            C(
                "expunged_lesser_crime",
                " (án tích tội ít nghiêm trọng đã được xóa)",
                " (a lesser crime, expunged)",
            ),
        ),
    ),
    # --- organizations ---
    "Organization.Registered": S(
        "Thành lập {name} ({kind}), trực thuộc {parent_id}",
        "{name} ({kind}) registered under {parent_id}",
        (
            C("setting", "; loại hình: {setting}", "; setting: {setting}"),
            C("may_admit", "; được ủy quyền kết nạp đảng viên", "; may admit members"),
            C("exempt_area", "; vùng được áp dụng chuẩn học vấn thấp hơn", "; an exempt area"),
        ),
    ),
    "Organization.Registered.top": S("Thành lập {name} ({kind})", "{name} ({kind}) registered"),
    "Organization.Renamed": S("Đổi tên thành {name}", "Renamed {name}"),
    "Organization.Reparented": S("Chuyển trực thuộc {parent_id}", "Now under {parent_id}"),
    "Organization.Dissolved": S(
        "Giải thể",
        "Dissolved",
        (C("merged_into", ", sáp nhập vào {merged_into}", ", merged into {merged_into}"),),
    ),
    "Organization.TargetSet": S("Giao chỉ tiêu kết nạp {target}", "Admission target set {target}"),
    "Organization.HamletRegistered": S(
        "Ghi nhận thôn, tổ dân phố {name}", "Hamlet or residential group {name} recorded"
    ),
    "Organization.HamletsServed": S(
        "Phụ trách {keys} của {commune_id}", "Serves {keys} of {commune_id}"
    ),
    "Organization.TransferOpened": S(
        "Việc chuyển sinh hoạt của {member_id} bắt đầu, liên quan đến tổ chức này",
        "A transfer of {member_id} concerning this organization began",
    ),
    "Organization.TransferClosed": S(
        "Một việc chuyển sinh hoạt liên quan đến tổ chức này đã xong hoặc bị hủy",
        "A transfer concerning this organization was completed or cancelled",
    ),
    "Organization.MemberEnrolled": S(
        "{member_id} vào danh sách chi bộ", "{member_id} joined the cell's roll", (GUEST,)
    ),
    "Organization.MemberReleased": S(
        "{member_id} ra khỏi danh sách chi bộ", "{member_id} left the cell's roll", (GUEST,)
    ),
    # --- papers (domain/paper.py) ---
    "Paper.PaperIssued": S(
        "Ban hành {kind} số {symbol} của {org_id}",
        "{kind} no. {symbol} issued by {org_id}",
        (C("replaces", ", thay thế giấy tờ đã ban hành trước", ", superseding an earlier paper"),),
    ),
    "Paper.PaperSuperseded": S(
        "Giấy tờ được thay thế bằng bản mới: {reason}",
        "The paper was superseded by a new one: {reason}",
    ),
    "Paper.PaperDownloaded": S("Tải bản giấy tờ", "A copy of the paper was downloaded"),
    "Register.RegisterOpened": S(
        "Mở sổ đăng ký văn bản {book} năm {year} của {org_id}",
        "Register {book} of {year} opened for {org_id}",
    ),
    "Register.NumberTaken": S(
        "Cấp số {number} cho một giấy tờ", "Number {number} given to a paper"
    ),
    "PaperCode.PaperCodeRegistered": S(
        "Ghi nhận mã xác minh của một giấy tờ", "A paper's verification code was recorded"
    ),
    "CasePapers.PaperFileOpened": S(
        "Mở danh mục giấy tờ của hồ sơ", "The case's list of papers was opened"
    ),
    "CasePapers.PaperFiled": S("Lưu một giấy tờ vào hồ sơ", "A paper was filed with the case"),
}

# Words of values the catalog does not name, and the neutral words that stand for what a
# reader may not see.
WORDS: dict[str, tuple[str, str]] = {
    "hidden": ("[thông tin cá nhân được ẩn]", "[personal data hidden]"),
    "person": ("người này", "this person"),
    "member": ("một đảng viên", "a member"),
    "relative": ("một người thân", "a relative"),
    "applicant": ("người xin vào Đảng", "the applicant"),
    "org": ("một tổ chức", "an organization"),
    "relatives": ("{n} người thân", "{n} relatives"),
    "keys": ("{n} thôn, tổ dân phố", "{n} hamlets or residential groups"),
    "ballot": (
        "{votes_for}/{denominator} tán thành, {votes_against} không tán thành (cần {needed})",
        "{votes_for} of {denominator} for, {votes_against} against ({needed} needed)",
    ),
    "passed": ("đạt", "passed"),
    "not_passed": ("không đạt", "not passed"),
    "favourable": ("tốt", "favourable"),
    "not_favourable": ("chưa tốt", "not favourable"),
    "introduction": ("{kind}, giấy giới thiệu ngày {letter_on}", "{kind}, letter of {letter_on}"),
    "introduction_member": (
        "{member} ({kind}), giấy giới thiệu ngày {letter_on}",
        "{member} ({kind}), letter of {letter_on}",
    ),
    "hop": (
        "số {letter_no} từ {from_org} đến {to_org}",
        "no. {letter_no} from {from_org} to {to_org}",
    ),
    "exemption": (
        "từ {starts_on} đến {ends_on}: {reason}",
        "from {starts_on} to {ends_on}: {reason}",
    ),
    "target_count": ("năm {year}: {count} người", "for {year}: {count} people"),
    "target_rate": (
        "năm {year}: {rate}% của {members} đảng viên đầu năm",
        "for {year}: {rate}% of {members} members at the start of the year",
    ),
    "data": ("{full_name}, sinh ngày {birth_date}", "{full_name}, born {birth_date}"),
    "system": ("Hệ thống", "The system"),
    "demo": ("Dữ liệu mẫu", "Demo data"),
    "former_account": ("Tài khoản không còn", "An account no longer registered"),
    "setting.hamlet": ("thôn", "hamlet"),
    "setting.residential_group": ("tổ dân phố", "residential group"),
    "setting.commune_agency": ("cơ quan xã", "commune agency"),
    "setting.commune_military": ("quân sự xã", "commune military"),
    "setting.police": ("công an", "police"),
    "setting.school": ("trường học", "school"),
    "setting.health_station": ("trạm y tế", "health station"),
    "setting.enterprise": ("doanh nghiệp", "enterprise"),
    "setting.cooperative": ("hợp tác xã", "cooperative"),
    "setting.public_service_unit": ("đơn vị sự nghiệp", "public-service unit"),
    "setting.other": ("khác", "other"),
    "side.paternal": ("bên nội", "the paternal side"),
    "side.maternal": ("bên ngoại", "the maternal side"),
    "side.spouse_family": ("bên vợ/chồng", "the spouse's family"),
    "side.own": ("bản thân", "the applicant's own side"),
}

ORG_FACTS = frozenset(
    {
        "cell_id",
        "grassroots_id",
        "decided_by",
        "approved_by",
        "target_org_id",
        "from_cell_id",
        "destination_org_id",
        "residence_cell_id",
        "parent_id",
        "merged_into",
        "commune_id",
    }
)
MEMBER_FACTS = frozenset({"member_id", "helper_member_id"})
# Facts that are values of the domain's enums, by the words that name them (the record may
# give them back as plain strings).
ENUM_FACTS = {
    "side": "side",
    "setting": "setting",
    "outcome": "stage",
    "kind": "enum",  # an organization's kind reads from `kind.`
    "source": "enum",
    "motion": "enum",
    "relationship": "enum",
    "prerequisite": "enum",
    "penalty": "penalty",  # domain.policy.penalties_for; an older free text reads as typed
}
EVENT_ENUM_FACTS = {"Transfer.Started": {"reason": "enum"}}  # elsewhere a reason is free text
APPLICANT = "applicant"  # the verification subject that is the applicant (domain.admission)
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def sentence_of(name: str) -> Sentence | None:
    """The sentence of an event named `Aggregate.Event` (or of any record's `Event`)."""
    return SENTENCES.get(name) or SENTENCES.get(name.rsplit(".", 1)[-1])


def rule_set_name(version: str) -> str:
    """A rule set as people know it: its regulation and the day it came into force."""
    found = next((rs for rs in policy.RULE_SETS if rs.version == version), None)
    return f"{found.regulation} · {dmy(found.in_force_from)}" if found else version


@dataclass(frozen=True)
class Line:
    """One event as a person reads it."""

    version: int
    subject: str | None  # person, case, member or transfer (a person's timeline mixes them)
    event: str  # what happened, in a few words
    sentence: str  # what happened, with its facts
    effective: str  # dd/mm/yyyy: the day the act happened
    recorded: str  # dd/mm/yyyy hh:mm, Vietnam time: when the record learnt of it
    actor: str  # name — role, unit
    rule_set: str


class Narrator:
    """Turns events into lines for one reader: their language, and whether they may see
    personal data. Names are looked up once per request."""

    def __init__(
        self,
        app: Dangvien,
        lang: str,
        *,
        personal: bool,
        users: UserStore | None = None,
        org_name: Callable[[UUID], str | None] | None = None,
    ) -> None:
        self.app = app
        self.lang = lang
        self.personal = personal
        self._users = users
        self._accounts: dict[str, str] | None = None
        self._org_name = org_name
        self._names: dict[UUID, str | None] = {}
        self._people: dict[UUID, UUID] = {}  # member → person
        self._relatives: dict[str, Relative] = {}

    # --- words ---

    def word(self, key: str, **values: object) -> str:
        vi, en = WORDS[key]
        text = en if self.lang == "en" else vi
        return text.format(**values) if values else text

    def yes_no(self, value: bool) -> str:
        return t(self.lang, "yes" if value else "no").lower()

    # --- names ---

    def org(self, org_id: UUID | None) -> str:
        if org_id is None or org_id == UUID(int=0):
            return self.word("org")
        if org_id not in self._names:
            name = self._org_name(org_id) if self._org_name else None
            if name is None or UUID_TEXT.match(name):
                try:
                    name = self.app.load(Organization, org_id).name
                except NotFound:
                    name = None
            self._names[org_id] = name
        return self._names[org_id] or self.word("org")

    def person(self, person_id: UUID) -> str:
        if not self.personal:
            return self.word("person")
        if person_id not in self._names:
            try:
                self._names[person_id] = self.app.load(Person, person_id).data.full_name
            except NotFound:
                self._names[person_id] = None
        return self._names[person_id] or self.word("person")

    def member(self, member_id: UUID) -> str:
        if not self.personal:
            return self.word("member")
        if member_id not in self._people:
            try:
                self._people[member_id] = self.app.load(Member, member_id).person_id
            except NotFound:
                return self.word("member")
        return self.person(self._people[member_id])

    def relative(self, key: str) -> str:
        if key == APPLICANT:
            return self.word("applicant")
        found = self._relatives.get(key)
        if found is None:
            return self.word("relative")
        who = label(self.lang, "enum", found.relationship).lower()
        return f"{who} {found.full_name}" if self.personal else who

    # --- actors ---

    def accounts(self) -> dict[str, str]:
        """The users' names by id and by username (an import records the username)."""
        if self._accounts is None:
            users = self._users.list_users() if self._users is not None else []
            self._accounts = {}
            for u in users:
                self._accounts[u.id] = self._accounts[u.username] = u.display_name or u.username
        return self._accounts

    def actor(self, actor: Actor) -> str:
        """ "Nguyễn Văn B — Bí thư chi bộ, Chi bộ thôn Phú Đông"; the processes themselves are
        the system."""
        if actor.role is Role.system:
            return self.word("system")
        name = self.accounts().get(actor.user_id)
        if name is None:
            if actor.user_id == DEMO_ACTOR:
                name = self.word("demo")
            elif UUID_TEXT.match(actor.user_id):
                name = self.word("former_account")
            else:
                name = actor.user_id  # as the import recorded it
        role = label(self.lang, "role", actor.role)
        if actor.org_id == UUID(int=0):
            return f"{name} — {role}"
        return f"{name} — {role}, {self.org(actor.org_id)}"

    # --- facts ---

    def fact(self, name: str, value: Any, event: str = "") -> str:
        """One fact (of the event named `event`) as words."""
        if isinstance(value, bool):
            if name in ("passed", "satisfactory"):
                return self.word("passed" if value else "not_passed")
            if name == "favourable":
                return self.word("favourable" if value else "not_favourable")
            return self.yes_no(value)
        if isinstance(value, UUID):
            if name in MEMBER_FACTS:
                return self.member(value)
            if name == "person_id":
                return self.person(value)
            return self.org(value)
        if isinstance(value, datetime | date):
            return dmy(value)
        enum = EVENT_ENUM_FACTS.get(event, {}).get(name) or ENUM_FACTS.get(name)
        if enum is not None and isinstance(value, str):
            return self.named(enum, value)
        if isinstance(value, StrEnum):
            return self.value(value)
        if name == "level" and isinstance(value, int):
            return label(self.lang, "level", value).lower()
        if isinstance(value, Ballot):
            return self.ballot(value)
        if isinstance(value, Introduction):
            return self.introduction(value)
        if isinstance(value, Hop):
            return self.word(
                "hop",
                letter_no=value.letter_no,
                from_org=self.org(value.from_org_id),
                to_org=self.org(value.to_org_id),
            )
        if isinstance(value, Exemption):
            return self.word(
                "exemption",
                starts_on=dmy(value.starts_on),
                ends_on=dmy(value.ends_on),
                reason=value.reason,
            )
        if isinstance(value, AdmissionTarget):
            return self.target(value)
        if isinstance(value, PersonalData):
            if not self.personal:
                return self.word("hidden")
            return self.word("data", full_name=value.full_name, birth_date=dmy(value.birth_date))
        if name == "relatives":
            return self.relatives(list(value))
        if name == "keys":
            return self.word("keys", n=len(value))
        if name in ("subject", "member_relative_key"):
            return self.relative(str(value))
        return str(value)

    def named(self, words: str, value: str) -> str:
        """A value of an enum by the words of its kind."""
        if words in ("side", "setting"):
            return self.word(f"{words}.{value}")
        if words == "stage":
            return label(self.lang, "stage", value)
        if words == "penalty":
            return label(self.lang, "penalty", value).lower()
        if f"kind.{value}" in LABELS:  # a kind of organization
            return label(self.lang, "kind", value)
        return label(self.lang, "enum", value).lower()

    def value(self, value: StrEnum) -> str:
        if isinstance(value, Stage | Status | TransferStage):
            return label(self.lang, "stage", value)
        if isinstance(value, OrgKind):
            return label(self.lang, "kind", value)
        if isinstance(value, CellSetting):
            return self.word(f"setting.{value}")
        if isinstance(value, FamilySide):
            return self.word(f"side.{value}")
        return label(self.lang, "enum", value).lower()

    def ballot(self, ballot: Ballot) -> str:
        num, den = policy.rules_at(ballot.held_on).vote_threshold
        return self.word(
            "ballot",
            votes_for=ballot.votes_for,
            votes_against=ballot.votes_against,
            denominator=ballot.denominator,
            needed=-(-num * ballot.denominator // den),
        )

    def introduction(self, intro: Introduction) -> str:
        kind = label(self.lang, "enum", intro.kind).lower()
        if intro.member_id is None:
            return self.word("introduction", kind=kind, letter_on=dmy(intro.letter_on))
        return self.word(
            "introduction_member",
            member=self.member(intro.member_id),
            kind=kind,
            letter_on=dmy(intro.letter_on),
        )

    def target(self, target: AdmissionTarget) -> str:
        if target.count is not None:
            return self.word("target_count", year=target.year, count=target.count)
        rate = f"{target.rate_percent or 0:g}"
        rate = rate.replace(".", ",") if self.lang != "en" else rate
        return self.word(
            "target_rate", year=target.year, rate=rate, members=target.start_of_year_members or 0
        )

    def relatives(self, relatives: list[Relative]) -> str:
        count = self.word("relatives", n=len(relatives))
        if not self.personal or not relatives:
            return count
        named = "; ".join(
            f"{label(self.lang, 'enum', r.relationship)} {r.full_name}"
            + (f" ({r.lives_or_works_at})" if r.lives_or_works_at else "")
            for r in relatives
        )
        return f"{count} ({named})"

    # --- sentences and lines ---

    def variant(self, name: str, facts: dict[str, Any]) -> str:
        """The name of the sentence for these facts (a few events read differently)."""
        bare = name.rsplit(".", 1)[-1]
        if name == "Member.AwayChanged" and facts.get("transfer_id") is None:
            return name + ".back"
        if name == "Member.ResidenceLinked" and facts.get("residence_cell_id") is None:
            return name + ".none"
        if name == "Organization.Registered" and facts.get("parent_id") is None:
            return name + ".top"
        return name if name in SENTENCES else bare

    def sentence(self, name: str, facts: dict[str, Any]) -> str:
        if name == "AdmissionCase.BackgroundDeclared":  # later facts name relatives by key
            self._relatives |= {r.key: r for r in facts.get("relatives", ())}
        found = SENTENCES.get(self.variant(name, facts))
        if found is None:  # an event this module does not know yet: its title only
            return label(self.lang, "event", name.rsplit(".", 1)[-1])
        words = _Words(self, name, facts)
        text = (found.en if self.lang == "en" else found.vi).format_map(words)
        for clause in found.clauses:
            if facts.get(clause.fact):
                text += (clause.en if self.lang == "en" else clause.vi).format_map(words)
        return text[:1].upper() + text[1:]

    def line(self, entry: HistoryEntry, subject: str | None = None) -> Line:
        return Line(
            version=entry.version,
            subject=subject,
            event=label(self.lang, "event", entry.name.rsplit(".", 1)[-1]),
            sentence=self.sentence(entry.name, entry.facts),
            effective=dmy(entry.effective_on),
            recorded=dmy(datetime.fromisoformat(entry.recorded_at)),
            actor=self.actor(entry.actor),
            rule_set=rule_set_name(entry.rule_set),
        )

    def text(self, entry: HistoryEntry) -> dict[str, str]:
        """The words of a line, for an answer of the API."""
        line = self.line(entry)
        return {
            "event": line.event,
            "sentence": line.sentence,
            "who": line.actor,
            "recorded": line.recorded,
        }

    def lines(self, entries: Iterable[HistoryEntry | tuple[str, HistoryEntry]]) -> list[Line]:
        found = []
        for e in entries:
            subject, entry = e if isinstance(e, tuple) else (None, e)
            found.append(self.line(entry, subject))
        return found


class _Words(dict[str, str]):
    """The facts a sentence names, put in words when it names them (a fact missing from the
    event reads as a dash, never as `{name}`)."""

    def __init__(self, narrator: Narrator, event: str, facts: dict[str, Any]) -> None:
        super().__init__()
        self.narrator = narrator
        self.event = event
        self.facts = facts

    def __missing__(self, key: str) -> str:
        value = self.facts.get(key)
        self[key] = "—" if value is None else self.narrator.fact(key, value, self.event)
        return self[key]

"""The file handed over in answer to an access request (issue 18, item 4; docs/privacy.md):
everything the record holds about one person, as a ZIP of a DOCX the person reads (Vietnamese,
headings also in English) and a JSON a machine reads (the same content, each sentence in both
languages).

What it holds: the personal data as now recorded and every earlier version of it; the relatives
declared in each background; every case, membership and transfer with its whole history, each
event a sentence with who acted and when; the papers issued about each record (kind, number,
date, issuer); who took a copy of those papers and who answered earlier requests (the record
knows nothing of who merely viewed a page: docs/privacy.md says why); and the access requests
themselves. Sensitive data (ethnicity, religion, and party membership itself) is shown as
recorded, marked as sensitive.

Everything is built in memory and served from memory: the file is never written to disk in
clear, and its name carries only the request's id."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from domain.access_request import GROUNDS, AccessRequest
from domain.admission import AdmissionCase
from domain.application import Dangvien
from domain.calendar import VIETNAM
from domain.member import Member
from domain.paper import Paper
from domain.person import Person
from domain.services.store import HistoryEntry
from domain.transfer import Transfer
from domain.values import Actor, PersonalData
from infra.api.records import organizations_of, stage_of
from infra.history import Narrator
from infra.users import UserStore
from infra.web.i18n import dmy, label

FORMAT = "dangvien-personal-data/1"
DOCX_NAME = "du-lieu-ca-nhan.docx"  # the names inside the ZIP name no one
JSON_NAME = "du-lieu-ca-nhan.json"
RECORDS: dict[str, type[Any]] = {"case": AdmissionCase, "member": Member, "transfer": Transfer}

# The words of the file: (Vietnamese, English); the DOCX prints "Vietnamese (English)" headings.
W: dict[str, tuple[str, str]] = {
    "title": ("DỮ LIỆU CÁ NHÂN HỆ THỐNG ĐANG LƯU", "Personal data the system holds"),
    "intro": (
        "Tệp này trả lời yêu cầu xem và cung cấp dữ liệu cá nhân. Nó gồm toàn bộ dữ liệu hệ "
        "thống quản lý đảng viên đang lưu về người được nêu dưới đây vào ngày lập. Tệp JSON "
        "đi kèm có cùng nội dung, để máy đọc.",
        "This file answers a request to see and obtain personal data. It holds everything the "
        "party membership system keeps about the person named below on the day it was made. "
        "The JSON beside it holds the same, for machines.",
    ),
    "request": ("Yêu cầu", "The request"),
    "person": ("Dữ liệu cá nhân", "Personal data"),
    "versions": ("Các lần ghi nhận, đính chính dữ liệu cá nhân", "Each recording and correction"),
    "relatives": ("Người thân đã khai trong lý lịch", "Relatives declared in the background"),
    "records": ("Hồ sơ và diễn biến", "Records and their history"),
    "papers": ("Giấy tờ đã ban hành", "Papers issued"),
    "accesses": ("Ai đã lấy dữ liệu", "Who took copies of the data"),
    "requests": ("Các yêu cầu truy cập dữ liệu", "Access requests"),
    "not_kept": (
        "Hệ thống ghi lại mỗi lần tải giấy tờ và mỗi lần giao tệp này; nó không ghi lại việc "
        "xem trang (nhật ký chỉ ghi đường dẫn mẫu, không ghi mã hồ sơ hay dữ liệu cá nhân).",
        "The system records each download of a paper and each answer of this kind; it does not "
        "record who viewed a page (its logs keep route templates, never a record's id or "
        "personal data).",
    ),
    "sensitive": ("dữ liệu nhạy cảm", "sensitive"),
    "none": ("Không có", "None"),
    "made_on": ("Ngày lập", "Made on"),
    "made_by": ("Người lập", "Made by"),
    "request_id": ("Mã yêu cầu", "Request id"),
    "received_on": ("Ngày nhận", "Received on"),
    "requested_by": ("Người yêu cầu", "Requested by"),
    "requester_name": ("Họ tên người yêu cầu", "Requester's name"),
    "requester_capacity": ("Tư cách đại diện", "Capacity"),
    "channel": ("Hình thức gửi", "Channel"),
    "ground": ("Căn cứ pháp lý", "Legal ground"),
    "answers": ("Các lần trả lời", "Answers"),
    "full_name": ("Họ và tên", "Full name"),
    "birth_date": ("Ngày sinh", "Date of birth"),
    "citizen_id": ("Số CCCD", "Citizen ID"),
    "gender": ("Giới tính", "Gender"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "religion": ("Tôn giáo", "Religion"),
    "address": ("Nơi ở", "Address"),
    "education": ("Trình độ học vấn", "Education"),
    "youth_union_member": ("Đoàn viên", "Youth union member"),
    "trade_union_member": ("Công đoàn viên", "Trade union member"),
    "occupation": ("Nghề nghiệp", "Occupation"),
    "case": ("Hồ sơ kết nạp", "Admission case"),
    "member": ("Đảng viên", "Membership"),
    "transfer": ("Chuyển sinh hoạt đảng", "Transfer"),
    "person_record": ("Hồ sơ người", "The person's own record"),
    "organization": ("Tổ chức đảng", "Party organization"),
    "state": ("Tình trạng", "State"),
    "effective": ("Ngày", "Date"),
    "what": ("Việc", "What happened"),
    "who": ("Người thực hiện", "Who acted"),
    "recorded": ("Ghi lúc", "Recorded at"),
    "kind": ("Loại", "Kind"),
    "number": ("Số, ký hiệu", "Number"),
    "issued_on": ("Ngày ban hành", "Issued on"),
    "issuer": ("Cơ quan ban hành", "Issuing body"),
    "superseded": ("Đã được thay thế", "Superseded"),
    "paper_download": ("Tải giấy tờ {symbol}", "Downloaded paper {symbol}"),
    "access_answer": ("Giao tệp dữ liệu cá nhân", "Personal data file handed over"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "sha256": ("Mã SHA-256 của tệp đã giao", "SHA-256 of the file handed over"),
}
PERSON_FIELDS = (
    "full_name",
    "birth_date",
    "citizen_id",
    "gender",
    "ethnicity",
    "religion",
    "address",
    "education",
    "youth_union_member",
    "trade_union_member",
    "occupation",
)
SENSITIVE = frozenset({"ethnicity", "religion"})  # Law 91/2025/QH15: sensitive personal data


@dataclass(frozen=True)
class Answering:
    """Who makes the file, for which request, on which day."""

    request: AccessRequest
    actor: Actor
    today: date


def _vi(key: str) -> str:
    return W[key][0]


def _both(key: str) -> str:
    return f"{W[key][0]} ({W[key][1]})"


def _value(field: str, value: Any) -> str:
    """A personal field as a person reads it (Vietnamese)."""
    if isinstance(value, bool):
        return _vi("yes" if value else "no")
    if isinstance(value, date):
        return dmy(value)
    if value is None or value == "":
        return _vi("none")
    if field in ("gender", "education"):
        return label("vi", "enum", value)
    if field == "occupation":
        return label("vi", "occupation", value)
    return str(value)


def personal(data: PersonalData) -> dict[str, Any]:
    return {f: getattr(data, f) for f in PERSON_FIELDS}


class Holdings:
    """Everything the record holds about one person, gathered once."""

    def __init__(self, app: Dangvien, users: UserStore | None, org_name: Callable[[UUID], str]):
        self.app = app
        self.org_name = org_name
        self.vi = Narrator(app, "vi", personal=True, users=users)
        self.en = Narrator(app, "en", personal=True, users=users)

    def event(self, e: HistoryEntry) -> dict[str, Any]:
        vi, en = self.vi.line(e), self.en.line(e)
        return {
            "effective_on": e.effective_on,
            "recorded_at": e.recorded_at,
            "recorded": vi.recorded,
            "event_vi": vi.event,
            "event_en": en.event,
            "sentence_vi": vi.sentence,
            "sentence_en": en.sentence,
            "who": vi.actor,
            "rule_set": vi.rule_set,
        }

    def gather(self, person_id: UUID, answering: Answering) -> dict[str, Any]:
        app = self.app
        person = app.load(Person, person_id)
        subjects = app.records_of(person_id)
        records, papers, accesses = [], [], []
        history: list[dict[str, Any]] = []
        for kind, ident in subjects:
            entries = app.history(ident)
            if kind == "person":
                history = [self.event(e) for e in entries]
                continue
            record = app.load(RECORDS[kind], ident)
            stage, closed = stage_of(record)
            records.append(
                {
                    "kind": kind,
                    "kind_vi": _vi(kind),
                    "id": ident,
                    "organization": self.org_name(organizations_of(record)[0]),
                    "state": label("vi", "stage", stage),
                    "closed": closed,
                    "history": [self.event(e) for e in entries],
                }
            )
            for paper in app.papers_of(ident):
                papers.append(self.paper(kind, ident, paper))
                accesses += self.downloads(paper)
        requests = app.access_requests_of(person_id)
        for request in requests:
            for answer in request.answers:
                accesses.append(
                    {
                        "what": "access_answer",
                        "what_vi": _vi("access_answer"),
                        "on": answer.answered_on,
                        "who": self.vi.actor(answer.by),
                        "sha256": answer.sha256,
                    }
                )
        accesses.sort(key=lambda a: a["on"])
        return {
            "format": FORMAT,
            "made_on": answering.today,
            "made_by": self.vi.actor(answering.actor),
            "request": self.request(answering.request),
            "person": {"id": person_id, **personal(person.data)},
            "sensitive_fields": sorted(SENSITIVE),
            "versions": [
                {
                    "effective_on": e.effective_on,
                    "recorded_at": e.recorded_at,
                    "data": personal(e.facts["data"]),
                }
                for e in app.history(person_id)
                if isinstance(e.facts.get("data"), PersonalData)
            ],
            "person_history": history,
            "relatives": self.relatives(person),
            "records": records,
            "papers": papers,
            "accesses": accesses,
            "access_requests": [self.request(r) for r in requests],
            "not_recorded_vi": W["not_kept"][0],
            "not_recorded_en": W["not_kept"][1],
        }

    def relatives(self, person: Person) -> list[dict[str, Any]]:
        found = []
        for case_id in person.case_ids:
            case = self.app.load(AdmissionCase, case_id)
            for relative in case.relatives.values():
                found.append(
                    {
                        "case_id": case_id,
                        "relationship": str(relative.relationship),
                        "relationship_vi": label("vi", "enum", relative.relationship),
                        "full_name": relative.full_name,
                        "lives_or_works_at": relative.lives_or_works_at,
                        "is_party_member": relative.is_party_member,
                    }
                )
        return found

    def paper(self, kind: str, ident: UUID, paper: Paper) -> dict[str, Any]:
        return {
            "record_kind": kind,
            "record_id": ident,
            "kind": str(paper.kind),
            "kind_vi": label("vi", "enum", paper.kind),
            "number": paper.number,
            "symbol": paper.symbol,
            "issued_on": paper.issued_on,
            "issuer": self.org_name(paper.org_id),
            "superseded_on": paper.superseded_on,
        }

    def downloads(self, paper: Paper) -> list[dict[str, Any]]:
        return [
            {
                "what": "paper_download",
                "what_vi": _vi("paper_download").format(symbol=paper.symbol),
                "on": e.effective_on,
                "recorded_at": e.recorded_at,
                "who": self.vi.actor(e.actor),
                "paper_symbol": paper.symbol,
            }
            for e in self.app.history(paper.id)
            if e.name.endswith(".PaperDownloaded")
        ]

    def request(self, request: AccessRequest) -> dict[str, Any]:
        ground = GROUNDS[request.ground]
        return {
            "id": request.id,
            "received_on": request.received_on,
            "requested_by": str(request.requested_by),
            "requested_by_vi": label("vi", "enum", request.requested_by),
            "requester_name": request.requester_name,
            "requester_capacity": request.requester_capacity,
            "channel": str(request.channel),
            "channel_vi": label("vi", "enum", request.channel),
            "ground": str(request.ground),
            "ground_vi": ground.vi,
            "ground_en": ground.en,
            "recorded_by": self.vi.actor(request.recorded_by),
            "answers": [
                {"answered_on": a.answered_on, "by": self.vi.actor(a.by), "sha256": a.sha256}
                for a in request.answers
            ],
        }


# --- the DOCX --------------------------------------------------------------------------------


def _table(
    doc: Any, header: list[str], rows: list[list[str]], widths: tuple[float, ...] = ()
) -> None:
    """A table with a bold header row; `widths` in cm (Word reads each cell's width)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = not widths
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    _widths(table, widths)


def _widths(table: Any, widths: tuple[float, ...]) -> None:
    """Column widths in cm: on the grid (LibreOffice reads it) and on each cell (Word)."""
    for column, width in zip(table.columns if widths else (), widths, strict=False):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _pairs(doc: Any, pairs: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for key, value in pairs:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    _widths(table, (5.5, 11.5))


def _history(doc: Any, events: list[dict[str, Any]]) -> None:
    header = [_vi("effective"), _vi("what"), _vi("who"), _vi("recorded")]
    rows = [[dmy(e["effective_on"]), e["sentence_vi"], e["who"], e["recorded"]] for e in events]
    _table(doc, header, rows, (2.4, 8.6, 3.6, 2.4))


def render_docx(held: dict[str, Any]) -> bytes:
    """The DOCX a person reads: A4, Times New Roman, Vietnamese with English headings."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    for name, size in (("Normal", 12), ("Heading 1", 14), ("Heading 2", 13)):
        style = doc.styles[name]
        style.font.name = "Times New Roman"  # TCVN 6909:2001 Unicode, as the papers
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.rPr.rFonts  # the theme's heading font would win over the name
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(W["title"][0]).bold = True
    title.add_run(f"\n{W['title'][1]}").italic = True
    doc.add_paragraph(W["intro"][0])
    doc.add_paragraph(W["intro"][1]).runs[0].italic = True

    request = held["request"]
    doc.add_heading(_both("request"), level=1)
    _pairs(
        doc,
        [
            *_request_pairs(request),
            (_vi("made_on"), dmy(held["made_on"])),
            (_vi("made_by"), held["made_by"]),
        ],
    )

    person = held["person"]
    doc.add_heading(_both("person"), level=1)
    _pairs(
        doc,
        [
            (
                _vi(f) + (f" ({_vi('sensitive')})" if f in SENSITIVE else ""),
                _value(f, person[f]),
            )
            for f in PERSON_FIELDS
        ],
    )

    doc.add_heading(_both("versions"), level=2)
    _table(
        doc,
        [_vi("effective"), _vi("full_name"), _vi("birth_date"), _vi("address")],
        [
            [
                dmy(v["effective_on"]),
                v["data"]["full_name"],
                dmy(v["data"]["birth_date"]),
                v["data"]["address"],
            ]
            for v in held["versions"]
        ],
    )
    doc.add_heading(_both("person_record"), level=2)
    _history(doc, held["person_history"])

    doc.add_heading(_both("relatives"), level=1)
    if held["relatives"]:
        _table(
            doc,
            [_vi("kind"), _vi("full_name"), _vi("address"), _vi("member")],
            [
                [
                    r["relationship_vi"],
                    r["full_name"],
                    r["lives_or_works_at"] or _vi("none"),
                    _vi("yes" if r["is_party_member"] else "no"),
                ]
                for r in held["relatives"]
            ],
        )
    else:
        doc.add_paragraph(_vi("none"))

    doc.add_heading(_both("records"), level=1)
    for record in held["records"]:
        doc.add_heading(f"{record['kind_vi']} — {record['organization']}", level=2)
        doc.add_paragraph(f"{_vi('state')}: {record['state']}")
        _history(doc, record["history"])

    doc.add_heading(_both("papers"), level=1)
    if held["papers"]:
        _table(
            doc,
            [_vi("kind"), _vi("number"), _vi("issued_on"), _vi("issuer"), _vi("superseded")],
            [
                [
                    p["kind_vi"],
                    p["symbol"],
                    dmy(p["issued_on"]),
                    p["issuer"],
                    dmy(p["superseded_on"]) if p["superseded_on"] else _vi("no"),
                ]
                for p in held["papers"]
            ],
        )
    else:
        doc.add_paragraph(_vi("none"))

    doc.add_heading(_both("accesses"), level=1)
    if held["accesses"]:
        _table(
            doc,
            [_vi("effective"), _vi("what"), _vi("who")],
            [[dmy(a["on"]), a["what_vi"], a["who"]] for a in held["accesses"]],
        )
    else:
        doc.add_paragraph(_vi("none"))
    doc.add_paragraph(held["not_recorded_vi"])

    doc.add_heading(_both("requests"), level=1)
    for r in held["access_requests"]:
        _pairs(doc, _request_pairs(r))
        for a in r["answers"]:
            doc.add_paragraph(
                f"{_vi('answers')}: {dmy(a['answered_on'])} — {a['by']} — "
                f"{_vi('sha256')}: {a['sha256']}"
            )
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _request_pairs(r: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = [
        (_vi("request_id"), str(r["id"])),
        (_vi("received_on"), dmy(r["received_on"])),
        (_vi("requested_by"), r["requested_by_vi"]),
        (_vi("requester_name"), r["requester_name"]),
    ]
    if r["requester_capacity"]:
        pairs.append((_vi("requester_capacity"), r["requester_capacity"]))
    return [*pairs, (_vi("channel"), r["channel_vi"]), (_vi("ground"), r["ground_vi"])]


# --- the ZIP ---------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def access_file(held: dict[str, Any]) -> bytes:
    """The ZIP handed over: the DOCX and the JSON, built and packed in memory."""
    docx = render_docx(held)
    text = json.dumps(held, ensure_ascii=False, indent=1, default=_json_default)
    stamp = datetime.now(VIETNAM).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in ((DOCX_NAME, docx), (JSON_NAME, text.encode())):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()

"""A paper as an editable DOCX: its template (infra/papers/templates/, docxtpl's Jinja) filled
with the facts the paper stated when it was issued, its number, place and date, and its
verification code with a QR code of the verify link (docs/documents.md).

A department adapts the wording by editing a copy of a template in Word and keeping the tags
between {{ }}; a folder given to `render_docx` is searched for `<kind>.docx` before the defaults
(wiring a folder per organization through the settings is the next step, as is PDF output
through LibreOffice headless: docs/documents.md)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import qrcode
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from qrcode.image.pure import PyPNGImage

from domain.paper import PaperKind
from infra.papers import render_org
from infra.papers.transfer_letter import transfer_letter

DEFAULTS = Path(__file__).parent / "templates"


def place_date(place: str, on: date) -> str:
    """ "An Bình, ngày 05 tháng 12 năm 2025": days below 10 and the months January and February
    with a leading zero (Hướng dẫn 36-HD/VPTW)."""
    month = f"{on.month:02d}" if on.month < 3 else str(on.month)
    return f"{place}, ngày {on.day:02d} tháng {month} năm {on.year}"


def dmy(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


class Printable(Protocol):
    """What a template prints of a paper (an issued Paper, or a sample for the docs)."""

    @property
    def kind(self) -> PaperKind: ...
    @property
    def symbol(self) -> str: ...
    @property
    def place(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def signatory_title(self) -> str: ...
    @property
    def facts(self) -> dict[str, Any]: ...


def context(paper: Printable, code: str, verify_url: str) -> dict[str, Any]:
    """What the template's tags read: the paper's own facts, never the record of today. The
    tags every paper has, then those of its kind (KIND_CONTEXT)."""
    f = paper.facts
    return {
        "issuer": f["issuer_name"],
        "issuer_upper": f["issuer_name"].upper(),
        "superior": f["superior_name"],
        "superior_upper": f["superior_name"].upper(),
        "number_symbol": paper.symbol,
        "place_date": place_date(paper.place, paper.issued_on),
        "signatory_title": paper.signatory_title,
        "code": code,
        "verify_url": verify_url,
    } | KIND_CONTEXT[paper.kind](f)


def admission(f: dict[str, Any]) -> dict[str, Any]:
    """The tags of an admission case's papers."""
    on_roll = int(f.get("cell_on_roll") or 0)
    votes_for = int(f.get("cell_votes_for") or 0)
    return {
        "applicant_name": f["applicant_name"],
        "birth_date": dmy(f.get("applicant_birth_date")),
        "cell_name": f["cell_name"],
        "grassroots_name": f["grassroots_name"],
        "vote_date": dmy(f.get("cell_vote_on")),
        "committee_date": dmy(f.get("committee_vote_on")),
        "on_roll": on_roll,
        "votes_for": votes_for,
        "votes_against": f.get("cell_votes_against", 0),
        "percent": round(100 * votes_for / on_roll) if on_roll else 0,
    }


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def grassroots(f: dict[str, Any]) -> dict[str, Any]:
    """The grassroots committee's resolution: an admission's tags, its own vote, and the
    cell's resolution by its number when that paper was issued from the record."""
    size, votes_for = int(f.get("committee_size") or 0), int(f.get("committee_votes_for") or 0)
    if f.get("cell_resolution_symbol"):
        cell = (
            f"Nghị quyết số {f['cell_resolution_symbol']} ngày {dmy(f['cell_resolution_on'])} "
            f"của {f['cell_name']}"
        )
    else:
        cell = f"nghị quyết của {f['cell_name']} ngày {dmy(f.get('cell_vote_on'))}"
    return admission(f) | {
        "committee_size": size,
        "committee_for": votes_for,
        "committee_against": size - votes_for if size else 0,
        "committee_percent": percent(votes_for, size),
        "cell_resolution_ref": cell,
        "deciding": f.get("deciding_name") or f["superior_name"],
    }


def recognition(f: dict[str, Any]) -> dict[str, Any]:
    """The recognition decision: the member, the dates of their membership, the cell's vote
    (none when the upper committee decided after three failed votes)."""
    on_roll, votes_for = int(f.get("review_on_roll") or 0), int(f.get("review_votes_for") or 0)
    if f.get("review_vote_on"):
        review = (
            f"Xét nghị quyết của {f['cell_name']} ngày {dmy(f['review_vote_on'])} đề nghị công "
            f"nhận đảng viên chính thức ({votes_for}/{on_roll} đảng viên chính thức tán thành, "
            f"{percent(votes_for, on_roll)}%)"
        )
    else:
        review = "Xét hồ sơ đảng viên dự bị sau ba lần chi bộ biểu quyết không đủ hai phần ba"
    return {
        "member_name": f["member_name"],
        "birth_date": dmy(f.get("member_birth_date")),
        "cell_name": f["cell_name"],
        "grassroots_name": f["grassroots_name"],
        "admitted_on": dmy(f.get("admitted_on")),
        "joined_on": dmy(f.get("joined_on")),
        "full_from": dmy(f.get("full_from")),
        "recognized_on": dmy(f.get("step_on")),
        "review_ref": review,
    }


# The tags each kind adds to the common ones (docs/documents.md lists them for template makers).
KIND_CONTEXT: dict[PaperKind, Callable[[dict[str, Any]], dict[str, Any]]] = {
    PaperKind.cell_resolution: admission,
    PaperKind.admission_decision: admission,
    PaperKind.grassroots_resolution: grassroots,
    PaperKind.recognition_decision: recognition,
    PaperKind.dissolution_decision: render_org.dissolution,
    PaperKind.quota_report: render_org.quota,
    PaperKind.transfer_letter: transfer_letter,
}


def template_path(kind: str, folder: Path | None = None) -> Path:
    """The department's own template if it has one, else the default."""
    if folder is not None and (folder / f"{kind}.docx").is_file():
        return folder / f"{kind}.docx"
    return DEFAULTS / f"{kind}.docx"


def render_docx(paper: Printable, code: str, verify_url: str, folder: Path | None = None) -> bytes:
    doc = DocxTemplate(str(template_path(str(paper.kind), folder)))
    png = io.BytesIO()
    qrcode.make(verify_url, image_factory=PyPNGImage).save(png)
    png.seek(0)
    values = context(paper, code, verify_url)
    values["qr"] = InlineImage(doc, png, width=Cm(2.5))
    doc.render(values, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

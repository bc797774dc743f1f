"""A paper rendered as DOCX from its template (infra/papers/render.py) and read back with
python-docx: the facts as recorded, the number, the layout of Hướng dẫn 36-HD/VPTW, the
verification code and its QR code, with the diacritics intact."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

from docx import Document
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from domain.paper import Paper, PaperKind
from infra.papers.render import DEFAULTS, place_date, render_docx
from tests.builders import World
from tests.unit.test_papers import issue, voted_case

URL = "https://dangvien.example/verify/"


def paragraphs(doc: object) -> list[Paragraph]:
    """Every paragraph, those of the layout tables included, in order."""
    found = list(doc.paragraphs)  # type: ignore[attr-defined]
    for table in doc.tables:  # type: ignore[attr-defined]
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found


def read(world: World, paper: Paper) -> tuple[object, dict[str, Paragraph]]:
    code = world.app.paper_code(paper.id)
    doc = Document(io.BytesIO(render_docx(paper, code, URL + code)))
    return doc, {p.text: p for p in paragraphs(doc) if p.text.strip()}


def test_the_cell_resolution_reads_back_with_the_recorded_vote_and_the_party_layout(
    world: World,
) -> None:
    paper = issue(voted_case(world))
    doc, lines = read(world, paper)
    section = doc.sections[0]  # type: ignore[attr-defined]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert doc.styles["Normal"].font.name == "Times New Roman"  # type: ignore[attr-defined]
    party = lines["ĐẢNG CỘNG SẢN VIỆT NAM"].runs[0]
    assert party.bold and party.underline
    assert lines["ĐẢNG BỘ XÃ AN BÌNH"]
    assert lines["CHI BỘ THÔN ĐÔNG"].runs[0].bold
    assert "Số 1-NQ/CB" in lines
    assert lines["An Bình, ngày 05 tháng 12 năm 2025"].runs[0].italic
    assert lines["NGHỊ QUYẾT"].runs[0].bold
    text = "\n".join(lines)
    assert "quần chúng Nguyễn Thị Hoa, sinh ngày 15/03/1995" in text
    assert "Ngày 05/12/2025, Chi bộ thôn Đông họp" in text
    assert "triệu tập: 9 đồng chí; số tán thành: 6 đồng chí (67%); số không tán thành: 1" in text
    for part in ("T/M CHI BỘ", "BÍ THƯ", "Nơi nhận:"):
        assert part in lines
    code = world.app.paper_code(paper.id)
    assert f"Mã xác minh: {code}" in lines
    assert f"Kiểm tra tại: {URL}{code}" in lines
    assert len(doc.inline_shapes) == 1  # type: ignore[attr-defined]
    assert doc.inline_shapes[0].width == Cm(2.5)  # type: ignore[attr-defined]
    assert "{{" not in text and "}}" not in text
    assert text == unicodedata.normalize("NFC", text)  # the diacritics as composed letters


def test_the_admission_decision_reads_back_under_the_committees_number(world: World) -> None:
    case = voted_case(world)
    case.committee_vote()
    case.decide(on=date(2026, 1, 20))
    paper = issue(case, PaperKind.admission_decision, date(2026, 1, 20))
    _, lines = read(world, paper)
    text = "\n".join(lines)
    assert "Số 1-QĐ/ĐU" in lines
    assert "An Bình, ngày 20 tháng 01 năm 2026" in lines
    assert lines["QUYẾT ĐỊNH"].runs[0].bold
    assert "BAN THƯỜNG VỤ ĐẢNG ỦY XÃ AN BÌNH" in lines
    assert "Điều 1. Kết nạp quần chúng Nguyễn Thị Hoa, sinh ngày 15/03/1995" in text
    assert "ngày 15/12/2025 đề nghị kết nạp" in text
    assert "T/M BAN THƯỜNG VỤ" in lines


def test_the_date_line_writes_small_days_and_the_first_months_with_a_zero() -> None:
    assert place_date("Tân An", date(2025, 11, 20)) == "Tân An, ngày 20 tháng 11 năm 2025"
    assert place_date("Tân An", date(2026, 2, 3)) == "Tân An, ngày 03 tháng 02 năm 2026"
    assert place_date("Tân An", date(2026, 3, 9)) == "Tân An, ngày 09 tháng 3 năm 2026"


def test_a_department_s_own_template_is_taken_before_the_default(world: World) -> None:
    """A copy of the default with its wording changed, the tags kept whole."""
    own = Document(str(DEFAULTS / "cell_resolution.docx"))
    title = next(p for p in own.paragraphs if p.text == "NGHỊ QUYẾT")
    title.runs[0].text = "NGHỊ QUYẾT CỦA CHI BỘ"
    adapted = io.BytesIO()
    own.save(adapted)
    paper = issue(voted_case(world))
    code = world.app.paper_code(paper.id)
    doc = Document(io.BytesIO(render_docx(paper, code, URL + code, adapted.getvalue())))
    texts = [p.text for p in paragraphs(doc)]
    assert "NGHỊ QUYẾT CỦA CHI BỘ" in texts and "NGHỊ QUYẾT" not in texts
    assert "Số 1-NQ/CB" in texts

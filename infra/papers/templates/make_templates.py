"""Builds the default paper templates beside this script (docs/documents.md), so they can be
made again and compared: `python infra/papers/templates/make_templates.py`.

Layout after Hướng dẫn 36-HD/VPTW (2018): A4, Times New Roman; top left the superior body and
the issuing body (bold capitals, a star), "Số …"; top right "ĐẢNG CỘNG SẢN VIỆT NAM" (bold,
underlined) and the place and date in italics; the kind in bold capitals with its summary; the
content; the signatory's authority and title; "Nơi nhận"; the verification code and its QR
code. The words between {{ }} are filled by infra/papers/render.py (docxtpl, Jinja)."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as Doc
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).parent
FONT = "Times New Roman"
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY


def line(
    where: _Cell | Doc,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: int = 14,
    align: WD_ALIGN_PARAGRAPH | None = CENTER,
) -> Paragraph:
    """One paragraph of one run (a Jinja tag must not be split across runs)."""
    p = where.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    return p


def document() -> Doc:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Vietnamese text keeps the font
    return doc


def heading(doc: Doc) -> None:
    """The two columns at the top: the issuing body and the Party's name."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    line(left, "{{ superior_upper }}", size=13)
    line(left, "{{ issuer_upper }}", bold=True, size=13)
    line(left, "*", size=13)
    line(left, "Số {{ number_symbol }}", size=13)
    right.paragraphs[0].text = ""
    line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    line(right, "")
    line(right, "{{ place_date }}", italic=True)


def closing(doc: Doc, authority: str, recipients: list[str]) -> None:
    """Recipients on the left, the signatory on the right, then the verification."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    line(left, "Nơi nhận:", bold=True, underline=True, size=12, align=None)
    for recipient in recipients:
        line(left, f"- {recipient}", size=12, align=None)
    line(left, "- Lưu.", size=12, align=None)
    right.paragraphs[0].text = ""
    line(right, authority, bold=True)
    line(right, "{{ signatory_title }}", bold=True)
    doc.add_paragraph()
    line(doc, "Mã xác minh: {{ code }}", size=11, align=None)
    line(doc, "Kiểm tra tại: {{ verify_url }}", size=11, align=None)
    line(doc, "{{ qr }}", align=None)


def opening(kind: str, summary: str) -> Doc:
    """A paper's first lines: the heading, the kind in bold capitals and its summary."""
    doc = document()
    heading(doc)
    doc.add_paragraph()
    line(doc, kind, bold=True, size=15)
    line(doc, summary, bold=True)
    line(doc, "-----")
    return doc


def body(doc: Doc, text: str) -> None:
    p = line(doc, text, align=JUSTIFY)
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.space_after = Pt(6)


def cell_resolution() -> Doc:
    doc = opening("NGHỊ QUYẾT", "Đề nghị kết nạp quần chúng {{ applicant_name }} vào Đảng")
    body(
        doc,
        "Ngày {{ vote_date }}, {{ issuer }} họp xét đề nghị kết nạp quần chúng "
        "{{ applicant_name }}, sinh ngày {{ birth_date }}, vào Đảng Cộng sản Việt Nam.",
    )
    body(
        doc,
        "Tổng số đảng viên chính thức của chi bộ được triệu tập: {{ on_roll }} đồng chí; "
        "số tán thành: {{ votes_for }} đồng chí ({{ percent }}%); "
        "số không tán thành: {{ votes_against }} đồng chí.",
    )
    body(
        doc,
        "Chi bộ quyết nghị: đề nghị {{ superior }} xem xét, kết nạp quần chúng "
        "{{ applicant_name }} vào Đảng Cộng sản Việt Nam.",
    )
    closing(doc, "T/M CHI BỘ", ["{{ superior }}", "Quần chúng {{ applicant_name }}"])
    return doc


def admission_decision() -> Doc:
    doc = opening("QUYẾT ĐỊNH", "Kết nạp đảng viên")
    line(doc, "BAN THƯỜNG VỤ {{ issuer_upper }}", bold=True)
    body(doc, "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;")
    body(
        doc,
        "- Xét nghị quyết của {{ cell_name }} ngày {{ vote_date }} và của {{ grassroots_name }} "
        "ngày {{ committee_date }} đề nghị kết nạp quần chúng {{ applicant_name }} vào Đảng,",
    )
    line(doc, "QUYẾT ĐỊNH", bold=True)
    body(
        doc,
        "Điều 1. Kết nạp quần chúng {{ applicant_name }}, sinh ngày {{ birth_date }}, vào "
        "Đảng Cộng sản Việt Nam; sinh hoạt tại {{ cell_name }}.",
    )
    body(
        doc,
        "Điều 2. {{ cell_name }} tổ chức lễ kết nạp theo quy định và giúp đỡ đảng viên "
        "trong thời gian dự bị.",
    )
    body(
        doc,
        "Điều 3. {{ grassroots_name }}, {{ cell_name }} và đồng chí có tên tại Điều 1 thi hành "
        "quyết định này.",
    )
    closing(doc, "T/M BAN THƯỜNG VỤ", ["Như Điều 3", "{{ superior }}"])
    return doc


def table_of_rows(
    doc: Doc, header: list[str], loop: str, cells: list[str], widths: list[float]
) -> None:
    """A bordered table: a header row, then one row per item (docxtpl's `{%tr for %}` and
    `{%tr endfor %}` rows are removed when it renders, the middle row repeated); `widths`
    in cm (16 in all: the text's width on A4)."""
    table = doc.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    rows = table.rows
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads
        for cell in column.cells:
            cell.width = Cm(width)  # each cell, which Word reads
    for cell, text in zip(rows[0].cells, header, strict=True):
        cell.paragraphs[0].text = ""
        cell.paragraphs[0].add_run(text).bold = True
    rows[1].cells[0].paragraphs[0].text = f"{{%tr for {loop} %}}"
    for cell, text in zip(rows[2].cells, cells, strict=True):
        cell.paragraphs[0].text = text
    rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    for row in rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(13)


# --- papers about an organization (issue 16) ------------------------------------------------


def dissolution_decision() -> Doc:
    doc = opening("QUYẾT ĐỊNH", "Về việc giải thể {{ cell_name }}")
    line(doc, "BAN THƯỜNG VỤ {{ issuer_upper }}", bold=True)
    body(doc, "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;")
    body(doc, "- Căn cứ quy định, hướng dẫn của cấp trên về tổ chức cơ sở đảng;")
    body(doc, "- Xét đề nghị của Ban Tổ chức,")
    line(doc, "QUYẾT ĐỊNH", bold=True)
    body(
        doc,
        "Điều 1. Giải thể {{ cell_name }} trực thuộc {{ issuer }} kể từ ngày {{ dissolved_date }}.",
    )
    body(
        doc,
        "Điều 2. Chuyển sinh hoạt đảng của {{ moves_count }} đảng viên thuộc {{ cell_name }} "
        "về các chi bộ theo danh sách sau:",
    )
    table_of_rows(
        doc,
        ["TT", "Họ và tên đảng viên", "Chuyển đến chi bộ", "Ngày chuyển"],
        "m in moves",
        ["{{ m.index }}", "{{ m.member_name }}", "{{ m.to_cell }}", "{{ m.moved_on }}"],
        [1.2, 5.6, 5.9, 3.3],
    )
    body(
        doc,
        "Điều 3. Ban Tổ chức, Văn phòng {{ issuer }}, các chi bộ có tên tại Điều 2 và các "
        "đồng chí đảng viên có tên trong danh sách thi hành quyết định này.",
    )
    closing(doc, "T/M BAN THƯỜNG VỤ", ["Như Điều 3", "{{ superior }}"])
    return doc


def quota_report() -> Doc:
    doc = opening("BÁO CÁO", "Kết quả công tác kết nạp đảng viên năm {{ year }}")
    body(
        doc,
        "Năm {{ year }}, chỉ tiêu kết nạp đảng viên của {{ unit_name }}: {{ target }}. "
        "Tính đến ngày {{ counted_until }}: đã có quyết định kết nạp {{ decided }} quần chúng; "
        "đã tổ chức lễ kết nạp cho {{ admitted }} đảng viên mới, đạt {{ percent }} chỉ tiêu; "
        "đã công nhận đảng viên chính thức {{ recognized }} đồng chí.",
    )
    body(doc, "1. Kết quả theo quý:")
    table_of_rows(
        doc,
        ["Quý", "Quyết định kết nạp", "Lễ kết nạp", "Công nhận chính thức"],
        "q in quarters",
        ["{{ q.name }}", "{{ q.decided }}", "{{ q.admitted }}", "{{ q.recognized }}"],
        [3.1, 4.3, 4.3, 4.3],
    )
    body(doc, "2. Trong số đảng viên mới được kết nạp:")
    table_of_rows(
        doc,
        ["Thành phần", "Số lượng"],
        "b in breakdowns",
        ["{{ b.name }}", "{{ b.count }}"],
        [12.0, 4.0],
    )
    closing(doc, "{{ authority }}", ["{{ superior }}"])
    return doc


def hops_table(doc: Doc) -> None:
    """A box per hop of the letter as recorded (docxtpl repeats the row between `{%tr %}`),
    and an empty one for the next level to fill by hand."""
    table = doc.add_table(rows=5, cols=4)
    table.style = "Table Grid"
    header, opening, row, closing_row, blank = table.rows
    for cell, text in zip(header.cells, ("Nơi chuyển", "Nơi nhận", "Số giấy", "Ngày"), strict=True):
        cell.paragraphs[0].text = ""
        line(cell, text, bold=True, size=12)
        cell._element.remove(cell.paragraphs[0]._element)
    opening.cells[0].paragraphs[0].text = "{%tr for hop in hops %}"
    for cell, tag in zip(
        row.cells,
        ("{{ hop.from_name }}", "{{ hop.to_name }}", "{{ hop.letter_no }}", "{{ hop.on }}"),
        strict=True,
    ):
        cell.paragraphs[0].text = ""
        line(cell, tag, size=12, align=None)
        cell._element.remove(cell.paragraphs[0]._element)
    closing_row.cells[0].paragraphs[0].text = "{%tr endfor %}"
    for cell in blank.cells:
        cell.paragraphs[0].text = ""
        line(cell, "", size=12)
        cell._element.remove(cell.paragraphs[0]._element)


def transfer_letter() -> Doc:
    doc = opening("GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", "(Chuyển sinh hoạt đảng {{ kind_text }})")
    body(
        doc,
        "{{ issuer }} trân trọng giới thiệu đồng chí {{ member_name }}, sinh ngày "
        "{{ birth_date }}, vào Đảng ngày {{ joined_on }}, đang sinh hoạt tại "
        "{{ from_cell_name }}, {{ grassroots_name }}.",
    )
    body(doc, "{%p if probationary %}")
    body(doc, "Đồng chí là đảng viên dự bị; thời gian dự bị đến ngày {{ probation_ends }}.")
    body(doc, "{%p else %}")
    body(doc, "Đồng chí là đảng viên chính thức từ ngày {{ full_from }}.")
    body(doc, "{%p endif %}")
    body(
        doc,
        "Được chuyển sinh hoạt đảng {{ kind_text }} đến {{ destination_name }}"
        "{% if to_cell_name %}, sinh hoạt tại {{ to_cell_name }}{% endif %}. "
        "Lý do: {{ reason_text }} (từ ngày {{ trigger_date }}).",
    )
    body(doc, "{%p if returns_on %}")
    body(doc, "Thời gian sinh hoạt tạm thời đến ngày {{ returns_on }}.")
    body(doc, "{%p endif %}")
    body(doc, "{%p if start_due %}")
    body(doc, "Hạn hoàn thành thủ tục chuyển sinh hoạt đảng: ngày {{ start_due }}.")
    body(doc, "{%p endif %}")
    body(
        doc,
        "Đồng chí {{ member_name }} xuất trình giấy giới thiệu này với cấp ủy nơi đến chậm "
        "nhất ngày {{ present_due }}. Đề nghị các cấp ủy tiếp nhận, kiểm tra mã xác minh và "
        "giới thiệu đồng chí đến sinh hoạt đảng theo quy định.",
    )
    body(doc, "{%p if portal_reference %}")
    body(doc, "Số hồ sơ trên Cổng dịch vụ công quốc gia: {{ portal_reference }}.")
    body(doc, "{%p endif %}")
    line(doc, "Các cấp chuyển giấy giới thiệu", bold=True, size=13, align=None)
    hops_table(doc)
    closing(
        doc,
        "{% if by_cell %}T/M CHI BỘ{% else %}T/M ĐẢNG ỦY{% endif %}",
        ["{{ destination_name }}", "Đồng chí {{ member_name }}"],
    )
    return doc


def grassroots_resolution() -> Doc:
    """The grassroots committee's resolution proposing the admission (issue 16)."""
    doc = opening("NGHỊ QUYẾT", "Đề nghị kết nạp quần chúng {{ applicant_name }} vào Đảng")
    body(
        doc,
        "Ngày {{ committee_date }}, {{ issuer }} họp xét {{ cell_resolution_ref }} đề nghị kết "
        "nạp quần chúng {{ applicant_name }}, sinh ngày {{ birth_date }}, vào Đảng Cộng sản "
        "Việt Nam.",
    )
    body(
        doc,
        "Tổng số cấp ủy viên: {{ committee_size }} đồng chí; số tán thành: {{ committee_for }} "
        "đồng chí ({{ committee_percent }}%); số không tán thành: {{ committee_against }} "
        "đồng chí.",
    )
    body(
        doc,
        "Đảng ủy quyết nghị: đề nghị {{ deciding }} xem xét, quyết định kết nạp quần chúng "
        "{{ applicant_name }} vào Đảng Cộng sản Việt Nam.",
    )
    closing(doc, "T/M ĐẢNG ỦY", ["{{ deciding }}", "{{ cell_name }}"])
    return doc


def recognition_decision() -> Doc:
    """The decision recognising full membership (issue 16)."""
    doc = opening("QUYẾT ĐỊNH", "Công nhận đảng viên chính thức")
    line(doc, "BAN THƯỜNG VỤ {{ issuer_upper }}", bold=True)
    body(doc, "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;")
    body(doc, "- {{ review_ref }},")
    line(doc, "QUYẾT ĐỊNH", bold=True)
    body(
        doc,
        "Điều 1. Công nhận đồng chí {{ member_name }}, sinh ngày {{ birth_date }}, vào Đảng "
        "ngày {{ admitted_on }}, sinh hoạt tại {{ cell_name }}, là đảng viên chính thức của "
        "Đảng Cộng sản Việt Nam kể từ ngày {{ full_from }}.",
    )
    body(
        doc,
        "Điều 2. {{ grassroots_name }}, {{ cell_name }} và đồng chí có tên tại Điều 1 thi hành "
        "quyết định này.",
    )
    closing(doc, "T/M BAN THƯỜNG VỤ", ["Như Điều 2", "{{ superior }}"])
    return doc


TEMPLATES = {
    "cell_resolution": cell_resolution,
    "admission_decision": admission_decision,
    "dissolution_decision": dissolution_decision,
    "quota_report": quota_report,
    "transfer_letter": transfer_letter,  # issue 16
    "grassroots_resolution": grassroots_resolution,
    "recognition_decision": recognition_decision,
}


def main() -> None:
    for name, make in TEMPLATES.items():
        make().save(str(HERE / f"{name}.docx"))


if __name__ == "__main__":
    main()

"""The printable PDF of a paper is its DOCX converted by the real LibreOffice (installed by
`make test`): the text reads back with every diacritic, the page is A4, the serif face of
Times New Roman's metrics is embedded, conversions run side by side, and nothing of the paper
is left in a file afterwards."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.shared import Mm, Pt
from pypdf import PdfReader

from infra.papers import pdf
from infra.papers.pdf import ConversionFailed, docx_to_pdf

HEADING = "ĐẢNG CỘNG SẢN VIỆT NAM"
PLACE_AND_DATE = "Tân An, ngày 20 tháng 11 năm 2025"
BODY = "Kết nạp quần chúng Nguyễn Thị Hằng, Đặng Hữu Ước vào Đảng Cộng sản Việt Nam"


def a4_docx(body: str = BODY) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    heading = document.add_paragraph().add_run(HEADING)
    heading.bold, heading.font.name, heading.font.size = True, "Times New Roman", Pt(15)
    date_line = document.add_paragraph().add_run(PLACE_AND_DATE)
    date_line.italic, date_line.font.name = True, "Times New Roman"
    text = document.add_paragraph().add_run(body)
    text.font.name, text.font.size = "Times New Roman", Pt(14)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def left_behind() -> set[Path]:
    root = Path(pdf.scratch_root() or "/tmp")
    return set(root.glob(pdf.PREFIX + "*"))


@pytest.fixture
def nothing_left() -> Iterator[None]:
    before = left_behind()
    yield
    assert left_behind() == before, "a conversion left the paper in a file"


def words(text: str) -> str:
    """The text whatever its line breaks."""
    return " ".join(text.split())


def fonts_of(reader: PdfReader) -> set[str]:
    resources: Any = reader.pages[0]["/Resources"]
    return {str(f.get_object()["/BaseFont"]) for f in resources["/Font"].values()}


def test_a_vietnamese_paper_reads_back_with_every_diacritic_on_an_a4_page(
    nothing_left: None,
) -> None:
    reader = PdfReader(io.BytesIO(docx_to_pdf(a4_docx())))
    text = words(reader.pages[0].extract_text())
    for line in (HEADING, PLACE_AND_DATE, "Nguyễn Thị Hằng", "Đặng Hữu Ước"):
        assert line in text
    page = reader.pages[0].mediabox
    assert (round(float(page.width)), round(float(page.height))) == (595, 842)  # A4 in points


def test_times_new_roman_is_set_in_the_liberation_serif_of_its_metrics_embedded() -> None:
    reader = PdfReader(io.BytesIO(docx_to_pdf(a4_docx())))
    assert any("LiberationSerif" in f for f in fonts_of(reader)), fonts_of(reader)


def test_conversions_side_by_side_each_give_their_own_paper(nothing_left: None) -> None:
    bodies = [f"{BODY} — bản {n}" for n in range(3)]
    with ThreadPoolExecutor(3) as pool:
        pdfs = list(pool.map(lambda b: docx_to_pdf(a4_docx(b)), bodies))
    for body, made in zip(bodies, pdfs, strict=True):
        assert body in words(PdfReader(io.BytesIO(made)).pages[0].extract_text())


def test_bytes_that_are_no_document_fail_clearly_and_leave_nothing(nothing_left: None) -> None:
    with pytest.raises(ConversionFailed, match="not a DOCX"):
        docx_to_pdf(b"not a document")  # LibreOffice itself would print it as plain text
    with pytest.raises(ConversionFailed, match="not a DOCX"):
        docx_to_pdf(a4_docx()[:200])  # a package cut short


def test_without_libreoffice_the_conversion_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ConversionFailed, match="ensure-libreoffice"):
        docx_to_pdf(a4_docx())

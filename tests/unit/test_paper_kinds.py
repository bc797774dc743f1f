"""A kind of paper is declared in a few tables, each in its layer; these tests name what a new
kind still lacks, and render each kind's sample with its default template."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from domain.paper import FORMS, PaperKind
from domain.services.papers import STATEMENTS
from infra.api.papers import COMMAND
from infra.papers.render import DEFAULTS, KIND_CONTEXT, render_docx
from infra.papers.samples import SAMPLES
from infra.web.i18n import CATALOG

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("kind", list(PaperKind))
def test_each_kind_of_paper_has_its_form_statement_tags_command_sample_label_and_picture(
    kind: PaperKind,
) -> None:
    missing = [
        table
        for table, holds in (
            ("FORMS (domain/paper.py)", kind in FORMS),
            ("STATEMENTS (domain/services/papers.py)", kind in STATEMENTS),
            ("KIND_CONTEXT (infra/papers/render.py)", kind in KIND_CONTEXT),
            ("COMMAND (infra/api/papers.py)", kind in COMMAND),
            ("SAMPLES (infra/papers/samples.py)", kind in SAMPLES),
            ("a default template", (DEFAULTS / f"{kind}.docx").is_file()),
            ("a label (infra/web/i18n.py)", f"enum.{kind}" in CATALOG),
            ("a picture (scripts/paper-pictures)", (DOCS / "papers" / f"{kind}.png").is_file()),
            (
                "a line in docs/documents.md",
                f"papers/{kind}.png" in (DOCS / "documents.md").read_text(),
            ),
        )
        if not holds
    ]
    assert missing == []


def text_of(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("kind", list(PaperKind))
def test_each_kinds_sample_renders_every_tag_of_its_default_template(kind: PaperKind) -> None:
    sample = SAMPLES[kind]
    text = text_of(
        render_docx(sample, "7KQM-2XRA-9DHT", "https://example.vn/verify/7KQM-2XRA-9DHT")
    )
    assert "{{" not in text and "{%" not in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert f"Số {sample.symbol}" in text
    assert sample.facts["issuer_name"].upper() in text
    assert re.search(rf"{sample.place}, ngày \d\d tháng \d+ năm {sample.issued_on.year}", text)
    assert "Mã xác minh: 7KQM-2XRA-9DHT" in text

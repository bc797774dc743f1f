"""A burst of papers issued at once on PostgreSQL, each writer an application of its own (as the
API's replicas and the worker are): the issuing body's register gives distinct consecutive
numbers, the conflicting saves retried (docs/documents.md, "Numbers and registers")."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from datetime import date
from uuid import UUID, uuid4

import pytest
from docx import Document

from domain.application import NAMESPACE, Dangvien
from domain.paper import Paper, PaperKind, Register, register_id
from infra.papers.adaptation import MAX_BYTES, check_template, default_bytes
from infra.settings import Settings
from tests.builders import build_world, ctx
from tests.integration.conftest import AppFactory
from tests.unit.test_admission import open_case

VOTED = date(2025, 12, 5)
WRITERS = 6


@pytest.mark.parametrize(
    "settings", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_writers_of_their_own_issuing_at_once_get_consecutive_numbers(
    app: Dangvien, open_app: AppFactory, settings: Settings
) -> None:
    world = build_world(app)
    cases = []
    for _ in range(WRITERS):
        case = open_case(world)
        case.dossier()
        case.cell_vote(on=VOTED)
        cases.append(case.case_id)
    writers = [open_app(settings) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def issue(writer: Dangvien, case_id: UUID) -> None:
        try:
            start.wait()
            paper_id = writer.issue_paper(
                ctx(),
                paper_id=uuid4(),
                subject_id=case_id,
                kind=PaperKind.cell_resolution,
                on=VOTED,
            )
            numbers.append(writer.load(Paper, paper_id).number)
        except BaseException as error:  # a thread's failure is the test's
            errors.append(error)

    threads = [
        threading.Thread(target=issue, args=(w, c)) for w, c in zip(writers, cases, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, WRITERS + 1))
    register = app.load(Register, register_id(NAMESPACE, world.cell, "NQ", 2025))
    assert sorted(register.taken) == list(range(1, WRITERS + 1))


@pytest.mark.parametrize(
    "settings", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_template_near_the_size_limit_is_kept_whole_and_fixed_on_the_paper_on_postgres(
    app: Dangvien, open_app: AppFactory, settings: Settings
) -> None:
    """A DOCX of almost 1 MB (an incompressible picture inside) stored in the event store,
    chained like every event, read back byte for byte by another application."""
    world = build_world(app)
    doc = Document(io.BytesIO(default_bytes(PaperKind.cell_resolution)))
    doc.add_paragraph("Mẫu của chi bộ")
    out = io.BytesIO()
    doc.save(out)
    with zipfile.ZipFile(out, "a") as package:  # an incompressible part beside the document
        package.writestr("word/media/noise.bin", os.urandom(MAX_BYTES - 120_000))
    content = out.getvalue()
    assert MAX_BYTES - 150_000 < len(content) <= MAX_BYTES
    check_template(PaperKind.cell_resolution, content)
    app.adopt_template(
        ctx(), org_id=world.cell, kind=PaperKind.cell_resolution, content=content, on=VOTED
    )
    case = open_case(world)
    case.dossier()
    case.cell_vote(on=VOTED)
    paper_id = app.issue_paper(
        ctx(), paper_id=uuid4(), subject_id=case.case_id, kind=PaperKind.cell_resolution, on=VOTED
    )
    other = open_app(settings)
    assert other.paper_template(paper_id) == content
    choice = other.template_choice(paper_id)
    assert choice is not None and choice.sha256 == hashlib.sha256(content).hexdigest()

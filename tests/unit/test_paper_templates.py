"""A department's own paper templates (domain/paper_template.py, infra/papers/adaptation.py):
each upload a new version, the nearest organization's version in force, fixed on a paper when
it is issued, rolled back as a new version; a broken template refused before anything is
written. Papers are read back with python-docx."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest
from docx import Document

from domain.errors import RuleViolation
from domain.paper import Paper, PaperKind
from domain.services.store import Store
from domain.values import Role
from infra.papers.adaptation import check_template, default_bytes, tags_of
from infra.papers.render import render_docx
from tests.builders import World, ctx
from tests.unit.test_paper_docx import URL, paragraphs
from tests.unit.test_papers import VOTED, issue, voted_case

KIND = PaperKind.cell_resolution


def worded(title: str, extra: str | None = None) -> bytes:
    """The default resolution with its title reworded (and a paragraph added)."""
    doc = Document(io.BytesIO(default_bytes(KIND)))
    heading = next(p for p in doc.paragraphs if p.text == "NGHỊ QUYẾT")
    heading.runs[0].text = title
    if extra is not None:
        doc.add_paragraph(extra)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def adopt(world: World, org: UUID, content: bytes) -> int:
    check_template(KIND, content)
    return world.app.adopt_template(
        ctx(Role.org_department_officer), org_id=org, kind=KIND, content=content, on=VOTED
    )


def texts(world: World, paper: Paper) -> list[str]:
    code = world.app.paper_code(paper.id)
    template = world.app.paper_template(paper.id)
    doc = Document(io.BytesIO(render_docx(paper, code, URL + code, template)))
    return [p.text for p in paragraphs(doc)]


def test_a_paper_issued_after_an_upload_reads_with_the_department_s_wording(
    world: World,
) -> None:
    content = worded("NGHỊ QUYẾT CỦA CHI BỘ THÔN ĐÔNG")
    assert adopt(world, world.cell, content) == 1
    paper = issue(voted_case(world))
    shown = texts(world, paper)
    assert "NGHỊ QUYẾT CỦA CHI BỘ THÔN ĐÔNG" in shown and "NGHỊ QUYẾT" not in shown
    assert "Số 1-NQ/CB" in shown  # the tags are filled as in the default
    choice = world.app.template_choice(paper.id)
    assert choice is not None
    assert (choice.owner_id, choice.template_version) == (world.cell, 1)
    assert choice.sha256 == hashlib.sha256(content).hexdigest()


def test_a_cell_without_its_own_template_takes_the_nearest_committee_s(world: World) -> None:
    adopt(world, world.commune, worded("NGHỊ QUYẾT (MẪU CỦA XÃ)"))
    adopt(world, world.grassroots, worded("NGHỊ QUYẾT (MẪU CỦA ĐẢNG BỘ)"))
    found = world.app.template_in_force(world.cell, KIND, VOTED)
    assert found.owner_id == world.grassroots
    paper = issue(voted_case(world))
    assert "NGHỊ QUYẾT (MẪU CỦA ĐẢNG BỘ)" in texts(world, paper)
    # a unit of another grassroots organization under the same commune takes the commune's
    far = world.app.template_in_force(world.far_cell, KIND, VOTED)
    assert far.owner_id == world.commune
    # and the other kind of paper, which nobody adapted, the default
    decision = world.app.template_in_force(world.cell, PaperKind.admission_decision, VOTED)
    assert decision.owner_id is None


def test_an_issued_paper_keeps_the_template_it_was_issued_with(world: World) -> None:
    adopt(world, world.cell, worded("NGHỊ QUYẾT BẢN MỘT"))
    first = issue(voted_case(world))
    adopt(world, world.cell, worded("NGHỊ QUYẾT BẢN HAI"))
    second = issue(voted_case(world))
    assert "NGHỊ QUYẾT BẢN MỘT" in texts(world, first)
    assert "NGHỊ QUYẾT BẢN HAI" in texts(world, second)
    shelf = world.app.template_shelf(world.cell, KIND)
    assert shelf is not None
    assert [v.version for v in shelf.versions] == [1, 2]  # the first is kept, not overwritten
    assert shelf.versions[0].adopted_by.role is Role.org_department_officer


def test_a_paper_issued_before_templates_were_recorded_uses_the_default(world: World) -> None:
    """A paper as issue 16's first part wrote it: no template recorded with it."""
    issued = issue(voted_case(world))
    old = Paper(
        id=uuid4(),
        kind=KIND,
        case_id=issued.case_id,
        org_id=world.cell,
        year=2025,
        number=7,
        symbol="7-NQ/CB",
        place=issued.place,
        signatory_title="BÍ THƯ",
        facts=issued.facts,
        replaces=None,
        stamp=Store.stamp(ctx(), VOTED),
    )
    world.app.save(old)
    adopt(world, world.cell, worded("NGHỊ QUYẾT MỚI"))
    assert world.app.template_choice(old.id) is None
    assert world.app.paper_template(old.id) is None
    shown = texts(world, old)
    assert "NGHỊ QUYẾT" in shown and "NGHỊ QUYẾT MỚI" not in shown


def test_a_roll_back_adopts_an_earlier_version_again_as_a_new_one(world: World) -> None:
    first = worded("NGHỊ QUYẾT BẢN MỘT")
    adopt(world, world.cell, first)
    adopt(world, world.cell, worded("NGHỊ QUYẾT BẢN HAI"))
    restored = world.app.restore_template(ctx(), org_id=world.cell, kind=KIND, version=1, on=VOTED)
    assert restored == 3
    shelf = world.app.template_shelf(world.cell, KIND)
    assert shelf is not None and shelf.latest is not None
    assert (shelf.latest.restores, shelf.latest.sha256) == (1, hashlib.sha256(first).hexdigest())
    assert "NGHỊ QUYẾT BẢN MỘT" in texts(world, issue(voted_case(world)))
    with pytest.raises(RuleViolation) as refused:
        world.app.restore_template(ctx(), org_id=world.cell, kind=KIND, version=9, on=VOTED)
    assert refused.value.rule_id == "PAPER-TEMPLATE"


def test_the_same_upload_command_again_makes_no_second_version(world: World) -> None:
    again = ctx(key="upload-once")
    content = worded("NGHỊ QUYẾT")
    for _ in range(2):
        world.app.adopt_template(again, org_id=world.cell, kind=KIND, content=content, on=VOTED)
    shelf = world.app.template_shelf(world.cell, KIND)
    assert shelf is not None and len(shelf.versions) == 1


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"", "empty"),
        (b"not a word file", "not a Word document"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a Word document"),
        (worded("NGHỊ QUYẾT", "Kính gửi {{ ho_ten_chu_tich }}"), "ho_ten_chu_tich"),
        (worded("NGHỊ QUYẾT", "Ngày {{ vote_date "), "malformed"),
        (worded("NGHỊ QUYẾT", "{% if votes_for %}tán thành"), "malformed"),
        (worded("NGHỊ QUYẾT", "{{ applicant_name|khong_co }}"), "malformed"),
        (worded("NGHỊ QUYẾT", "{{ ''.__class__.__mro__ }}"), "cannot be filled in"),
        (b"PK" + b"x" * (1024 * 1024), "larger than 1 MB"),
    ],
)
def test_a_broken_template_is_refused_naming_the_problem(content: bytes, named: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_template(KIND, content)
    assert refused.value.rule_id == "PAPER-TEMPLATE"
    assert named in refused.value.en
    assert refused.value.vi and refused.value.vi != refused.value.en


def test_the_tags_of_a_kind_are_those_of_its_default_template() -> None:
    tags = tags_of(KIND)
    assert {"applicant_name", "number_symbol", "place_date", "code", "qr"} <= set(tags)
    for kind in PaperKind:
        check_template(kind, default_bytes(kind))  # every default passes its own check


def test_uploads_at_the_same_moment_each_get_their_own_version(world: World) -> None:
    contents = [worded(f"NGHỊ QUYẾT BẢN {n}") for n in range(5)]

    def upload(content: bytes) -> int:  # each checked like the others above
        return world.app.adopt_template(
            ctx(), org_id=world.cell, kind=KIND, content=content, on=VOTED
        )

    with ThreadPoolExecutor(max_workers=5) as pool:
        numbers = list(pool.map(upload, contents))
    assert sorted(numbers) == [1, 2, 3, 4, 5]
    shelf = world.app.template_shelf(world.cell, KIND)
    assert shelf is not None
    by_number = {v.version: v.sha256 for v in shelf.versions}
    for number, content in zip(numbers, contents, strict=True):
        assert by_number[number] == hashlib.sha256(content).hexdigest()
        assert world.app.template_bytes(shelf.versions[number - 1].file_id) == content

"""The docs explain the code that exists: every module docs/architecture.md names is in the
tree, no comment of the code points outside the repository, and docs/rules.md shows each rule's
confidence and every reading with its setting as the code has them."""

from __future__ import annotations

import re
from pathlib import Path

from domain import policy

ROOT = Path(__file__).parents[2]


def test_every_module_the_architecture_names_exists() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+(?:/[a-z_.]+)+)`", text)) | set(
        re.findall(r"\b((?:domain|workflows|projections|infra)/[a-z_/]+\.py)\b", text)
    )
    assert len(named) > 20
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []


def test_no_comment_points_at_a_file_outside_the_repository() -> None:
    outside = re.compile(r"\b(DOMAIN|DESIGN)\.md\b")
    found = [
        str(path.relative_to(ROOT))
        for folder in ("domain", "workflows", "projections", "infra", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if outside.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def table_rows(section: str) -> list[list[str]]:
    """The rows of the first table under `## {section}` in docs/rules.md, as cells."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert found, section
    lines = [line for line in found.group(1).splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[1:]]


def test_the_rules_page_grades_each_rule_as_the_code_does() -> None:
    grades = {cells[0]: cells[2] for cells in table_rows("Rule ids")}
    expected = {r.id: policy.confidence_label(r, None, "en") for r in policy.RULES.values()}
    assert grades == expected


def test_the_rules_page_lists_every_reading_with_its_setting() -> None:
    listed = {tuple(cells) for cells in table_rows("Readings and settings")}
    in_code = {
        (
            rule.id,
            r.point_en,
            str(r.confidence),
            r.chosen,
            ", ".join(f"`{name}`" for name in r.setting.split(", ")) if r.setting else "—",
        )
        for rule in policy.RULES.values()
        for r in rule.readings
    }
    assert listed == in_code

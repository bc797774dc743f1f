"""The docs explain the code that exists: every module docs/architecture.md names is in the
tree, and no comment of the code points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

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

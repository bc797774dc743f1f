"""The search attributes of every process: stage, deadline, escalation level, organization —
never a name or a citizen ID (Temporal stores them unencrypted)."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

STAGE = SearchAttributeKey.for_keyword("DangvienStage")
DEADLINE = SearchAttributeKey.for_datetime("DangvienDeadline")
ESCALATION = SearchAttributeKey.for_int("DangvienEscalation")
ORG = SearchAttributeKey.for_keyword("DangvienOrg")

ALL = (STAGE, DEADLINE, ESCALATION, ORG)


def stalled_query(now_iso: str) -> str:
    """Visibility query of the open processes past their deadline."""
    return f"ExecutionStatus = 'Running' AND DangvienDeadline < '{now_iso}'"

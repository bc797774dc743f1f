"""Today's workflow code replays the committed histories (docs/processes.md): a change that
would break the running cases — a step reordered, an activity added or removed, a timer
changed — fails here, before it reaches a server. Change behaviour behind `workflow.patched()`
and record a new history with `python -m tests.workflows.record_histories <scenario>`."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from infra.temporal import ENCODING, EncryptionCodec
from tests.workflows.conftest import TEST_PAYLOAD_KEY
from workflows.converter import data_converter
from workflows.messages import AdmissionStart, PlanRequest, View
from workflows.processes import AdmissionWorkflow
from workflows.worker import WORKFLOWS

HERE = Path(__file__).parent / "histories"
HISTORIES = sorted(HERE.glob("*.json"))
# The personal data of tests/builders.py and tests/workflows/steps.py: never in clear.
NAMES = ("Nguyễn Thị Hoa", "Nguyễn Văn Ba", "Lê Thị Tư", "Thôn Đông")
CITIZEN_ID = re.compile(rb"0012\d{8}")


def history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))


def workflow_type(path: Path) -> str:
    started = history(path).events[0].workflow_execution_started_event_attributes
    return started.workflow_type.name


def replayer(*workflows: type) -> Replayer:
    return Replayer(
        workflows=list(workflows or WORKFLOWS),
        data_converter=data_converter(EncryptionCodec(TEST_PAYLOAD_KEY)),
    )


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_todays_code_replays_the_committed_history(path: Path) -> None:
    result = await replayer().replay_workflow(history(path))
    assert result.replay_failure is None


def test_every_workflow_has_at_least_one_committed_history() -> None:
    recorded = {workflow_type(p) for p in HISTORIES}
    assert {cls.__name__ for cls in WORKFLOWS} <= recorded


def test_the_admission_history_carries_its_continuation_into_probation() -> None:
    """Both runs of one admission case are recorded: the first ends by continuing as new."""
    events = history(HERE / "admission.json").events
    assert events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
    continued = events[-1].workflow_execution_continued_as_new_event_attributes
    assert continued.workflow_type.name == "ProbationWorkflow"
    assert workflow_type(HERE / "probation.json") == "ProbationWorkflow"


def _payloads(node: Any, under_search_attributes: bool = False) -> Iterator[tuple[dict, bool]]:
    """Every payload of a history's JSON, and whether it is a search attribute's."""
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            yield node, under_search_attributes
        for key, value in node.items():
            yield from _payloads(value, under_search_attributes or key == "searchAttributes")
    elif isinstance(node, list):
        for value in node:
            yield from _payloads(value, under_search_attributes)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
def test_a_committed_history_holds_no_personal_data_in_clear(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    clear: list[bytes] = [s.encode() for s in _strings(raw)]  # failure messages, ids, ...
    payloads = list(_payloads(raw))
    assert payloads
    for payload, is_search_attribute in payloads:
        encoding = base64.b64decode(payload["metadata"].get("encoding", ""))
        if is_search_attribute:  # Temporal indexes these: never encrypted, never personal
            assert encoding == b"json/plain"
        else:
            assert encoding == ENCODING
        clear.append(base64.b64decode(payload.get("data", "")))
    for text in clear:
        for name in NAMES:
            assert name.encode() not in text
        assert CITIZEN_ID.search(text) is None


# --- the replay test can fail: a changed workflow is caught ---------------------------------


async def _view_first(start: AdmissionStart) -> None:
    """The change: read the case's view before opening it (one more activity, first)."""
    await workflow.execute_activity(
        "view",
        PlanRequest(start.case_id, start.on),
        result_type=View,
        start_to_close_timeout=timedelta(seconds=60),
    )


@workflow.defn(name="AdmissionWorkflow", sandboxed=False)
class UnpatchedAdmission(AdmissionWorkflow):
    """A careless change, straight into the code every running case replays."""

    @workflow.run
    async def run(self, start: AdmissionStart) -> View:
        await _view_first(start)
        return await super().run(start)


@workflow.defn(name="AdmissionWorkflow", sandboxed=False)
class PatchedAdmission(AdmissionWorkflow):
    """The same change behind `workflow.patched()`: old histories take the old path."""

    @workflow.run
    async def run(self, start: AdmissionStart) -> View:
        if workflow.patched("view-before-opening"):
            await _view_first(start)
        return await super().run(start)


ADMISSION = HERE / "admission.json"


async def test_a_workflow_changed_without_a_patch_fails_to_replay_the_history() -> None:
    with pytest.raises(workflow.NondeterminismError, match=r"'open_case'.*'view'"):
        await replayer(UnpatchedAdmission).replay_workflow(history(ADMISSION))


async def test_the_same_change_behind_a_patch_replays_the_history() -> None:
    result = await replayer(PatchedAdmission).replay_workflow(history(ADMISSION))
    assert result.replay_failure is None

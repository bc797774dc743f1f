"""Only the API can command: a process carries out a step, an opening or a move only with the
API's signature of exactly those facts for exactly that record (AUTH-PROOF), and the codec
refuses any payload it did not encrypt. Each refusal writes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from uuid import UUID, uuid4

import pytest
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.admission import AdmissionCase
from domain.application import Dangvien
from domain.commands.admission import RecordCertificate
from infra.temporal import EncryptionCodec
from tests.builders import World, ctx, person_data
from tests.workflows.conftest import TEST_PAYLOAD_KEY, instant, travel_to
from tests.workflows.steps import SECRETARY, open_case, signed_act
from workflows.authority import Authority
from workflows.converter import data_converter
from workflows.messages import TASK_QUEUE, Act, ActorRef, AdmissionStart
from workflows.processes import AdmissionWorkflow

ON = date(2029, 12, 3)
ADMIN = ActorRef("intruder", "administrator", SECRETARY.org_id)


def events_of(app: Dangvien, record: UUID) -> int:
    return len(list(app.events.get(record)))


def rule_of(error: BaseException) -> str | None:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ApplicationError) and cause.details:
            details = cause.details[0]
            if isinstance(details, dict) and "rule_id" in details:
                return str(details["rule_id"])
        cause = cause.__cause__
    return None


async def test_an_update_without_the_apis_signature_is_refused_and_writes_nothing(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(ON, time(9)))
    case = await open_case(client, world, ON)
    await case.status()  # opened
    before = events_of(world.app, case.case_id)
    certificate = RecordCertificate(on=ON, number="45/GCN")
    forged = [
        Act(certificate, ADMIN, "forged-1", case.case_id),  # no proof at all
        dataclasses.replace(  # signed with another key
            Authority(b"not the command key").signed(Act(certificate, ADMIN, "f2", case.case_id))
        ),
        dataclasses.replace(  # a real signature, another actor written in afterwards
            signed_act(certificate, case.case_id), actor=ADMIN
        ),
    ]
    for act in forged:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await case.handle.execute_update("act", act)
        assert rule_of(refused.value) == "AUTH-PROOF"
    assert events_of(world.app, case.case_id) == before


async def test_a_signed_step_copied_onto_another_record_is_refused(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(ON, time(9)))
    first = await open_case(client, world, ON)
    second = await open_case(client, world, ON)
    await first.status(), await second.status()
    valid_for_first = signed_act(RecordCertificate(on=ON, number="45/GCN"), first.case_id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await second.handle.execute_update("act", valid_for_first)
    assert rule_of(refused.value) == "AUTH-PROOF"
    assert world.app.load(AdmissionCase, second.case_id).certificate is None
    await first.handle.execute_update("act", valid_for_first)  # where it belongs: accepted
    assert world.app.load(AdmissionCase, first.case_id).certificate is not None


async def test_a_process_opened_without_the_apis_signature_records_nothing(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(ON, time(9)))
    person = world.app.register_person(ctx(), person_data(), ON)
    case_id = uuid4()
    handle = await client.start_workflow(
        AdmissionWorkflow.run,
        AdmissionStart(case_id, person, world.cell, ON, ADMIN),
        id=f"admission-{case_id}",
        task_queue=TASK_QUEUE,
    )
    with pytest.raises(WorkflowFailureError) as refused:  # fails on its opening
        await handle.result()
    assert rule_of(refused.value) == "AUTH-PROOF"
    assert not world.app.exists(case_id)


async def test_a_payload_sent_in_clear_is_refused_before_anything_reads_it(
    env: WorkflowEnvironment, client: Client, world: World
) -> None:
    await travel_to(env, instant(ON, time(9)))
    case = await open_case(client, world, ON)
    await case.status()  # opened
    before = events_of(world.app, case.case_id)
    in_clear = await Client.connect(
        env.client.service_client.config.target_host,
        namespace=env.client.namespace,
        data_converter=data_converter(None),  # as Temporal's own CLI sends it
    )
    act = signed_act(RecordCertificate(on=ON, number="45/GCN"), case.case_id)
    with pytest.raises(WorkflowUpdateFailedError):
        await in_clear.get_workflow_handle(case.workflow_id).execute_update("act", act)
    assert events_of(world.app, case.case_id) == before


async def test_the_codec_reads_only_what_it_encrypted() -> None:
    codec = EncryptionCodec(TEST_PAYLOAD_KEY)
    (clear,) = data_converter(None).payload_converter.to_payloads(["Nguyễn Văn Ba"])
    (refused,) = await codec.decode([clear])
    assert refused.data == b""
    with pytest.raises(KeyError, match="refused"):  # no converter reads it
        data_converter(None).payload_converter.from_payloads([refused], [str])
    (sealed,) = await codec.encode([clear])
    assert await codec.decode([sealed]) == [clear]

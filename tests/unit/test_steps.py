"""A step is declared once, as a class of domain/commands/: the API's bodies, the Temporal
update, the access table, the web's forms, the stages that accept it and its handler are all
read from that class."""

from __future__ import annotations

import dataclasses
import json
import types
from datetime import date
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID, uuid4

import pytest
from annotated_types import Ge, Le, MaxLen
from temporalio.api.common.v1 import Payload

from domain.commands import STEPS, Step, accepted, steps_of
from domain.commands.admission import AssignIntroducer, DeclareBackground, RecordCellVote
from domain.handlers import HANDLERS
from domain.stages import Stage
from domain.values import IntroducerKind, Relationship, Relative
from infra.api.access import LEVEL, USER_ROLE
from infra.api.schemas import ARGS, parse_step
from infra.web.forms import fields_of
from workflows.converter import data_converter
from workflows.messages import Act, ActorRef

KINDS = sorted(STEPS)


def _base(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def sample(annotation: Any) -> Any:
    """A valid value of a step's field, from its type and bounds alone."""
    meta = get_args(annotation)[1:] if get_origin(annotation) is Annotated else ()
    base = _base(annotation)
    if get_origin(base) in (Union, types.UnionType):
        return sample(next(a for a in get_args(base) if a is not type(None)))
    if get_origin(base) is tuple:
        return (sample(get_args(base)[0]),)
    if isinstance(base, type) and dataclasses.is_dataclass(base):
        hints = get_type_hints(base, include_extras=True)
        return base(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(base)})
    if base is bool:
        return True
    if base is int:
        least: int = next((int(m.ge) for m in meta if isinstance(m, Ge)), 1)  # type: ignore[call-overload]
        return max(least, 1)
    if base is str:
        return "r1"
    if base is date:
        return date(2026, 3, 2)
    if base is UUID:
        return uuid4()
    if isinstance(base, type) and issubclass(base, Enum):
        return next(iter(base))
    raise AssertionError(f"no sample for {annotation}")


def example(cls: type[Step]) -> Step:
    hints = get_type_hints(cls, include_extras=True)
    return cls(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)})


def test_every_step_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(STEPS.values())


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_body_of_a_step_is_its_fields(kind: str) -> None:
    cls = STEPS[kind]
    model = ARGS[cls.applies_to][kind]
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "on"}
    assert list(model.model_fields) == list(fields)
    for name, info in model.model_fields.items():
        assert info.is_required() == (fields[name].default is dataclasses.MISSING), name


@pytest.mark.parametrize("kind", KINDS)
def test_the_access_table_reads_the_least_role_of_each_step(kind: str) -> None:
    assert LEVEL[kind] == USER_ROLE[STEPS[kind].least_role]


@pytest.mark.parametrize("kind", KINDS)
def test_the_web_form_of_a_step_has_a_field_per_fact(kind: str) -> None:
    cls = STEPS[kind]
    form = fields_of(cls.applies_to, kind, "vi", {})
    assert [f.name for f in form] == [f.name for f in dataclasses.fields(cls) if f.name != "on"]


def test_the_stages_a_step_declares_are_those_that_accept_it() -> None:
    assert "record_cell_vote" in accepted("admission", Stage.cell_vote)
    assert "record_cell_vote" not in accepted("admission", Stage.comments)
    for stage in Stage:
        expected = sorted(k for k, c in steps_of("admission").items() if stage in c.stages)
        assert accepted("admission", stage) == expected


def test_the_json_schema_carries_the_bounds_declared_on_the_step() -> None:
    vote = ARGS["admission"]["record_cell_vote"].model_json_schema()
    votes = vote["properties"]["votes_for"]
    declared = get_args(get_type_hints(RecordCellVote, include_extras=True)["votes_for"])[1:]
    assert votes["minimum"] == next(m.ge for m in declared if isinstance(m, Ge))
    assert votes["maximum"] == next(m.le for m in declared if isinstance(m, Le))
    background = ARGS["admission"]["declare_background"].model_json_schema()
    relatives = background["properties"]["relatives"]
    limit = get_args(get_type_hints(STEPS["declare_background"], include_extras=True)["relatives"])
    assert relatives["maxItems"] == next(m.max_length for m in limit if isinstance(m, MaxLen))


@pytest.mark.parametrize("kind", KINDS)
def test_a_step_crosses_temporal_as_itself(kind: str) -> None:
    converter = data_converter().payload_converter
    act = Act(example(STEPS[kind]), ActorRef("u", "cell_secretary", uuid4()), "k")
    (payload,) = converter.to_payloads([act])
    assert json.loads(payload.data)["step"]["step"] == kind
    assert converter.from_payloads([payload], [Act]) == [act]


def test_an_update_recorded_before_steps_were_typed_decodes_to_the_same_step() -> None:
    """The histories of running processes hold `{kind, on, actor, args}`."""
    org = uuid4()
    legacy = {
        "kind": "assign_introducer",
        "on": "2029-12-03",
        "actor": {"user_id": "s", "role": "cell_secretary", "org_id": str(org)},
        "args": {"slot": 1, "kind": "full_member", "letter_on": "2029-12-03"},
        "command_key": "",
    }
    payload = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(legacy).encode())
    (act,) = data_converter().payload_converter.from_payloads([payload], [Act])
    assert act.step == AssignIntroducer(
        on=date(2029, 12, 3),
        slot=1,
        kind=IntroducerKind.full_member,
        letter_on=date(2029, 12, 3),
    )


def test_facts_in_json_become_the_typed_step_as_the_api_reads_them() -> None:
    step = parse_step(
        "declare_background",
        date(2026, 3, 2),
        {"relatives": [{"key": "r1", "relationship": "father", "full_name": "Nguyễn Văn Ba"}]},
    )
    assert step == DeclareBackground(
        on=date(2026, 3, 2),
        relatives=(Relative("r1", Relationship.father, "Nguyễn Văn Ba"),),
    )

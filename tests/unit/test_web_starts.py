"""The web's forms that start a process, read by the API's own request models: the person's
form is `CaseStartIn` with its `PersonIn` (nothing written twice), the transfer's is
`TransferStartIn`; each error is placed beside its field, in the user's language; a step that
cannot be undone is taken only once confirmed."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from infra.api.schemas import CaseStartIn, PersonIn, TransferStartIn
from infra.web.forms import CONFIRM, fields_of, read_step
from infra.web.i18n import CATALOG
from infra.web.modelforms import fields_of_model, labels_of, place, read_model
from infra.web.starts import CASE_RULE_FIELDS, TRANSFER_RULE_FIELDS

CELL = uuid4()


def person_form(**overrides: str) -> dict[str, str]:
    return {
        "cell_id": str(CELL),
        "on": "04/03/2030",
        "person.full_name": "Trần Thị Mai",
        "person.birth_date": "12/07/1998",
        "person.citizen_id": "079198000123",
        "person.gender": "female",
        "person.ethnicity": "Kinh",
        "person.address": "Thôn Đông, xã An Bình",
        "person.education": "upper_secondary",
        "person.youth_union_member": "on",
        **overrides,
    }


def test_the_person_s_form_is_the_api_s_body_field_for_field() -> None:
    fields = fields_of_model(CaseStartIn, "vi", {"cell_id": [(str(CELL), "Chi bộ thôn Đông")]})
    names = [f.name for f in fields]
    top = [n for n in CaseStartIn.model_fields if n != "person"]
    assert names == [
        "cell_id",
        "on",
        *(f"person.{n}" for n in PersonIn.model_fields),
        "helper_member_id",
    ]
    assert set(top) <= set(names)
    widgets = {f.name: f.widget for f in fields}
    assert widgets["person.birth_date"] == "date" and widgets["person.gender"] == "select"
    assert widgets["person.youth_union_member"] == "bool" and widgets["cell_id"] == "select"
    labels = labels_of(fields, "vi")
    assert labels["person.citizen_id"] == "Số CCCD" and labels["cell_id"] == "Chi bộ"
    assert all(f"start.{n}" in CATALOG for n in names if not n.startswith("person."))


def test_a_filled_person_form_is_the_api_s_request() -> None:
    fields = fields_of_model(CaseStartIn, "vi", {"cell_id": [(str(CELL), "Chi bộ")]})
    request, _, errors = read_model(CaseStartIn, fields, person_form(), "vi")
    assert errors == {}
    assert isinstance(request, CaseStartIn)
    assert request.cell_id == CELL and request.on == date(2030, 3, 4)
    assert request.person.birth_date == date(1998, 7, 12)
    assert request.person.youth_union_member and not request.person.trade_union_member
    assert request.person.religion is None and request.helper_member_id is None


def test_a_bad_person_form_comes_back_with_an_error_beside_each_field() -> None:
    fields = fields_of_model(CaseStartIn, "en", {})
    form = person_form(
        **{
            "person.full_name": "  ",
            "person.citizen_id": "12ab",
            "person.birth_date": "31/02/1998",
            "person.gender": "unknown",
            "on": "04/03/2300",
        }
    )
    request, values, errors = read_model(CaseStartIn, fields, form, "en")
    assert request is None
    assert errors == {
        "person.full_name": "Required",
        "person.citizen_id": "A citizen ID is 12 digits (or 9 for an old ID card)",
        "person.birth_date": "A date as dd/mm/yyyy",
        "person.gender": "Not a valid value",
        "on": "A date as dd/mm/yyyy",
    }
    assert values["person.citizen_id"] == "12ab"  # shown again as typed


def test_a_refusal_of_the_command_is_placed_beside_the_field_its_rule_judges() -> None:
    case = fields_of_model(CaseStartIn, "vi", {})
    assert place(case, CASE_RULE_FIELDS, "PERSON-ELSEWHERE") == "person.citizen_id"
    assert place(case, CASE_RULE_FIELDS, "CASE-UNIQUE") == "person.citizen_id"
    assert place(case, CASE_RULE_FIELDS, "RULES-PERIOD") == "on"
    assert place(case, CASE_RULE_FIELDS, "TEMPORAL-TIMEOUT") == ""  # at the top of the form
    transfer = fields_of_model(TransferStartIn, "vi", {}, frozenset({"member_id"}))
    assert place(transfer, TRANSFER_RULE_FIELDS, "TRF-TEMP") == "returns_on"
    assert place(transfer, TRANSFER_RULE_FIELDS, "TRF-KIND") == "destination_org_id"


def test_a_transfer_form_is_read_with_the_member_the_page_is_about() -> None:
    member, destination = uuid4(), uuid4()
    fields = fields_of_model(
        TransferStartIn,
        "vi",
        {"destination_org_id": [(str(destination), "Chi bộ thôn Đông — Đảng bộ xã Tân An")]},
        frozenset({"member_id"}),
    )
    assert "member_id" not in {f.name for f in fields}  # fixed by the page, not chosen
    form = {
        "kind": "temporary",
        "reason": "study",
        "destination_org_id": str(destination),
        "trigger_on": "01/09/2030",
        "on": "04/03/2030",
        "returns_on": "30/06/2032",
    }
    request, _, errors = read_model(TransferStartIn, fields, form, "vi", {"member_id": str(member)})
    assert errors == {}
    assert isinstance(request, TransferStartIn)
    assert request.member_id == member and request.destination_org_id == destination
    assert request.returns_on == date(2032, 6, 30) and request.portal_reference is None


def test_cancelling_a_transfer_is_taken_only_once_its_consequence_is_confirmed() -> None:
    assert "cancel_transfer" in CONFIRM and CONFIRM["cancel_transfer"] in CATALOG
    fields = fields_of("transfer", "cancel_transfer", "vi", {})
    step, values, errors = read_step(
        "transfer", "cancel_transfer", fields, {"on": "04/03/2030"}, "vi"
    )
    assert step is None and errors == {"confirm": "Hãy đánh dấu ô xác nhận để thực hiện việc này"}
    assert values["confirm"] is False
    step, _, errors = read_step(
        "transfer", "cancel_transfer", fields, {"on": "04/03/2030", "confirm": "on"}, "vi"
    )
    assert errors == {} and step is not None and step.kind == "cancel_transfer"

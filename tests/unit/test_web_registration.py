"""The registration forms (infra/web/registration.py) speak both languages: every field of
every form has its label, every form its title and button, every outcome its sentence."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from infra.api.registration import MemberIn, hamlet_key
from infra.api.schemas import PersonCorrectionIn
from infra.web.i18n import CATALOG
from infra.web.modelforms import fields_of_model
from infra.web.registration import ACTIONS, labels

FORMS: dict[str, type[BaseModel]] = {**ACTIONS, "member": MemberIn, "correct": PersonCorrectionIn}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("action", list(FORMS))
def test_every_field_of_a_registration_form_has_a_label(lang: str, action: str) -> None:
    fields = fields_of_model(FORMS[action], lang, {}, frozenset())
    shown = labels(fields, lang, action)
    assert [name for name, text in shown.items() if text in CATALOG or "." in text] == []


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_organization_form_has_its_title_button_and_outcome(action: str) -> None:
    for part in ("form", "submit", "done"):
        assert f"orgpage.{part}.{action}" in CATALOG


def test_a_hamlet_s_key_is_its_name_unaccented() -> None:
    assert hamlet_key("Thôn Đồng Chiêm") == "thon-dong-chiem"
    assert hamlet_key("Tổ dân phố An Lạc 1") == "to-dan-pho-an-lac-1"
    assert hamlet_key("   ") == "thon"

"""The web's review of what cannot be undone and a member's standing steps, without a server:
every outcome and consequence has its words in both languages, the forms offer only the
choices given, and a probationer's discipline only PRB-DISCIPLINE's penalties."""

from __future__ import annotations

from domain import policy
from domain.commands import accepted
from domain.stages import Status
from infra.web.confirm import CONSEQUENCES, REVIEWED
from infra.web.forms import CONFIRM, fields_of
from infra.web.i18n import CATALOG, label, t


def test_every_outcome_of_a_vote_is_told_in_vietnamese_and_english() -> None:
    for outcome in policy.Outcome:
        key = f"review.outcome.{outcome}"
        assert key in CATALOG, key
        told = t("vi", key, votes_for=8, votes_against=5, n=1, of=3)
        assert "8" in told and "5" in told


def test_every_step_reviewed_before_confirming_has_its_consequence_and_none_is_boxed_too() -> None:
    assert set(CONSEQUENCES) == REVIEWED
    assert not REVIEWED & set(CONFIRM)  # one way of confirming per step
    for kind in ("withdraw", "stop", "refuse", "decide", "strike_off", "discipline"):
        assert kind in REVIEWED


def test_the_steps_of_a_full_member_are_the_standing_ones_and_the_departure() -> None:
    assert set(accepted("member", Status.full)) == {
        "discipline",
        "exempt",
        "link_residence",
        "place_hold",
        "record_departure",
        "record_residence_comment",
        "release_hold",
    }
    assert accepted("member", Status.struck_off) == ["record_expungement"]


def test_a_probationer_is_only_reprimanded_or_warned_and_each_penalty_has_its_words() -> None:
    assert policy.penalties_for(probationary=True) == ("reprimand", "warning")
    assert "dismissal" in policy.penalties_for(probationary=False)
    for penalty in policy.penalties_for(probationary=False):
        assert label("vi", "penalty", penalty) != penalty
        assert label("en", "penalty", penalty) != penalty


def test_an_enum_s_select_offers_the_choices_given_instead_of_every_value() -> None:
    held = [("inspection", "Đang bị kiểm tra")]
    (kind,) = fields_of("member", "release_hold", "vi", {"kind": held})
    assert (kind.widget, kind.options) == ("select", tuple(held))
    (every,) = fields_of("member", "place_hold", "vi", {})
    assert [v for v, _ in every.options] == ["inspection", "complaint", "discipline_review"]

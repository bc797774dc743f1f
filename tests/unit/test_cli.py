"""The two tools people need at once: the rules in force on a date, and a deadline's due date."""

from __future__ import annotations

from typer.testing import CliRunner

from infra.entrypoints.cli import app

runner = CliRunner(env={"COLUMNS": "200"})  # one rule a line: no wrapping


def test_rules_at_a_date_lists_every_rule_with_its_value_source_and_confidence() -> None:
    result = runner.invoke(app, ["rules", "--at", "2024-05-01", "--lang", "en"])
    assert result.exit_code == 0, result.output
    for rule_id in ("ADM-AGE", "ADM-CERT", "PRB-EFFECTIVE", "TRF-PRESENT", "EVL-CAP"):
        assert rule_id in result.output
    assert "24-QĐ/TW (2021)" in result.output  # the regulation in force on 2024-05-01
    assert "district committee" in result.output  # the district tier still existed
    assert "to verify" in result.output  # S rules are flagged
    assert "not encoded" in result.output  # EVL-CAP, with why (policy.NOT_ENCODED)


def test_rules_after_the_2025_reorganisation_name_the_commune_as_deciding_authority() -> None:
    result = runner.invoke(app, ["rules", "--at", "01/07/2025"])
    assert result.exit_code == 0, result.output
    assert "294-QĐ/TW (2025)" in result.output
    assert "đảng ủy xã/phường" in result.output
    assert "cần xác minh" in result.output


def line_of(output: str, rule_id: str) -> str:
    return next(line for line in output.splitlines() if f" {rule_id} " in line)


def test_rules_show_the_points_the_rulebook_is_unsure_of_as_to_verify() -> None:
    wide = CliRunner(env={"COLUMNS": "300"})
    after = wide.invoke(app, ["rules", "--at", "2025-08-30", "--lang", "en"]).output
    assert "C (age in whole months: I) — to verify" in line_of(after, "ADM-AGE")
    assert "C (the denominator: S) — to verify" in line_of(after, "ADM-VOTE-CELL")
    assert "S — to verify" in line_of(after, "ADM-CERT")
    assert "to verify" not in line_of(after, "ADM-DECIDE")


def test_rules_name_the_guidance_in_force_on_the_day() -> None:
    # 24-QĐ/TW (2021) was guided by the 2016 guidance until 01-HD/TW (2021) on 2021-09-28.
    early = runner.invoke(app, ["rules", "--at", "2021-08-02", "--lang", "en"]).output
    assert "24-QĐ/TW (2021); 01-HD/TW (2016)" in early
    late = runner.invoke(app, ["rules", "--at", "2021-09-28", "--lang", "en"]).output
    assert "24-QĐ/TW (2021); 01-HD/TW (2021)" in late


def test_rules_before_the_first_rule_set_are_refused_with_the_rule_id() -> None:
    result = runner.invoke(app, ["rules", "--at", "2015-05-01"])
    assert result.exit_code == 2
    assert "RULES-PERIOD" in result.output


def test_deadline_lists_the_due_date_and_the_tet_days_it_skipped() -> None:
    result = runner.invoke(
        app, ["deadline", "ADM-CEREMONY", "--from", "2026-02-10", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    # 30 WD from 2026-02-10 over Tết (2026-02-16…20): due 2026-03-31.
    assert "2026-03-31" in result.output
    for day in ("2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"):
        assert day in result.output


def test_deadline_of_an_unknown_rule_is_refused() -> None:
    result = runner.invoke(app, ["deadline", "ADM-AGE", "--from", "2026-02-10"])
    assert result.exit_code == 2
    assert "NOT-FOUND" in result.output


def test_a_malformed_date_is_a_usage_error() -> None:
    result = runner.invoke(app, ["deadline", "ADM-CEREMONY", "--from", "tomorrow"])
    assert result.exit_code == 2
    assert "not a date" in result.output

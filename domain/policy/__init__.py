"""Every rule of docs/rulebook.md, in one place, with its id, its source and the periods it
applies to.

A rule set is chosen by the date the governed act happened (docs/rulebook.md §0), never by
today's date.
Each `check_*` function raises `RuleViolation` naming its rule id; each `*_due` function gives a
deadline from its start date. Numbers live in `RuleSet`, so a later regulation is a new row of
`RULE_SETS`, not a code change. Process guards that are ours rather than the rulebook's
(`CASE-*`, `ORG-TREE`, ...) are listed in `PROCESS_GUARDS`.
"""

# The rules live in six modules; `domain.policy` names them all, as callers know them.
from domain.policy.ballots import BallotOutlook as BallotOutlook
from domain.policy.ballots import Outcome as Outcome
from domain.policy.ballots import cell_outlook as cell_outlook
from domain.policy.ballots import check_excused_voting as check_excused_voting
from domain.policy.ballots import committee_outlook as committee_outlook
from domain.policy.catalog import NOT_ENCODED as NOT_ENCODED
from domain.policy.catalog import PROCESS_GUARDS as PROCESS_GUARDS
from domain.policy.catalog import RULES as RULES
from domain.policy.catalog import describe as describe
from domain.policy.catalog import source_of as source_of
from domain.policy.checks import certificate_expires as certificate_expires
from domain.policy.checks import check_age as check_age
from domain.policy.checks import check_ballot as check_ballot
from domain.policy.checks import check_ceremony_on_time as check_ceremony_on_time
from domain.policy.checks import check_certificate as check_certificate
from domain.policy.checks import check_deciding_committee as check_deciding_committee
from domain.policy.checks import check_dossier_age as check_dossier_age
from domain.policy.checks import check_education as check_education
from domain.policy.checks import check_extension as check_extension
from domain.policy.checks import check_introducer_time as check_introducer_time
from domain.policy.checks import check_introductions as check_introductions
from domain.policy.checks import check_no_live_units as check_no_live_units
from domain.policy.checks import check_not_after_today as check_not_after_today
from domain.policy.checks import check_not_before as check_not_before
from domain.policy.checks import check_org_min as check_org_min
from domain.policy.checks import check_own_resolution as check_own_resolution
from domain.policy.checks import check_probation_discipline as check_probation_discipline
from domain.policy.checks import check_probationer_transfer as check_probationer_transfer
from domain.policy.checks import check_readmission as check_readmission
from domain.policy.checks import check_registered_member as check_registered_member
from domain.policy.checks import counting_rules as counting_rules
from domain.policy.checks import deadlocked as deadlocked
from domain.policy.checks import dossier_stale_after as dossier_stale_after
from domain.policy.checks import full_membership_effective as full_membership_effective
from domain.policy.checks import penalties_for as penalties_for
from domain.policy.checks import probation_ends as probation_ends
from domain.policy.checks import vote_passes as vote_passes
from domain.policy.checks import votes_needed as votes_needed
from domain.policy.deadlines import DEADLINE_RULES as DEADLINE_RULES
from domain.policy.deadlines import DUE_SOON_WD as DUE_SOON_WD
from domain.policy.deadlines import ESCALATION_LADDERS as ESCALATION_LADDERS
from domain.policy.deadlines import VALIDITY_RULES as VALIDITY_RULES
from domain.policy.deadlines import VALIDITY_WARNING_MONTHS as VALIDITY_WARNING_MONTHS
from domain.policy.deadlines import Deadline as Deadline
from domain.policy.deadlines import DueSoon as DueSoon
from domain.policy.deadlines import EscalationStep as EscalationStep
from domain.policy.deadlines import Ladder as Ladder
from domain.policy.deadlines import Level as Level
from domain.policy.deadlines import ceremony_due as ceremony_due
from domain.policy.deadlines import due_date as due_date
from domain.policy.deadlines import due_soon as due_soon
from domain.policy.deadlines import escalation_plan as escalation_plan
from domain.policy.deadlines import validity_warning as validity_warning
from domain.policy.deadlines import working_days_overdue as working_days_overdue
from domain.policy.rulesets import RULE_SETS as RULE_SETS
from domain.policy.rulesets import Confidence as Confidence
from domain.policy.rulesets import Reading as Reading
from domain.policy.rulesets import Rule as Rule
from domain.policy.rulesets import RuleSet as RuleSet
from domain.policy.rulesets import confidence_label as confidence_label
from domain.policy.rulesets import district_tier_exists as district_tier_exists
from domain.policy.rulesets import guidance_at as guidance_at
from domain.policy.rulesets import rule_set as rule_set
from domain.policy.rulesets import rules_at as rules_at
from domain.policy.rulesets import sources_at as sources_at
from domain.policy.rulesets import version_at as version_at
from domain.policy.transfer_checks import check_dissolvable as check_dissolvable
from domain.policy.transfer_checks import check_leaves_from as check_leaves_from
from domain.policy.transfer_checks import check_no_hold as check_no_hold
from domain.policy.transfer_checks import check_no_transfer_in_flight as check_no_transfer_in_flight
from domain.policy.transfer_checks import check_official_start as check_official_start
from domain.policy.transfer_checks import (
    check_one_transfer_at_a_time as check_one_transfer_at_a_time,
)
from domain.policy.transfer_checks import check_retirement_under_hold as check_retirement_under_hold
from domain.policy.transfer_checks import check_temporary_transfer as check_temporary_transfer

"""Generate a province's history (bench/README.md) into the real event store.

    python -m bench.generate --data-dir /tmp/bench-data            # ≈ 2 M events, SQLite
    python -m bench.generate --data-dir /tmp/bench-small --scale 0.05
    python -m bench.generate --data-dir /tmp/bench-pg --store postgres   # a dangvien_bench_<hex> db

The province: ~800 grassroots organizations under 9 district committees, ~3,800 cells (hamlets,
residential groups, commune agencies, military, police, schools, health stations, enterprises,
cooperatives, public-service units), ~36,000 members registered from their paper dossiers in
August 2016 and ~2,000 admissions a year from 2016-08 to 2026-10, each driven through every step
of the admission and the probation (source, course, application, background, introducers,
verification of the applicant and relatives, comments, cell vote, intermediate appraisal,
committee vote, decision by the competent committee, receipt, ceremony, new-member course,
review vote, recognition) with realistic stage durations; some withdrawn, stopped, rejected,
refused or struck off; every stage still open at the horizon, some overdue and escalated. On
2025-07-01 the district tier goes: 40 commune committees are registered, every grassroots
organization is re-parented under one, the districts are dissolved, and from then on the
communes decide and their hamlets are registered. Also: a few thousand transfers (official
between grassroots organizations with the letter's every hop, internal, temporary), the 2018
dissolution of one district's commune-agency cells, yearly targets per organization, 213
residence links with their yearly comments, exemptions, holds, discipline and corrections of
personal data.

How: the application service's own commands (`Dangvien`) run against an in-memory repository, so
the facts every rule needs (rolls and ballots, ApplicantFacts, the competent committee on the day,
introducers still valid, escalation plans) are gathered by the application's own code and every
domain check runs; but `commit` only marks the aggregates changed, and their events are saved on
the real store (`infra.bootstrap.build_app`: AES-GCM + zlib) with `app.save(*events)`, one
transaction per batch of ~20,000 events, in the order they happened. Event timestamps are the
simulated day the act was recorded (so `as_of` replays are meaningful on this data).

The package: `simulation` (the clock, the in-memory application), `model` (the province's
figures), `base` (the state and plumbing), `tree`, `members`, `admission`, `moves` and `yearly`
(the parts of the history, combined in `province`), and `cli` (`python -m bench.generate`).
"""

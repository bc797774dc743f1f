"""`dangvien audit verify`'s throughput beside a same-run yardstick: the read-model rebuild of
the same store (`dangvien projections rebuild`, SQLite read model), which verify must run at
no less than half of.

    .venv/bin/python -m bench.verify --data-dir /tmp/bench-chain            # a copy of a store
    .venv/bin/python -m bench.verify --data-dir /tmp/bench-chain --no-yardstick

The first run on a store made before the chain chains it (the one-off of `audit seal`, timed
too) and seals it; every run then verifies the whole store, `--runs` times."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import read_meta, settings_for
from bench.readmodels import run_child, sqlite_url
from infra.bootstrap import audit_key, build_app
from infra.chain import audit
from infra.chain.ledger import open_ledger
from infra.chain.proofs import AuditKeys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.verify")
    parser.add_argument("--data-dir", type=Path, required=True, help="a store of bench.generate")
    parser.add_argument("--runs", type=int, default=2, help="verifications of the whole store")
    parser.add_argument("--no-yardstick", action="store_true", help="skip the rebuild")
    parser.add_argument("--processes", type=int, default=2, help="the rebuild's processes")
    a = parser.parse_args()
    data_dir = a.data_dir.resolve()
    meta = read_meta(data_dir)
    settings = settings_for(data_dir, meta["store"], meta.get("pg_dbname", ""))
    build_app(settings).close()  # the chain's tables
    keys = AuditKeys(audit_key(settings))
    ledger = open_ledger(settings)
    try:
        started = time.perf_counter()
        sealing = audit.seal(ledger, keys)
        seconds = time.perf_counter() - started
        if sealing.chained:
            print(
                f"one-off: {sealing.chained:,} events chained, verified and sealed in "
                f"{seconds:.1f} s ({sealing.chained / seconds:,.0f} events/s)"
            )
        if sealing.report.problem:
            raise SystemExit(f"the store does not verify: {sealing.report.problem}")
        rates = []
        for _ in range(a.runs):
            report = audit.verify(ledger, keys)
            assert report.problem is None, report.problem
            rates.append(report.events / report.seconds)
            print(
                f"verify: {report.events:,} events, {report.seals} seals in "
                f"{report.seconds:.1f} s = {rates[-1]:,.0f} events/s"
            )
    finally:
        ledger.close()
    if a.no_yardstick:
        return
    target = data_dir / "verify-yardstick.sqlite"
    target.unlink(missing_ok=True)
    url = sqlite_url(data_dir, target.name)
    rebuilt = run_child(
        ["_rebuild", "--data-dir", str(data_dir), "--url", url, "--processes", str(a.processes)]
    )
    target.unlink(missing_ok=True)
    rate = rebuilt["events_per_second"]
    print(
        f"yardstick, same run: rebuild ({a.processes} processes, SQLite read model) "
        f"{rebuilt['events']:,} events in {rebuilt['seconds']} s = {rate:,} events/s"
    )
    print(f"verify ÷ rebuild = {max(rates) / rate:.2f} (target ≥ 0.50)")


if __name__ == "__main__":
    main()

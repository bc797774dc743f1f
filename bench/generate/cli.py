"""Generate a province's history (bench/README.md) into the real event store."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from base64 import b64encode
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import eventsourcing.domain

from bench.common import create_pg_database, peak_rss_mib, rss_mib, settings_for, write_meta
from bench.generate.province import Province
from bench.generate.simulation import CASES_FROM, END, Clock, Simulated
from domain.admission import AdmissionCase
from domain.member import Member
from domain.organization import Organization
from domain.transfer import Transfer
from infra.bootstrap import build_app


def iter_batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def write_seeded_id_key(data_dir: Path, seed: int) -> None:
    """The store's person-id key, from the seed: person and member ids are keyed hashes, the
    simulation sorts and picks among them, so with a fresh random key every run would be
    another province. (Synthetic data only; a real data directory generates its key.)"""
    key = b64encode(hashlib.sha256(f"dangvien bench id key {seed}".encode()).digest()).decode()
    fd = os.open(data_dir / "id.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="keys, SQLite store, meta")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg-dbname", default="", help="PostgreSQL store (default: a new dangvien_bench_<hex>)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = the province of bench/README.md"
    )
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--batch", type=int, default=20_000, help="events per transaction")
    args = parser.parse_args(argv)

    data_dir: Path = args.data_dir.resolve()
    if (data_dir / "events.sqlite").exists() or (data_dir / "bench-meta.json").exists():
        sys.exit(f"{data_dir} already holds a generated store: use a new --data-dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    pg_dbname = ""
    if args.store == "postgres":
        pg_dbname = args.pg_dbname or create_pg_database()
    write_seeded_id_key(data_dir, args.seed)
    settings = settings_for(data_dir, args.store, pg_dbname)
    store = build_app(settings)
    sim = Simulated(
        {
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "DANGVIEN_ID_KEY": store.env["DANGVIEN_ID_KEY"],
        }
    )

    clock_holder: list[Clock] = []
    original = eventsourcing.domain.CanCreateTimestamp.create_timestamp
    province = Province(sim, store, args.scale, args.seed, args.batch)
    clock_holder.append(province.clock)
    eventsourcing.domain.CanCreateTimestamp.create_timestamp = staticmethod(province.clock.now)  # type: ignore[method-assign]
    print(
        f"generating a province at scale {args.scale} into {args.store} "
        f"({data_dir}{' / ' + pg_dbname if pg_dbname else ''}), history {CASES_FROM} … {END}",
        flush=True,
    )
    started = time.perf_counter()
    try:
        province.generate()
    finally:
        eventsourcing.domain.CanCreateTimestamp.create_timestamp = original  # type: ignore[method-assign]
    seconds = time.perf_counter() - started
    total = int(store.recorder.max_notification_id() or 0)

    aggs = sim.repository.aggs.values()  # type: ignore[attr-defined]
    kinds = Counter(type(a).__name__ for a in aggs)
    cases = [a for a in aggs if isinstance(a, AdmissionCase)]
    open_stages = Counter(str(c.stage) for c in cases if not c.stage.is_closed)
    members = [a for a in aggs if isinstance(a, Member)]
    statuses = Counter(str(m.status) for m in members)
    transfers = Counter(str(t.kind) for t in aggs if isinstance(t, Transfer))
    orgs = Counter(str(o.kind) for o in aggs if isinstance(o, Organization))
    meta = {
        "store": args.store,
        "pg_dbname": pg_dbname,
        "scale": args.scale,
        "seed": args.seed,
        "events": total,
        "horizon": END.isoformat(),
        "province_id": str(province.province),
        "grassroots_id": str(province.sample_grassroots()),
        "aggregates": dict(kinds),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
    }
    write_meta(data_dir, meta)

    print()
    print(f"events stored            {total:>12,}")
    print(
        f"generation               {seconds:>12,.1f} s   {total / seconds:>10,.0f} events/s"
        " (simulation + store)"
    )
    print(
        f"store writes (app.save)  {province.save_seconds:>12,.1f} s   "
        f"{total / max(province.save_seconds, 1e-9):>10,.0f} events/s"
        " (encode + AES-GCM + zlib + insert)"
    )
    print(
        f"memory                   {rss_mib():>12,.0f} MiB now;"
        f" peak (ru_maxrss) {peak_rss_mib():,.0f} MiB"
    )
    print(f"organizations            {dict(orgs)}")
    print(f"aggregates               {dict(kinds)}")
    print(f"members by status        {dict(statuses)}  (total {len(members):,})")
    print(
        f"cases                    {len(cases):,};"
        f" open by stage: {dict(sorted(open_stages.items()))}"
    )
    print(f"outcomes                 {dict(province.outcomes)}")
    print(f"transfers                {dict(transfers)}")
    print(f"refused commands         {dict(province.refused) or 0}")
    print("events by type (top 25):")
    for name, count in province.by_name.most_common(25):
        print(f"  {name:<45} {count:>10,}")
    print(f"meta written to {data_dir / 'bench-meta.json'}")


if __name__ == "__main__":
    main()

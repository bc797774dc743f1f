"""The member register at province scale: name searches through the blind index, beside a
plain indexed lookup of the same run (the yardstick).

    python -m bench.search --data-dir /tmp/bench-2m --rebuild   # rebuild its read model first
    python -m bench.search --data-dir /tmp/bench-2m             # on the read model built before

The read model is its own SQLite file (`<data-dir>/readmodel-search.sqlite`; `--url` names a
PostgreSQL database instead, e.g. one made with `createdb`), rebuilt from the
store's whole log as `dangvien projections rebuild` does (two processes); the name key is the
bench's own (set in the settings, so nothing is written to the store's directory). Queries:

- names typed as people type them (lower case, no accents), chosen from the store's members
  (decrypted through the application): full names matching one or a few members ("rare"), a
  surname and middle name shared by thousands ("common"), a middle name alone (the heaviest);
- for the province and for one grassroots organization (the bench's meta file names both);
- each timed as `Register.search` (the counts per unit and the page of 50), and as the API
  answers it: the query's tokens hashed, the search, the names of the page read from the record;
- beside them: a member's row by its key, and the listing of the unit without a name.

p50/p95/max in ms after 3 warm-up runs and `gc.freeze()`, each query class over its queries in
turn, `--runs` timed runs in all per class and scope.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from bench.common import percentile, read_meta, settings_for
from domain.application import Dangvien
from domain.names import fold
from domain.person import Person
from infra.api.register import person_names
from infra.bootstrap import build_app
from infra.settings import Settings
from projections import maintenance
from projections.database import open_engine
from projections.register import Register
from projections.tables import tables
from projections.versions import live_version

BENCH_NAME_KEY = "YmVuY2ggbmFtZSBrZXkgb2YgdGhlIG1lbWJlciByZWdpc3Rlcg=="


def bench_settings(data_dir: Path) -> Settings:
    return replace(settings_for(data_dir), name_key=BENCH_NAME_KEY)


def rebuild(app: Dangvien, engine: sa.Engine, settings: Settings, processes: int) -> None:
    total = int(app.recorder.max_notification_id() or 0)
    started, cpu = time.perf_counter(), time.process_time()
    version = maintenance.rebuild(
        app, engine, processes=processes, open_app=partial(build_app, settings)
    )
    maintenance.switch(engine, version)
    seconds = time.perf_counter() - started
    print(
        f"rebuild: {total:,} events in {seconds:.1f} s = {total / seconds:,.0f} events/s "
        f"({processes} processes; parent CPU {time.process_time() - cpu:.1f} s)"
    )


def sample_names(app: Dangvien, engine: sa.Engine, count: int, seed: int) -> list[str]:
    """Names of members picked at random, decrypted from the record."""
    members = tables(live_version(engine)).members
    with engine.connect() as conn:
        people = list(conn.execute(sa.select(members.c.person_id)).scalars())
    picked = random.Random(seed).sample(people, min(count, len(people)))
    return [app.load(Person, p).data.full_name for p in picked]


def typed(name: str) -> str:
    """As people type a name into a search box: lower case, no accents."""
    return fold(name)


def queries(app: Dangvien, model: Register, names: list[str]) -> dict[str, list[str]]:
    """Rare (a full name found once or twice in the province), common (a surname and middle
    name shared by thousands), heaviest (the commonest single word)."""
    full = sorted({typed(n) for n in names})
    counts = {q: model.search("", tokens=app.name_index(q), limit=1).total for q in full}
    rare = [q for q in full if counts[q] <= 2][:20] or sorted(full, key=counts.__getitem__)[:20]
    pairs = Counter(" ".join(typed(n).split()[:2]) for n in names)
    words = Counter(w for n in names for w in typed(n).split())
    return {
        "rare full name": rare,
        "common surname + middle": [p for p, _ in pairs.most_common(20)],
        "commonest word": [w for w, _ in words.most_common(2)],
    }


def timed(calls: list[Callable[[], Any]], runs: int, warmup: int = 3) -> list[float]:
    for call in calls[:warmup]:
        call()
    gc.freeze()
    timings = []
    for i in range(runs):
        call = calls[i % len(calls)]
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--readmodel", type=Path, default=None)
    parser.add_argument("--url", default=None, help="a read model elsewhere (PostgreSQL)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=15)
    a = parser.parse_args(argv)

    meta = read_meta(a.data_dir)
    settings = bench_settings(a.data_dir)
    app = build_app(settings)
    path = a.readmodel or a.data_dir / "readmodel-search.sqlite"
    engine = open_engine(a.url or f"sqlite:///{path}")
    if a.rebuild:
        rebuild(app, engine, settings, a.processes)
    model = Register(engine)
    t = model.t
    with engine.connect() as conn:
        paths = dict(conn.execute(sa.select(t.orgs.c.id, t.orgs.c.path)).all())
        member_ids = list(conn.execute(sa.select(t.members.c.id)).scalars())
        n_members = len(member_ids)
        n_tokens = conn.execute(sa.select(sa.func.count()).select_from(t.name_tokens)).scalar()
    where = engine.url.render_as_string(hide_password=True) if a.url else path
    print(f"read model: {where} ({n_members:,} members, {n_tokens:,} name tokens)")

    names = sample_names(app, engine, a.sample, a.seed)
    asked = queries(app, model, names)
    scopes = {
        "province": paths[UUID(meta["province_id"])],
        "grassroots": paths[UUID(meta["grassroots_id"])],
    }
    members = t.members
    picked = random.Random(a.seed).sample(member_ids, 200)

    def by_key(i: int) -> Callable[[], Any]:
        def call() -> Any:
            with engine.connect() as conn:
                return conn.execute(sa.select(members).where(members.c.id == picked[i])).one()

        return call

    def search(q: str, path: str) -> Callable[[], Any]:
        return lambda: model.search(path, tokens=app.name_index(q))

    def answered(q: str, path: str) -> Callable[[], Any]:
        def call() -> Any:
            found = model.search(path, tokens=app.name_index(q))
            return person_names(app, (m.person_id for m in found.members))

        return call

    print(
        "\n   scope        query                          runs   p50 ms   p95 ms   max ms   found"
    )
    rows: list[tuple[str, str, list[float], str]] = []
    rows.append(
        ("-", "yardstick: a member by its key", timed([by_key(i) for i in range(200)], a.runs), "1")
    )
    for scope, path in scopes.items():
        listing = timed([lambda p=path: model.search(p)], a.runs)
        rows.append((scope, "list the unit (no name)", listing, f"{model.search(path).total:,}"))
        for kind, qs in asked.items():
            found = [model.search(path, tokens=app.name_index(q)).total for q in qs]
            what = f"{min(found):,}–{max(found):,} ({len(qs)} names)"
            rows.append((scope, kind, timed([search(q, path) for q in qs], a.runs), what))
            rows.append(
                (scope, f"{kind}, with names", timed([answered(q, path) for q in qs], a.runs), what)
            )
    for scope, query, timings, what in rows:
        print(
            f"   {scope:<12} {query:<30} {len(timings):>5} {percentile(timings, 50):>8.1f} "
            f"{percentile(timings, 95):>8.1f} {max(timings):>8.1f}   {what}"
        )
    print("\nqueries:", {k: v[:5] for k, v in asked.items()})
    app.close()


if __name__ == "__main__":
    main()

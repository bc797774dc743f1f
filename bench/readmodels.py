"""Read models on a generated store: rebuild throughput, memory along the rebuild, query latency.

    python -m bench.readmodels --data-dir /tmp/bench-data                 # SQLite and PostgreSQL
    python -m bench.readmodels --data-dir /tmp/bench-data --targets sqlite --runs 50
    python -m bench.readmodels profile --data-dir /tmp/bench-data --events 300000
    python -m bench.readmodels bare --data-dir /tmp/bench-data     # the issue's yardstick

For each read-model database (a SQLite file in the data directory; a throwaway PostgreSQL
database `dangvien_bench_<hex>` at 127.0.0.1:5432, dropped at the end) a fresh child process
rebuilds the read model from the whole log as `dangvien projections rebuild` does
(`maintenance.rebuild`, shared out over `--processes`, by default as many as the command uses;
then switched to), or with `--processes 1` one `Projector(app, engine, version=1)`; it samples
memory as it goes (at every 5 % of the events; printed at 25/50/75/100 %) and reports
ru_maxrss (of each rebuild process); then the parent times
`ReadModel(engine).quota(org, year, today)`, `.stage_board(org, today)` and
`.stalled(org, today)` for the province and for one grassroots organization.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa

from bench.common import (
    children_rss_mib,
    create_pg_database,
    drop_pg_database,
    open_app,
    open_store,
    peak_rss_mib,
    percentile,
    pg_url,
    read_meta,
    rss_mib,
)
from domain.application import Dangvien
from infra.settings import Settings
from projections import maintenance, rows
from projections.database import open_engine
from projections.log import Decoder, read_window
from projections.maintenance import analyze
from projections.projector import Projector
from projections.queries import ReadModel


def sqlite_url(data_dir: Path, name: str = "readmodel-bench.sqlite") -> str:
    path = data_dir / name
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


# --- the rebuild, in a child process of its own (clean ru_maxrss) ------------------------------


def rebuild(
    data_dir: Path,
    url: str,
    cache_size: int | None,
    batch_size: int | None,
    limit: int | None = None,
    processes: int = 1,
) -> dict[str, Any]:
    app, _ = open_store(data_dir)
    engine = open_engine(url)
    if processes > 1:
        return rebuild_in_processes(app, engine, data_dir, processes, batch_size)
    total = int(app.recorder.max_notification_id() or 0)
    if limit:
        total = min(total, limit)
    options: dict[str, Any] = {}
    if cache_size is not None:
        options["cache_size"] = cache_size
    if batch_size is not None:
        options["batch_size"] = batch_size
    base_rss = rss_mib()
    projector = Projector(app, engine, version=1, **options)
    samples: list[dict[str, Any]] = []
    done = 0
    next_mark = 1
    started = time.perf_counter()

    def progress(read: int) -> None:
        nonlocal done, next_mark
        done += read
        while next_mark <= 20 and done >= total * next_mark / 20:
            samples.append(
                {
                    "percent": next_mark * 5,
                    "events": done,
                    "seconds": round(time.perf_counter() - started, 2),
                    "rss_mib": round(rss_mib(), 1),
                    "cached_aggregates": len(projector._cache),
                }
            )
            next_mark += 1

    if limit:
        projected = 0
        while projected < limit and (read := projector.run_once()):
            projected += read
            progress(read)
    else:
        projected = projector.run_until_caught_up(progress)
    seconds = time.perf_counter() - started
    analyze(engine, projector.t)  # as `dangvien projections rebuild` does, after the timed part
    return {
        "url": engine.url.render_as_string(hide_password=True),
        "events": projected,
        "seconds": round(seconds, 2),
        "events_per_second": round(projected / seconds),
        "cache_size": projector.cache_size,
        "batch_size": projector.batch_size,
        "rss_before_mib": round(base_rss, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "cpu_s": round(cpu_seconds(), 1),
        "samples": samples,
        "position": projector.position(),
        "lag": projector.lag(),
    }


def rebuild_in_processes(
    app: Dangvien, engine: sa.Engine, data_dir: Path, processes: int, batch_size: int | None
) -> dict[str, Any]:
    """What `dangvien projections rebuild` does: `maintenance.rebuild` shared out over
    `processes` (their ANALYZE included in the time), then switched to."""
    total = int(app.recorder.max_notification_id() or 0)
    base_rss = rss_mib()
    samples: list[dict[str, Any]] = []
    done = 0
    started = time.perf_counter()

    def progress(read: int) -> None:
        nonlocal done
        done += read
        mark = len(samples) + 1
        if mark <= 20 and done >= total * mark / 20:
            seconds = round(time.perf_counter() - started, 2)
            parts = children_rss_mib()  # the partitions': the parent only waits
            samples.append(
                {
                    "percent": mark * 5,
                    "events": done,
                    "seconds": seconds,
                    "rss_mib": max(parts) if parts else rss_mib(),
                }
            )

    version = maintenance.rebuild(
        app,
        engine,
        progress,
        processes=processes,
        open_app=partial(open_app, data_dir),
        batch_size=batch_size,
    )
    seconds = time.perf_counter() - started
    maintenance.switch(engine, version)
    projector = Projector(app, engine, version=version)
    return {
        "url": engine.url.render_as_string(hide_password=True),
        "events": done,
        "seconds": round(seconds, 2),
        "events_per_second": round(done / seconds),
        "processes": processes,
        "cache_size": projector.cache_size,
        "batch_size": batch_size,
        "rss_before_mib": round(base_rss, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "peak_rss_part_mib": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "cpu_s": round(cpu_seconds(), 1),
        "samples": samples,
        "position": projector.position(),
        "lag": projector.lag(),
    }


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of the processes it waited for: steadier
    than wall time on a shared machine whose speed changes by the hour."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def run_child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.readmodels", *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def print_rebuild(name: str, r: dict[str, Any]) -> None:
    print(f"\n== rebuild, read model on {name}: {r['url']}")
    batch = f"{r['batch_size']:,}" if r["batch_size"] else "to the log's end or REBUILD_HOLD"
    print(
        f"   {r['events']:,} events in {r['seconds']:,.1f} s = {r['events_per_second']:,} events/s"
        f"   (batch {batch}, cache_size {r['cache_size']:,}; lag after: {r['lag']})"
    )
    print(f"   CPU time of every process of the rebuild: {r['cpu_s']:,.1f} s")
    if r.get("processes", 1) > 1:
        print(
            f"   {r['processes']} processes (maintenance.rebuild): peak ru_maxrss of each"
            f" {r['peak_rss_part_mib']:,.0f} MiB at most; of the process that waits for them"
            f" {r['peak_rss_mib']:,.0f} MiB"
        )
    else:
        print(
            f"   memory: {r['rss_before_mib']:,.0f} MiB before the projector, "
            f"peak ru_maxrss {r['peak_rss_mib']:,.0f} MiB"
        )
    whose = "largest partition's" if r.get("processes", 1) > 1 else "the projector's"
    print(f"      %  events        s    events/s (since prev)   RSS MiB ({whose})   cached")
    prev_events, prev_s = 0, 0.0
    for s in r["samples"]:
        rate = (s["events"] - prev_events) / max(s["seconds"] - prev_s, 1e-9)
        prev_events, prev_s = s["events"], s["seconds"]
        if s["percent"] % 25 == 0:
            print(
                f"   {s['percent']:>4}  {s['events']:>9,} {s['seconds']:>8,.1f}  {rate:>12,.0f}"
                f"            {s['rss_mib']:>8,.0f}   {s.get('cached_aggregates', '-'):>10}"
            )
    curve = " ".join(f"{s['rss_mib']:.0f}" for s in r["samples"])
    print(f"   RSS every 5 % ({whose}, MiB): {curve}")


# --- query latency ---------------------------------------------------------------------------


def time_query(
    call: Callable[[], Any], runs: int, budget_s: float, warmup: int = 3
) -> tuple[list[float], Any]:
    """`runs` timed calls, or fewer (at least 20) when they would take over `budget_s`."""
    result = None
    for _ in range(warmup):
        result = call()
    gc.freeze()  # as `dangvien api` does once started: long-lived objects leave the GC's scans
    timings: list[float] = []
    spent = 0.0
    while len(timings) < runs and (len(timings) < 20 or spent < budget_s):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
        spent += timings[-1] / 1000
    return timings, result


def describe(name: str, result: Any) -> str:
    if name == "quota":
        return (
            f"target {result.target}, admitted {result.admitted}, "
            f"open {sum(result.pipeline.values())}, forecast {result.forecast}"
        )
    return f"{len(result)} cards"


Row = tuple[str, str, int, float, float, float, str]


def latencies(url: str, meta: dict[str, Any], runs: int, budget_s: float) -> list[Row]:
    engine = open_engine(url)
    model = ReadModel(engine)  # the live version: 1, or what a shared rebuild switched to
    today = date.fromisoformat(meta["horizon"])
    scopes = {
        "province": UUID(meta["province_id"]),
        "grassroots": UUID(meta["grassroots_id"]),
    }
    rows = []
    for scope, org in scopes.items():
        queries: dict[str, Callable[[], Any]] = {
            "quota": lambda o=org: model.quota(o, today.year, today),
            "stage_board": lambda o=org: model.stage_board(o, today),
            # what the board page and the API ask for: the first 200 cards
            "board_page": lambda o=org: model.stage_board(o, today, limit=200),
            "stalled": lambda o=org: model.stalled(o, today),
        }
        for name, call in queries.items():
            timings, result = time_query(call, runs, budget_s)
            rows.append(
                (
                    scope,
                    name,
                    len(timings),
                    percentile(timings, 50),
                    percentile(timings, 95),
                    max(timings),
                    describe(name, result),
                )
            )
    engine.dispose()
    return rows


def print_latencies(name: str, rows: list[Row]) -> None:
    print(f"\n== query latency, read model on {name} (after 3 warm-up runs)")
    print("   scope        query         runs    p50 ms    p95 ms    max ms   result")
    for scope, query, n, p50, p95, worst, what in rows:
        print(
            f"   {scope:<12} {query:<12} {n:>5}  {p50:>8.1f}  {p95:>8.1f}  {worst:>8.1f}   {what}"
        )


# --- profile -----------------------------------------------------------------------------------


def profile(data_dir: Path, events: int, url: str) -> None:
    app, _ = open_store(data_dir)
    engine = open_engine(url)
    projector = Projector(app, engine, version=1)
    profiler = cProfile.Profile()
    done = 0
    started = time.perf_counter()
    profiler.enable()
    while done < events and (read := projector.run_once()):
        done += read
    profiler.disable()
    seconds = time.perf_counter() - started
    print(
        f"profiled {done:,} events in {seconds:.1f} s"
        f" ({done / seconds:,.0f} events/s under cProfile)"
    )
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats(order).print_stats(35)
        print(f"\n--- by {order} ---")
        print("\n".join(buffer.getvalue().splitlines()[6:]))


def ceiling(data_dir: Path, events: int) -> None:
    """What the projector cannot beat in one process: reading the log as it does (the events
    no row reads left in the store) and decoding it (select + AES-GCM + zlib + JSON +
    transcodings), then also applying each event to its aggregate (`event.mutate`, aggregates
    kept in a dict, versions moved past the unread events), with no read-model writes."""
    app, _ = open_store(data_dir)
    decode = Decoder(app.mapper)
    for apply in (False, True):
        aggs: dict[UUID, Any] = {}
        done = decoded = position = 0
        read_s = decode_s = 0.0
        started = time.perf_counter()
        while done < events:
            t0 = time.perf_counter()
            batch, last = read_window(app.recorder, position, 100_000, rows.UNREAD)
            t1 = time.perf_counter()
            read_s += t1 - t0
            if last == position:
                break
            for n in batch:
                event: Any = decode(n)
                if apply:
                    agg = aggs.get(event.originator_id)
                    if agg is not None:
                        agg.version = event.originator_version - 1
                    aggs[event.originator_id] = event.mutate(agg)
            decode_s += time.perf_counter() - t1
            decoded += len(batch)
            done += last - position
            position = last
        seconds = time.perf_counter() - started
        what = "read + decode + apply" if apply else "read + decode"
        print(
            f"{what:<22} {done:>10,} events ({decoded:,} decoded) {seconds:>7.1f} s"
            f" = {done / seconds:>8,.0f} events/s   (select {read_s:.1f} s;"
            f" decode{' + apply' if apply else ''} {decode_s:.1f} s)"
        )


BARE_DECODINGS = ("json", "projector", "mapper")


def bare(data_dir: Path, events: int, decoding: str, batch: int = 10_000) -> None:
    """The issue's yardstick, measured on this machine the same hour (its speed changes by
    the hour here): a bare single-table SQL projection that reads every stored event,
    deserializes it and writes one row per event (position, id, version, kind, effective
    date) into SQLite, a transaction per batch with its position. How it deserializes:
    `json`, the floor: the SQLite store's rows read with its own connection, then AES-GCM,
    zlib and orjson only, into plain dicts; `projector`: the
    projector's own `log.Decoder` into domain events; `mapper`: eventsourcing's own API
    (`select_notifications`, `mapper.to_domain_event`)."""
    app, _ = open_store(data_dir)
    engine = open_engine(sqlite_url(data_dir, "bare-bench.sqlite"))  # as the read model's
    metadata = sa.MetaData()
    table = sa.Table(
        "events",
        metadata,
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("originator_id", sa.String(32)),
        sa.Column("version", sa.Integer),
        sa.Column("kind", sa.String),
        sa.Column("effective_on", sa.String(10)),
    )
    position_table = sa.Table("position", metadata, sa.Column("at", sa.Integer))
    metadata.create_all(engine)
    insert = table.insert().compile(dialect=engine.dialect).string
    decoder = Decoder(app.mapper)

    def row(n: Any) -> tuple[Any, ...]:
        if decoding == "json":  # n: the stored row as it is (ids as their hex)
            state = orjson.loads(decoder.decompress(decoder.decrypt(n[4])))
            return (n[0], n[1], n[2], n[3], state["stamp"]["_data_"]["effective_on"]["_data_"])
        event: Any = decoder(n) if decoding == "projector" else app.mapper.to_domain_event(n)
        on = event.stamp.effective_on.isoformat()
        return (n.id, n.originator_id.hex, n.originator_version, type(event).__qualname__, on)

    def stored(after: int, last: int) -> list[Any]:
        recorder: Any = app.recorder
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state"
                f" FROM {recorder.events_table_name} WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
                (after, last),
            )
            return list(c.fetchall())

    end = min(events, int(app.recorder.max_notification_id() or 0))
    done = 0
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(position_table.insert().values(at=0))
    while done < end:
        if decoding == "mapper":
            found: Any = app.recorder.select_notifications(done + 1, batch, stop=end)
        elif decoding == "json":
            found = stored(done, min(done + batch, end))
        else:
            found = read_window(app.recorder, done, min(batch, end - done))[0]
        if not found:
            break
        written = [row(n) for n in found]
        with engine.begin() as conn:
            conn.exec_driver_sql(insert, written)
            done = found[-1][0] if decoding == "json" else found[-1].id
            conn.execute(position_table.update().values(at=done))
    seconds = time.perf_counter() - started
    print(
        f"bare projection ({decoding:<9}): {done:,} events in {seconds:6.1f} s"
        f" = {done / seconds:>7,.0f} events/s   (one process;"
        f" peak ru_maxrss {peak_rss_mib():,.0f} MiB)"
    )


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_rebuild":
        parser = argparse.ArgumentParser()
        parser.add_argument("--data-dir", type=Path, required=True)
        parser.add_argument("--url", required=True)
        parser.add_argument("--cache-size", type=int)
        parser.add_argument("--batch-size", type=int)
        parser.add_argument("--limit", type=int)
        parser.add_argument("--processes", type=int, default=1)
        a = parser.parse_args(argv[1:])
        result = rebuild(a.data_dir, a.url, a.cache_size, a.batch_size, a.limit, a.processes)
        print(json.dumps(result))
        return
    if argv and argv[0] == "queries":
        parser = argparse.ArgumentParser(prog="python -m bench.readmodels queries")
        parser.add_argument("--data-dir", type=Path, required=True)
        parser.add_argument(
            "--url", required=True, help="an existing read model (its live version)"
        )
        parser.add_argument("--runs", type=int, default=200)
        parser.add_argument("--budget", type=float, default=60.0)
        a = parser.parse_args(argv[1:])
        print_latencies(a.url, latencies(a.url, read_meta(a.data_dir.resolve()), a.runs, a.budget))
        return
    if argv and argv[0] == "ceiling":
        parser = argparse.ArgumentParser(prog="python -m bench.readmodels ceiling")
        parser.add_argument("--data-dir", type=Path, required=True)
        parser.add_argument("--events", type=int, default=10**9)
        a = parser.parse_args(argv[1:])
        ceiling(a.data_dir.resolve(), a.events)
        return
    if argv and argv[0] == "bare":
        parser = argparse.ArgumentParser(prog="python -m bench.readmodels bare")
        parser.add_argument("--data-dir", type=Path, required=True)
        parser.add_argument("--events", type=int, default=10**9)
        parser.add_argument(
            "--decoding", choices=BARE_DECODINGS, action="append", help="default: all three"
        )
        a = parser.parse_args(argv[1:])
        for decoding in a.decoding or BARE_DECODINGS:
            bare(a.data_dir.resolve(), a.events, decoding)
        return
    if argv and argv[0] == "profile":
        parser = argparse.ArgumentParser(prog="python -m bench.readmodels profile")
        parser.add_argument("--data-dir", type=Path, required=True)
        parser.add_argument("--events", type=int, default=300_000)
        a = parser.parse_args(argv[1:])
        profile(
            a.data_dir.resolve(),
            a.events,
            sqlite_url(a.data_dir.resolve(), "readmodel-profile.sqlite"),
        )
        return

    parser = argparse.ArgumentParser(
        prog="python -m bench.readmodels", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="a store made by bench.generate"
    )
    parser.add_argument(
        "--targets", default="sqlite,postgres", help="read-model databases to measure"
    )
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each query")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per query before stopping at 20+ runs"
    )
    parser.add_argument(
        "--cache-size", type=int, help="the projector's cache_size (default: its own)"
    )
    parser.add_argument(
        "--batch-size", type=int, help="the projector's batch_size (default: its own)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--limit", type=int, help="project only the first N events")
    parser.add_argument(
        "--processes",
        type=int,
        default=Settings.from_env({}).rebuild_processes,
        help="processes sharing out the rebuild (default: as `dangvien projections rebuild`)",
    )
    parser.add_argument("--no-queries", action="store_true", help="rebuild only")
    a = parser.parse_args(argv)
    data_dir = a.data_dir.resolve()
    meta = read_meta(data_dir)
    print(
        f"store: {meta['store']} at {data_dir}, {meta['events']:,} events (scale {meta['scale']}), "
        f"horizon {meta['horizon']}"
    )
    extra = []
    if a.cache_size is not None:
        extra += ["--cache-size", str(a.cache_size)]
    if a.batch_size is not None:
        extra += ["--batch-size", str(a.batch_size)]
    if a.limit is not None:
        extra += ["--limit", str(a.limit)]
    if a.processes > 1 and (a.limit is not None or a.cache_size is not None):
        sys.exit("--limit and --cache-size measure one projector: add --processes 1")
    extra += ["--processes", str(a.processes)]
    for target in a.targets.split(","):
        pg_name = ""
        if target == "sqlite":
            url = sqlite_url(data_dir)
        elif target == "postgres":
            pg_name = create_pg_database()
            url = pg_url(pg_name)
        else:
            sys.exit(f"unknown target {target}")
        try:
            result = run_child(["_rebuild", "--data-dir", str(data_dir), "--url", url, *extra])
            print_rebuild(target, result)
            if not a.no_queries:
                rows = latencies(url, meta, a.runs, a.budget)
                print_latencies(target, rows)
        finally:
            if pg_name and not a.keep:
                drop_pg_database(pg_name)
                print(f"   (dropped {pg_name})")


if __name__ == "__main__":
    main()

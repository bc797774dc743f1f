"""A paper's printable PDF: the DOCX of a default template converted by LibreOffice, headless
(`infra/papers/pdf.py`), beside the same hour's yardstick — the conversion of a one-line DOCX,
which is LibreOffice's start and its private profile alone.

    python -m bench.pdf --runs 20

Each run converts one document after another (p50/p95/max in ms), then `--parallel` at once
(the wall time of the batch): a department printing a day's decisions.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from docx import Document

from infra.papers.pdf import docx_to_pdf

TEMPLATES = Path(__file__).resolve().parents[1] / "infra" / "papers" / "templates"


def one_line() -> bytes:
    document = Document()
    document.add_paragraph("Tân An, ngày 20 tháng 11 năm 2025")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def timed(data: bytes, runs: int) -> list[float]:
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        docx_to_pdf(data)
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def line(name: str, spent: list[float]) -> str:
    ordered = sorted(spent)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    p50 = statistics.median(ordered)
    return f"{name:<36} p50 {p50:7.0f}  p95 {p95:7.0f}  max {ordered[-1]:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} runs each")
    yardstick = one_line()
    docx_to_pdf(yardstick)  # warm the file cache
    papers = {p.stem: p.read_bytes() for p in sorted(TEMPLATES.glob("*.docx"))}
    print(line("yardstick: a one-line DOCX", timed(yardstick, args.runs)))
    for name, data in papers.items():
        print(line(f"template {name}", timed(data, args.runs)))
    batch = list(papers.values()) * args.parallel
    start = time.perf_counter()
    with ThreadPoolExecutor(args.parallel) as pool:
        list(pool.map(docx_to_pdf, batch))
    wall = time.perf_counter() - start
    each = wall / len(batch)
    print(f"{len(batch)} papers, {args.parallel} at once: {wall:.1f} s ({each:.2f} s each)")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

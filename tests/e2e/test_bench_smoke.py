"""The benchmarks' machinery (`python -m bench.run --quick`): every figure is produced and
sane -- every message answered, nothing lost, ratios computed, no errors. No timing is
asserted, not even loosely: speed is `make bench`'s business, and this must pass on a loaded
machine."""
import time

import pytest

from bench.common import table
from bench.run import report, run_all


@pytest.mark.slow
async def test_quick_benchmarks_produce_sane_figures():
    started = time.monotonic()
    rows = await run_all(quick=True)
    took = time.monotonic() - started  # for the printed report only
    got = {r.key: r.value for r in rows}
    print(report(rows, took, quick=True))

    # 1. Answering: every bot answered everything (the same-payload echo found a recorded answer
    # for each message: one missing is an error logged); throughputs, ratios, latencies and the
    # CPU of the bot and of the stand-in's own process are numbers.
    assert got["answering.unanswered"] == 0 and got["answering.errors"] == 0
    assert got["answering.pledges"] == 5  # every resident's pledge went through to the end
    assert got["answering.rps"] > 0 and got["answering.echo_rps"] > 0 and got["answering.same_rps"] > 0
    assert 0 < got["answering.same_ratio"] < 10 and 0 < got["answering.ratio"] < 10
    assert got["answering.real_p95_ms"] > 0 and 0 < got["answering.cpu_ms"]
    assert got["answering.load_cpu_ms"] > 0 and got["answering.others_cores"] >= 0
    # 2. Fan-out: each subscriber exactly once, within the limit, questions answered.
    assert got["fanout.lost_doubled"] == 0 and got["fanout.sent"] == 300
    assert got["fanout.count_429"] == 0 and got["fanout.failures"] == 0
    assert 0 < got["fanout.rate_ratio"] <= 1.05
    assert got["fanout.ask_p95_ms"] is not None and got["fanout.ask_p95_ms"] > 0
    # 3. Understanding: times measured (the eval sets are left to tests/e2e, which run each once).
    assert got["understanding.match_p95"] > 0 and got["understanding.match_p95_generated"] > 0
    assert got["understanding.amount_p95_us"] > 0
    assert "understanding.questions_ok" not in got
    assert got["understanding.loo_right"] > 0 and got["understanding.loo_wrong"] is not None
    # 4. Storage: pledges recorded, start-up timed, memory read.
    assert got["storage.sqlite_recorded"] == 20 and got["storage.sqlite_seq"] > 0 and got["storage.sqlite_conc"] > 0
    assert got.get("storage.postgresql_recorded", 20) == 20  # when PostgreSQL is reachable
    assert got["storage.startup_s"] > 0
    assert "load average" in report(rows, took, quick=True, load=(0.5, 0.7))
    assert got["storage.rss_empty_mb"] > 10 and got["storage.rss_full_mb"] > 10
    # Every figure with a target says whether it is met, or that it was not measured fairly (the
    # quick run runs the bots at once: the headline says so); the table renders.
    assert all(r.met is not None or r.shown.startswith("not measured fairly")
               for r in rows if r.target != "—" and r.value is not None)
    assert table(rows).count("\n") == len(rows) + 1

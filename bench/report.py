"""Headline figures and the readable `RESULTS.md` rendered from the measured results."""

from __future__ import annotations

from typing import Any

from bench.notes import FINDINGS, METHOD

TARGETS: dict[str, tuple[str, float]] = {  # figure -> (comparison, target)
    "intake_ratio": (">=", 0.7),
    "relay_ratio": (">=", 0.8),
    "consume_ratio": (">=", 0.5),
    "e2e_p99_ms": ("<=", 100.0),
    "list_p99_ms": ("<=", 50.0),
}


def lookup(results: dict[str, Any], *path: str) -> Any:
    node: Any = results
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def figures(results: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers (absent when their benchmark did not run or failed)."""
    found = {
        "intake_ratio": lookup(results, "intake", "intake_ratio"),
        "intake_suite_requests_per_s": lookup(results, "intake", "suite", "requests_per_s"),
        "intake_suite_p50_ms": lookup(results, "intake", "suite", "p50_ms"),
        "intake_suite_p99_ms": lookup(results, "intake", "suite", "p99_ms"),
        "intake_baseline_requests_per_s": lookup(results, "intake", "baseline", "requests_per_s"),
        "intake_baseline_p50_ms": lookup(results, "intake", "baseline", "p50_ms"),
        "intake_baseline_p99_ms": lookup(results, "intake", "baseline", "p99_ms"),
        "relay_ratio": lookup(results, "relay", "relay_ratio"),
        "relay_suite_events_per_s": lookup(results, "relay", "suite_events_per_s"),
        "relay_baseline_events_per_s": lookup(results, "relay", "baseline_events_per_s"),
        "consume_ratio": lookup(results, "consume", "consume_ratio"),
        "consume_suite_events_per_s": lookup(results, "consume", "suite_events_per_s"),
        "consume_baseline_events_per_s": lookup(results, "consume", "baseline_events_per_s"),
        "e2e_p50_ms": lookup(results, "e2e", "end_to_end", "p50_ms"),
        "e2e_p95_ms": lookup(results, "e2e", "end_to_end", "p95_ms"),
        "e2e_p99_ms": lookup(results, "e2e", "end_to_end", "p99_ms"),
        "e2e_below_saturation_rate_per_s":
            lookup(results, "e2e", "below_saturation", "offered_rate_per_s"),
        "e2e_below_saturation_p50_ms":
            lookup(results, "e2e", "below_saturation", "end_to_end", "p50_ms"),
        "e2e_below_saturation_p99_ms":
            lookup(results, "e2e", "below_saturation", "end_to_end", "p99_ms"),
        "list_p99_ms": lookup(results, "scale", "list_p99_ms"),
    }
    return {k: v for k, v in found.items() if v is not None}


def _verdict(name: str, value: float | None) -> str:
    if value is None:
        return "not measured"
    op, target = TARGETS[name]
    met = value >= target if op == ">=" else value <= target
    return "met" if met else "**not met**"


def _cpu_row(label: str, cpu: dict[str, float] | None) -> str:
    if not cpu:
        return f"| {label} | - | - | - | - | - | - |"
    servers = {k: v for k, v in cpu.items()
               if k not in ("postgresql", "kafka", "machine_busy", "other_processes")
               and not k.startswith(("load_generator", "bench_process"))}
    own = {k: v for k, v in cpu.items() if k.startswith(("load_generator", "bench_process"))}
    server_text = ", ".join(f"{k} {v:.2f}" for k, v in servers.items()) or "-"
    own_text = ", ".join(f"{k} {v:.2f}" for k, v in own.items())
    return (f"| {label} | {server_text} | {own_text} | {cpu.get('postgresql', 0):.2f} | "
            f"{cpu.get('kafka', 0):.2f} | {cpu.get('other_processes', 0):.2f} | "
            f"{cpu.get('machine_busy', 0):.2f} |")


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}{unit}" if abs(value) < 10 else f"{value:,.1f}{unit}"
    return f"{value}{unit}"


def markdown(results: dict[str, Any]) -> str:
    figs = results.get("figures", {})
    out = [
        "# Benchmarks",
        "",
        f"Mode **{results.get('mode')}**, started {results.get('started_at')} on "
        f"{results.get('cpus')} cores; Python {results.get('python')}, PostgreSQL "
        f"{results.get('postgresql')}, Kafka from `deploy/local/kafka.sh`. Written by "
        "`python -m bench` (`make bench`); every number below and in `results.json` was "
        "measured in this run. Targets are the issue's.",
        "",
        "## Figures against targets",
        "",
        "| Figure | Suite | Baseline | Measured | Target | |",
        "|---|---|---|---|---|---|",
        f"| Intake (`POST /complaints` vs raw INSERT, req/s) | "
        f"{_fmt(figs.get('intake_suite_requests_per_s'))} | "
        f"{_fmt(figs.get('intake_baseline_requests_per_s'))} | intake_ratio "
        f"{_fmt(figs.get('intake_ratio'))} | ≥ 0.7 | "
        f"{_verdict('intake_ratio', figs.get('intake_ratio'))} |",
        f"| Relay (outbox → Kafka vs raw producer, events/s) | "
        f"{_fmt(figs.get('relay_suite_events_per_s'))} | "
        f"{_fmt(figs.get('relay_baseline_events_per_s'))} | relay_ratio "
        f"{_fmt(figs.get('relay_ratio'))} | ≥ 0.8 | "
        f"{_verdict('relay_ratio', figs.get('relay_ratio'))} |",
        f"| Consume (service consumer vs raw consumer, events/s) | "
        f"{_fmt(figs.get('consume_suite_events_per_s'))} | "
        f"{_fmt(figs.get('consume_baseline_events_per_s'))} | consume_ratio "
        f"{_fmt(figs.get('consume_ratio'))} | ≥ 0.5 | "
        f"{_verdict('consume_ratio', figs.get('consume_ratio'))} |",
        f"| End-to-end 201 → acceptance projection (p50 / p95 / p99) | "
        f"{_fmt(figs.get('e2e_p50_ms'))} / {_fmt(figs.get('e2e_p95_ms'))} / "
        f"{_fmt(figs.get('e2e_p99_ms'))} ms | - | p99 {_fmt(figs.get('e2e_p99_ms'), ' ms')} | "
        f"≤ 100 ms | {_verdict('e2e_p99_ms', figs.get('e2e_p99_ms'))} |",
        f"| End-to-end again at min(200/s, half the intake capacity measured above) "
        f"({_fmt(figs.get('e2e_below_saturation_rate_per_s'))}/s; p50 / p99) | "
        f"{_fmt(figs.get('e2e_below_saturation_p50_ms'))} / "
        f"{_fmt(figs.get('e2e_below_saturation_p99_ms'))} ms | - | p99 "
        f"{_fmt(figs.get('e2e_below_saturation_p99_ms'), ' ms')} | (≤ 100 ms) | "
        f"{_verdict('e2e_p99_ms', figs.get('e2e_below_saturation_p99_ms'))} |",
        f"| Filtered keyset list at scale (p99 over all list requests) | "
        f"{_fmt(figs.get('list_p99_ms'), ' ms')} | - | list_p99 "
        f"{_fmt(figs.get('list_p99_ms'), ' ms')} | ≤ 50 ms | "
        f"{_verdict('list_p99_ms', figs.get('list_p99_ms'))} |",
        "",
    ]
    out += _contention(results)
    out += _failures(results)
    out += _cpu_section(results)
    out += _intake(results.get("intake"))
    out += _relay(results.get("relay"))
    out += _consume(results.get("consume"))
    out += _e2e(results.get("e2e"))
    out += _scale(results.get("scale"))
    out += ["## Method", "", METHOD.strip(), "", "## Profiling and fixes", "",
            FINDINGS.strip(), ""]
    return "\n".join(out)


def _contention(results: dict[str, Any]) -> list[str]:
    """Warn when other work on the host took CPU during the measured windows."""
    others = [cpu["other_processes"] for cpu in _all_cpu(results) if "other_processes" in cpu]
    if not others or max(others) < 0.2:
        return []
    return [
        f"> **Contended run.** Other processes on this host used up to {max(others):.2f} of "
        f"the {results.get('cpus')} cores (median {sorted(others)[len(others) // 2]:.2f}) "
        "while these figures were measured (see the CPU table). Throughput, latency and the "
        "throughput ratios are depressed accordingly; the CPU-per-operation figures in the "
        "sections below are the least affected. Re-run `make bench` on an idle machine for "
        "representative numbers.",
        "",
    ]


def _all_cpu(results: dict[str, Any]) -> list[dict[str, float]]:
    found: list[dict[str, float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "machine_busy" in node:
                found.append(node)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in results.items() if k != "figures"})
    return found


def _failures(results: dict[str, Any]) -> list[str]:
    lines = [f"- **{k}** failed: `{v['failed']}`" for k, v in results.items()
             if isinstance(v, dict) and "failed" in v]
    lines += [f"- **{k}**: the shared {', '.join(v['servers_restarted_during_run'])} "
              "restarted while it ran (another process restarted it): its figures are not "
              "a clean measurement." for k, v in results.items()
              if isinstance(v, dict) and v.get("servers_restarted_during_run")]
    lines += [f"- **{k}**: measured on attempt {v['attempt']}; the earlier attempt was "
              "interrupted (server restart or failure) and discarded." for k, v in results.items()
              if isinstance(v, dict) and v.get("attempt", 1) > 1 and "failed" not in v
              and not v.get("servers_restarted_during_run")]
    return ["## Interrupted or failed benchmarks", "", *lines, ""] if lines else []


def _cpu_section(results: dict[str, Any]) -> list[str]:
    rows = [
        _cpu_row("intake, suite runs (median)", lookup(results, "intake", "suite", "cpu_cores")),
        _cpu_row("intake, baseline runs (median)",
                 lookup(results, "intake", "baseline", "cpu_cores")),
        _cpu_row("relay, suite (last run)", _last_cpu(results, "relay", "suite")),
        _cpu_row("relay, raw producer (last run)", _last_cpu(results, "relay", "baseline")),
        _cpu_row("consume, suite (last run)", _last_cpu(results, "consume", "suite")),
        _cpu_row("consume, raw (last run)", _last_cpu(results, "consume", "baseline")),
        _cpu_row("end-to-end", lookup(results, "e2e", "cpu_cores")),
        _cpu_row("scale (all scenarios)", lookup(results, "scale", "cpu_cores")),
    ]
    return [
        "## How the 2 cores were shared",
        "",
        "CPU in cores (CPU-seconds per second of the measured window) from `/proc`: the "
        "service processes by pid, this process (the load generator, or the relay/consumer "
        "under test when the benchmark runs in-process), every `postgres` process (backends "
        "that exit are counted through the postmaster's children time), the Kafka JVM, and "
        "`other` = busy time of the whole machine not accounted to those (other work on the "
        "host). PostgreSQL and Kafka are shared servers: their figures include any other "
        "client's load.",
        "",
        "| Window | Service process(es) | Bench process | PostgreSQL | Kafka | Other | "
        "Machine busy |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _last_cpu(results: dict[str, Any], bench: str, side: str) -> dict[str, float] | None:
    runs = lookup(results, bench, "runs", side)
    return runs[-1]["cpu_cores"] if runs else None


def _intake(r: dict[str, Any] | None) -> list[str]:
    if not r or "failed" in r:
        return []
    lines = ["## 1. Intake", "",
             f"{r['concurrency']} keep-alive connections, closed loop, "
             f"{r['duration_s']:.0f} s per run, order {r['order']} after a warm-up of each "
             f"path; ratio per A/B pair {r['pair_ratios']}, median **{r['intake_ratio']}**. "
             f"{r['complaints_filed']} reports filed, {r['outbox_events']} events staged, "
             f"{r['outbox_unsent_after_run']} still unsent when the runs ended (the relay "
             "kept up).", "",
             f"Server CPU per request (median): suite "
             f"{r['suite']['server_cpu_ms_per_request']} ms, baseline "
             f"{r['baseline']['server_cpu_ms_per_request']} ms; baseline/suite "
             f"**{r['cpu_per_request_ratio']}**.", "",
             "| Run | Path | req/s | p50 ms | p99 ms | non-201 | server cores | "
             "server CPU ms/req |",
             "|---|---|---|---|---|---|---|---|"]
    for i, (s, b) in enumerate(zip(r["runs"]["suite"], r["runs"]["baseline"], strict=True)):
        for label, run in (("suite `POST /complaints`", s), ("baseline raw INSERT", b)):
            lines.append(f"| {i + 1} | {label} | {run['requests_per_s']} | {run['p50_ms']} | "
                         f"{run['p99_ms']} | {run['non_201']} | "
                         f"{run['cpu_cores'].get('server', 0):.2f} | "
                         f"{run['server_cpu_ms_per_request']} |")
    return [*lines, ""]


def _relay(r: dict[str, Any] | None) -> list[str]:
    if not r or "failed" in r:
        return []
    lines = ["## 2. Relay", "",
             f"{r['events_per_run']} events per run, order {r['order']}; ratio per pair "
             f"{r['pair_ratios']}, median **{r['relay_ratio']}**. CPU per event (median): "
             f"relay {r['suite_cpu_us_per_event']} µs, raw producer "
             f"{r['baseline_cpu_us_per_event']} µs.", "",
             "| Run | outbox relay events/s | relay CPU µs/event | raw producer events/s | "
             "raw CPU µs/event |", "|---|---|---|---|---|"]
    for i, (s, b) in enumerate(zip(r["runs"]["suite"], r["runs"]["baseline"], strict=True)):
        lines.append(f"| {i + 1} | {s['events_per_s']} | {s['cpu_us_per_event']} | "
                     f"{b['events_per_s']} | {b['cpu_us_per_event']} |")
    return [*lines, ""]


def _consume(r: dict[str, Any] | None) -> list[str]:
    if not r or "failed" in r:
        return []
    lines = ["## 3. Consume", "",
             f"{r['events_per_run']} events per run; ratio per pair {r['pair_ratios']}, "
             f"median **{r['consume_ratio']}**. Reference: a raw consumer doing one INSERT "
             f"per event (its own transaction) reached "
             f"{r['reference_one_insert_events_per_s']} events/s; suite / reference = "
             f"{r['suite_vs_one_insert_reference']}. Consumer CPU per applied event "
             f"(median): {r['suite_cpu_us_per_event']} µs.", "",
             "| Run | service consumer events/s | raw consumer events/s | raw + 1 INSERT |",
             "|---|---|---|---|"]
    for i, (s, b, x) in enumerate(zip(r["runs"]["suite"], r["runs"]["baseline"],
                                      r["runs"]["reference"], strict=True)):
        lines.append(f"| {i + 1} | {s['events_per_s']} | {b['events_per_s']} | "
                     f"{x['events_per_s']} |")
    return [*lines, ""]


def _lat(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "| - | - | - | - | - |"
    return (f"| {summary['p50_ms']} | {summary['p95_ms']} | {summary['p99_ms']} | "
            f"{summary['max_ms']} | {summary['samples']} |")


def _e2e(r: dict[str, Any] | None) -> list[str]:
    if not r or "failed" in r:
        return []
    lines = ["## 4. End-to-end latency", "", *_e2e_run(r)]
    if r.get("below_saturation"):
        lines += ["Then, on the same servers, at half the intake capacity measured in this run "
                  "or the issue's 200/s, whichever is lower:",
                  "", *_e2e_run(r["below_saturation"])]
    return lines


def _e2e_run(r: dict[str, Any]) -> list[str]:
    stages = r.get("stages", {})
    return [
        f"Offered {r['offered_rate_per_s']:.0f} reports/s open-loop for "
        f"{r['duration_s']:.0f} s (achieved {r['achieved_rate_per_s']}/s, "
        f"{r['reports']} reports, {r['non_201']} non-201, {r['projected']} projected, "
        f"{r['lost']} never seen). Poll interval {r['poll_interval_ms']} ms.", "",
        "| Interval | p50 ms | p95 ms | p99 ms | max ms | samples |",
        "|---|---|---|---|---|---|",
        "| 201 → row visible in acceptance `complaint_views` " + _lat(r.get("end_to_end")),
        "| `POST /complaints` response time " + _lat(r.get("post_latency")),
        "| stage: outbox row written → relay marked it sent (acks=all) "
        + _lat(stages.get("commit_to_kafka_ack")),
        "| stage: relay marked sent → acceptance inbox row written "
        + _lat(stages.get("relay_marked_sent_to_inbox_processed")),
        "",
    ]


def _scale(r: dict[str, Any] | None) -> list[str]:
    if not r or "failed" in r:
        return []
    lines = ["## 5. Lists at scale", "",
             f"{r['complaints']:,} complaints and {r['projects']:,} projects bulk-loaded in "
             f"{r['bulk_load_seconds']} s; {r['requests_per_scenario']} requests per "
             "scenario, one at a time, `limit=50`. p99 over every list request: "
             f"**{r['list_p99_ms']} ms** (worst scenario p99 {r['worst_scenario_p99_ms']} ms).",
             "", "| Scenario | p50 ms | p95 ms | p99 ms | max ms | samples | items/page |",
             "|---|---|---|---|---|---|---|"]
    for s in r["scenarios"]:
        lat = s["latency"]
        lines.append(f"| {s['scenario']} | {lat['p50_ms']} | {lat['p95_ms']} | "
                     f"{lat['p99_ms']} | {lat['max_ms']} | {lat['samples']} | "
                     f"{s['mean_items_per_page']} |")
    lines += ["", "`EXPLAIN (ANALYZE, BUFFERS)` of the statements the services build:", "",
              "| Statement | Indexes used | Seq scan | Execution ms |", "|---|---|---|---|"]
    for name, plan in r["explain"].items():
        lines.append(f"| {name} | {', '.join(plan['indexes']) or '-'} | "
                     f"{'yes' if plan['seq_scan'] else 'no'} | {plan['execution_ms']} |")
    lines += ["", "<details><summary>Plans</summary>", ""]
    for name, plan in r["explain"].items():
        lines += [f"**{name}**", "", "```", *plan["plan"], "```", ""]
    return [*lines, "</details>", ""]

"""The load benchmark's figures: the ratios to the baselines, the issue's targets checked against this run, and
the readable table."""

from __future__ import annotations

import math
from typing import Any

from bench.phases import LIVE_POLL_SECONDS

SAVE_P99_TARGET_MS = 50.0
FIRST_ITEM_TARGET_MS = 5_000.0
SAVE_RATIO_TARGET = 1.0
LOGIN_RATIO_TARGET = 0.8
RSS_TARGET_MIB = 1024.0
LIVE_PAGES = 10_000  # the scale for the live channel: open exam pages, each polling every 3 s

PHASE_LABELS = {
    "login": "login (password)",
    "start_burst": "start (burst)",
    "first_item_burst": "first item (burst)",
    "start_rest": "start (the rest)",
    "first_item_rest": "first item (the rest)",
    "open_page": "exam page opens (binds)",
    "save": "save (sustained)",
    "item_page": "item page (sustained)",
    "live_poll": "live poll (every 3 s)",
    "submit": "submit",
}


def ratio(app: float, baseline: float) -> float:
    return round(app / baseline, 3) if baseline else math.nan


def ratios(report: dict[str, Any]) -> dict[str, float]:
    capacity, baselines = report["capacity"], report["baselines"]
    return {
        "save": ratio(capacity["app_save"]["rate_per_s"], capacity["baseline_save"]["rate_per_s"]),
        "render": ratio(capacity["app_page"]["rate_per_s"], capacity["baseline_page"]["rate_per_s"]),
        "save_peak": ratio(capacity["app_save"]["peak_ok_per_s"], capacity["baseline_save"]["peak_ok_per_s"]),
        "render_peak": ratio(capacity["app_page"]["peak_ok_per_s"], capacity["baseline_page"]["peak_ok_per_s"]),
        "live": ratio(capacity["app_live"]["rate_per_s"], capacity["baseline_live"]["rate_per_s"]),
        "live_peak": ratio(capacity["app_live"]["peak_ok_per_s"], capacity["baseline_live"]["peak_ok_per_s"]),
        "login": ratio(report["phases"]["login"]["requests_per_s"], baselines["argon2_verify_per_s"]),
    }


def cpu_ms_per_request(sweep: dict[str, Any]) -> float:
    """The server's CPU time per request of an endpoint: at the highest rate of its sweep that it kept up with (the
    server's idle work is spread over the most requests there), or its first step when it kept up with none."""
    kept = [step for step in sweep["steps"] if step["kept_up"]] or sweep["steps"][:1]
    figure = max(kept, key=lambda step: step["offered_per_s"])["server_cpu_ms_per_request"]
    return math.nan if figure is None else float(figure)


def live_channel(report: dict[str, Any], open_pages: int) -> dict[str, Any]:
    """What the live channel costs: per poll (server CPU, against a save and a bare one-row read measured in the
    same run), in this run's live phase, and at LIVE_PAGES open pages each polling every LIVE_POLL_SECONDS."""
    capacity, cpus = report["capacity"], report["machine"]["cpus"] or 1
    per_poll = cpu_ms_per_request(capacity["app_live"])
    per_save, per_bare = cpu_ms_per_request(capacity["app_save"]), cpu_ms_per_request(capacity["baseline_live"])
    rate = LIVE_PAGES / LIVE_POLL_SECONDS
    cores = per_poll * rate / 1000
    polls = report["phases"].get("live_poll", {})
    return {
        "poll_seconds": LIVE_POLL_SECONDS,
        "this_run": {
            "open_pages": open_pages,
            **{key: polls.get(key) for key in ("requests_per_s", "p50_ms", "p99_ms", "errors")},
            "server_cpu_ms_per_poll": polls.get("server_cpu_ms_per_request"),
            "server_cpu_cores": polls.get("server_cpu_cores"),
        },
        "server_cpu_ms": {"poll": per_poll, "save": per_save, "bare_read": per_bare},
        "poll_vs_save_cpu": ratio(per_poll, per_save),
        "poll_vs_bare_read_cpu": ratio(per_poll, per_bare),
        "at_scale": {
            "open_pages": LIVE_PAGES,
            "polls_per_s": round(rate, 1),
            "server_cores": round(cores, 2),
            "machine_share": round(cores / cpus, 3),
            "ceiling_per_s": capacity["app_live"]["rate_per_s"],
            "peak_ok_per_s": capacity["app_live"]["peak_ok_per_s"],
            "times_the_peak": ratio(rate, capacity["app_live"]["peak_ok_per_s"]),
        },
    }


def targets(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The issue's targets, judged on this run (they are stated for 10,000 candidates on the 2-core machine)."""
    phases, integrity = report["phases"], report["integrity"]
    save = phases["save"]
    first_item = phases.get("first_item_burst", {})
    checks = {
        "save_p99_ms": (save["p99_ms"], f"<= {SAVE_P99_TARGET_MS:g}", save["p99_ms"] <= SAVE_P99_TARGET_MS),
        "save_errors": (save["errors"], "0", save["errors"] == 0),
        "lost_saves": (integrity["lost_saves"], "0", integrity["lost_saves"] == 0),
        "save_ratio": (
            report["ratios"]["save"],
            f">= {SAVE_RATIO_TARGET:g}",
            report["ratios"]["save"] >= SAVE_RATIO_TARGET,
        ),
        "first_item_max_ms": (
            first_item.get("max_ms", math.nan),
            f"<= {FIRST_ITEM_TARGET_MS:g}",
            first_item.get("max_ms", math.inf) <= FIRST_ITEM_TARGET_MS and first_item.get("errors", 1) == 0,
        ),
        "login_ratio": (
            report["ratios"]["login"],
            f">= {LOGIN_RATIO_TARGET:g}",
            report["ratios"]["login"] >= LOGIN_RATIO_TARGET,
        ),
        "server_peak_rss_mib": (
            report["server"]["peak_rss_mib"],
            f"< {RSS_TARGET_MIB:g}",
            report["server"]["peak_rss_mib"] < RSS_TARGET_MIB,
        ),
    }
    return {name: {"measured": m, "target": t, "met": bool(ok)} for name, (m, t, ok) in checks.items()}


def _number(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _row(capacity: dict[str, Any], ratio_of: dict[str, float], what: str, figure: str, ratio_name: str) -> str:
    engine, baseline = capacity[f"app_{what}"][figure], capacity[f"baseline_{what}"][figure]
    return f"{_number(engine):>10}{_number(baseline):>10}{_number(ratio_of[ratio_name], 3):>8}"


def _sustained_lines(saves: dict[str, Any] | None) -> list[str]:
    """The sustained phase's saves by window of intended send time, and the server's CPU by process: whether a
    queue forms and drains, and whether one worker is busier than the other."""
    if not saves or not saves.get("timeline"):
        return []
    by_process = ", ".join(_number(cores, 2) for cores in saves.get("server_cpu_cores_by_process") or [])
    lines = ["", f"saves in the sustained phase (server cores by process: {by_process})"]
    for window in saves["timeline"]:
        lines.append(
            f"  from {window['from_s']:>4} s {_number(window['n']):>8} answered   p50 {_number(window['p50_ms']):>9} ms"
            f"   p99 {_number(window['p99_ms']):>9} ms"
        )
    return lines


def _prepared(seconds: float | None) -> str:
    if seconds is None:
        return "forms assembled at Start (--prepared-forms no)"
    return f"forms prepared before the window in {seconds:g} s (the scheduled job's work), so Start does no assembly"


def _live_lines(report: dict[str, Any]) -> list[str]:
    live = report["live_channel"]
    run, cpu, scale = live["this_run"], live["server_cpu_ms"], live["at_scale"]
    return [
        f"live channel (GET /candidate/attempts/{{id}}/live, every {live['poll_seconds']:g} s per open exam page):",
        f"  this run: {_number(run['open_pages'])} open pages, {_number(run['requests_per_s'])} polls/s, p50"
        f" {_number(run['p50_ms'])} ms, p99 {_number(run['p99_ms'])} ms, {_number(run['errors'])} errors, server"
        f" {_number(run['server_cpu_ms_per_poll'], 3)} ms CPU a poll ({_number(run['server_cpu_cores'], 2)} cores)",
        f"  server CPU per request (sweeps): poll {_number(cpu['poll'], 3)} ms, save {_number(cpu['save'], 3)} ms,"
        f" bare one-row read {_number(cpu['bare_read'], 3)} ms: poll / save {_number(live['poll_vs_save_cpu'], 3)},"
        f" poll / bare read {_number(live['poll_vs_bare_read_cpu'], 3)}",
        f"  at {_number(scale['open_pages'])} open pages: {_number(scale['polls_per_s'])} polls/s need"
        f" {_number(scale['server_cores'], 2)} server cores, {scale['machine_share']:.0%} of this"
        f" {report['machine']['cpus']}-CPU machine; {_number(scale['times_the_peak'], 2)} x the most polls/s it"
        f" answered ({_number(scale['peak_ok_per_s'])}/s; {_number(scale['ceiling_per_s'])}/s within p99 50 ms)",
        *_stream_lines(live.get("streams") or {}),
    ]


def _stream_lines(streams: dict[str, Any]) -> list[str]:
    """The server-sent event stream every open page holds instead of polling (bench/streams.py)."""
    if not streams:
        return []
    quiet, active, delivery, rss = streams["quiet"], streams["active"], streams["delivery_ms"], streams["rss_mib"]
    target = streams["target_one_core_share"]

    def share(figure: float | None) -> str:
        verdict = "" if figure is None else (" ok" if figure <= target else " OVER")
        shown = "n/a" if figure is None else f"{figure:.1%}"
        return f"{shown} of one core at 10,000 pages (target <= {target:.0%}){verdict}"

    return [
        f"live stream (GET /candidate/attempts/{{id}}/events, held by every open page): {_number(streams['streams'])}"
        f" streams, refused {streams['refused'] or 0}, dropped {streams['dropped']}, {_number(streams['pings'])} pings",
        f"  quiet {_number(quiet['seconds'])} s: server {_number(quiet['server_cpu_cores'], 4)} cores,"
        f" {_number(quiet['server_cpu_ms_per_page_per_s'], 5)} ms CPU per open page a second:"
        f" {share(quiet['one_core_share_at_10000_pages'])}",
        f"  with {_number(active['actions'])} proctor messages over {_number(active['seconds'])} s: server"
        f" {_number(active['server_cpu_cores'], 4)} cores ({_number(active['actions_server_cpu_cores'], 4)} for the"
        f" proctor's requests and their pushes, the same at any number of pages):"
        f" {share(active['one_core_share_at_10000_pages_with_actions'])}",
        f"  a proctor's action to its stream: p50 {_number(delivery['p50_ms'])} ms, p99 {_number(delivery['p99_ms'])}"
        f" ms, max {_number(delivery['max_ms'])} ms ({_number(delivery['n'])} delivered,"
        f" {streams['not_delivered']} not, {active['action_errors']} actions failed)",
        f"  server RSS {_number(rss['before'])} MiB before, {_number(rss['with_streams'])} MiB with the streams"
        f" ({_number(rss['kib_per_stream'])} KiB a stream)",
    ]


def table(report: dict[str, Any]) -> str:
    config = report["config"]
    lines = [
        f"examengine load benchmark: {config['candidates']:,} candidates, think {config['think']:g} s, "
        f"{config['duration']:g} s sustained, {report['machine']['database']}, {config['workers']} worker(s), "
        f"{report['machine']['cpus']} CPUs, bank of {report['setup']['bank_items']:,} items, "
        f"{report['setup']['form_items']} items a form, {report['setup']['stored_responses']:,} answers stored before",
        _prepared(report["setup"].get("prepared_forms_seconds")),
        "",
        f"{'phase':24}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>10}"
        f"{'errors':>8}{'RSS MiB':>9}{'srv CPU':>8}{'drv CPU':>8}",
    ]
    for key, label in PHASE_LABELS.items():
        p = report["phases"].get(key)
        if not p:
            continue
        lines.append(
            f"{label:24}{_number(p['requests']):>10}{_number(p['requests_per_s']):>9}{_number(p['p50_ms']):>9}"
            f"{_number(p['p95_ms']):>9}{_number(p['p99_ms']):>9}{_number(p['max_ms']):>10}{_number(p['errors']):>8}"
            f"{_number(p['server_peak_rss_mib']):>9}{_number(p['server_cpu_cores'], 2):>8}"
            f"{_number(p['driver_cpu_cores'], 2):>8}"
        )
    lines += _sustained_lines(report["phases"].get("save"))
    capacity, baselines, ratio_of = report["capacity"], report["baselines"], report["ratios"]
    limit = format(capacity["app_save"]["p99_limit_ms"], "g")
    lines += [
        "",
        f"{'ceilings (per second)':40}{'engine':>10}{'baseline':>10}{'ratio':>8}",
        f"{'save, p99 <= ' + limit + ' ms':40}{_row(capacity, ratio_of, 'save', 'rate_per_s', 'save')}",
        f"{'save, most answered':40}{_row(capacity, ratio_of, 'save', 'peak_ok_per_s', 'save_peak')}",
        f"{'item page vs Jinja2 page, p99 <= ' + limit + ' ms':40}"
        f"{_row(capacity, ratio_of, 'page', 'rate_per_s', 'render')}",
        f"{'item page vs Jinja2 page, most answered':40}"
        f"{_row(capacity, ratio_of, 'page', 'peak_ok_per_s', 'render_peak')}",
        f"{'live poll vs bare read, p99 <= ' + limit + ' ms':40}"
        + _row(capacity, ratio_of, "live", "rate_per_s", "live"),
        f"{'live poll vs bare read, most answered':40}{_row(capacity, ratio_of, 'live', 'peak_ok_per_s', 'live_peak')}",
        f"{'login vs raw argon2 verify':40}{_number(report['phases']['login']['requests_per_s']):>10}"
        f"{_number(baselines['argon2_verify_per_s']):>10}{_number(ratio_of['login'], 3):>8}",
        "",
        *_live_lines(report),
        "",
    ]
    integrity = report["integrity"]
    lines.append(
        f"integrity: {integrity['acknowledged_saves']:,} acknowledged saves on {integrity['slots_checked']:,} slots, "
        f"{integrity['lost_saves']} lost; {integrity['attempts_submitted']:,} attempts submitted, "
        f"{integrity['results']:,} results; server peak RSS {report['server']['peak_rss_mib']:,.1f} MiB"
    )
    lines.append(f"server logs: {report['server']['logs']['engine']}, {report['server']['logs']['baseline']}")
    lines.append("targets (stated for 10,000 candidates; judged on this run):")
    for name, check in report["targets"].items():
        measured = check["measured"]
        shown = _number(measured, 3 if "ratio" in name else 1)
        lines.append(f"  {'met ' if check['met'] else 'MISS'} {name:22}{shown:>12}  target {check['target']}")
    return "\n".join(lines) + "\n"

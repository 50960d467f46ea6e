#!/usr/bin/env python3
"""The province bench's driver (benches/province/run.sh runs it): tomorrow's plans of every
station-day of the province preset through the solve queue, with 1 and 2 workers, each on a
fresh PostgreSQL schema. Prints per run: plans, wall, job wait p50/p95, per-job overhead
(wall of the job less its search), redeliveries and plans per core-minute; then, on paper, the
workers a 16-prefecture province needs between 20:00 and 06:00. Standard library only."""

import argparse
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, text
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_healthy(base, proc, what):
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{what} stopped (exit {proc.returncode})")
        try:
            if call("GET", f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{what} did not come up at {base}")


def quantile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(math.ceil(q * len(values))) - 1)]


def run(args, workers, scenario):
    schema = f"cc_province_{workers}_{os.getpid()}"
    psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", args.postgres]
    quiet = "SET client_min_messages = warning; "
    subprocess.run(psql + ["-c", f"{quiet}DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"],
                   check=True)
    db = f"{args.postgres}?options=-c%20search_path%3D{schema}"
    nats = ["--nats", args.nats] if args.nats else []
    token = subprocess.run([args.bin, "--quiet", "token", "create", "--db", db, "--role", "admin"],
                           check=True, capture_output=True, text=True).stdout.strip()
    procs = []
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = subprocess.Popen([args.bin, "--quiet", "serve", "--api-only", "--scenario", args.scenario,
                                  "--db", db, "--addr", f"127.0.0.1:{port}", "--time-limit", "600"] + nats,
                                 stdout=subprocess.DEVNULL)
        procs.append(serve)
        wait_healthy(base, serve, "serve")
        logs, metrics = [], []
        for w in range(workers):
            wport = free_port()
            log = os.path.join(args.out, f"worker-{workers}-{w + 1}.log")
            logs.append(log)
            metrics.append(f"http://127.0.0.1:{wport}/metrics")
            p = subprocess.Popen([args.bin, "worker", "--db", db, "--instance-id", f"w{w + 1}",
                                  "--concurrency", "1", "--scenario", args.scenario, "--log-json",
                                  "--addr", f"127.0.0.1:{wport}", "--time-limit", "600"] + nats,
                                 stdout=subprocess.DEVNULL, stderr=open(log, "w"))
            procs.append(p)
            wait_healthy(f"http://127.0.0.1:{wport}", p, f"worker {w + 1}")
        started = time.time()
        plans = []
        for station in scenario["stations"]:
            status, text = call("POST", f"{base}/v1/plans", token,
                                {"station": station["id"], "date": scenario["date"],
                                 "time_limit_secs": args.time_limit})
            if status != 202:
                sys.exit(f"plan of {station['id']}: {status} {text}")
            plans.append(json.loads(text)["id"])
        statuses = {}
        while True:
            for pid in plans:
                if statuses.get(pid) in ("done", "failed", "cancelled"):
                    continue
                statuses[pid] = json.loads(call("GET", f"{base}/v1/plans/{pid}", token)[1])["status"]
            if all(s in ("done", "failed", "cancelled") for s in statuses.values()):
                break
            if time.time() - started > 3600:
                sys.exit("the plans did not end within an hour")
            time.sleep(0.5)
        wall = time.time() - started
        redelivered = 0
        for url in metrics:
            with urllib.request.urlopen(url, timeout=10) as r:
                for line in r.read().decode().splitlines():
                    if line.startswith("carecircle_jobs_redelivered_total "):
                        redelivered += int(line.split()[1])
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(psql + ["-c", f"{quiet}DROP SCHEMA IF EXISTS {schema} CASCADE"], check=False)
    waits, runs, searched = {}, {}, {}
    for log in logs:
        for line in open(log):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            fields = event.get("fields", {})
            plan = fields.get("plan")
            if fields.get("message") == "job ended" and str(fields.get("job", "")).startswith("Plan"):
                waits[plan], runs[plan] = fields["wait_ms"], fields["run_ms"]
            elif fields.get("message") == "plan searched":
                searched[plan] = fields["solve_ms"]
    overhead = [runs[p] - searched[p] for p in runs if p in searched]
    done = sum(1 for s in statuses.values() if s == "done")
    return {
        "workers": workers, "plans": len(plans), "done": done, "wall_s": wall,
        "wait_p50_ms": quantile(list(waits.values()), 0.5), "wait_p95_ms": quantile(list(waits.values()), 0.95),
        "overhead_mean_ms": sum(overhead) / len(overhead) if overhead else float("nan"),
        "overhead_p95_ms": quantile(overhead, 0.95),
        "redelivered": redelivered, "plans_per_core_minute": done / (wall / 60 * workers),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    ap.add_argument("--nats", default=None, help="NATS with JetStream: the queue goes through it")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--estimate-search", type=float, default=60.0,
                    help="seconds of search per station-day for the province estimate")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    scenario = json.load(open(args.scenario))
    rows = [run(args, int(n), scenario) for n in args.workers.split(",")]
    queue = "JetStream" if args.nats else "PostgreSQL"
    print(f"\n{len(scenario['stations'])} station-days through the {queue} queue, "
          f"{args.time_limit:g} s search each, one thread per worker ({time.strftime('%Y-%m-%d')})\n")
    print("| workers | plans done | wall s | job wait p50 / p95 s | overhead per job mean / p95 ms | redeliveries | plans per core-minute |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['workers']} | {r['done']}/{r['plans']} | {r['wall_s']:.1f} | "
              f"{r['wait_p50_ms'] / 1000:.1f} / {r['wait_p95_ms'] / 1000:.1f} | "
              f"{r['overhead_mean_ms']:.0f} / {r['overhead_p95_ms']:.0f} | {r['redelivered']} | "
              f"{r['plans_per_core_minute']:.2f} |")
    json.dump(rows, open(os.path.join(args.out, "province.json"), "w"), indent=2)
    # On paper: 16 prefectures of 8 counties of 11 stations, planned between 20:00 and 06:00,
    # at this run's rate and at a county-sized search (--estimate-search seconds a plan, plus
    # this run's overhead per job).
    best = max(rows, key=lambda r: r["plans_per_core_minute"])
    station_days = 16 * 8 * 11
    minutes = 10 * 60
    core_minutes = station_days / best["plans_per_core_minute"]
    print(f"\nA 16-prefecture province (16 x 8 counties x 11 stations = {station_days} station-days a night) "
          f"at {best['plans_per_core_minute']:.2f} plans per core-minute needs {core_minutes:.0f} core-minutes: "
          f"{math.ceil(core_minutes / minutes)} one-core worker(s) between 20:00 and 06:00.")
    # The wall a plan costs a core beyond its search: queue, claim, day and matrices, storing.
    cost_s = (60 / best["plans_per_core_minute"]) - args.time_limit
    at = args.estimate_search + max(cost_s, 0)
    core_minutes = station_days * at / 60
    print(f"At {args.estimate_search:g} s of search a plan (a county station's day) and this run's "
          f"{max(cost_s, 0):.2f} s of cost beside the search: {core_minutes:.0f} core-minutes, "
          f"{math.ceil(core_minutes / minutes)} one-core workers ({math.ceil(core_minutes / minutes * 1.5)} "
          f"with 50 % headroom for re-runs).")

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Solves the Mankowska et al. (2014) home-health-care instances with CareCircle and prints,
per instance, the benchmark objective ((distance + total tardiness + max tardiness) / 3, as
`kpis.objective` of the plan), the best-known value of best_known_summary.csv, the gap and the
checker's verdict (`carecircle check`, which also recomputes the objective from the routes);
then the mean gap per set and overall. Writes every run to a CSV under benches/hhc/results/.

Run it through run.sh, which builds CareCircle first. Standard library only.
"""
import argparse, csv, datetime, json, os, re, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "hhc", "mankowska2014"))
CARECIRCLE = os.environ.get("CARECIRCLE") or os.path.join(ROOT, "target", "release", "carecircle")
SETS = {"A": 10, "B": 25, "C": 50, "D": 75, "E": 100, "F": 200, "G": 300}


def instances():
    with open(os.path.join(DATA, "best_known_summary.csv")) as f:
        rows = list(csv.DictReader(f))
    return [(r["instance"], r["instance_file"], float(r["best_known"])) for r in rows]


def solve(name, file, budget, seed):
    path = os.path.join(DATA, "instances", file)
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, "plan.json")
        t0 = time.perf_counter()
        cp = subprocess.run([CARECIRCLE, "solve", path, "--quiet", "--threads", "1", "--time-limit", str(budget),
                             "--seed", str(seed), "--out", out],
                            capture_output=True, text=True, timeout=budget + 60)
        wall = time.perf_counter() - t0
        if cp.returncode != 0:
            return dict(ok=False, wall=wall, verdict="crash: " + cp.stderr.strip()[-200:])
        with open(out) as f:
            plan = json.load(f)
        chk = subprocess.run([CARECIRCLE, "check", path, out], capture_output=True, text=True)
        m = re.search(r"objective ([0-9.]+)", chk.stdout)
        checked = float(m.group(1)) if m else None
    k = plan["kpis"]
    return dict(ok=chk.returncode == 0, wall=wall, objective=k.get("objective"), checked=checked,
                routes=len(plan["routes"]), unassigned=k["visits_unassigned"],
                verdict="feasible" if chk.returncode == 0 else chk.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", type=float, default=30, help="seconds for sets A-E")
    ap.add_argument("--large", type=float, default=120, help="seconds for sets F-G")
    ap.add_argument("--jobs", type=int, default=1, help="instances solved at once (one thread each)")
    ap.add_argument("--sets", default="ABCDEFG", help="which sets, e.g. A,B or ABC")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="CSV of every run (default benches/hhc/results/hhc-DATE.csv)")
    a = ap.parse_args()
    wanted = set(a.sets.replace(",", "").upper())
    todo = [(n, f, b) for n, f, b in instances() if n[0] in wanted]
    if not todo:
        sys.exit(f"no instance in sets {a.sets!r}; sets are {''.join(SETS)}")
    budget = lambda n: a.small if SETS[n[0]] <= 100 else a.large

    def task(item):
        n, f, best = item
        r = solve(n, f, budget(n), a.seed)
        r.update(instance=n, best_known=best, budget=budget(n))
        if r.get("objective") is not None:
            r["gap"] = 100.0 * (r["objective"] - best) / best
        print(f"{n:>4} {r.get('objective') or float('nan'):10.3f} best {best:10.3f} "
              f"gap {r.get('gap', float('nan')):+7.2f} %  {r['verdict']}  ({r['wall']:.1f} s)",
              file=sys.stderr, flush=True)
        return r

    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = list(pool.map(task, todo))

    print(f"\n{'inst':>5} {'budget':>7} {'routes':>6} {'objective':>11} {'checked':>11} "
          f"{'best known':>11} {'gap %':>7}  verdict")
    for r in results:
        print(f"{r['instance']:>5} {r['budget']:>6g}s {r.get('routes', 0):>6} "
              f"{r.get('objective') or float('nan'):>11.3f} {r.get('checked') or float('nan'):>11.3f} "
              f"{r['best_known']:>11.3f} {r.get('gap', float('nan')):>+7.2f}  {r['verdict']}")
    print(f"\n{'set':>4} {'n':>3} {'mean gap %':>10} {'max gap %':>10} {'feasible':>9}")
    for s in SETS:
        rs = [r for r in results if r["instance"][0] == s]
        if not rs:
            continue
        gaps = [r["gap"] for r in rs if "gap" in r]
        mean = sum(gaps) / len(gaps) if gaps else float("nan")
        print(f"{s:>4} {len(rs):>3} {mean:>+10.2f} {max(gaps, default=float('nan')):>+10.2f} "
              f"{sum(r['ok'] for r in rs):>5}/{len(rs)}")
    for label, group in (("A-E", "ABCDE"), ("F-G", "FG")):
        gaps = [r["gap"] for r in results if r["instance"][0] in group and "gap" in r]
        if gaps:
            print(f"mean gap {label}: {sum(gaps) / len(gaps):+.2f} % over {len(gaps)} instances")
    out = a.out or os.path.join(HERE, "results", f"hhc-{datetime.date.today()}.csv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cols = ["instance", "budget", "routes", "objective", "checked", "best_known", "gap",
            "unassigned", "ok", "verdict", "wall"]
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(results)
    print(f"runs written to {out}")
    if not all(r["ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()

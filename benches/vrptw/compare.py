#!/usr/bin/env python3
"""Side-by-side VRPTW comparison: CareCircle and the peers of ../shared/peers (PyVRP, OR-Tools,
VROOM, vrp-cli) on the same Solomon-format instances with the same time budget, one thread each.

Every solver's routes are re-checked by the peers' independent checker (solomon.py, exact
floating-point Euclidean distances), and the gap is taken against the distance-only best-known
values of ../shared/peers/bks_distance.csv. Prints one line per run as it finishes, then a table
per instance, the mean gap per instance family and per solver; writes every run to a CSV.

Run it through run.sh, which builds CareCircle and installs the peers first.
"""
import argparse, csv, datetime, glob, json, os, re, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PEERS = os.path.normpath(os.path.join(ROOT, "..", "shared", "peers"))
sys.path.insert(0, PEERS)
from solomon import read_solomon, check  # noqa: E402

# CARECIRCLE=path runs another build (for example to compare two versions).
CARECIRCLE = os.environ.get("CARECIRCLE") or os.path.join(ROOT, "target", "release", "carecircle")
ONE_THREAD = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", RAYON_NUM_THREADS="1")


def family(name):
    """C101 -> C1, RC203 -> RC2, c1_2_1 -> C1_2 (the G&H class and size)."""
    m = re.match(r"([A-Za-z]+)(\d)_(\d+)_\d+$", name)
    if m:
        return f"{m.group(1).upper()}{m.group(2)}_{m.group(3)}"
    m = re.match(r"([A-Za-z]+)(\d)\d\d$", name)
    return f"{m.group(1).upper()}{m.group(2)}" if m else name.upper()


def run_carecircle(path, budget, seed):
    inst = read_solomon(path)
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, "plan.json")
        t0 = time.perf_counter()
        cp = subprocess.run([CARECIRCLE, "solve", path, "--quiet", "--threads", "1", "--time-limit", str(budget),
                             "--seed", str(seed), "--out", out],
                            capture_output=True, text=True, timeout=budget + 30, env=ONE_THREAD)
        wall = time.perf_counter() - t0
        if cp.returncode != 0:
            return dict(ok=False, wall=wall, msg="crash: " + cp.stderr.strip()[-200:])
        with open(out) as f:
            plan = json.load(f)
    routes = [[int(s["visit"]) for s in r["stops"]] for r in plan["routes"]]
    ok, distance, msgs = check(inst, routes)
    return dict(ok=ok, wall=wall, distance=distance, vehicles=sum(1 for r in routes if r),
                msg="; ".join(msgs[:3]))


def run_peer(python, solver, path, budget, seed):
    try:
        cp = subprocess.run([python, os.path.join(PEERS, "run_peers.py"), "--seed", str(seed),
                             "--one", solver, path, str(budget)],
                            capture_output=True, text=True, timeout=budget + 60, env=ONE_THREAD)
    except subprocess.TimeoutExpired:
        return dict(ok=False, wall=None, msg="killed at budget+60s")
    if cp.returncode != 0 or not cp.stdout.strip():
        return dict(ok=False, wall=None, msg="crash: " + cp.stderr.strip()[-200:])
    return json.loads(cp.stdout.strip().splitlines()[-1])


def load_bks(path):
    bks = {}
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) >= 3 and not row[0].startswith("#"):
                try:
                    bks[row[0].strip().upper()] = (int(float(row[1])), float(row[2]))
                except ValueError:
                    pass
    return bks


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def fmt_gap(g):
    # Round before formatting so a tie with the best-known does not print as -0.00%.
    return "–" if g is None else f"{round(g, 2) + 0.0:+.2f}%"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="Solomon-format instance files or folders")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds per run (default 10)")
    ap.add_argument("--solvers", default="carecircle,pyvrp,ortools,vroom,vrpcli")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1,
                    help="runs at once, each single-threaded (default 1; 2 uses both cores)")
    ap.add_argument("--python", default=sys.executable, help="the peers' Python (from setup.sh)")
    ap.add_argument("--out", default=None, help="CSV of every run")
    a = ap.parse_args()

    files = []
    for p in a.paths:
        files += sorted(f for f in glob.glob(os.path.join(p, "*")) if os.path.isfile(f)) if os.path.isdir(p) else [p]
    solvers = a.solvers.split(",")
    bks = load_bks(os.path.join(PEERS, "bks_distance.csv"))
    out = a.out or os.path.join(HERE, "results", f"vrptw-{datetime.date.today()}-{a.budget:g}s.csv")
    os.makedirs(os.path.dirname(out), exist_ok=True)

    def task(path, solver):
        if solver == "carecircle":
            r = run_carecircle(path, a.budget, a.seed)
        else:
            r = run_peer(a.python, solver, path, a.budget, a.seed)
        name = os.path.splitext(os.path.basename(path))[0]
        b = bks.get(name.upper())
        r["gap"] = 100 * (r["distance"] - b[1]) / b[1] if (b and r.get("ok") and r.get("distance")) else None
        wall = f"{r['wall']:.1f}s" if r.get("wall") is not None else "-"
        dist = f"{r['distance']:.2f}" if r.get("distance") is not None else "-"
        print(f"{name:>10} {solver:>10} feasible={r.get('ok')} distance={dist} routes={r.get('vehicles', '-')} "
              f"gap={fmt_gap(r['gap'])} wall={wall} {r.get('msg', '')}", file=sys.stderr, flush=True)
        return name, solver, r

    jobs = [(f, s) for f in files for s in solvers]
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = list(pool.map(lambda j: task(*j), jobs))

    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["instance", "family", "solver", "budget_s", "seed", "feasible", "distance", "routes",
                    "wall_s", "bks_distance", "gap_pct", "note"])
        for name, solver, r in results:
            b = bks.get(name.upper())
            w.writerow([name, family(name), solver, a.budget, a.seed, r.get("ok"),
                        f"{r['distance']:.2f}" if r.get("distance") is not None else "",
                        r.get("vehicles", ""), f"{r['wall']:.1f}" if r.get("wall") is not None else "",
                        b[1] if b else "", f"{r['gap']:.2f}" if r["gap"] is not None else "", r.get("msg", "")])

    by = {(n, s): r for n, s, r in results}
    names = list(dict.fromkeys(n for n, _, _ in results))
    print(f"\n## VRPTW, {a.budget:g} s per run, seed {a.seed}, one thread each\n")
    print("| instance | best-known | " + " | ".join(solvers) + " |")
    print("|---|---|" + "---|" * len(solvers))
    for n in names:
        b = bks.get(n.upper())
        cells = []
        for s in solvers:
            r = by[(n, s)]
            if not r.get("ok"):
                cells.append("infeasible" if r.get("distance") else "failed")
            else:
                cells.append(f"{r['distance']:.2f} ({r['vehicles']}) {fmt_gap(r['gap'])}")
        print(f"| {n} | {b[1] if b else '–'} | " + " | ".join(cells) + " |")

    fams = list(dict.fromkeys(family(n) for n in names))
    print("\n| family | instances | " + " | ".join(f"{s} mean gap" for s in solvers) + " |")
    print("|---|---|" + "---|" * len(solvers))
    for fam in fams + ["all"]:
        members = [n for n in names if fam == "all" or family(n) == fam]
        cells = []
        for s in solvers:
            gaps = [by[(n, s)]["gap"] for n in members]
            ok = [g for g in gaps if g is not None]
            cell = fmt_gap(mean(ok))
            if len(ok) < len(members):
                cell += f" ({len(members) - len(ok)} without a feasible plan)"
            cells.append(cell)
        label = "**all**" if fam == "all" else fam
        print(f"| {label} | {len(members)} | " + " | ".join(cells) + " |")

    if "carecircle" in solvers and {"ortools", "vroom"} <= set(solvers):
        worse = [n for n in names
                 if all(by[(n, p)].get("ok") and by[(n, "carecircle")].get("ok")
                        and by[(n, "carecircle")]["distance"] > by[(n, p)]["distance"] + 1e-6
                        for p in ("ortools", "vroom"))]
        print(f"\nInstances where CareCircle is worse than both OR-Tools and VROOM: "
              f"{', '.join(worse) if worse else 'none'}")
    infeasible = [f"{n}/{s}" for n, s, r in results if not r.get("ok")]
    print(f"Runs without a feasible plan: {', '.join(infeasible) if infeasible else 'none'}")
    print(f"Every run: {out}")


if __name__ == "__main__":
    main()

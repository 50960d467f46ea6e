"""Helpers of benches/parity/run.sh: write a scenario's no-op variants; print the table."""
import json
import statistics
import sys
from pathlib import Path


def variants(path, terms):
    base = json.loads(Path(path).read_text())
    for term in terms:
        s = json.loads(json.dumps(base))
        if term == "due":
            for v in s["visits"]:
                v["due"] = max(w["end"] for w in v["windows"])
        elif term == "preferred":
            ids = [c["id"] for c in s["caregivers"]]
            for v in s["visits"]:
                v["preferred"] = ids
        elif term == "contracted":
            for c in s["caregivers"]:
                c["contracted"] = c["shift"]["end"] - c["shift"]["start"]
        else:
            sys.exit(f"unknown term {term}")
        out = Path(path).with_name(Path(path).stem + f"-{term}.json")
        out.write_text(json.dumps(s))


def kpis(path):
    k = json.loads(Path(path).read_text())["kpis"]
    return k["visits_served"], k["travel_time"], k["visits_total"]


def hms(seconds):
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"


def table(out, budget, days, terms, seeds):
    out = Path(out)
    print(f"median over seeds {seeds.replace(',', ' ')}, {budget} each, two solves at once")
    print(f"{'day':8} {'visits':>6} {'term':11} {'served':>13} {'travel':>17} {'gap':>8}  holds")
    ok = True
    for day in days.split(","):
        name = day.split(":")[0]
        runs = lambda term: [kpis(out / f"{name}-{term}-{s}.plan.json") for s in seeds.split(",")]
        plain = runs("plain")
        p_served = statistics.median(r[0] for r in plain)
        p_travel = statistics.median(r[1] for r in plain)
        for term in terms.split(","):
            r = runs(term)
            served = statistics.median(x[0] for x in r)
            travel = statistics.median(x[1] for x in r)
            gap = (travel - p_travel) / p_travel * 100 if p_travel else 0.0
            holds = served == p_served and abs(gap) <= 1.0
            ok &= holds
            print(
                f"{name:8} {plain[0][2]:>6} {term:11} {served:>5g} vs {p_served:>5g} "
                f"{hms(int(travel)):>7} vs {hms(int(p_travel)):>7} {gap:>+7.2f}%  "
                f"{'yes' if holds else 'NO'}"
            )
    print("target (equal served, travel within 1 %):", "met" if ok else "missed")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "variants":
        variants(sys.argv[2], sys.argv[3:])
    elif cmd == "table":
        table(*sys.argv[2:])

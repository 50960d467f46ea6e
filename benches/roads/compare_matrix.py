#!/usr/bin/env python3
"""Road-query benchmark for planners: CareCircle's many-to-many matrix and service circle
against a peer on the same graph and points, one thread each.

The graph is CareCircle's own routing graph of one mode (exported by `carecircle roads
export`), so both sides search the same roads; the points are graph nodes spread over it.
The peer is pandana (contraction hierarchies, C++) from PyPI, which run.sh installs; with
--peer networkx, plain Dijkstra from networkx. Prints CareCircle's times, the peer's, their
ratio, and every travel time on which they disagree by more than one second (CareCircle
rounds integer milliseconds to seconds; the peer sums float seconds).
"""
import argparse, csv, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CARECIRCLE = os.path.join(ROOT, "target", "release", "carecircle")


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return out.strip()


def read_matrix(path, ids):
    index = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    m = [[0] * n for _ in range(n)]
    with open(path) as f:
        for row in csv.DictReader(f):
            m[index[row["from"]]][index[row["to"]]] = int(row["seconds"])
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pbf", default=os.path.join(ROOT, "data", "osm", "andorra-2020-05-01.osm.pbf"))
    ap.add_argument("--mode", default="car")
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--peer", choices=["pandana", "networkx"], default="pandana")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as td:
        t0 = time.perf_counter()
        run([CARECIRCLE, "-q", "roads", "export", a.pbf, "--mode", a.mode, "--out", td])
        prep = time.perf_counter() - t0
        with open(os.path.join(td, "nodes.csv")) as f:
            nodes = [(int(r["id"]), float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)]
        with open(os.path.join(td, "edges.csv")) as f:
            edges = [(int(r["from"]), int(r["to"]), int(r["milliseconds"]) / 1000.0) for r in csv.DictReader(f)]
        step = max(1, len(nodes) // a.points)
        picked = nodes[::step][: a.points]
        ids = [str(n[0]) for n in picked]
        points = os.path.join(td, "points.csv")
        with open(points, "w") as f:
            f.write("id,lon,lat\n")
            for i, lon, lat in picked:
                f.write(f"{i},{lon:.7f},{lat:.7f}\n")
        out = os.path.join(td, "matrix.csv")
        line = run([CARECIRCLE, "-q", "roads", "matrix", a.pbf, "--points", points, "--mode", a.mode,
                    "--out", out])
        ours_s = float(line.split("shortest paths ")[1].split("s)")[0])
        ours = read_matrix(out, ids)
        iso = run([CARECIRCLE, "-q", "roads", "isochrone", a.pbf, "--at", f"{picked[0][1]},{picked[0][2]}",
                   "--minutes", "15", "--mode", "ebike", "--out", os.path.join(td, "iso.geojson")])
        iso_s = float(iso.split(") in ")[1].split("s;")[0])

        n = len(picked)
        if a.peer == "pandana":
            import pandas as pd
            import pandana
            t0 = time.perf_counter()
            net = pandana.Network(pd.Series([x[1] for x in nodes]), pd.Series([x[2] for x in nodes]),
                                  pd.Series([e[0] for e in edges]), pd.Series([e[1] for e in edges]),
                                  pd.DataFrame({"seconds": [e[2] for e in edges]}), twoway=False)
            peer_prep = time.perf_counter() - t0
            src = [p[0] for p in picked for _ in range(n)]
            dst = [p[0] for _ in range(n) for p in picked]
            t0 = time.perf_counter()
            flat = net.shortest_path_lengths(src, dst, imp_name="seconds")
            peer_s = time.perf_counter() - t0
            theirs = [flat[i * n:(i + 1) * n] for i in range(n)]
        else:
            import networkx as nx
            t0 = time.perf_counter()
            g = nx.DiGraph()
            for u, v, w in edges:
                if not g.has_edge(u, v) or g[u][v]["w"] > w:
                    g.add_edge(u, v, w=w)
            peer_prep = time.perf_counter() - t0
            t0 = time.perf_counter()
            theirs = []
            for p in picked:
                d = nx.single_source_dijkstra_path_length(g, p[0], weight="w")
                theirs.append([d.get(q[0], float("inf")) for q in picked])
            peer_s = time.perf_counter() - t0

    disagree = [(i, j, ours[i][j], theirs[i][j]) for i in range(n) for j in range(n)
                if abs(ours[i][j] - theirs[i][j]) > 1.0]
    print(f"{a.mode} graph of {os.path.basename(a.pbf)}: {len(nodes)} nodes, {len(edges)} edges; {n} x {n} matrix")
    print(f"  CareCircle: graph build + export {prep:.2f} s; matrix {ours_s:.3f} s; 15-minute e-bike circle {1000 * iso_s:.1f} ms")
    print(f"  {a.peer}: preparation {peer_prep:.2f} s; matrix {peer_s:.3f} s")
    print(f"  matrix time ratio CareCircle / {a.peer}: {ours_s / peer_s:.2f}")
    print(f"  travel times disagreeing by more than 1 s: {len(disagree)} of {n * n}")
    for i, j, x, y in disagree[:10]:
        print(f"    {ids[i]} -> {ids[j]}: CareCircle {x} s, {a.peer} {y:.1f} s")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())

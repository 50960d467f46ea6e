//! Matrices, paths and reachability against a plain O(n^2) Dijkstra on seeded random graphs.
//!
//! The oracle knows nothing of the crate's search: it splits every segment at the snapped
//! points on it, making each snap a node of its own, and runs the textbook array Dijkstra.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use roads::{LonLat, Mode, RoadGraph, Snap};

type Cost = (i64, i64); // (milliseconds, decimetres), compared lexicographically

/// Textbook Dijkstra, O(V^2), from `src` over `adj[u] = [(v, cost)]`.
fn dijkstra(adj: &[Vec<(usize, Cost)>], src: usize) -> Vec<Option<Cost>> {
    let n = adj.len();
    let mut dist: Vec<Option<Cost>> = vec![None; n];
    let mut done = vec![false; n];
    dist[src] = Some((0, 0));
    loop {
        let next = (0..n).filter(|&u| !done[u]).filter_map(|u| dist[u].map(|d| (d, u))).min();
        let Some((d, u)) = next else { break };
        done[u] = true;
        for &(v, c) in &adj[u] {
            let nd = (d.0 + c.0, d.1 + c.1);
            if dist[v].is_none_or(|old| nd < old) {
                dist[v] = Some(nd);
            }
        }
    }
    dist
}

/// Pairwise costs between snaps, or `None` where unreachable.
fn oracle(g: &RoadGraph, snaps: &[Snap]) -> Vec<Vec<Option<Cost>>> {
    let segments = g.raw_segments();
    let n = g.info().nodes;
    let mut adj: Vec<Vec<(usize, Cost)>> = vec![Vec::new(); n + snaps.len()];
    for (i, &(a, b, ms, dm, forward, backward)) in segments.iter().enumerate() {
        // Chain a -> snaps on this segment by position -> b, with cumulative rounded costs.
        let mut on: Vec<(f64, usize)> = snaps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.segment_fraction().0 == i)
            .map(|(k, s)| (s.segment_fraction().1, n + k))
            .collect();
        on.sort_by(|x, y| x.0.total_cmp(&y.0));
        let head = |t: f64| ((ms as f64 * t).round() as i64, (dm as f64 * t).round() as i64);
        let mut chain = vec![(a, (0, 0))];
        chain.extend(on.iter().map(|&(t, v)| (v, head(t))));
        chain.push((b, (ms, dm)));
        // A snap at a segment's end stands on that node: free both ways.
        for &(t, v) in &on {
            let node = if t == 0.0 {
                Some(a)
            } else if t == 1.0 {
                Some(b)
            } else {
                None
            };
            if let Some(x) = node {
                adj[v].push((x, (0, 0)));
                adj[x].push((v, (0, 0)));
            }
        }
        // Snaps at the same spot are the same point: free both ways.
        for w in on.windows(2) {
            if w[0].0 == w[1].0 {
                adj[w[0].1].push((w[1].1, (0, 0)));
                adj[w[1].1].push((w[0].1, (0, 0)));
            }
        }
        for w in chain.windows(2) {
            let ((u, cu), (v, cv)) = (w[0], w[1]);
            let c = (cv.0 - cu.0, cv.1 - cu.1);
            if forward {
                adj[u].push((v, c));
            }
            if backward {
                adj[v].push((u, c));
            }
        }
    }
    (0..snaps.len())
        .map(|k| {
            let d = dijkstra(&adj, n + k);
            (0..snaps.len()).map(|j| d[n + j]).collect()
        })
        .collect()
}

fn random_case(seed: u64) -> Option<(RoadGraph, Vec<Snap>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.gen_range(2..14);
    let nodes: Vec<LonLat> =
        (0..n).map(|_| LonLat::new(rng.gen_range(0.0..0.01), rng.gen_range(0.0..0.01))).collect();
    let m = rng.gen_range(1..40);
    let edges: Vec<(usize, usize, i64, i64, bool)> = (0..m)
        .map(|_| {
            (
                rng.gen_range(0..n),
                rng.gen_range(0..n),
                rng.gen_range(0..20_000),
                rng.gen_range(0..3_000),
                rng.gen_bool(0.5),
            )
        })
        .collect();
    let g = RoadGraph::from_edges(Mode::Car, &nodes, &edges).ok()?;
    let k = rng.gen_range(1..8);
    let snaps = (0..k)
        .filter_map(|_| {
            let p = LonLat::new(rng.gen_range(-0.001..0.011), rng.gen_range(-0.001..0.011));
            g.snap(p, 1e7).ok()
        })
        .collect();
    Some((g, snaps))
}

/// Like [`random_case`], but every road is split into a chain of 1 to 6 pieces through
/// intermediate nodes, as OSM ways are: the matrix contracts such chains, so they must be
/// common here. Loops, parallel roads and one-way roads stay in the mix.
fn random_chain_case(seed: u64) -> Option<(RoadGraph, Vec<Snap>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let junctions = rng.gen_range(2..8);
    let mut nodes: Vec<LonLat> = (0..junctions)
        .map(|_| LonLat::new(rng.gen_range(0.0..0.01), rng.gen_range(0.0..0.01)))
        .collect();
    let mut edges = Vec::new();
    for _ in 0..rng.gen_range(1..14) {
        let (a, b) = (rng.gen_range(0..junctions), rng.gen_range(0..junctions));
        let two_way = rng.gen_bool(0.6);
        let pieces = rng.gen_range(1..=6);
        let mut prev = a;
        for k in 1..=pieces {
            let next = if k == pieces {
                b
            } else {
                let t = k as f64 / pieces as f64;
                let (pa, pb) = (nodes[a], nodes[b]);
                nodes.push(LonLat::new(
                    pa.lon + (pb.lon - pa.lon) * t + rng.gen_range(-0.0005..0.0005),
                    pa.lat + (pb.lat - pa.lat) * t + rng.gen_range(-0.0005..0.0005),
                ));
                nodes.len() - 1
            };
            edges.push((prev, next, rng.gen_range(0..5_000), rng.gen_range(0..800), two_way));
            prev = next;
        }
    }
    let g = RoadGraph::from_edges(Mode::Car, &nodes, &edges).ok()?;
    let snaps = (0..rng.gen_range(1..8))
        .filter_map(|_| {
            let p = LonLat::new(rng.gen_range(-0.001..0.011), rng.gen_range(-0.001..0.011));
            g.snap(p, 1e7).ok()
        })
        .collect();
    Some((g, snaps))
}

/// Guards the generator: most seeds must give a graph with several snaps, or the
/// properties above would pass vacuously.
#[test]
fn random_cases_are_mostly_usable() {
    for case in [random_case, random_chain_case] {
        let usable = (0..200u64).filter_map(case).filter(|(_, snaps)| snaps.len() >= 2).count();
        assert!(usable > 100, "only {usable} of 200 seeds usable");
    }
    // The chain cases must really have chains for the matrix to contract.
    let with_chains = (0..200u64)
        .filter_map(random_chain_case)
        .filter(|(g, _)| g.info().junctions < g.info().nodes)
        .count();
    assert!(with_chains > 100, "only {with_chains} of 200 chain cases have chain nodes");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn matrix_on_chains_matches_the_oracle(seed in any::<u64>()) {
        let Some((g, snaps)) = random_chain_case(seed) else { return Ok(()) };
        let m = g.matrix(&snaps);
        for (i, row) in oracle(&g, &snaps).into_iter().enumerate() {
            for (j, c) in row.into_iter().enumerate() {
                let c = c.expect("one strongly connected component");
                prop_assert_eq!(m.seconds(i, j), (c.0 + 500).div_euclid(1000), "seconds {} {}", i, j);
                prop_assert_eq!(m.meters(i, j), (c.1 + 5).div_euclid(10), "meters {} {}", i, j);
            }
        }
    }

    #[test]
    fn matrix_path_and_within_match_the_oracle(seed in any::<u64>()) {
        let Some((g, snaps)) = random_case(seed) else { return Ok(()) };
        let m = g.matrix(&snaps);
        let want = oracle(&g, &snaps);
        for i in 0..snaps.len() {
            for j in 0..snaps.len() {
                let c = want[i][j].expect("one strongly connected component");
                prop_assert_eq!(m.seconds(i, j), (c.0 + 500).div_euclid(1000), "seconds {} {}", i, j);
                prop_assert_eq!(m.meters(i, j), (c.1 + 5).div_euclid(10), "meters {} {}", i, j);
                let p = g.path(&snaps[i], &snaps[j]).expect("connected");
                prop_assert_eq!(p.seconds, m.seconds(i, j));
                prop_assert_eq!(p.meters, m.meters(i, j));
                prop_assert_eq!(p.coords.first(), Some(&snaps[i].snapped));
                prop_assert_eq!(p.coords.last(), Some(&snaps[j].snapped));
            }
            for budget in [0, 3, 10, 30] {
                let got = g.within(&snaps[i], budget, &snaps);
                let want: Vec<Option<i64>> = (0..snaps.len())
                    .map(|j| Some(m.seconds(i, j)).filter(|&s| s <= budget))
                    .collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn isochrone_is_simple_and_contains_origin(seed in any::<u64>(), budget in 0i64..60) {
        use geo::Contains;
        let Some((g, snaps)) = random_case(seed) else { return Ok(()) };
        for s in snaps.iter().take(2) {
            let poly = g.isochrone(s, budget);
            prop_assert!(roads::is_simple(&poly));
            prop_assert!(poly.contains(&geo::Point::new(s.snapped.lon, s.snapped.lat)));
        }
    }
}

//! Many-to-many travel matrices, single paths and budgeted reachability, all on the same
//! Dijkstra ([`crate::search`]) so their numbers agree exactly.

use crate::core::{continuation, CoreSearch};
use crate::graph::{Cost, RoadGraph};
use crate::search::{along_segment, arrival_nodes, Search, Via};
use crate::{LonLat, Snap};
use serde::{Deserialize, Serialize};

/// Travel times and distances between every ordered pair of points, row-major:
/// entry `i * n + j` is from point `i` to point `j`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    /// Number of points.
    pub n: usize,
    /// Seconds of the fastest route.
    pub seconds: Vec<i64>,
    /// Metres along that route.
    pub meters: Vec<i64>,
}

impl Matrix {
    /// Seconds from point `i` to point `j`.
    pub fn seconds(&self, i: usize, j: usize) -> i64 {
        self.seconds[i * self.n + j]
    }

    /// Metres from point `i` to point `j`.
    pub fn meters(&self, i: usize, j: usize) -> i64 {
        self.meters[i * self.n + j]
    }
}

/// One route on the road.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Path {
    /// From the origin's snapped point to the destination's, through every road node.
    pub coords: Vec<LonLat>,
    /// Travel time in seconds (equal to the matrix entry for the same pair).
    pub seconds: i64,
    /// Length in metres.
    pub meters: i64,
}

impl RoadGraph {
    /// Whether `s` was made by this graph (snaps index into its segments).
    pub(crate) fn owns(&self, s: &Snap) -> bool {
        s.graph == self.id && (s.segment as usize) < self.segments.len()
    }

    /// Travel times and distances between all pairs of `points`: one Dijkstra per source on
    /// the graph's junctions ([`crate::core`]), exact to the millisecond and decimetre.
    ///
    /// # Panics
    /// If a snap was made by another graph. Snaps from this graph always connect: the
    /// graph is one strongly connected component.
    pub fn matrix(&self, points: &[Snap]) -> Matrix {
        assert!(
            points.iter().all(|s| self.owns(s)),
            "RoadGraph::matrix: every snap must come from this {} graph's snap()",
            self.mode
        );
        let core = &self.core;
        let n = points.len();
        let mut seconds = Vec::with_capacity(n * n);
        let mut meters = Vec::with_capacity(n * n);
        // Stop each search once every junction a target is reached through is settled.
        let mut needed = vec![false; core.len()];
        let mut needed_count = 0usize;
        for to in points {
            for x in arrival_nodes(self, to).into_iter().flatten() {
                let through: Vec<u32> = match core.core_of[x as usize] {
                    Some(c) => vec![c],
                    None => core.entries[x as usize].iter().flatten().map(|&(c, _)| c).collect(),
                };
                for c in through {
                    if !needed[c as usize] {
                        needed[c as usize] = true;
                        needed_count += 1;
                    }
                }
            }
        }
        let mut search = CoreSearch::new(core.len());
        let mut start = SourceChain::new(self.coords.len());
        for from in points {
            start.walk(self, from);
            search.run(core, &start.seeds, &needed, needed_count);
            for to in points {
                let cost = self
                    .arrival_via_core(&search, &start, from, to)
                    .expect("one strongly connected component: every pair of snaps connects");
                seconds.push(cost.seconds());
                meters.push(cost.meters());
            }
        }
        Matrix { n, seconds, meters }
    }

    /// Best cost from `from` to graph node `x`: through a settled junction, or along the
    /// source's own chain.
    fn node_cost(&self, search: &CoreSearch, start: &SourceChain, x: u32) -> Option<Cost> {
        let via_core = match self.core.core_of[x as usize] {
            Some(c) => search.settled(c),
            None => self.core.entries[x as usize]
                .iter()
                .flatten()
                .filter_map(|&(c, k)| Some(search.settled(c)? + k))
                .min(),
        };
        via_core.into_iter().chain(start.direct[x as usize]).min()
    }

    fn arrival_via_core(
        &self,
        search: &CoreSearch,
        start: &SourceChain,
        from: &Snap,
        to: &Snap,
    ) -> Option<Cost> {
        let seg = self.segments[to.segment as usize];
        let via_a = seg
            .forward
            .then(|| Some(self.node_cost(search, start, seg.a)? + seg.cost.head(to.fraction)))
            .flatten();
        let via_b = seg
            .backward
            .then(|| Some(self.node_cost(search, start, seg.b)? + seg.cost.tail(to.fraction)))
            .flatten();
        let at_node = to.at_node(self).and_then(|x| self.node_cost(search, start, x));
        [along_segment(self, from, to), via_a, via_b, at_node].into_iter().flatten().min()
    }

    /// The fastest route from `from` to `to`; `None` only for snaps of another graph.
    pub fn path(&self, from: &Snap, to: &Snap) -> Option<Path> {
        if !self.owns(from) || !self.owns(to) {
            return None;
        }
        let mut search = Search::new(self.coords.len());
        let mut targets: Vec<u32> = arrival_nodes(self, to).into_iter().flatten().collect();
        targets.sort_unstable();
        targets.dedup();
        let mut remaining = targets.len();
        search.run(self, from, None, |u| {
            if targets.contains(&u) {
                remaining -= 1;
            }
            remaining == 0
        });
        let (cost, via) = search.arrival(self, from, to)?;
        let mut coords = vec![from.snapped];
        if let Via::Node(last) = via {
            coords.extend(search.nodes_to(last).into_iter().map(|u| self.coords[u as usize]));
        }
        coords.push(to.snapped);
        // A snap exactly on a node would repeat that point; maps prefer no zero-length legs.
        coords.dedup();
        if coords.len() == 1 {
            coords.push(to.snapped);
        }
        Some(Path { coords, seconds: cost.seconds(), meters: cost.meters() })
    }

    /// Travel seconds from `from` to each of `points`, `None` where over `seconds`
    /// (or for snaps of another graph). Agrees with [`RoadGraph::matrix`].
    pub fn within(&self, from: &Snap, seconds: i64, points: &[Snap]) -> Vec<Option<i64>> {
        if !self.owns(from) || seconds < 0 {
            return vec![None; points.len()];
        }
        let mut search = Search::new(self.coords.len());
        search.run(self, from, Some(budget_limit(seconds)), |_| false);
        points
            .iter()
            .map(|to| {
                if !self.owns(to) {
                    return None;
                }
                let (cost, _) = search.arrival(self, from, to)?;
                let s = cost.seconds();
                (s <= seconds).then_some(s)
            })
            .collect()
    }
}

/// The largest cost that still rounds to at most `seconds` whole seconds.
pub(crate) fn budget_limit(seconds: i64) -> Cost {
    Cost { ms: seconds.saturating_mul(1000).saturating_add(499), dm: i64::MAX }
}

/// Where a source reaches before its first junctions: the chain nodes along its own road
/// (`direct`) and the junctions at the chain's ends (`seeds`). Buffers reused across sources.
struct SourceChain {
    seeds: Vec<(u32, Cost)>,
    direct: Vec<Option<Cost>>,
    touched: Vec<u32>,
}

impl SourceChain {
    fn new(n: usize) -> SourceChain {
        SourceChain { seeds: Vec::new(), direct: vec![None; n], touched: Vec::new() }
    }

    fn walk(&mut self, g: &RoadGraph, from: &Snap) {
        for &x in &self.touched {
            self.direct[x as usize] = None;
        }
        self.touched.clear();
        self.seeds.clear();
        let seg = g.segments[from.segment as usize];
        if seg.forward {
            self.follow(g, seg.b, seg.a, seg.cost.tail(from.fraction));
        }
        if seg.backward {
            self.follow(g, seg.a, seg.b, seg.cost.head(from.fraction));
        }
        if let Some(x) = from.at_node(g) {
            // Standing on a node: every road leaving it is open.
            match g.core.core_of[x as usize] {
                Some(c) => self.seeds.push((c, Cost::ZERO)),
                None => {
                    self.note(x, Cost::ZERO);
                    for (v, w) in g.out_edges(x) {
                        self.follow(g, v, x, w);
                    }
                }
            }
        }
    }

    fn note(&mut self, x: u32, cost: Cost) {
        let slot = &mut self.direct[x as usize];
        if slot.is_none() {
            self.touched.push(x);
        }
        if slot.is_none_or(|old| cost < old) {
            *slot = Some(cost);
        }
    }

    /// Follows the chain from `start` (entered from `prev` at `cost`) to its junction.
    fn follow(&mut self, g: &RoadGraph, start: u32, prev: u32, cost: Cost) {
        let (mut prev, mut cur, mut cost) = (prev, start, cost);
        for _ in 0..=g.coords.len() {
            if let Some(c) = g.core.core_of[cur as usize] {
                self.seeds.push((c, cost));
                return;
            }
            self.note(cur, cost);
            let Some((next, piece)) = continuation(g, cur, prev) else { return };
            (prev, cur, cost) = (cur, next, cost + piece);
        }
    }
}

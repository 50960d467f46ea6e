//! Many-to-many travel matrices, single paths and budgeted reachability, all on the same
//! Dijkstra ([`crate::search`]) so their numbers agree exactly.

use crate::graph::{Cost, RoadGraph};
use crate::search::{arrival_nodes, Search, Via};
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

    /// Travel times and distances between all pairs of `points`, one Dijkstra per source.
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
        let n = points.len();
        let mut seconds = Vec::with_capacity(n * n);
        let mut meters = Vec::with_capacity(n * n);
        // Stop each search once every node a target can be reached through is settled.
        let mut needed = vec![false; self.coords.len()];
        let mut needed_count = 0usize;
        for to in points {
            for u in arrival_nodes(self, to).into_iter().flatten() {
                if !needed[u as usize] {
                    needed[u as usize] = true;
                    needed_count += 1;
                }
            }
        }
        let mut search = Search::new(self.coords.len());
        for from in points {
            let mut remaining = needed_count;
            search.run(self, from, None, |u| {
                if needed[u as usize] {
                    remaining -= 1;
                }
                remaining == 0
            });
            for to in points {
                let cost = search
                    .arrival(self, from, to)
                    .map(|(c, _)| c)
                    .expect("one strongly connected component: every pair of snaps connects");
                seconds.push(cost.seconds());
                meters.push(cost.meters());
            }
        }
        Matrix { n, seconds, meters }
    }

    /// The fastest route from `from` to `to`; `None` only for snaps of another graph.
    pub fn path(&self, from: &Snap, to: &Snap) -> Option<Path> {
        if !self.owns(from) || !self.owns(to) {
            return None;
        }
        let mut search = Search::new(self.coords.len());
        let targets = arrival_nodes(self, to);
        let mut remaining = targets.iter().flatten().count();
        if targets[0].is_some() && targets[0] == targets[1] {
            remaining = 1;
        }
        search.run(self, from, None, |u| {
            if targets.contains(&Some(u)) {
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

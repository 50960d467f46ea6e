//! The road graph of one mode: nodes, directed edges in compressed adjacency arrays for
//! Dijkstra, and undirected segments in an R-tree for snapping. Only the largest strongly
//! connected component is kept, so every snapped point can reach every other one.

use crate::core::Core;
use crate::geodesy::{haversine_m, LocalProjection};
use crate::{LonLat, Mode, OsmError};
use petgraph::graph::{DiGraph, NodeIndex};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Travel cost: integer milliseconds first, integer decimetres as the tie-break, so sums
/// are exact and shortest paths are unique in value and deterministic.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub(crate) struct Cost {
    pub ms: i64,
    pub dm: i64,
}

impl Cost {
    pub const ZERO: Cost = Cost { ms: 0, dm: 0 };

    /// The cost of `meters` at `speed_mps` (> 0).
    pub fn from_length(meters: f64, speed_mps: f64) -> Cost {
        Cost {
            ms: (meters / speed_mps * 1000.0).round() as i64,
            dm: (meters * 10.0).round() as i64,
        }
    }

    /// The part of this cost up to `fraction` (0..=1) along the edge. Rounded once here,
    /// so the part before and the part after a point always add up to the whole.
    pub fn head(self, fraction: f64) -> Cost {
        Cost {
            ms: (self.ms as f64 * fraction).round() as i64,
            dm: (self.dm as f64 * fraction).round() as i64,
        }
    }

    pub fn tail(self, fraction: f64) -> Cost {
        self - self.head(fraction)
    }

    /// Whole seconds, rounded half up.
    pub fn seconds(self) -> i64 {
        (self.ms + 500).div_euclid(1000)
    }

    /// Whole metres, rounded half up.
    pub fn meters(self) -> i64 {
        (self.dm + 5).div_euclid(10)
    }
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost { ms: self.ms + o.ms, dm: self.dm + o.dm }
    }
}

impl std::ops::Sub for Cost {
    type Output = Cost;
    fn sub(self, o: Cost) -> Cost {
        Cost { ms: self.ms - o.ms, dm: self.dm - o.dm }
    }
}

/// A straight piece of road between two graph nodes, travelled a -> b when `forward` and
/// b -> a when `backward`, at the same cost either way.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Segment {
    pub a: u32,
    pub b: u32,
    pub cost: Cost,
    pub forward: bool,
    pub backward: bool,
}

/// Size and extent of a graph.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GraphInfo {
    /// Nodes kept (the largest strongly connected component).
    pub nodes: usize,
    /// Directed edges kept (a two-way segment counts twice).
    pub edges: usize,
    /// Length of road kept in km, each segment once whatever its directions.
    pub total_km: f64,
    /// Nodes dropped because they lie outside the largest strongly connected component.
    pub dropped_nodes: usize,
    /// Nodes where roads meet or end; the others only shape a road between two of them,
    /// and matrices search on the junctions alone.
    pub junctions: usize,
    /// South-west and north-east corners.
    pub bbox: (LonLat, LonLat),
}

pub(crate) type SegmentEntry = GeomWithData<Line<[f64; 2]>, u32>;

/// Distinguishes graphs so a snap made on one is not silently used on another.
static NEXT_GRAPH_ID: AtomicU64 = AtomicU64::new(1);

/// The road graph of one travel mode.
#[derive(Debug, Serialize, Deserialize)]
pub struct RoadGraph {
    pub(crate) mode: Mode,
    /// Process-local identity (see [`RoadGraph::fresh_id`]); not stored in a cache file.
    #[serde(skip)]
    pub(crate) id: u64,
    pub(crate) coords: Vec<LonLat>,
    /// Out-edges of node `u` are `first_out[u]..first_out[u + 1]` in `head` and `weight`.
    pub(crate) first_out: Vec<u32>,
    pub(crate) head: Vec<u32>,
    pub(crate) weight: Vec<Cost>,
    pub(crate) segments: Vec<Segment>,
    pub(crate) rtree: RTree<SegmentEntry>,
    pub(crate) projection: LocalProjection,
    /// Junctions and chain edges, for matrices.
    pub(crate) core: Core,
    info: GraphInfo,
}

impl RoadGraph {
    /// A new identity for a graph read back from a cache file, so snaps made on another
    /// graph are still told apart.
    pub(crate) fn fresh_id(&mut self) {
        self.id = NEXT_GRAPH_ID.fetch_add(1, Ordering::Relaxed);
    }

    /// The travel mode this graph is for.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Size and extent.
    pub fn info(&self) -> GraphInfo {
        self.info
    }

    /// Builds a graph from raw parts for tests and synthetic networks: node positions and
    /// edges `(from, to, milliseconds, decimetres, two_way)`. Out-of-range nodes and
    /// negative costs are ignored. Keeps the largest strongly connected component.
    #[doc(hidden)]
    pub fn from_edges(
        mode: Mode,
        nodes: &[LonLat],
        edges: &[(usize, usize, i64, i64, bool)],
    ) -> Result<RoadGraph, OsmError> {
        let n = nodes.len();
        let segments = edges
            .iter()
            .filter(|&&(a, b, ms, dm, _)| a < n && b < n && a != b && ms >= 0 && dm >= 0)
            .map(|&(a, b, ms, dm, two_way)| Segment {
                a: a as u32,
                b: b as u32,
                cost: Cost { ms, dm },
                forward: true,
                backward: two_way,
            })
            .collect();
        RoadGraph::build(mode, nodes.to_vec(), segments)
    }

    /// Positions of the graph's nodes; edges refer to them by index.
    pub fn nodes(&self) -> &[LonLat] {
        &self.coords
    }

    /// Every directed edge as (from node, to node, milliseconds, decimetres), for exporting
    /// the graph to other tools.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32, i64, i64)> + '_ {
        (0..self.coords.len() as u32)
            .flat_map(move |u| self.out_edges(u).map(move |(v, c)| (u, v, c.ms, c.dm)))
    }

    /// Every kept road segment as its two end points, for drawing maps.
    pub fn segment_lines(&self) -> impl Iterator<Item = [LonLat; 2]> + '_ {
        self.segments.iter().map(|s| [self.coords[s.a as usize], self.coords[s.b as usize]])
    }

    /// The kept segments as `(a, b, milliseconds, decimetres, forward, backward)`, indexed
    /// like [`crate::Snap::segment_fraction`], for test oracles.
    #[doc(hidden)]
    pub fn raw_segments(&self) -> Vec<(usize, usize, i64, i64, bool, bool)> {
        self.segments
            .iter()
            .map(|s| (s.a as usize, s.b as usize, s.cost.ms, s.cost.dm, s.forward, s.backward))
            .collect()
    }

    /// Keeps the largest strongly connected component and indexes it.
    pub(crate) fn build(
        mode: Mode,
        coords: Vec<LonLat>,
        segments: Vec<Segment>,
    ) -> Result<RoadGraph, OsmError> {
        let keep = largest_scc(coords.len(), &segments);
        let kept = keep.iter().filter(|k| k.is_some()).count();
        // A single node is a component too, but it has no road to snap on.
        if kept < 2 {
            return Err(OsmError::NoRoads { mode });
        }
        let dropped_nodes = coords.len() - kept;
        let mut new_coords = vec![LonLat::new(0.0, 0.0); kept];
        for (old, new) in keep.iter().enumerate() {
            if let Some(new) = new {
                new_coords[*new as usize] = coords[old];
            }
        }
        let segments: Vec<Segment> = segments
            .into_iter()
            .filter_map(|s| {
                let a = keep[s.a as usize]?;
                let b = keep[s.b as usize]?;
                Some(Segment { a, b, ..s })
            })
            .collect();
        Ok(RoadGraph::index(mode, new_coords, segments, dropped_nodes))
    }

    fn index(mode: Mode, coords: Vec<LonLat>, segments: Vec<Segment>, dropped: usize) -> RoadGraph {
        let n = coords.len();
        // Counting sort of directed edges by tail node gives the adjacency arrays.
        let directed = || {
            segments.iter().flat_map(|s| {
                let f = s.forward.then_some((s.a, s.b, s.cost));
                let b = s.backward.then_some((s.b, s.a, s.cost));
                f.into_iter().chain(b)
            })
        };
        let mut first_out = vec![0u32; n + 1];
        for (u, _, _) in directed() {
            first_out[u as usize + 1] += 1;
        }
        for i in 0..n {
            first_out[i + 1] += first_out[i];
        }
        let m = first_out[n] as usize;
        let mut fill = first_out.clone();
        let mut head = vec![0u32; m];
        let mut weight = vec![Cost::ZERO; m];
        for (u, v, c) in directed() {
            let slot = fill[u as usize] as usize;
            head[slot] = v;
            weight[slot] = c;
            fill[u as usize] += 1;
        }
        let bbox = coords.iter().fold(
            (
                LonLat::new(f64::INFINITY, f64::INFINITY),
                LonLat::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
            ),
            |(lo, hi), p| {
                (
                    LonLat::new(lo.lon.min(p.lon), lo.lat.min(p.lat)),
                    LonLat::new(hi.lon.max(p.lon), hi.lat.max(p.lat)),
                )
            },
        );
        let projection = LocalProjection::new((bbox.0.lat + bbox.1.lat) / 2.0);
        let entries: Vec<SegmentEntry> = segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let a = projection.forward(coords[s.a as usize]);
                let b = projection.forward(coords[s.b as usize]);
                GeomWithData::new(Line::new(a, b), i as u32)
            })
            .collect();
        let total_km = segments
            .iter()
            .map(|s| haversine_m(coords[s.a as usize], coords[s.b as usize]))
            .sum::<f64>()
            / 1000.0;
        let info =
            GraphInfo { nodes: n, edges: m, total_km, dropped_nodes: dropped, junctions: 0, bbox };
        let mut graph = RoadGraph {
            mode,
            id: NEXT_GRAPH_ID.fetch_add(1, Ordering::Relaxed),
            coords,
            first_out,
            head,
            weight,
            segments,
            rtree: RTree::bulk_load(entries),
            projection,
            core: Core::default(),
            info,
        };
        graph.core = Core::build(&graph);
        graph.info.junctions = graph.core.len();
        graph
    }

    /// Out-edges of `u` as (head, cost).
    pub(crate) fn out_edges(&self, u: u32) -> impl Iterator<Item = (u32, Cost)> + '_ {
        let lo = self.first_out[u as usize] as usize;
        let hi = self.first_out[u as usize + 1] as usize;
        self.head[lo..hi].iter().copied().zip(self.weight[lo..hi].iter().copied())
    }
}

/// New index of every node in the largest strongly connected component, `None` for the
/// rest. Ties between equally large components go to the one holding the lowest node id,
/// so loading is deterministic.
fn largest_scc(n: usize, segments: &[Segment]) -> Vec<Option<u32>> {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, segments.len() * 2);
    for _ in 0..n {
        g.add_node(());
    }
    for s in segments {
        let (a, b) = (NodeIndex::new(s.a as usize), NodeIndex::new(s.b as usize));
        if s.forward {
            g.add_edge(a, b, ());
        }
        if s.backward {
            g.add_edge(b, a, ());
        }
    }
    // Kosaraju runs on explicit stacks: no recursion depth limit on long roads.
    let components = petgraph::algo::kosaraju_scc(&g);
    let best = components.into_iter().max_by(|x, y| {
        let min = |c: &Vec<NodeIndex>| c.iter().map(|i| i.index()).min();
        x.len().cmp(&y.len()).then_with(|| min(y).cmp(&min(x)))
    });
    let mut keep = vec![None; n];
    if let Some(mut comp) = best {
        comp.sort();
        for (new, old) in comp.into_iter().enumerate() {
            keep[old.index()] = Some(new as u32);
        }
    }
    keep
}

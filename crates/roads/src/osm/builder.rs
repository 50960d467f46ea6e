//! Builds one road graph per mode from parsed OSM nodes and ways, in any order. Knows no
//! file format: the PBF reader feeds it, and so do the tests.

use super::profile::{Profile, WayRule};
use crate::geodesy::haversine_m;
use crate::graph::{Cost, RoadGraph, Segment};
use crate::{LonLat, Mode, OsmError, RoadNetwork};
use std::collections::{HashMap, HashSet};

/// An OSM node: id and position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawNode {
    /// OSM node id.
    pub id: i64,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
}

/// An OSM way: id, node refs in order, and tags.
#[derive(Debug, Clone, PartialEq)]
pub struct RawWay {
    /// OSM way id.
    pub id: i64,
    /// Node ids in drawing order.
    pub refs: Vec<i64>,
    /// Key/value tags.
    pub tags: Vec<(String, String)>,
}

/// What loading read, used and skipped.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoadReport {
    /// Nodes read from the input (all of them, roads or not).
    pub nodes_read: u64,
    /// Ways read from the input (all of them, roads or not).
    pub ways_read: u64,
    /// Ways usable by at least one loaded mode that gave at least one road segment.
    pub ways_used: u64,
    /// Ways usable by at least one loaded mode that gave no segment, because fewer than two
    /// of their consecutive nodes are in the input (cut off by the extract's bounding box).
    pub ways_skipped: u64,
    /// References from usable ways (roads some loaded mode may use) to nodes missing from
    /// the input; the way is split around each one. Counting every way in the file instead
    /// (buildings, land use) gives a larger number: 4,525 for the Helsinki-centre extract,
    /// of which 827 are on roads used by walk, e-bike or car.
    pub missing_refs: u64,
    /// South-west and north-east corners of all loaded graphs.
    pub bbox: (LonLat, LonLat),
}

/// A way some loaded mode may use, with its rule per loaded mode (tags dropped early to
/// keep memory to ids).
struct KeptWay {
    refs: Vec<i64>,
    rules: Vec<Option<WayRule>>,
}

/// Collects nodes and ways, then builds a [`RoadNetwork`].
pub struct NetworkBuilder {
    modes: Vec<Mode>,
    ways: Vec<KeptWay>,
    nodes: HashMap<i64, LonLat>,
    nodes_read: u64,
    ways_read: u64,
}

impl NetworkBuilder {
    /// A builder for these modes (duplicates ignored).
    pub fn new(modes: &[Mode]) -> Self {
        let mut unique: Vec<Mode> = modes.to_vec();
        unique.sort();
        unique.dedup();
        NetworkBuilder {
            modes: unique,
            ways: Vec::new(),
            nodes: HashMap::new(),
            nodes_read: 0,
            ways_read: 0,
        }
    }

    /// Keeps the way if any loaded mode may use it.
    pub fn add_way(&mut self, way: RawWay) {
        self.ways_read += 1;
        let rules: Vec<Option<WayRule>> =
            self.modes.iter().map(|&m| Profile::of(m).way_rule(&way.tags)).collect();
        if rules.iter().any(Option::is_some) {
            self.ways.push(KeptWay { refs: way.refs, rules });
        }
    }

    /// Counts the node and keeps its position.
    pub fn add_node(&mut self, node: RawNode) {
        self.count_node();
        self.nodes.insert(node.id, LonLat::new(node.lon, node.lat));
    }

    /// Counts a node the caller chose not to keep (not referenced by any kept way).
    pub fn count_node(&mut self) {
        self.nodes_read += 1;
    }

    /// Ids of nodes the kept ways refer to, so a reader can keep only those.
    pub fn needed_nodes(&self) -> HashSet<i64> {
        self.ways.iter().flat_map(|w| w.refs.iter().copied()).collect()
    }

    /// Builds one graph per mode (largest strongly connected component each).
    pub fn build(self) -> Result<RoadNetwork, OsmError> {
        if self.modes.is_empty() {
            return Err(OsmError::NoModes);
        }
        let (ways_used, ways_skipped, missing_refs) = self.tally();
        let mut graphs = Vec::with_capacity(self.modes.len());
        for (k, &mode) in self.modes.iter().enumerate() {
            let (coords, segments) = self.mode_segments(k);
            let graph = RoadGraph::build(mode, coords, segments)?;
            graphs.push(graph);
        }
        let bbox = graphs
            .iter()
            .map(|g| g.info().bbox)
            .reduce(|(a, b), (c, d)| {
                (
                    LonLat::new(a.lon.min(c.lon), a.lat.min(c.lat)),
                    LonLat::new(b.lon.max(d.lon), b.lat.max(d.lat)),
                )
            })
            .ok_or(OsmError::NoModes)?;
        let report = LoadReport {
            nodes_read: self.nodes_read,
            ways_read: self.ways_read,
            ways_used,
            ways_skipped,
            missing_refs,
            bbox,
        };
        Ok(RoadNetwork::new(graphs, report))
    }

    /// (used, skipped, missing refs) over the kept ways, independent of mode.
    fn tally(&self) -> (u64, u64, u64) {
        let (mut used, mut skipped, mut missing) = (0, 0, 0);
        for way in &self.ways {
            let present: Vec<bool> = way.refs.iter().map(|r| self.nodes.contains_key(r)).collect();
            missing += present.iter().filter(|p| !**p).count() as u64;
            let has_segment = present
                .windows(2)
                .zip(way.refs.windows(2))
                .any(|(p, r)| p[0] && p[1] && r[0] != r[1]);
            if has_segment {
                used += 1;
            } else {
                skipped += 1;
            }
        }
        (used, skipped, missing)
    }

    /// Node positions and segments for the `k`-th loaded mode. A missing ref breaks the
    /// chain: the way continues from the next node that exists.
    fn mode_segments(&self, k: usize) -> (Vec<LonLat>, Vec<Segment>) {
        let mut index: HashMap<i64, u32> = HashMap::new();
        let mut coords: Vec<LonLat> = Vec::new();
        let mut segments = Vec::new();
        for way in &self.ways {
            let Some(rule) = way.rules.get(k).copied().flatten() else {
                continue;
            };
            let speed_mps = rule.speed_kmh / 3.6;
            let mut prev: Option<(i64, u32, LonLat)> = None;
            for &id in &way.refs {
                let Some(&p) = self.nodes.get(&id) else {
                    prev = None;
                    continue;
                };
                let ix = *index.entry(id).or_insert_with(|| {
                    coords.push(p);
                    (coords.len() - 1) as u32
                });
                if let Some((prev_id, prev_ix, prev_p)) = prev {
                    if prev_id != id {
                        let meters = haversine_m(prev_p, p);
                        segments.push(Segment {
                            a: prev_ix,
                            b: ix,
                            cost: Cost::from_length(meters, speed_mps),
                            forward: rule.forward,
                            backward: rule.backward,
                        });
                    }
                }
                prev = Some((id, ix, p));
            }
        }
        (coords, segments)
    }
}

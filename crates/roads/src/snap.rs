//! Snapping a point to the nearest road segment (not node: a house halfway along a long
//! street belongs halfway along it, and travel from there costs part of the segment).

use crate::geodesy::haversine_m;
use crate::graph::RoadGraph;
use crate::{LonLat, SnapError};

/// The default snapping limit, in metres.
pub const DEFAULT_SNAP_LIMIT_M: f64 = 1000.0;

/// A point this close to a segment's end (metres) is at that node: it may leave by any road
/// there, not only along the segment it happened to snap to (which may be one-way away).
const AT_NODE_M: f64 = 0.5;

/// A point placed on a road graph. Only valid with the graph that made it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The point as given (WGS84).
    pub point: LonLat,
    /// The nearest point on the road.
    pub snapped: LonLat,
    /// Distance from `point` to `snapped` in metres.
    pub distance_m: f64,
    pub(crate) graph: u64,
    pub(crate) segment: u32,
    /// Position along the segment from its `a` end (0) to its `b` end (1); exactly 0 or 1
    /// means the point is at that node.
    pub(crate) fraction: f64,
}

impl Snap {
    /// The node the point stands on, if it is at one end of its segment.
    pub(crate) fn at_node(&self, g: &RoadGraph) -> Option<u32> {
        let seg = g.segments[self.segment as usize];
        if self.fraction == 0.0 {
            Some(seg.a)
        } else if self.fraction == 1.0 {
            Some(seg.b)
        } else {
            None
        }
    }

    /// The segment index and fraction along it, for test oracles.
    #[doc(hidden)]
    pub fn segment_fraction(&self) -> (usize, f64) {
        (self.segment as usize, self.fraction)
    }
}

impl RoadGraph {
    /// Places `p` on the nearest road segment, or fails if that is farther than
    /// `max_distance_m` metres.
    pub fn snap(&self, p: LonLat, max_distance_m: f64) -> Result<Snap, SnapError> {
        if !p.is_valid() {
            return Err(SnapError::InvalidPoint { lon: p.lon, lat: p.lat });
        }
        let q = self.projection.forward(p);
        // The graph always has a segment (build refuses empty graphs); a miss is treated as
        // infinitely far rather than a panic.
        let Some(entry) = self.rtree.nearest_neighbor(&q) else {
            return Err(SnapError::TooFar {
                lon: p.lon,
                lat: p.lat,
                distance_m: f64::INFINITY,
                limit_m: max_distance_m,
            });
        };
        let line = entry.geom();
        let (a, b) = (line.from, line.to);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let fraction = if len2 > 0.0 {
            (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let length = len2.sqrt();
        let fraction = if fraction * length < AT_NODE_M {
            0.0
        } else if (1.0 - fraction) * length < AT_NODE_M {
            1.0
        } else {
            fraction
        };
        let seg = self.segments[entry.data as usize];
        let (pa, pb) = (self.coords[seg.a as usize], self.coords[seg.b as usize]);
        let snapped = LonLat::new(
            pa.lon + (pb.lon - pa.lon) * fraction,
            pa.lat + (pb.lat - pa.lat) * fraction,
        );
        let distance_m = haversine_m(p, snapped);
        if distance_m > max_distance_m {
            return Err(SnapError::TooFar {
                lon: p.lon,
                lat: p.lat,
                distance_m,
                limit_m: max_distance_m,
            });
        }
        Ok(Snap { point: p, snapped, distance_m, graph: self.id, segment: entry.data, fraction })
    }
}

//! OpenStreetMap road graphs per travel mode (walk, e-bike, car): loading `.osm.pbf`
//! extracts, snapping points onto roads, many-to-many travel-time matrices, paths and
//! isochrones (CareCircle's 15-minute service circles).
//!
//! Times are integer seconds and distances integer metres; internally edges cost integer
//! milliseconds and decimetres so sums are exact and results deterministic. Each graph is
//! the largest strongly connected component of its mode's roads, so any two snapped points
//! connect. Coordinates are WGS84; [`CoordSystem`] converts GCJ-02 and BD-09 at the edge.
//!
//! ```
//! use roads::{LonLat, Mode, RoadGraph, DEFAULT_SNAP_LIMIT_M};
//!
//! // A two-way street of three nodes, ~111 m apart, walked at 5 km/h.
//! let nodes = [LonLat::new(0.0, 0.0), LonLat::new(0.001, 0.0), LonLat::new(0.002, 0.0)];
//! let edges = [(0, 1, 80_000, 1_113, true), (1, 2, 80_000, 1_113, true)];
//! let graph = RoadGraph::from_edges(Mode::Walk, &nodes, &edges)?;
//!
//! let a = graph.snap(LonLat::new(0.0, 0.0001), DEFAULT_SNAP_LIMIT_M)?;
//! let b = graph.snap(LonLat::new(0.002, 0.0), DEFAULT_SNAP_LIMIT_M)?;
//! let m = graph.matrix(&[a, b]);
//! assert_eq!(m.seconds(0, 1), 160);
//! assert_eq!(graph.path(&a, &b).map(|p| p.seconds), Some(160));
//! assert_eq!(graph.within(&a, 100, &[b]), vec![None]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Loading a real extract: `RoadNetwork::from_pbf(path, &Mode::ALL)?.graph(Mode::Car)?`.

#![deny(missing_docs)]

mod cache;
pub mod coords;
mod core;
mod error;
mod geodesy;
mod geojson_out;
mod graph;
mod isochrone;
mod matrix;
mod network;
pub mod osm;
mod search;
mod snap;
mod types;

pub use cache::CacheUse;
pub use error::{OsmError, SnapError};
pub use geodesy::{haversine_m, LocalProjection};
pub use geojson_out::polygon_to_geojson;
pub use graph::{GraphInfo, RoadGraph};
pub use isochrone::is_simple;
pub use matrix::{Matrix, Path};
pub use network::RoadNetwork;
pub use osm::LoadReport;
pub use snap::{Snap, DEFAULT_SNAP_LIMIT_M};
pub use types::{CoordSystem, LonLat, Mode, ParseNameError};

//! The crate's closed error enums. Each variant names the file, mode or point involved so a
//! caller can show it to a person without more context.

use crate::Mode;
use std::path::PathBuf;
use thiserror::Error;

/// Loading a road network failed, or a mode was asked for that was not loaded.
#[derive(Debug, Error)]
pub enum OsmError {
    /// The file could not be opened or read.
    #[error("cannot read OSM file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid OSM PBF file.
    #[error("cannot decode OSM file {path}: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// No road usable by this mode survived loading (none tagged, or none connected).
    #[error("no {mode} roads in the data")]
    NoRoads {
        /// The travel mode without roads.
        mode: Mode,
    },
    /// `RoadNetwork::graph` was asked for a mode that `from_pbf` was not told to load.
    #[error("travel mode {mode} was not loaded")]
    ModeNotLoaded {
        /// The mode asked for.
        mode: Mode,
    },
    /// `from_pbf` was given an empty list of modes.
    #[error("no travel modes requested")]
    NoModes,
}

/// A point could not be snapped onto the road graph.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SnapError {
    /// The nearest road is farther than the limit.
    #[error(
        "point ({lon}, {lat}) is {distance_m:.0} m from the nearest road, limit {limit_m:.0} m"
    )]
    TooFar {
        /// Longitude of the point (WGS84).
        lon: f64,
        /// Latitude of the point (WGS84).
        lat: f64,
        /// Distance to the nearest road in metres.
        distance_m: f64,
        /// The limit that was exceeded, in metres.
        limit_m: f64,
    },
    /// The point's coordinates are not finite or outside [-180, 180] x [-90, 90].
    #[error("point ({lon}, {lat}) is not a valid WGS84 coordinate")]
    InvalidPoint {
        /// Longitude as given.
        lon: f64,
        /// Latitude as given.
        lat: f64,
    },
}

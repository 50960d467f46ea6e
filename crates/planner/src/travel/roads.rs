//! Travel on the real road network: convert each point to WGS84, snap it to the road graph
//! of every travel mode used, and compute a many-to-many matrix per mode for exactly those
//! points.

use super::{StationTravel, TravelError};
use formats::scenario::{Crs, GeoPoint, TravelMode};
use roads::{CoordSystem, LonLat, Mode, RoadGraph, RoadNetwork};
use solver::{DenseMatrix, Meters, Seconds, TravelMatrices};

/// The road mode that serves a scenario travel mode.
pub fn road_mode(mode: TravelMode) -> Mode {
    match mode {
        TravelMode::Walk => Mode::Walk,
        TravelMode::Ebike => Mode::Ebike,
        TravelMode::Car => Mode::Car,
    }
}

/// A scenario point in WGS84.
pub fn to_wgs84(p: &GeoPoint) -> LonLat {
    let crs = match p.crs {
        Crs::Wgs84 => CoordSystem::Wgs84,
        Crs::Gcj02 => CoordSystem::Gcj02,
        Crs::Bd09 => CoordSystem::Bd09,
    };
    crs.to_wgs84(LonLat { lon: p.lon, lat: p.lat })
}

/// Snaps `points` (the station's first, then clients, named by `point_ids`) on each mode's
/// graph and computes a matrix per mode, in the order of `modes`.
pub fn points_travel(
    network: &RoadNetwork,
    station: &str,
    points: &[GeoPoint],
    point_ids: &[String],
    modes: &[TravelMode],
    snap_limit_m: f64,
) -> Result<StationTravel, TravelError> {
    let points: Vec<LonLat> = points.iter().map(to_wgs84).collect();
    let mut matrices = Vec::with_capacity(modes.len());
    let mut snaps = Vec::with_capacity(modes.len());
    for &mode in modes {
        let graph: &RoadGraph =
            network.graph(road_mode(mode)).map_err(|source| TravelError::Mode { mode, source })?;
        let mode_snaps = points
            .iter()
            .enumerate()
            .map(|(index, p)| {
                graph.snap(*p, snap_limit_m).map_err(|source| TravelError::Snap {
                    station: station.to_string(),
                    what: if index == 0 { "station" } else { "client" },
                    id: point_ids.get(index).cloned().unwrap_or_default(),
                    mode,
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let m = graph.matrix(&mode_snaps);
        // Consumed, not copied: `Seconds` and `Meters` are `i64`s, so each vector keeps its
        // allocation (a 10,000-point matrix is 800 MB a vector).
        matrices.push(DenseMatrix::new(
            m.n,
            m.seconds.into_iter().map(Seconds).collect(),
            m.meters.into_iter().map(Meters).collect(),
        )?);
        snaps.push(mode_snaps);
    }
    Ok(StationTravel { matrices: TravelMatrices::new(matrices)?, snaps, missing: Vec::new() })
}

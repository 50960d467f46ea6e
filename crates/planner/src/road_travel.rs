//! From a station-day's points to the solver's travel matrices on the real road network:
//! convert each point to WGS84, snap it to the road graph of every travel mode used, and
//! compute a many-to-many matrix per mode for exactly those points.

use formats::scenario::{Crs, GeoPoint, StationDay, TravelMode};
use roads::{CoordSystem, LonLat, Mode, RoadGraph, RoadNetwork, Snap, SnapError};
use solver::{DenseMatrix, Meters, ProblemError, Seconds, TravelMatrices};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TravelError {
    #[error("station {station}: {what} {id} is off the {mode} road network: {source}")]
    Snap { station: String, what: &'static str, id: String, mode: TravelMode, source: SnapError },
    #[error("travel mode {mode} is not loaded: {source}")]
    Mode { mode: TravelMode, source: roads::OsmError },
    #[error(transparent)]
    Matrix(#[from] ProblemError),
}

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

/// The station-day's points snapped on each mode's graph (`snaps[profile][point]`) and the
/// travel matrices in the station-day's profile order.
pub struct StationTravel {
    pub matrices: TravelMatrices,
    pub snaps: Vec<Vec<Snap>>,
}

impl StationTravel {
    /// The road path of one leg, for maps and the caregiver's route.
    pub fn path(
        &self,
        network: &RoadNetwork,
        day: &StationDay,
        profile: usize,
        from: usize,
        to: usize,
    ) -> Option<roads::Path> {
        let graph = network.graph(road_mode(*day.modes.get(profile)?)).ok()?;
        let snaps = self.snaps.get(profile)?;
        graph.path(snaps.get(from)?, snaps.get(to)?)
    }
}

/// Snaps every point of `day` on each mode's graph and computes the matrices.
pub fn station_travel(
    network: &RoadNetwork,
    day: &StationDay,
    snap_limit_m: f64,
) -> Result<StationTravel, TravelError> {
    points_travel(network, &day.station, &day.points, &day.point_ids, &day.modes, snap_limit_m)
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
        matrices.push(DenseMatrix::new(
            m.n,
            m.seconds.iter().map(|&s| Seconds(s)).collect(),
            m.meters.iter().map(|&d| Meters(d)).collect(),
        )?);
        snaps.push(mode_snaps);
    }
    Ok(StationTravel { matrices: TravelMatrices::new(matrices)?, snaps })
}

impl StationTravel {
    /// The travel among some of these points (`points[i]` is this travel's point), for the
    /// profiles `profiles` (indices into this travel's profiles): a station day's travel cut
    /// out of the travel among all the station's clients.
    pub fn select(
        &self,
        points: &[usize],
        profiles: &[usize],
    ) -> Result<StationTravel, TravelError> {
        let n = points.len();
        let mut matrices = Vec::with_capacity(profiles.len());
        let mut snaps = Vec::with_capacity(profiles.len());
        for &p in profiles {
            let full = self.matrices.profile(solver::ProfileIdx(p as u32));
            let (mut secs, mut meters) = (Vec::with_capacity(n * n), Vec::with_capacity(n * n));
            for &i in points {
                for &j in points {
                    let (a, b) = (solver::LocationIdx(i as u32), solver::LocationIdx(j as u32));
                    secs.push(full.time(a, b));
                    meters.push(full.distance(a, b));
                }
            }
            matrices.push(DenseMatrix::new(n, secs, meters)?);
            let all = self.snaps.get(p).map(Vec::as_slice).unwrap_or_default();
            snaps.push(points.iter().filter_map(|&i| all.get(i).cloned()).collect());
        }
        Ok(StationTravel { matrices: TravelMatrices::new(matrices)?, snaps })
    }
}

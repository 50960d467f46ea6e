//! Where a station-day's travel times come from, outside the routing core: the
//! OpenStreetMap roads (the default), a user's own matrix file, or straight lines at a speed
//! per mode. Every source answers the same question — the solver's matrices among a list of
//! named points, per travel mode — and only the roads also know the path of a leg.

mod roads;

pub use self::roads::{points_travel, road_mode, to_wgs84};

use ::roads::{RoadNetwork, Snap, SnapError};
use formats::scenario::{ground_m, GeoPoint, StationDay, TravelMode};
use formats::travel_matrix::{StraightLine, TravelMatrix};
use solver::travel::NO_TRAVEL;
use solver::{DenseMatrix, Meters, ProblemError, Seconds, TravelMatrices};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TravelError {
    #[error("station {station}: {what} {id} is off the {mode} road network: {source}")]
    Snap { station: String, what: &'static str, id: String, mode: TravelMode, source: SnapError },
    #[error("travel mode {mode} is not loaded: {source}")]
    Mode { mode: TravelMode, source: ::roads::OsmError },
    #[error(
        "the travel matrix has no {mode} times, and caregivers of station {station} travel by {mode}"
    )]
    MatrixMode { station: String, mode: TravelMode },
    #[error(
        "station {station}: the travel matrix has no point {points} (it needs every station, \
         client and canteen, by id)"
    )]
    NotCovered { station: String, points: String },
    #[error(transparent)]
    Matrix(#[from] ProblemError),
}

/// Where travel times come from. Cheap to clone: the roads and matrices are shared.
#[derive(Clone)]
pub enum TravelSource {
    /// The OpenStreetMap road graphs: points are snapped, legs have road paths.
    Roads(Arc<RoadNetwork>),
    /// A user's matrix, points named by id; a point it does not cover has no way.
    Matrix(Arc<TravelMatrix>),
    /// As the crow flies, with a detour factor.
    StraightLine(StraightLine),
}

/// A station-day's travel: the solver's matrices in the day's point and mode order, the
/// snapped points where the source is roads (`snaps[profile][point]`, else empty), and the
/// points the source does not cover (their legs have no way).
pub struct StationTravel {
    pub matrices: TravelMatrices,
    pub snaps: Vec<Vec<Snap>>,
    pub missing: Vec<String>,
}

impl TravelSource {
    /// The matrices among `points` (named by `ids`; the station's first) for each of `modes`.
    pub fn travel(
        &self,
        station: &str,
        points: &[GeoPoint],
        ids: &[String],
        modes: &[TravelMode],
    ) -> Result<StationTravel, TravelError> {
        match self {
            TravelSource::Roads(network) => {
                points_travel(network, station, points, ids, modes, ::roads::DEFAULT_SNAP_LIMIT_M)
            }
            TravelSource::Matrix(matrix) => matrix_travel(matrix, station, ids, modes),
            TravelSource::StraightLine(line) => straight_travel(line, points, modes),
        }
    }

    /// The travel of one station day, every point covered (a file's matrix must name every
    /// point of the scenario; the service instead leaves an uncovered client unassigned).
    pub fn station_day(&self, day: &StationDay) -> Result<StationTravel, TravelError> {
        let travel = self.travel(&day.station, &day.points, &day.point_ids, &day.modes).map_err(
            |e| match e {
                // Name the point for what it is: a station, a client, a canteen or a
                // caregiver's own place.
                TravelError::Snap { station, id, mode, source, what } => {
                    let at = day.point_ids.iter().position(|p| *p == id);
                    let what = at.and_then(|i| day.point_kinds.get(i)).map_or(what, |k| k.as_str());
                    TravelError::Snap { station, what, id, mode, source }
                }
                other => other,
            },
        )?;
        if !travel.missing.is_empty() {
            return Err(TravelError::NotCovered {
                station: day.station.clone(),
                points: travel.missing.join(", "),
            });
        }
        Ok(travel)
    }

    /// The road network, where the source is roads.
    pub fn roads(&self) -> Option<&RoadNetwork> {
        match self {
            TravelSource::Roads(network) => Some(network),
            _ => None,
        }
    }

    /// Whether legs follow roads (else maps draw them straight and say so).
    pub fn has_paths(&self) -> bool {
        self.roads().is_some()
    }

    /// For people: what the times are.
    pub fn describe(&self) -> String {
        match self {
            TravelSource::Roads(_) => "OpenStreetMap roads".into(),
            TravelSource::Matrix(m) => format!(
                "a travel matrix of {} points ({})",
                m.points().len(),
                m.modes().map(TravelMode::as_str).collect::<Vec<_>>().join(", ")
            ),
            TravelSource::StraightLine(l) => {
                format!("straight lines × {} (no roads)", l.detour)
            }
        }
    }

    /// The road path of one leg of a day planned with `travel`, or `None` where the source
    /// has no roads (draw a straight leg).
    pub fn path(
        &self,
        travel: &StationTravel,
        modes: &[TravelMode],
        profile: usize,
        from: usize,
        to: usize,
    ) -> Option<::roads::Path> {
        let network = self.roads()?;
        let graph = network.graph(road_mode(*modes.get(profile)?)).ok()?;
        let snaps = travel.snaps.get(profile)?;
        graph.path(snaps.get(from)?, snaps.get(to)?)
    }
}

fn matrix_travel(
    matrix: &TravelMatrix,
    station: &str,
    ids: &[String],
    modes: &[TravelMode],
) -> Result<StationTravel, TravelError> {
    let at: Vec<Option<usize>> = ids.iter().map(|id| matrix.point(id)).collect();
    let missing =
        ids.iter().zip(&at).filter(|(_, a)| a.is_none()).map(|(id, _)| id.clone()).collect();
    let n = ids.len();
    let mut matrices = Vec::with_capacity(modes.len());
    for &mode in modes {
        if !matrix.has_mode(mode) {
            return Err(TravelError::MatrixMode { station: station.to_string(), mode });
        }
        let (mut secs, mut metres) = (Vec::with_capacity(n * n), Vec::with_capacity(n * n));
        for (i, a) in at.iter().enumerate() {
            for (j, b) in at.iter().enumerate() {
                let leg = match (a, b) {
                    _ if i == j => Some((0, 0)),
                    (Some(a), Some(b)) => matrix.leg(mode, *a, *b),
                    _ => None,
                };
                let (s, m) =
                    leg.map_or((NO_TRAVEL, NO_TRAVEL), |(s, m)| (i64::from(s), i64::from(m)));
                secs.push(Seconds(s));
                metres.push(Meters(m));
            }
        }
        matrices.push(DenseMatrix::new(n, secs, metres)?);
    }
    Ok(StationTravel { matrices: TravelMatrices::new(matrices)?, snaps: Vec::new(), missing })
}

fn straight_travel(
    line: &StraightLine,
    points: &[GeoPoint],
    modes: &[TravelMode],
) -> Result<StationTravel, TravelError> {
    // Other coordinate systems are a few hundred metres off WGS84: convert first.
    let points: Vec<GeoPoint> = points
        .iter()
        .map(|p| {
            let w = to_wgs84(p);
            GeoPoint { lon: w.lon, lat: w.lat, crs: Default::default() }
        })
        .collect();
    let n = points.len();
    let mut matrices = Vec::with_capacity(modes.len());
    for &mode in modes {
        let (mut secs, mut metres) = (Vec::with_capacity(n * n), Vec::with_capacity(n * n));
        for a in &points {
            for b in &points {
                let (s, m) = line.leg(mode, ground_m(*a, *b));
                secs.push(Seconds(s));
                metres.push(Meters(m));
            }
        }
        matrices.push(DenseMatrix::new(n, secs, metres)?);
    }
    Ok(StationTravel {
        matrices: TravelMatrices::new(matrices)?,
        snaps: Vec::new(),
        missing: Vec::new(),
    })
}

impl StationTravel {
    /// This travel as a matrix file among `ids` (this travel's points, in order) for its
    /// `modes` (its profiles, in order): what `roads matrix` writes and a scenario reads back.
    pub fn to_file(
        &self,
        ids: Vec<String>,
        modes: &[TravelMode],
    ) -> Result<TravelMatrix, formats::travel_matrix::MatrixError> {
        let n = ids.len();
        let mut numbers = std::collections::BTreeMap::new();
        for (p, &mode) in modes.iter().enumerate() {
            let m = self.matrices.profile(solver::ProfileIdx(p as u32));
            let (mut secs, mut metres) = (Vec::with_capacity(n * n), Vec::with_capacity(n * n));
            for i in 0..n {
                for j in 0..n {
                    let (a, b) = (solver::LocationIdx(i as u32), solver::LocationIdx(j as u32));
                    // No way (NO_TRAVEL, past u32) is written as null.
                    let entry = |x: i64| u32::try_from(x).unwrap_or(TravelMatrix::NONE);
                    secs.push(entry(m.time(a, b).0));
                    metres.push(entry(m.distance(a, b).0));
                }
            }
            numbers.insert(mode, (secs, Some(metres)));
        }
        TravelMatrix::from_numbers(ids, numbers)
    }

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
            if let Some(all) = self.snaps.get(p) {
                snaps.push(points.iter().filter_map(|&i| all.get(i).cloned()).collect());
            }
        }
        Ok(StationTravel {
            matrices: TravelMatrices::new(matrices)?,
            snaps,
            missing: self.missing.clone(),
        })
    }
}

#[cfg(test)]
mod tests;

//! Routes as GeoJSON on the road paths (straight legs where the travel source has no roads),
//! for GIS tools and map pages.

use serde_json::{json, Value};

use crate::station_plans::PreparedStation;
use planner::travel::{to_wgs84, TravelSource};
use roads::LonLat;
use solver::{Plan, ReasonCode, Stop, Visit};

/// A colour per route, readable on a light map.
pub const PALETTE: [&str; 12] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#393b79", "#637939", "#843c39",
];

/// One leg's drawn line and the route it belongs to.
pub struct DrawnRoute {
    pub caregiver: String,
    pub color: &'static str,
    pub line: Vec<LonLat>,
}

/// Road paths of every route of `plan`, leg by leg; a straight leg where the source knows
/// no path.
pub fn route_lines(
    source: &TravelSource,
    stations: &[PreparedStation],
    plan: &Plan,
) -> Vec<DrawnRoute> {
    let mut drawn = Vec::new();
    for (i, route) in plan.routes.iter().enumerate() {
        let Some(s) =
            stations.iter().find(|s| s.day.problem.caregiver_idx(&route.caregiver).is_some())
        else {
            continue;
        };
        let problem = &s.day.problem;
        let Some(cg) = problem.caregiver_idx(&route.caregiver).map(|c| problem.caregiver(c)) else {
            continue;
        };
        let mut points = vec![cg.start.index()];
        points.extend(
            route
                .stops
                .iter()
                .filter_map(|st| problem.visit_idx(&st.visit))
                .map(|v| problem.visit(v).location.index()),
        );
        points.push(cg.end.index());
        let mut line: Vec<LonLat> = Vec::new();
        for leg in points.windows(2) {
            match source.path(&s.travel, &s.day.modes, cg.profile.index(), leg[0], leg[1]) {
                Some(path) => line.extend(path.coords),
                None => line.extend(leg.iter().map(|&p| to_wgs84(&s.day.points[p]))),
            }
        }
        drawn.push(DrawnRoute {
            caregiver: route.caregiver.clone(),
            color: PALETTE[i % PALETTE.len()],
            line,
        });
    }
    drawn
}

fn point(p: LonLat) -> Value {
    json!({"type": "Point", "coordinates": [p.lon, p.lat]})
}

/// What a point on the map is.
pub enum PointKind<'a> {
    Stop { caregiver: &'a str, sequence: usize, stop: &'a Stop },
    Unassigned { reason: ReasonCode },
    Station,
}

/// A point of the plan on the map, in WGS84.
pub struct PlanPoint<'a> {
    pub at: LonLat,
    /// The visit's id, or the station's.
    pub id: &'a str,
    pub visit: Option<&'a Visit>,
    pub kind: PointKind<'a>,
}

/// Every stop, unassigned visit and station of `plan`, located.
pub fn plan_points<'a>(stations: &'a [PreparedStation], plan: &'a Plan) -> Vec<PlanPoint<'a>> {
    let locate = |visit: &str| {
        stations.iter().find_map(|s| {
            let p = &s.day.problem;
            let v = p.visit(p.visit_idx(visit)?);
            Some((to_wgs84(&s.day.points[v.location.index()]), v))
        })
    };
    let mut points = Vec::new();
    for r in &plan.routes {
        for (i, stop) in r.stops.iter().enumerate() {
            if let Some((at, v)) = locate(&stop.visit) {
                let kind = PointKind::Stop { caregiver: &r.caregiver, sequence: i + 1, stop };
                points.push(PlanPoint { at, id: &stop.visit, visit: Some(v), kind });
            }
        }
    }
    for u in &plan.unassigned {
        if let Some((at, v)) = locate(&u.visit) {
            let kind = PointKind::Unassigned { reason: u.reason };
            points.push(PlanPoint { at, id: &u.visit, visit: Some(v), kind });
        }
    }
    // A pool's stations are its first points.
    for s in stations {
        for (i, id) in s.day.stations.iter().enumerate() {
            let at = to_wgs84(&s.day.points[i]);
            points.push(PlanPoint { at, id, visit: None, kind: PointKind::Station });
        }
    }
    points
}

/// A FeatureCollection: each route's road path, its stops, the stations and the
/// unassigned visits (with their reason).
pub fn plan_geojson(
    source: &TravelSource,
    stations: &[PreparedStation],
    plan: &Plan,
    routes: &[DrawnRoute],
) -> Value {
    // Legs follow roads only where the source has them; say so on every line.
    let legs = if source.has_paths() { "road" } else { "straight" };
    let mut features = Vec::new();
    for (r, drawn) in plan.routes.iter().zip(routes) {
        let coords: Vec<[f64; 2]> = drawn.line.iter().map(|p| [p.lon, p.lat]).collect();
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {
                "kind": "route", "caregiver": r.caregiver, "stroke": drawn.color, "legs": legs,
                "visits": r.stops.len(), "travel_time": r.travel_time,
                "travel_distance": r.travel_distance, "departure": r.departure,
                "return_time": r.return_time,
            }
        }));
    }
    for p in plan_points(stations, plan) {
        let client = p.visit.and_then(|v| v.client.as_deref());
        let service = p.visit.map(|v| v.service.as_str());
        let properties = match p.kind {
            PointKind::Stop { caregiver, sequence, stop } => json!({
                "kind": "stop", "visit": p.id, "client": client, "service": service,
                "caregiver": caregiver, "sequence": sequence,
                "arrival": stop.arrival, "start": stop.start, "end": stop.end,
            }),
            PointKind::Unassigned { reason } => json!({
                "kind": "unassigned", "visit": p.id, "client": client, "service": service,
                "reason": reason,
            }),
            PointKind::Station => json!({"kind": "station", "station": p.id}),
        };
        features
            .push(json!({"type": "Feature", "geometry": point(p.at), "properties": properties}));
    }
    let attribution = match source {
        TravelSource::Roads(_) => "© OpenStreetMap contributors (ODbL)".to_string(),
        other => format!("travel times: {}; legs drawn straight", other.describe()),
    };
    json!({"type": "FeatureCollection", "attribution": attribution, "features": features})
}

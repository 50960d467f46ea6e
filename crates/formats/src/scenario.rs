//! CareCircle's own scenario format: stations, caregivers, clients and a day of visits, as
//! JSON (documented with an example in `scenarios/README.md`).
//!
//! The solver knows nothing of roads, so a scenario becomes a [`Problem`] one station-day at a
//! time: [`Scenario::station_day`] lists the points involved and the travel modes used, the
//! caller (the command or the service) computes a travel matrix for exactly those points, and
//! the problem's location indices refer to that list.

pub use crate::care_package::CarePackage;
pub use crate::contact::{Contact, Phone};
use serde::{Deserialize, Serialize};
use solver::model::{
    self as m, LocationIdx, Objective, Problem, ProblemError, ProfileIdx, Seconds, ServiceKind,
    TimeWindow,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Why a scenario was refused: the field (a JSON path such as `visits[4].client`) and the reason.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    #[error("not valid scenario JSON at line {line}, column {column}: {reason}")]
    Json { line: usize, column: usize, reason: String },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

impl ScenarioError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid { field: field.into(), reason: reason.into() }
    }
}

impl From<ProblemError> for ScenarioError {
    fn from(e: ProblemError) -> ScenarioError {
        ScenarioError::invalid(e.field().to_string(), e.to_string())
    }
}

/// Coordinate system of a point. Chinese phone map apps send GCJ-02 (Amap, Tencent) or BD-09
/// (Baidu); everything is converted to WGS84 at the edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(schemars::JsonSchema)]
pub enum Crs {
    #[default]
    Wgs84,
    Gcj02,
    Bd09,
}

/// How a caregiver travels; each mode has its own road graph and travel matrix.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TravelMode {
    Walk,
    Ebike,
    Car,
}

impl TravelMode {
    pub const ALL: [TravelMode; 3] = [TravelMode::Walk, TravelMode::Ebike, TravelMode::Car];

    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Walk => "walk",
            TravelMode::Ebike => "ebike",
            TravelMode::Car => "car",
        }
    }
}

impl fmt::Display for TravelMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TravelMode {
    type Err = String;
    fn from_str(s: &str) -> Result<TravelMode, String> {
        TravelMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown travel mode {s:?} (expected walk, ebike or car)"))
    }
}

/// A longitude/latitude pair in the given coordinate system.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GeoPoint {
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub crs: Crs,
}

/// The area a station serves: reachable within `minutes` by `mode` (the 15-minute circle).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CircleSpec {
    pub minutes: u32,
    pub mode: TravelMode,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Station {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub location: GeoPoint,
    pub circle: CircleSpec,
    /// Longest single leg allowed, in minutes; defaults to the circle's minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_leg_minutes: Option<u32>,
    /// The station's own meal rules, where they differ from the scenario's `meal_rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meal_rules: Option<MealRules>,
}

/// Where a caregiver's day starts or ends: `"station"` (the default) or a point of their own,
/// such as their home.
#[derive(Clone, Copy, Debug, Default, PartialEq, schemars::JsonSchema)]
#[schemars(untagged)]
pub enum Place {
    #[default]
    #[schemars(with = "StationWord")]
    Station,
    Point(GeoPoint),
}

/// The word `"station"`.
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum StationWord {
    #[serde(rename = "station")]
    Station,
}

impl Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Place::Station => s.serialize_str("station"),
            Place::Point(p) => p.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Place {
    /// `"station"` or `{lon, lat, crs}`; anything else is refused saying what a place is.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Place, D::Error> {
        use serde::de::Error;
        let what = "a place is \"station\" or a point {\"lon\", \"lat\", \"crs\"}";
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(w) if w == "station" => Ok(Place::Station),
            serde_json::Value::Object(o) => {
                let point = GeoPoint::deserialize(serde_json::Value::Object(o));
                point.map(Place::Point).map_err(|e| D::Error::custom(format!("{e}; {what}")))
            }
            other => Err(D::Error::custom(format!("{other} is not a place: {what}"))),
        }
    }
}

impl Place {
    pub fn is_station(&self) -> bool {
        matches!(self, Place::Station)
    }

    /// The point, if it is not the station.
    pub fn point(&self) -> Option<GeoPoint> {
        match self {
            Place::Station => None,
            Place::Point(p) => Some(*p),
        }
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Caregiver {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub station: String,
    #[serde(default)]
    pub skills: Vec<String>,
    /// Seconds from midnight; the route leaves `start` no earlier and is back at `end` no
    /// later (with an unpaid commute: arrives at the first visit and leaves the last).
    pub shift: TimeWindow,
    /// Where the day starts: `"station"` (the default) or a point such as the caregiver's home.
    #[serde(default, skip_serializing_if = "Place::is_station")]
    pub start: Place,
    /// Where the day ends: `"station"` (the default) or a point.
    #[serde(default, skip_serializing_if = "Place::is_station")]
    pub end: Place,
    /// The longest trip from `start` to the first visit and from the last visit to `end` when
    /// either is not the station (default: any the shift allows); the service circle limits
    /// every other leg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_commute_minutes: Option<u32>,
    /// Whether that commute is working time (default `true`); unpaid, it lies outside the shift.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub commute_paid: bool,
    pub mode: TravelMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_route_duration: Option<Seconds>,
    /// Contracted working seconds of the day; longer costs overtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracted: Option<Seconds>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub female: bool,
    /// A lunch break: `{window: {start, end}, duration}`, taken wherever the caregiver is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lunch_break: Option<m::LunchBreak>,
    /// Meals the caregiver's insulated box holds (default: `meal_rules.box_capacity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub box_capacity: Option<u32>,
}

impl Caregiver {
    /// The caregiver's own start and end places with their point ids: `{id}@home` when both
    /// are the same point, else `{id}@start` and `{id}@end`; `None` for the station.
    #[allow(clippy::type_complexity)]
    pub fn own_places(&self) -> (Option<(String, GeoPoint)>, Option<(String, GeoPoint)>) {
        let named = |suffix: &str, p: GeoPoint| (format!("{}@{suffix}", self.id), p);
        match (self.start.point(), self.end.point()) {
            (Some(a), Some(b)) if a == b => (Some(named("home", a)), Some(named("home", b))),
            (a, b) => (a.map(|p| named("start", p)), b.map(|p| named("end", p))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Client {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub station: String,
    pub location: GeoPoint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The client's own phone. Like `contacts`, only the dispatchers of the station and the
    /// caregivers with a visit to the client that day see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    /// People to call for the client: family, neighbours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Hours of home service a month the client is entitled to (subsidised clients: 45-60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_hours: Option<f64>,
    /// The canteen the client's meals come from, if they chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canteen: Option<String>,
    /// Without a chosen canteen, meals come from the nearest one; with this, the plan may
    /// choose among the `meal_rules.nearest` nearest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub any_canteen: bool,
}

fn default_priority() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Visit {
    pub id: String,
    pub client: String,
    pub service: ServiceKind,
    /// Seconds.
    pub duration: Seconds,
    /// Windows in which the visit may start, seconds from midnight.
    pub windows: Vec<TimeWindow>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// Soft deadline for the start, seconds from midnight; later costs lateness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Seconds>,
    /// The client's usual caregivers (ids); others cost a continuity penalty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred: Vec<String>,
    /// Caregivers the client refuses (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
    /// Only a female caregiver may serve it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub female_only: bool,
    /// This meal's canteen, if it differs from the client's (see `Client::canteen`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canteen: Option<String>,
    /// Meals delivered (a meal visit; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meals: Option<u32>,
}

/// A community canteen (长者食堂) where caregivers pick meals up for delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Canteen {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub location: GeoPoint,
    /// Opening hours, seconds from midnight: meals are picked up inside them.
    pub hours: TimeWindow,
    /// Meals are ready from this time (seconds from midnight; default: when it opens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meals_ready: Option<Seconds>,
}

/// How meals travel: the hot-food limit from pick-up to the client's door, the insulated
/// box's size, the time a pick-up takes per meal order and how many nearby canteens the plan may choose
/// among when a client has not chosen one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[derive(schemars::JsonSchema)]
pub struct MealRules {
    pub max_ride_minutes: u32,
    pub box_capacity: u32,
    pub pickup_minutes: u32,
    pub nearest: u32,
}

impl Default for MealRules {
    /// Hot food within 30 minutes, a box of 6, a minute at the counter per meal order, 3
    /// canteens to choose from.
    fn default() -> MealRules {
        MealRules { max_ride_minutes: 30, box_capacity: 6, pickup_minutes: 1, nearest: 3 }
    }
}

/// A scenario file: the master data of one or more stations and a day of visits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Scenario {
    pub name: String,
    /// The plan day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The OpenStreetMap extract the scenario is set on, relative to the scenario file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osm: Option<String>,
    /// Travel times from elsewhere than OpenStreetMap: a matrix file or straight lines (a
    /// scenario names `osm` or `travel`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel: Option<TravelSpec>,
    pub stations: Vec<Station>,
    pub caregivers: Vec<Caregiver>,
    pub clients: Vec<Client>,
    pub visits: Vec<Visit>,
    /// Visits served together by two caregivers, or one a set gap after the other; both
    /// visits belong to clients of one station.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<m::VisitLink>,
    /// What the soft rules cost (defaults: see `SoftCosts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_costs: Option<m::SoftCosts>,
    /// Recurring bookings, expanded into days by `care_package::expand_week`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<CarePackage>,
    /// Canteens meals are picked up from. With none, a meal visit is a visit like any other
    /// (the caregiver brings or cooks the meal); with some, each meal is a pick-up at a
    /// canteen and a delivery (a meal round).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canteens: Vec<Canteen>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meal_rules: Option<MealRules>,
    /// Stations planned together: a pool's station-days are one problem, where a client may be
    /// served by a caregiver of any station of the pool whose station reaches the client within
    /// its circle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<Pool>,
}

/// Stations planned as one (a county centre and its town stations, say).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pool {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub stations: Vec<String>,
}

/// The JSON Schema of the scenario file, generated from the types that read it.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Scenario)).unwrap_or_default()
}

/// Where a scenario's travel times come from when not from OpenStreetMap roads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[derive(schemars::JsonSchema)]
pub enum TravelSpec {
    /// A matrix file (JSON or CSV, see [`crate::travel_matrix`]), relative to the scenario.
    Matrix(String),
    /// Straight lines at a speed per mode.
    StraightLine(crate::travel_matrix::StraightLine),
}

/// One station's day (or a pool's) as a solver problem. `points[i]` is `LocationIdx(i)`;
/// `modes[p]` is `ProfileIdx(p)`: the caller builds the travel matrices in exactly that order.
#[derive(Clone, Debug)]
pub struct StationDay {
    /// The station's id, or the pool's.
    pub station: String,
    /// The stations planned: points `0..stations.len()`.
    pub stations: Vec<String>,
    pub problem: Problem,
    pub points: Vec<GeoPoint>,
    /// Each point's id: the stations', the clients', the canteens' and the caregivers' own
    /// places (`{caregiver}@home`, or `@start` and `@end` when they differ).
    pub point_ids: Vec<String>,
    pub point_kinds: Vec<PointKind>,
    pub modes: Vec<TravelMode>,
}

/// What a point of a [`StationDay`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointKind {
    Station,
    Client,
    Canteen,
    /// A caregiver's own start or end place.
    Caregiver,
}

impl PointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PointKind::Station => "station",
            PointKind::Client => "client",
            PointKind::Canteen => "canteen",
            PointKind::Caregiver => "caregiver place",
        }
    }
}

impl Scenario {
    /// Parses and validates a scenario.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Checks references, ids, coordinates and times; the error names the first bad field.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let stations = unique_ids("stations", self.stations.iter().map(|s| &s.id))?;
        let caregivers = unique_ids("caregivers", self.caregivers.iter().map(|c| &c.id))?;
        let clients = unique_ids("clients", self.clients.iter().map(|c| &c.id))?;
        unique_ids("visits", self.visits.iter().map(|v| &v.id))?;
        self.check_travel()?;
        for (i, s) in self.stations.iter().enumerate() {
            check_point(&format!("stations[{i}].location"), &s.location)?;
            if s.circle.minutes == 0 {
                return Err(ScenarioError::invalid(
                    format!("stations[{i}].circle.minutes"),
                    "must be at least 1",
                ));
            }
        }
        for (i, c) in self.caregivers.iter().enumerate() {
            if !stations.contains(c.station.as_str()) {
                return Err(ScenarioError::invalid(
                    format!("caregivers[{i}].station"),
                    format!("unknown station {:?}", c.station),
                ));
            }
            check_window(&format!("caregivers[{i}].shift"), &c.shift)?;
            for (name, place) in [("start", &c.start), ("end", &c.end)] {
                if let Some(p) = place.point() {
                    check_point(&format!("caregivers[{i}].{name}"), &p)?;
                }
            }
            if c.max_commute_minutes == Some(0) {
                return Err(ScenarioError::invalid(
                    format!("caregivers[{i}].max_commute_minutes"),
                    "must be at least 1",
                ));
            }
        }
        self.check_pools(&stations)?;
        for (i, c) in self.clients.iter().enumerate() {
            if !stations.contains(c.station.as_str()) {
                return Err(ScenarioError::invalid(
                    format!("clients[{i}].station"),
                    format!("unknown station {:?}", c.station),
                ));
            }
            check_point(&format!("clients[{i}].location"), &c.location)?;
            crate::contact::check(c.phone.as_ref(), &c.contacts).map_err(|(field, why)| {
                ScenarioError::invalid(format!("clients[{i}].{field}"), why)
            })?;
        }
        for (i, v) in self.visits.iter().enumerate() {
            if !clients.contains(v.client.as_str()) {
                return Err(ScenarioError::invalid(
                    format!("visits[{i}].client"),
                    format!("unknown client {:?}", v.client),
                ));
            }
            crate::visit_rules::check(v.duration, &v.windows, v.priority).map_err(|e| {
                ScenarioError::invalid(format!("visits[{i}].{}", e.field), e.reason)
            })?;
            for (name, ids) in [("preferred", &v.preferred), ("refused", &v.refused)] {
                if let Some(c) = ids.iter().find(|c| !caregivers.contains(c.as_str())) {
                    return Err(ScenarioError::invalid(
                        format!("visits[{i}].{name}"),
                        format!("unknown caregiver {c:?}"),
                    ));
                }
            }
        }
        let canteens = unique_ids("canteens", self.canteens.iter().map(|c| &c.id))?;
        for (i, c) in self.canteens.iter().enumerate() {
            check_point(&format!("canteens[{i}].location"), &c.location)?;
            check_window(&format!("canteens[{i}].hours"), &c.hours)?;
            if c.meals_ready.is_some_and(|r| r > c.hours.end) {
                return Err(ScenarioError::invalid(
                    format!("canteens[{i}].meals_ready"),
                    "is after the canteen closes",
                ));
            }
        }
        for (i, c) in self.clients.iter().enumerate() {
            if let Some(c) = c.canteen.as_deref().filter(|c| !canteens.contains(c)) {
                return Err(ScenarioError::invalid(
                    format!("clients[{i}].canteen"),
                    format!("unknown canteen {c:?}"),
                ));
            }
        }
        for (i, v) in self.visits.iter().enumerate() {
            if let Some(c) = v.canteen.as_deref().filter(|c| !canteens.contains(c)) {
                return Err(ScenarioError::invalid(
                    format!("visits[{i}].canteen"),
                    format!("unknown canteen {c:?}"),
                ));
            }
            if v.meals == Some(0) {
                return Err(ScenarioError::invalid(
                    format!("visits[{i}].meals"),
                    "must be at least 1",
                ));
            }
        }
        let station_rules = self.stations.iter().enumerate().filter_map(|(i, s)| {
            s.meal_rules.as_ref().map(|r| (format!("stations[{i}].meal_rules"), r))
        });
        let all_rules = self.meal_rules.as_ref().map(|r| ("meal_rules".to_string(), r));
        for (field, r) in all_rules.into_iter().chain(station_rules) {
            for (name, value) in [
                ("max_ride_minutes", r.max_ride_minutes),
                ("box_capacity", r.box_capacity),
                ("nearest", r.nearest),
            ] {
                if value == 0 {
                    return Err(ScenarioError::invalid(
                        format!("{field}.{name}"),
                        "must be at least 1",
                    ));
                }
            }
        }
        unique_ids("packages", self.packages.iter().map(|p| &p.id))?;
        for (i, p) in self.packages.iter().enumerate() {
            p.validate(i, self)?;
        }
        for (i, c) in self.clients.iter().enumerate() {
            if c.monthly_hours.is_some_and(|h| !(0.0..=744.0).contains(&h)) {
                return Err(ScenarioError::invalid(
                    format!("clients[{i}].monthly_hours"),
                    "must be between 0 and 744 hours",
                ));
            }
        }
        for (i, l) in self.links.iter().enumerate() {
            let station_of = |id: &str, field: &str| {
                let v = self.visits.iter().find(|v| v.id == id).ok_or_else(|| {
                    ScenarioError::invalid(
                        format!("links[{i}].{field}"),
                        format!("unknown visit {id:?}"),
                    )
                })?;
                Ok::<_, ScenarioError>(self.client(&v.client).map(|c| c.station.as_str()))
            };
            if station_of(&l.first, "first")? != station_of(&l.second, "second")? {
                return Err(ScenarioError::invalid(
                    format!("links[{i}]"),
                    "the two visits belong to clients of different stations",
                ));
            }
        }
        Ok(())
    }

    /// One travel source at most, and with a matrix, every point named once: a matrix names
    /// points by the ids of stations, clients and canteens (and caregivers' own places as
    /// `{caregiver}@home`, `@start` or `@end`).
    fn check_travel(&self) -> Result<(), ScenarioError> {
        match (&self.osm, &self.travel) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::invalid(
                    "travel",
                    "the scenario names both \"osm\" and \"travel\"; keep one travel source",
                ))
            }
            (_, Some(TravelSpec::StraightLine(line))) => line
                .validate("travel.straight_line")
                .map_err(|e| ScenarioError::invalid("travel.straight_line", e.to_string()))?,
            (_, Some(TravelSpec::Matrix(path))) if path.trim().is_empty() => {
                return Err(ScenarioError::invalid("travel.matrix", "names no file"))
            }
            _ => {}
        }
        if matches!(self.travel, Some(TravelSpec::Matrix(_))) {
            let mut kinds: HashMap<&str, &str> = HashMap::new();
            let named = self
                .stations
                .iter()
                .map(|s| (&s.id, "station"))
                .chain(self.clients.iter().map(|c| (&c.id, "client")))
                .chain(self.canteens.iter().map(|c| (&c.id, "canteen")));
            for (id, kind) in named {
                if let Some(other) = kinds.insert(id, kind) {
                    return Err(ScenarioError::invalid(
                        "travel.matrix",
                        format!(
                            "{id:?} is both a {other}'s and a {kind}'s id; a travel matrix names \
                             points by id, so they must differ"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Each pool names known stations, at least one, and a station is in one pool at most.
    fn check_pools(&self, stations: &HashSet<&str>) -> Result<(), ScenarioError> {
        unique_ids("pools", self.pools.iter().map(|p| &p.id))?;
        let mut pooled: HashMap<&str, &str> = HashMap::new();
        for (i, pool) in self.pools.iter().enumerate() {
            if pool.stations.is_empty() {
                return Err(ScenarioError::invalid(
                    format!("pools[{i}].stations"),
                    "names no station",
                ));
            }
            for (k, s) in pool.stations.iter().enumerate() {
                let field = format!("pools[{i}].stations[{k}]");
                if !stations.contains(s.as_str()) {
                    return Err(ScenarioError::invalid(field, format!("unknown station {s:?}")));
                }
                if let Some(other) = pooled.insert(s, &pool.id) {
                    return Err(ScenarioError::invalid(
                        field,
                        format!(
                            "station {s:?} is already in pool {other:?}; a station is in one pool"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn station(&self, id: &str) -> Option<&Station> {
        self.stations.iter().find(|s| s.id == id)
    }

    pub fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    /// The problem of one station's day: its caregivers and the visits to its clients.
    /// Point 0 is the station, then one point per client visited, in the order of first
    /// visit, then the canteens and the caregivers' own places as used.
    pub fn station_day(&self, station_id: &str) -> Result<StationDay, ScenarioError> {
        self.unit_day(&PlanUnit { id: station_id.to_string(), stations: vec![station_id.into()] })
    }

    /// What is planned as one: each pool, and each station in no pool, in the order of
    /// `stations` (a pool where its first station is).
    pub fn plan_units(&self) -> Vec<PlanUnit> {
        let mut units: Vec<PlanUnit> = Vec::new();
        for s in &self.stations {
            match self.pools.iter().find(|p| p.stations.contains(&s.id)) {
                Some(pool) if units.iter().any(|u| u.id == pool.id) => {}
                Some(pool) => {
                    units.push(PlanUnit { id: pool.id.clone(), stations: pool.stations.clone() })
                }
                None => units.push(PlanUnit { id: s.id.clone(), stations: vec![s.id.clone()] }),
            }
        }
        units
    }

    /// The problem of one plan unit's day: its stations' caregivers and the visits to their
    /// clients. Points `0..stations` are the stations, then the clients visited in the order of
    /// first visit, the canteens and the caregivers' own places as used. In a pool each
    /// caregiver keeps their station's leg limit and serves another station's client only
    /// within their station's circle (`solver::StationCircle`).
    pub fn unit_day(&self, unit: &PlanUnit) -> Result<StationDay, ScenarioError> {
        let stations = unit
            .stations
            .iter()
            .map(|id| {
                self.station(id).ok_or_else(|| {
                    ScenarioError::invalid("station", format!("unknown station {id:?}"))
                })
            })
            .collect::<Result<Vec<&Station>, _>>()?;
        let first = stations.first().copied().ok_or_else(|| {
            ScenarioError::invalid("pools", format!("pool {:?} has no station", unit.id))
        })?;
        let pooled = stations.len() > 1;
        let member = |id: &str| stations.iter().position(|s| s.id == id);
        let caregivers: Vec<&Caregiver> =
            self.caregivers.iter().filter(|c| member(&c.station).is_some()).collect();
        let unit_cg: HashSet<&str> = caregivers.iter().map(|c| c.id.as_str()).collect();
        let mut modes: Vec<TravelMode> = caregivers.iter().map(|c| c.mode).collect();
        modes.sort();
        modes.dedup();
        if modes.is_empty() {
            modes.push(first.circle.mode);
        }
        let profile = |mode: TravelMode| {
            ProfileIdx(modes.iter().position(|&m| m == mode).unwrap_or_default() as u32)
        };

        let mut points: Vec<GeoPoint> = stations.iter().map(|s| s.location).collect();
        let mut point_ids: Vec<String> = stations.iter().map(|s| s.id.clone()).collect();
        let mut point_kinds = vec![PointKind::Station; stations.len()];
        let mut client_point: BTreeMap<&str, LocationIdx> = BTreeMap::new();
        let mut visits = Vec::new();
        for v in &self.visits {
            let Some(client) = self.client(&v.client) else { continue };
            if member(&client.station).is_none() {
                continue;
            }
            let location = *client_point.entry(client.id.as_str()).or_insert_with(|| {
                points.push(client.location);
                point_ids.push(client.id.clone());
                point_kinds.push(PointKind::Client);
                LocationIdx(points.len() as u32 - 1)
            });
            visits.push(m::Visit {
                id: v.id.clone(),
                client: Some(v.client.clone()),
                location,
                service: v.service.clone(),
                duration: v.duration,
                windows: v.windows.clone(),
                skills: v.skills.clone(),
                priority: v.priority,
                demand: 0,
                due: v.due,
                duration_for: Default::default(),
                // Only this unit's caregivers are in its problem.
                preferred: v
                    .preferred
                    .iter()
                    .filter(|c| unit_cg.contains(c.as_str()))
                    .cloned()
                    .collect(),
                refused: v
                    .refused
                    .iter()
                    .filter(|c| unit_cg.contains(c.as_str()))
                    .cloned()
                    .collect(),
                female_only: v.female_only,
                station: pooled.then(|| client.station.clone()),
            });
        }
        let rules_of = |station: &str| {
            self.station(station).and_then(|s| s.meal_rules).or(self.meal_rules).unwrap_or_default()
        };
        let pairs = self.meal_rounds(&mut visits, &mut points, &mut point_ids, &rules_of);
        point_kinds.resize(points.len(), PointKind::Canteen);
        let mut problem_caregivers = Vec::with_capacity(caregivers.len());
        for c in caregivers {
            let at = member(&c.station).unwrap_or_default();
            let station = stations[at];
            let home = LocationIdx(at as u32);
            let mut place = |own: Option<(String, GeoPoint)>| {
                let Some((id, p)) = own else { return home };
                if let Some(i) = point_ids.iter().rposition(|known| *known == id) {
                    return LocationIdx(i as u32);
                }
                points.push(p);
                point_ids.push(id);
                point_kinds.push(PointKind::Caregiver);
                LocationIdx(points.len() as u32 - 1)
            };
            let (own_start, own_end) = c.own_places();
            let (start, end) = (place(own_start), place(own_end));
            let commute = (start != home || end != home).then(|| m::Commute {
                from_start: start != home,
                to_end: end != home,
                max: c.max_commute_minutes.map(|m| Seconds(i64::from(m) * 60)),
                paid: c.commute_paid,
            });
            let rules = rules_of(&station.id);
            problem_caregivers.push(m::Caregiver {
                id: c.id.clone(),
                station: Some(c.station.clone()),
                skills: c.skills.clone(),
                profile: profile(c.mode),
                start,
                end,
                shift: c.shift,
                // The box matters only on a day with meal rounds.
                capacity: (!pairs.is_empty())
                    .then(|| i64::from(c.box_capacity.unwrap_or(rules.box_capacity))),
                max_route_duration: c.max_route_duration,
                contracted: c.contracted,
                female: c.female,
                lunch_break: c.lunch_break,
                commute,
                circle: pooled.then(|| m::StationCircle {
                    center: home,
                    reach: Seconds(i64::from(station.circle.minutes) * 60),
                    max_leg: max_leg(station),
                }),
            });
        }
        // Alone, the station's leg limit is the problem's; in a pool each caregiver has their
        // own and the problem reports the longest.
        let max_leg = stations.iter().map(|s| max_leg(s)).max();
        let problem = Problem::new(
            format!("{}/{}", self.name, unit.id),
            visits,
            problem_caregivers,
            points.len(),
            modes.len(),
            max_leg,
            Objective::TravelTime,
            1,
        )?;
        let links: Vec<m::VisitLink> =
            self.links.iter().filter(|l| problem.visit_idx(&l.first).is_some()).cloned().collect();
        let problem = problem
            .with_links(links)?
            .with_pairs(pairs)?
            .with_soft_costs(self.soft_costs.unwrap_or_default())?;
        Ok(StationDay {
            station: unit.id.clone(),
            stations: unit.stations.clone(),
            problem,
            points,
            point_ids,
            point_kinds,
            modes,
        })
    }
}

/// A station's longest leg: `max_leg_minutes`, else its circle's minutes.
fn max_leg(station: &Station) -> Seconds {
    Seconds(i64::from(station.max_leg_minutes.unwrap_or(station.circle.minutes)) * 60)
}

/// What is planned as one problem: one station, or a pool of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanUnit {
    /// The station's id, or the pool's.
    pub id: String,
    pub stations: Vec<String>,
}

impl Scenario {
    /// Turns each meal visit of a station's day into a meal round's pair: the visit is the
    /// delivery, and a pick-up visit (`{visit}@{canteen}`) is added at the canteen the visit or
    /// its client chose, else at the nearest canteen, or at each of the `rules.nearest` nearest
    /// when the client lets the plan choose (straight-line: the scenario holds no travel times;
    /// the plan then chooses by road). Canteens join `points` as they are used. No canteens: no
    /// pairs.
    fn meal_rounds(
        &self,
        visits: &mut Vec<m::Visit>,
        points: &mut Vec<GeoPoint>,
        point_ids: &mut Vec<String>,
        rules_of: &dyn Fn(&str) -> MealRules,
    ) -> Vec<m::PickupDelivery> {
        if self.canteens.is_empty() {
            return Vec::new();
        }
        let mut pairs = Vec::new();
        let mut pickups = Vec::new();
        // One lookup per meal, not a scan of every visit and client (a county day has ~1,000).
        let booked_visits: HashMap<&str, &Visit> =
            self.visits.iter().map(|v| (v.id.as_str(), v)).collect();
        let clients: HashMap<&str, &Client> =
            self.clients.iter().map(|c| (c.id.as_str(), c)).collect();
        for v in visits.iter().filter(|v| v.service == ServiceKind::Meal) {
            let Some(booked) = booked_visits.get(v.id.as_str()) else { continue };
            let home = points[v.location.index()];
            let client = clients.get(booked.client.as_str());
            let rules = rules_of(client.map_or("", |c| c.station.as_str()));
            let choice = booked.canteen.as_ref().or(client.and_then(|c| c.canteen.as_ref()));
            let nearest = if client.is_some_and(|c| c.any_canteen) { rules.nearest } else { 1 };
            let chosen: Vec<&Canteen> = match choice {
                Some(id) => self.canteens.iter().filter(|c| &c.id == id).collect(),
                None => {
                    let mut by_distance: Vec<&Canteen> = self.canteens.iter().collect();
                    by_distance.sort_by(|a, b| {
                        let (da, db) = (ground_m(home, a.location), ground_m(home, b.location));
                        da.total_cmp(&db).then_with(|| a.id.cmp(&b.id))
                    });
                    by_distance.truncate(nearest as usize);
                    by_distance
                }
            };
            let mut ids = Vec::new();
            for canteen in chosen {
                let location = match point_ids.iter().position(|p| p == &canteen.id) {
                    Some(i) => LocationIdx(i as u32),
                    None => {
                        points.push(canteen.location);
                        point_ids.push(canteen.id.clone());
                        LocationIdx(points.len() as u32 - 1)
                    }
                };
                let ready = canteen.meals_ready.unwrap_or(canteen.hours.start);
                let id = pickup_id(&v.id, &canteen.id);
                pickups.push(m::Visit {
                    station: v.station.clone(),
                    id: id.clone(),
                    client: v.client.clone(),
                    location,
                    service: ServiceKind::Meal,
                    duration: Seconds(i64::from(rules.pickup_minutes) * 60),
                    windows: vec![TimeWindow::new(
                        ready.max(canteen.hours.start),
                        canteen.hours.end,
                    )],
                    skills: Vec::new(),
                    priority: v.priority,
                    demand: 0,
                    due: None,
                    duration_for: Default::default(),
                    preferred: Vec::new(),
                    refused: Vec::new(),
                    female_only: false,
                });
                ids.push(id);
            }
            pairs.push(m::PickupDelivery {
                pickups: ids,
                delivery: v.id.clone(),
                quantity: i64::from(booked.meals.unwrap_or(1)),
                max_ride: Some(Seconds(i64::from(rules.max_ride_minutes) * 60)),
            });
        }
        visits.extend(pickups);
        pairs
    }
}

/// The id of the pick-up at `canteen` of meal visit `visit`.
pub fn pickup_id(visit: &str, canteen: &str) -> String {
    format!("{visit}@{canteen}")
}

/// The canteen of pick-up `pickup` of meal visit `visit` (see [`pickup_id`]).
pub fn pickup_canteen<'a>(pickup: &'a str, visit: &str) -> Option<&'a str> {
    pickup.strip_prefix(visit)?.strip_prefix('@')
}

/// Metres between two points on the ground (haversine; converting other systems is the
/// caller's business, and a few hundred metres of offset do not change which canteen is
/// near).
pub fn ground_m(a: GeoPoint, b: GeoPoint) -> f64 {
    const R: f64 = 6_371_000.0;
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

fn unique_ids<'a>(
    table: &str,
    ids: impl Iterator<Item = &'a String>,
) -> Result<HashSet<&'a str>, ScenarioError> {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            return Err(ScenarioError::invalid(format!("{table}[{i}].id"), "must not be empty"));
        }
        if !seen.insert(id.as_str()) {
            return Err(ScenarioError::invalid(
                format!("{table}[{i}].id"),
                format!("{id:?} is used twice"),
            ));
        }
    }
    Ok(seen)
}

fn check_point(field: &str, p: &GeoPoint) -> Result<(), ScenarioError> {
    if !(-180.0..=180.0).contains(&p.lon) {
        return Err(ScenarioError::invalid(
            format!("{field}.lon"),
            format!("{} is not a longitude", p.lon),
        ));
    }
    if !(-90.0..=90.0).contains(&p.lat) {
        return Err(ScenarioError::invalid(
            format!("{field}.lat"),
            format!("{} is not a latitude", p.lat),
        ));
    }
    Ok(())
}

fn check_window(field: &str, w: &TimeWindow) -> Result<(), ScenarioError> {
    if w.start.0 < 0 || w.end.0 > 2 * 86_400 || w.start > w.end {
        return Err(ScenarioError::invalid(
            field,
            format!(
                "must satisfy 0 <= start <= end <= 172800 seconds (got {}..{})",
                w.start.0, w.end.0
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> &'static str {
        r#"{
          "name": "t",
          "stations": [{"id": "S1", "location": {"lon": 1.5, "lat": 42.5}, "circle": {"minutes": 15, "mode": "ebike"}}],
          "caregivers": [{"id": "C1", "station": "S1", "skills": ["bathing"], "shift": {"start": 28800, "end": 61200}, "mode": "ebike"}],
          "clients": [{"id": "K1", "station": "S1", "location": {"lon": 1.51, "lat": 42.51, "crs": "gcj02"}}],
          "visits": [{"id": "V1", "client": "K1", "service": "meal", "duration": 1200, "windows": [{"start": 39600, "end": 45000}]},
                     {"id": "V2", "client": "K1", "service": "bathing", "duration": 3600, "windows": [{"start": 32400, "end": 50000}], "skills": ["bathing"], "priority": 3}]
        }"#
    }

    #[test]
    fn station_day_lists_each_client_once() {
        let s = Scenario::from_json(sample()).expect("valid");
        let day = s.station_day("S1").expect("station day");
        assert_eq!(day.points.len(), 2);
        assert_eq!(day.modes, vec![TravelMode::Ebike]);
        assert_eq!(day.problem.visits.len(), 2);
        assert_eq!(day.problem.visits[1].location, LocationIdx(1));
        assert_eq!(day.problem.max_leg, Some(Seconds(900)));
        assert_eq!(day.points[1].crs, Crs::Gcj02);
    }

    #[test]
    fn unknown_client_names_the_field() {
        let text = sample().replace(
            r#""client": "K1", "service": "meal""#,
            r#""client": "K9", "service": "meal""#,
        );
        let err = Scenario::from_json(&text).expect_err("must fail");
        assert_eq!(err.to_string(), r#"visits[0].client: unknown client "K9""#);
    }

    #[test]
    fn bad_latitude_names_the_field() {
        let text = sample().replace("42.51", "142.51");
        let err = Scenario::from_json(&text).expect_err("must fail");
        assert!(err.to_string().starts_with("clients[0].location.lat:"), "{err}");
    }

    #[test]
    fn meals_come_from_the_chosen_the_nearest_or_a_choice_of_canteens() {
        let canteens = r#", "canteens": [
            {"id": "A", "location": {"lon": 1.511, "lat": 42.51}, "hours": {"start": 36000, "end": 68400}},
            {"id": "B", "location": {"lon": 1.52, "lat": 42.51}, "hours": {"start": 36000, "end": 68400}},
            {"id": "C", "location": {"lon": 1.53, "lat": 42.51}, "hours": {"start": 36000, "end": 68400}}]}"#;
        let with = |client: &str| {
            let text = sample()
                .replace(r#""crs": "gcj02"}}"#, &format!(r#""crs": "gcj02"}}{client}}}"#))
                .trim_end()
                .strip_suffix('}')
                .map(|s| format!("{s}{canteens}"))
                .expect("an object");
            let day = Scenario::from_json(&text).expect("valid").station_day("S1").expect("day");
            let pair = day.problem.pairs.first().cloned().expect("the meal is a pair");
            assert_eq!(pair.delivery, "V1");
            pair.pickups
        };
        assert_eq!(with(""), vec!["V1@A"], "the nearest");
        assert_eq!(with(r#", "canteen": "C""#), vec!["V1@C"], "the chosen one");
        assert_eq!(with(r#", "any_canteen": true"#), vec!["V1@A", "V1@B", "V1@C"], "a choice");
        let bad = sample().replace(r#""crs": "gcj02"}}"#, r#""crs": "gcj02"}, "canteen": "Z"}"#);
        let bad = format!("{}{canteens}", bad.trim_end().strip_suffix('}').expect("object"));
        let err = Scenario::from_json(&bad).expect_err("unknown canteen");
        assert_eq!(err.to_string(), r#"clients[0].canteen: unknown canteen "Z""#);
    }

    #[test]
    fn a_pool_is_one_problem_with_each_caregivers_circle_and_own_places() {
        let text = include_str!("../tests/pool.json");
        let s = Scenario::from_json(text).expect("valid");
        let units = s.plan_units();
        assert_eq!(units.len(), 2, "the pool and the station in no pool: {units:?}");
        assert_eq!(units[0].stations, vec!["S1".to_string(), "S2".to_string()]);
        let day = s.unit_day(&units[0]).expect("pool day");
        assert_eq!(day.station, "P1");
        assert_eq!(&day.point_ids[..2], &["S1".to_string(), "S2".to_string()]);
        let p = &day.problem;
        assert_eq!(p.caregivers.len(), 2);
        let c1 = &p.caregivers[0];
        assert_eq!(day.point_ids[c1.start.index()], "C1@home");
        assert_eq!(c1.start, c1.end);
        assert_eq!(day.point_kinds[c1.start.index()], PointKind::Caregiver);
        let commute = c1.commute.expect("C1 commutes");
        assert_eq!((commute.max, commute.paid), (Some(Seconds(1_800)), false));
        let c2 = &p.caregivers[1];
        assert_eq!((c2.start, c2.end.index()), (LocationIdx(1), 1), "C2 starts at S2");
        assert_eq!(c2.commute, None);
        let circle = c2.circle.expect("pooled");
        assert_eq!((circle.center, circle.reach), (LocationIdx(1), Seconds(600)));
        assert_eq!(p.visits[0].station.as_deref(), Some("S1"));
        // Alone, S3 is a station-day as before: no circles, no visit stations.
        let alone = s.unit_day(&units[1]).expect("station day");
        assert!(alone.problem.caregivers.iter().all(|c| c.circle.is_none()));
        assert_eq!(alone.stations, vec!["S3".to_string()]);
        // Places round-trip.
        let back = serde_json::to_string(&s).expect("serialises");
        assert_eq!(Scenario::from_json(&back).expect("reads back"), s);
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let err = Scenario::from_json("{\n  \"name\": }").expect_err("must fail");
        assert!(matches!(err, ScenarioError::Json { line: 2, .. }), "{err:?}");
    }
}

//! A caregiver's day as they see it: the stops of their route in the station day's current
//! plan, with each client and order (or, for a meal round's pick-up, the canteen and the
//! order it picks up for), and the road path of every leg. Written as JSON, GeoJSON
//! (for a map) and iCalendar (for the phone's calendar).

use crate::app::AppState;
use crate::date::{clock_time, PlanDate};
use crate::error::AppError;
use crate::navigation::{self, Links};
use crate::order::{order_of, other_part, Order};
use crate::store::RatingState;
use crate::travel::TravelInfo;
use formats::contact::Phone;
use formats::scenario::{pickup_canteen, Canteen, Caregiver, Client, Station};
use planner::travel::{road_mode, to_wgs84};
use roads::{LonLat, RoadNetwork};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};
use solver::{Route, Seconds, Stop};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// One stop with what the caregiver needs to know.
pub struct StopView {
    pub stop: Stop,
    /// Checked in and out (seconds from midnight), when the caregiver did.
    pub check_in: Option<i64>,
    pub check_out: Option<i64>,
    pub order: Option<Order>,
    pub client: Option<Client>,
    /// On a pick-up: the canteen (the order and client are those it picks up for).
    pub canteen: Option<Canteen>,
    /// On a part of a two-caregiver order: the other part's caregiver, when planned.
    pub with: Option<String>,
    /// A finished visit's rating: its open link, or the stars given.
    pub rating: Option<RatingState>,
}

impl StopView {
    /// Where the stop is: the canteen of a pick-up, else the client's home.
    fn place(&self) -> Option<LonLat> {
        match &self.canteen {
            Some(c) => Some(to_wgs84(&c.location)),
            None => self.client.as_ref().map(|c| to_wgs84(&c.location)),
        }
    }

    /// `pickup` at a canteen, or `visit` at a client's home.
    fn kind(&self) -> &'static str {
        if self.stop.pickup_for.is_some() {
            "pickup"
        } else {
            "visit"
        }
    }

    /// What the stop is called in a calendar or on a map: the service and client, or the
    /// pick-up at a canteen for a client.
    fn title(&self) -> String {
        let who = self
            .client
            .as_ref()
            .map(|c| c.name.clone().unwrap_or_else(|| c.id.clone()))
            .unwrap_or_default();
        match (&self.canteen, &self.stop.pickup_for) {
            (Some(c), _) => {
                format!("取餐 pick-up at {} for {who}", c.name.as_deref().unwrap_or(&c.id))
            }
            (None, Some(_)) => format!("取餐 pick-up for {who}"),
            (None, None) => {
                let service = self.order.as_ref().map(|o| o.service.as_str()).unwrap_or_default();
                format!("{service} {who}")
            }
        }
    }
}

pub struct RouteView {
    pub date: PlanDate,
    pub plan: i64,
    pub caregiver: Caregiver,
    pub station: Station,
    /// `None`: the caregiver has no visits in the plan.
    pub route: Option<Route>,
    pub stops: Vec<StopView>,
    /// The roads legs follow; `None` where the station plans on its own matrix (legs are
    /// drawn straight).
    pub roads: Option<Arc<RoadNetwork>>,
    /// How legs are drawn and whether route deviation is watched, for pages.
    pub travel: Option<TravelInfo>,
}

/// A caregiver's route of a day, as the API answers it.
#[derive(Serialize, JsonSchema)]
pub struct RouteJson<'a> {
    pub caregiver: &'a str,
    pub station: &'a str,
    pub date: &'a PlanDate,
    /// The plan it is read from.
    pub plan: i64,
    /// When the caregiver leaves the station (none: no visits).
    pub departure: Option<Seconds>,
    pub return_time: Option<Seconds>,
    pub stops: Vec<StopJson<'a>>,
    pub travel: Option<&'a TravelInfo>,
}

/// One stop of a route: a visit at a client's home, or a meal's pick-up at a canteen.
#[derive(Serialize, JsonSchema)]
pub struct StopJson<'a> {
    pub visit: &'a str,
    /// `visit` or `pickup`.
    pub kind: &'static str,
    /// The delivery a pick-up is for.
    pub pickup_for: Option<&'a str>,
    pub order: Option<&'a str>,
    /// The other caregiver of a two-caregiver visit.
    pub with: Option<&'a str>,
    pub canteen: Option<&'a str>,
    pub canteen_name: Option<&'a str>,
    pub client: Option<&'a str>,
    pub client_name: Option<&'a str>,
    pub address: Option<&'a str>,
    /// Only on the route of the caregiver serving the visit today.
    pub phone: Option<&'a Phone>,
    /// The phone number as digits to dial.
    pub dial: Option<String>,
    pub contacts: Vec<ContactJson<'a>>,
    /// The way there in the map apps.
    pub navigation: Option<Links>,
    /// The open one-time rating link of a checked-out visit.
    pub rating_link: Option<&'a str>,
    /// The stars it was rated.
    pub rated: Option<i64>,
    pub service: Option<&'a str>,
    pub notes: Option<&'a str>,
    /// Seconds from local midnight.
    pub check_in: Option<i64>,
    pub check_out: Option<i64>,
    pub arrival: Seconds,
    pub start: Seconds,
    pub end: Seconds,
    pub location: Option<Point>,
}

/// A client's contact, with the number to dial.
#[derive(Serialize, JsonSchema)]
pub struct ContactJson<'a> {
    pub name: &'a str,
    pub relation: Option<&'a str>,
    pub phone: &'a Phone,
    pub dial: String,
}

/// A place, WGS84 degrees.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
}

/// The caregiver's route in the current plan of their station's day.
pub async fn load(
    state: &AppState,
    caregiver: &str,
    date: &PlanDate,
) -> Result<RouteView, AppError> {
    let caregiver = state
        .store
        .caregiver(caregiver)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no caregiver {caregiver:?}")))?;
    let day = StationDay::load(state, &caregiver.station, date).await?;
    Ok(day.view(caregiver))
}

/// What every route of a station's day is read from, read once: the current plan, the day's
/// orders, the station's clients and canteens, ratings, check-ins and the travel source.
pub struct StationDay {
    date: PlanDate,
    station: Station,
    plan: i64,
    current: solver::Plan,
    orders: HashMap<String, Order>,
    clients: HashMap<String, Client>,
    canteens: HashMap<String, Canteen>,
    ratings: HashMap<String, RatingState>,
    progress: HashMap<String, (i64, Option<i64>)>,
    roads: Option<Arc<RoadNetwork>>,
    travel: Option<TravelInfo>,
}

impl StationDay {
    pub async fn load(
        state: &AppState,
        station: &str,
        date: &PlanDate,
    ) -> Result<StationDay, AppError> {
        let station = state
            .store
            .station(station)
            .await?
            .ok_or_else(|| AppError::Internal(format!("no station {station:?}")))?;
        let (plan, current) =
            state.store.current_plan(&station.id, date).await?.ok_or_else(|| {
                AppError::NotFound(format!(
                    "no finished plan of station {} for {date} yet",
                    station.id
                ))
            })?;
        let orders = state
            .store
            .orders_of_day(&station.id, date)
            .await?
            .into_iter()
            .map(|o| (o.id.clone(), o))
            .collect();
        let clients = state.store.clients_of(&station.id).await?;
        let canteens = state
            .store
            .canteens_for(&station.id, &clients)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let clients = clients.into_iter().map(|c| (c.id.clone(), c)).collect();
        let ratings = state.store.rating_state_of_day(&station.id, date.as_str()).await?;
        let progress = state
            .store
            .progress_of_day(&station.id, date)
            .await?
            .into_iter()
            .map(|p| (p.visit, (p.check_in, p.check_out)))
            .collect();
        let source = crate::travel::of_station(state, &station.id).await.ok();
        let roads = source.as_ref().and_then(|s| s.roads());
        let travel = source.map(|s| s.describe());
        Ok(StationDay {
            date: date.clone(),
            station,
            plan,
            current,
            orders,
            clients,
            canteens,
            ratings,
            progress,
            roads,
            travel,
        })
    }

    /// The plan the day's routes are read from.
    pub fn plan(&self) -> &solver::Plan {
        &self.current
    }

    /// `caregiver`'s day in it (no stops when they have no route).
    pub fn view(&self, caregiver: Caregiver) -> RouteView {
        // Who serves each visit, for the other half of a two-caregiver order.
        let serves: HashMap<&str, &str> = self
            .current
            .routes
            .iter()
            .flat_map(|r| r.stops.iter().map(move |s| (s.visit.as_str(), r.caregiver.as_str())))
            .collect();
        let route = self.current.routes.iter().find(|r| r.caregiver == caregiver.id).cloned();
        let stops = route
            .iter()
            .flat_map(|r| r.stops.iter())
            .map(|stop| {
                // A pick-up shows the order it picks up for (which its delivery shows too); each
                // caregiver of a two-caregiver order shows the order.
                let for_order = stop.pickup_for.as_ref().unwrap_or(&stop.visit);
                let order = self.orders.get(order_of(for_order)).cloned();
                let client = order.as_ref().and_then(|o| self.clients.get(&o.client).cloned());
                let canteen = stop
                    .pickup_for
                    .as_ref()
                    .and_then(|d| pickup_canteen(&stop.visit, d))
                    .and_then(|id| self.canteens.get(id).cloned());
                let (check_in, check_out) = match self.progress.get(&stop.visit) {
                    Some(&(i, o)) => (Some(i), o),
                    None => (None, None),
                };
                let with = other_part(&stop.visit)
                    .and_then(|other| serves.get(other.as_str()).map(|c| c.to_string()));
                StopView {
                    stop: stop.clone(),
                    check_in,
                    check_out,
                    order,
                    client,
                    canteen,
                    with,
                    rating: self.ratings.get(&stop.visit).cloned(),
                }
            })
            .collect();
        RouteView {
            date: self.date.clone(),
            plan: self.plan,
            caregiver,
            station: self.station.clone(),
            route,
            stops,
            roads: self.roads.clone(),
            travel: self.travel.clone(),
        }
    }
}

/// The road paths of caregivers' whole days (their legs joined), for maps and deviation
/// alerts: by caregiver, with a fingerprint of the route's points, so a path is found again
/// while the route stays the same and made anew when it changes (one per caregiver).
#[derive(Default)]
pub struct PathCache(Mutex<HashMap<String, (u64, Path)>>);

/// A line on the map: points in WGS 84.
type Path = Arc<Vec<LonLat>>;

/// The road paths of `views` (one line per view, in order; the points joined straight where
/// the station plans on its own matrix); only paths not kept in `state.paths` are looked up,
/// together, off the async threads.
pub async fn day_paths(
    state: &AppState,
    views: Vec<RouteView>,
) -> Result<Vec<(RouteView, Arc<Vec<LonLat>>)>, AppError> {
    let fingerprint = |v: &RouteView| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        format!("{:?}/{:?}", v.caregiver.mode, v.points()).hash(&mut h);
        h.finish()
    };
    let kept = |v: &RouteView, f: u64| {
        let cache = state.paths.0.lock().ok()?;
        cache.get(&v.caregiver.id).filter(|(g, _)| *g == f).map(|(_, p)| p.clone())
    };
    let mut found = Vec::with_capacity(views.len());
    let mut missing = Vec::new();
    for v in views {
        let f = fingerprint(&v);
        match kept(&v, f) {
            Some(path) => found.push((v, Some(path))),
            None => {
                missing.push((found.len(), f));
                found.push((v, None));
            }
        }
    }
    if missing.is_empty() {
        return Ok(found.into_iter().map(|(v, p)| (v, p.unwrap_or_default())).collect());
    }
    let made = tokio::task::spawn_blocking(move || {
        for &(i, _) in &missing {
            let view = &found[i].0;
            let path = if view.roads.is_some() { view.legs().concat() } else { view.points() };
            found[i].1 = Some(Arc::new(path));
        }
        (found, missing)
    })
    .await
    .map_err(|e| AppError::Internal(format!("path lookup stopped: {e}")))?;
    let (found, missing) = made;
    if let Ok(mut cache) = state.paths.0.lock() {
        for (i, f) in missing {
            if let (v, Some(path)) = &found[i] {
                cache.insert(v.caregiver.id.clone(), (f, path.clone()));
            }
        }
    }
    Ok(found.into_iter().map(|(v, p)| (v, p.unwrap_or_default())).collect())
}

impl RouteView {
    /// The points of the day in order: where the caregiver starts (the station, or their
    /// own place), each client, where they end.
    pub fn points(&self) -> Vec<LonLat> {
        let station = to_wgs84(&self.station.location);
        let at = |place: &formats::scenario::Place| place.point().map_or(station, |p| to_wgs84(&p));
        let mut points = vec![at(&self.caregiver.start)];
        points.extend(self.stops.iter().map(|s| s.place().unwrap_or(station)));
        if !self.stops.is_empty() {
            points.push(at(&self.caregiver.end));
        }
        points
    }

    /// The road path of each leg (straight where a point is off the network, or the station
    /// plans on a matrix). Blocking.
    pub fn legs(&self) -> Vec<Vec<LonLat>> {
        let points = self.points();
        let graph = self.roads.as_ref().and_then(|n| n.graph(road_mode(self.caregiver.mode)).ok());
        points
            .windows(2)
            .map(|pair| {
                let path = graph.and_then(|g| {
                    let a = g.snap(pair[0], roads::DEFAULT_SNAP_LIMIT_M).ok()?;
                    let b = g.snap(pair[1], roads::DEFAULT_SNAP_LIMIT_M).ok()?;
                    g.path(&a, &b)
                });
                path.map_or_else(|| pair.to_vec(), |p| p.coords)
            })
            .collect()
    }

    /// Leaves out the clients' phones and contacts: a caregiver reaches the clients of the
    /// day they work, not of another day's route.
    pub fn forget_contacts(&mut self) {
        for client in self.stops.iter_mut().filter_map(|s| s.client.as_mut()) {
            client.phone = None;
            client.contacts.clear();
        }
    }

    pub fn to_json(&self) -> RouteJson<'_> {
        let mode = road_mode(self.caregiver.mode);
        let stops = self
            .stops
            .iter()
            .map(|s| {
                let client = s.client.as_ref();
                let label = match &s.canteen {
                    Some(c) => c.name.as_deref(),
                    None => client.and_then(|c| c.address.as_deref()),
                };
                let navigation =
                    s.place().map(|p| navigation::links(p, label.unwrap_or("CareCircle"), mode));
                let contacts = client
                    .map(|c| c.contacts.iter())
                    .into_iter()
                    .flatten()
                    .map(|k| ContactJson {
                        name: &k.name,
                        relation: k.relation.as_deref(),
                        phone: &k.phone,
                        dial: k.phone.dial(),
                    })
                    .collect();
                let (rating_link, stars) = match &s.rating {
                    Some(RatingState::Open(link)) => (link.as_deref(), None),
                    Some(RatingState::Rated(stars)) => (None, Some(*stars)),
                    None => (None, None),
                };
                StopJson {
                    visit: &s.stop.visit,
                    kind: s.kind(),
                    pickup_for: s.stop.pickup_for.as_deref(),
                    order: s.order.as_ref().map(|o| o.id.as_str()),
                    with: s.with.as_deref(),
                    canteen: s.canteen.as_ref().map(|c| c.id.as_str()),
                    canteen_name: s.canteen.as_ref().and_then(|c| c.name.as_deref()),
                    client: s.client.as_ref().map(|c| c.id.as_str()),
                    client_name: s.client.as_ref().and_then(|c| c.name.as_deref()),
                    address: client.and_then(|c| c.address.as_deref()),
                    phone: client.and_then(|c| c.phone.as_ref()),
                    dial: client.and_then(|c| c.phone.as_ref()).map(|p| p.dial()),
                    contacts,
                    navigation,
                    rating_link,
                    rated: stars,
                    service: s.order.as_ref().map(|o| o.service.as_str()),
                    notes: s.order.as_ref().and_then(|o| o.notes.as_deref()),
                    check_in: s.check_in,
                    check_out: s.check_out,
                    arrival: s.stop.arrival,
                    start: s.stop.start,
                    end: s.stop.end,
                    location: s.place().map(|p| Point { lon: p.lon, lat: p.lat }),
                }
            })
            .collect();
        RouteJson {
            caregiver: &self.caregiver.id,
            station: &self.station.id,
            date: &self.date,
            plan: self.plan,
            departure: self.route.as_ref().map(|r| r.departure),
            return_time: self.route.as_ref().map(|r| r.return_time),
            stops,
            travel: self.travel.as_ref(),
        }
    }

    /// A FeatureCollection: the station, each stop (numbered) and each leg's road path.
    pub fn to_geojson(&self, legs: &[Vec<LonLat>]) -> Value {
        let point = |p: LonLat| json!({"type": "Point", "coordinates": [p.lon, p.lat]});
        let points = self.points();
        let mut features = vec![json!({
            "type": "Feature", "geometry": point(points[0]),
            "properties": {"kind": "station", "id": self.station.id, "name": self.station.name},
        })];
        for (i, s) in self.stops.iter().enumerate() {
            features.push(json!({
                "type": "Feature", "geometry": point(points[i + 1]),
                "properties": {
                    "kind": "stop", "stop": s.kind(), "seq": i + 1, "visit": s.stop.visit,
                    "pickup_for": s.stop.pickup_for, "title": s.title(),
                    "client": s.client.as_ref().map(|c| &c.id),
                    "client_name": s.client.as_ref().and_then(|c| c.name.as_ref()),
                    "service": s.order.as_ref().map(|o| o.service.as_str()),
                    "start": clock_time(s.stop.start.0), "end": clock_time(s.stop.end.0),
                },
            }));
        }
        for (i, leg) in legs.iter().enumerate() {
            let coords: Vec<[f64; 2]> = leg.iter().map(|p| [p.lon, p.lat]).collect();
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {"kind": "leg", "seq": i + 1,
                               "legs": if self.roads.is_some() { "road" } else { "straight" }},
            }));
        }
        json!({"type": "FeatureCollection", "features": features})
    }

    /// An iCalendar feed, one event per visit, in UTC (the local day shifted by `utc_offset_s`).
    pub fn to_ical(&self, utc_offset_s: i64) -> String {
        let mut out = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CareCircle//route//EN\r\nCALSCALE:GREGORIAN\r\n",
        );
        let day = self.date.days() * 86_400 - utc_offset_s;
        for s in &self.stops {
            out.push_str("BEGIN:VEVENT\r\n");
            out.push_str(&format!("UID:{}-{}@carecircle\r\n", s.stop.visit, self.date));
            out.push_str(&format!("DTSTAMP:{}\r\n", ical_time(day)));
            out.push_str(&format!("DTSTART:{}\r\n", ical_time(day + s.stop.start.0)));
            out.push_str(&format!("DTEND:{}\r\n", ical_time(day + s.stop.end.0)));
            out.push_str(&format!("SUMMARY:{}\r\n", ical_text(&s.title())));
            let address = match &s.canteen {
                Some(c) => c.name.as_ref(),
                None => s.client.as_ref().and_then(|c| c.address.as_ref()),
            };
            if let Some(address) = address {
                out.push_str(&format!("LOCATION:{}\r\n", ical_text(address)));
            }
            if let Some(p) = s.place() {
                out.push_str(&format!("GEO:{:.6};{:.6}\r\n", p.lat, p.lon));
            }
            out.push_str("END:VEVENT\r\n");
        }
        out.push_str("END:VCALENDAR\r\n");
        out
    }
}

/// `YYYYMMDDTHHMMSSZ` of Unix seconds.
fn ical_time(unix: i64) -> String {
    let date = PlanDate::from_days(unix.div_euclid(86_400));
    let s = unix.rem_euclid(86_400);
    format!(
        "{}T{:02}{:02}{:02}Z",
        date.as_str().replace('-', ""),
        s / 3600,
        (s % 3600) / 60,
        s % 60
    )
}

/// Escapes iCalendar text (RFC 5545 3.3.11).
fn ical_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

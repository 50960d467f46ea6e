//! The scenario generator: stations in towns, clients on residential streets inside each
//! station's service circle, caregivers per station and a plausible day of visits across the
//! six services. Deterministic for a seed.

pub mod osm_sample;
mod services;

use anyhow::{bail, Result};
use formats::scenario::{
    Canteen, CarePackage, Caregiver, CircleSpec, Client, Crs, GeoPoint, Place, Pool, Scenario,
    Station, TravelMode, Visit,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use roads::{LonLat, RoadGraph, RoadNetwork};
use solver::{Seconds, ServiceKind, TimeWindow};

use crate::progress::Progress;
use osm_sample::OsmSample;

pub struct Options {
    pub name: String,
    pub date: String,
    /// Path of the extract as the scenario should name it (relative to the scenario file).
    pub osm: Option<String>,
    pub stations: usize,
    pub caregivers: usize,
    pub clients: usize,
    pub circle_minutes: u32,
    pub circle_mode: TravelMode,
    pub seed: u64,
    /// Chance that a client has visits on the day (1: every client).
    pub visit_rate: f64,
    /// Draw the home-care rules too: female caregivers and female-only bathing and personal
    /// care, usual and refused caregivers, contracted hours, two-caregiver bathing, meal
    /// deadlines.
    pub rules: bool,
    /// Book care packages for a week instead of a day of visits (`visit_rate` is then the
    /// share of clients with packages), and give subsidised clients a monthly entitlement.
    pub packages: bool,
    /// Community canteens to place (on residential streets, round the stations): meals are
    /// then picked up there and delivered, in meal rounds. Two-caregiver bathing is not drawn
    /// with canteens (one station's day cannot hold both yet).
    pub canteens: usize,
    /// A lunch day: one hot lunch delivered to every client with visits, nothing else.
    pub lunch_only: bool,
    /// Place stations closer than 2 km when the extract has too few sites that far apart
    /// (synthetic stations for a province-sized load on a small extract; their circles
    /// overlap).
    pub overlap: bool,
    /// Share of caregivers whose day starts and ends at home (a residential street anywhere
    /// the stations serve, often outside their own circle), with this commute limit.
    pub homes: f64,
    pub max_commute_minutes: Option<u32>,
    /// Plan every station as one pool (`P1`).
    pub pool: bool,
}

/// Share of clients who let the plan choose among the nearest canteens (the others eat from
/// the nearest).
const ANY_CANTEEN: f64 = 0.6;
/// Canteens serve from 10:30 to 19:00; lunches are ready from 10:45.
const CANTEEN_HOURS: (i64, i64) = (10 * 3600 + 1800, 19 * 3600);
const MEALS_READY: i64 = 10 * 3600 + 2700;
/// A delivered lunch: handed over at the door in 5 minutes, 11:00-12:30.
const LUNCH_WINDOW: (i64, i64) = (11 * 3600, 12 * 3600 + 1800);
const LUNCH_HANDOVER_S: i64 = 300;

/// Share of clients whose home service is subsidised, and their monthly hours.
const SUBSIDISED: f64 = 0.3;
const SUBSIDISED_HOURS: [f64; 4] = [45.0, 50.0, 55.0, 60.0];

/// Share of clients who want a female caregiver for bathing and personal care.
const FEMALE_ONLY_CLIENTS: f64 = 0.4;
/// Share of caregivers who are women (most 海螺姑娘 are).
const FEMALE_CAREGIVERS: f64 = 0.85;
/// Share of clients with a usual caregiver, and of clients who refuse one.
const USUAL_CAREGIVER: f64 = 0.7;
const REFUSES_ONE: f64 = 0.03;
/// Share of bathing visits that need two caregivers (bedridden clients).
const TWO_CAREGIVER_BATHING: f64 = 0.3;
/// Lunch break: half an hour starting between 11:30 and 13:30, after the meal round.
const LUNCH_FROM: i64 = 11 * 3600 + 1800;
const LUNCH_UNTIL: i64 = 13 * 3600 + 1800;
const LUNCH_MINUTES: i64 = 30;
/// Hot meals are due this long after their window opens.
const MEAL_DUE_AFTER: i64 = 30 * 60;

/// Stations closer than this to each other would share most of their clients.
const MIN_STATION_SEPARATION_M: f64 = 2_000.0;
/// A home farther than this from a road of the circle's mode is not used.
const HOME_SNAP_LIMIT_M: f64 = 150.0;

fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

fn wgs84(p: LonLat) -> GeoPoint {
    GeoPoint { lon: round6(p.lon), lat: round6(p.lat), crs: Crs::Wgs84 }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Station sites: named places first (cities, towns, villages), then spread-out homes.
fn pick_station_sites(
    sample: &OsmSample,
    graph: &RoadGraph,
    (wanted, overlap): (usize, bool),
    rng: &mut ChaCha8Rng,
) -> Vec<(String, LonLat)> {
    let mut chosen: Vec<(String, LonLat)> = Vec::new();
    let far_enough = |chosen: &[(String, LonLat)], p: LonLat| {
        chosen.iter().all(|(_, q)| haversine_m(*q, p) >= MIN_STATION_SEPARATION_M)
    };
    for place in &sample.places {
        if chosen.len() == wanted {
            return chosen;
        }
        if let Ok(snap) = graph.snap(place.at, 300.0) {
            if far_enough(&chosen, snap.snapped) {
                chosen.push((place.name.clone(), snap.snapped));
            }
        }
    }
    let mut homes = sample.homes.clone();
    homes.shuffle(rng);
    for home in &homes {
        if chosen.len() == wanted {
            break;
        }
        if far_enough(&chosen, *home) {
            chosen.push((format!("site {}", chosen.len() + 1), *home));
        }
    }
    // Synthetic stations on homes not chosen yet, however near the others.
    for home in homes.iter().filter(|_| overlap) {
        if chosen.len() == wanted {
            break;
        }
        if chosen.iter().all(|(_, q)| q != home) {
            chosen.push((format!("site {}", chosen.len() + 1), *home));
        }
    }
    chosen
}

/// Homes inside the station's circle: a straight-line pre-filter, then the road network.
fn homes_in_circle(
    sample: &OsmSample,
    graph: &RoadGraph,
    station: LonLat,
    budget: Seconds,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<LonLat>> {
    // Nothing on roads is faster than 130 km/h: anything farther cannot be inside.
    let radius = budget.0 as f64 * 130.0 / 3.6;
    let mut near: Vec<LonLat> =
        sample.homes.iter().copied().filter(|h| haversine_m(*h, station) <= radius).collect();
    near.shuffle(rng);
    near.truncate(4_000);
    let centre = graph.snap(station, roads::DEFAULT_SNAP_LIMIT_M)?;
    let snaps: Vec<_> =
        near.iter().filter_map(|h| graph.snap(*h, HOME_SNAP_LIMIT_M).ok()).collect();
    let reach = graph.within(&centre, budget.0, &snaps);
    Ok(snaps.iter().zip(reach).filter(|(_, t)| t.is_some()).map(|(s, _)| s.point).collect())
}

/// Generates a scenario on the road network of `sample`'s extract.
pub fn generate(
    network: &RoadNetwork,
    sample: &OsmSample,
    opts: &Options,
    progress: &Progress,
) -> Result<Scenario> {
    if opts.stations == 0 {
        bail!("--stations: must be at least 1");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let graph = network.graph(crate::generate::road_mode(opts.circle_mode))?;
    let sites = pick_station_sites(sample, graph, (opts.stations, opts.overlap), &mut rng);
    if sites.len() < opts.stations {
        bail!(
            "--stations: only {} sites at least {:.0} km apart fit in this extract",
            sites.len(),
            MIN_STATION_SEPARATION_M / 1000.0
        );
    }
    let budget = Seconds(i64::from(opts.circle_minutes) * 60);
    let mut stations = Vec::new();
    let mut homes = Vec::new();
    for (i, (place, at)) in sites.iter().enumerate() {
        let id = format!("S{}", i + 1);
        let inside = homes_in_circle(sample, graph, *at, budget, &mut rng)?;
        progress.say(format!(
            "station {id} at {place}: {} homes inside its {}-minute {} circle",
            inside.len(),
            opts.circle_minutes,
            opts.circle_mode
        ));
        stations.push(Station {
            id,
            name: Some(format!("{place} 服务站")),
            location: wgs84(*at),
            circle: CircleSpec { minutes: opts.circle_minutes, mode: opts.circle_mode },
            max_leg_minutes: None,
            meal_rules: None,
        });
        homes.push(inside);
    }

    let mut clients = Vec::new();
    for k in 0..opts.clients {
        let s = k % stations.len();
        let Some(home) = homes[s].choose(&mut rng).copied() else { continue };
        clients.push(Client {
            id: format!("K{}", k + 1),
            name: Some(services::person_name(&mut rng)),
            station: stations[s].id.clone(),
            location: wgs84(home),
            address: None,
            phone: None,
            contacts: Vec::new(),
            monthly_hours: None,
            any_canteen: false,
            canteen: None,
        });
    }

    // Addresses, phones and contacts draw from their own stream, so the rest of a scenario is
    // the same as before clients had them.
    let mut contact_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xca11_ab1e);
    for c in &mut clients {
        // Generated points are WGS84.
        let at = LonLat { lon: c.location.lon, lat: c.location.lat };
        services::reach(c, sample.street_at(at), &mut contact_rng);
    }

    let mut caregivers = Vec::new();
    for c in 0..opts.caregivers {
        let s = c % stations.len();
        // The first caregivers of each station cover every skill and the late and early
        // shifts, so every service can be staffed; the rest are drawn at random.
        let rank = c / stations.len();
        let skills = services::caregiver_skills(rank, &mut rng);
        let (start, end) = services::shift(rank, &mut rng);
        caregivers.push(Caregiver {
            id: format!("C{}", c + 1),
            name: Some(services::person_name(&mut rng)),
            station: stations[s].id.clone(),
            skills,
            shift: TimeWindow::new(Seconds(start), Seconds(end)),
            mode: if rng.gen_bool(0.85) { TravelMode::Ebike } else { TravelMode::Car },
            max_route_duration: None,
            contracted: None,
            female: false,
            lunch_break: None,
            box_capacity: None,
            start: Place::Station,
            end: Place::Station,
            max_commute_minutes: None,
            commute_paid: true,
        });
    }
    // Homes draw from their own stream, so the rest of a scenario is the same without them.
    let mut home_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x401e_5eed);
    let all_homes: Vec<LonLat> = homes.iter().flatten().copied().collect();
    for c in &mut caregivers {
        if opts.homes > 0.0 && home_rng.gen_bool(opts.homes.min(1.0)) {
            if let Some(&home) = all_homes.choose(&mut home_rng) {
                c.start = Place::Point(wgs84(home));
                c.end = c.start;
                c.max_commute_minutes = opts.max_commute_minutes;
            }
        }
    }

    // The rules draw from their own stream, so the rest of a scenario is the same with or
    // without them.
    let mut rules_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5eed_ca2e);
    if opts.rules {
        for c in &mut caregivers {
            c.female = rules_rng.gen_bool(FEMALE_CAREGIVERS);
            c.contracted = Some(Seconds((c.shift.end - c.shift.start).0 - 3600));
            c.lunch_break = Some(solver::LunchBreak {
                window: TimeWindow::new(Seconds(LUNCH_FROM), Seconds(LUNCH_UNTIL)),
                duration: Seconds(LUNCH_MINUTES * 60),
            });
        }
    }
    let mut visits = Vec::new();
    let mut links = Vec::new();
    let mut packages = Vec::new();
    for client in &mut clients {
        if opts.visit_rate < 1.0 && !rng.gen_bool(opts.visit_rate.max(0.0)) {
            continue;
        }
        if opts.packages && rules_rng.gen_bool(SUBSIDISED) {
            client.monthly_hours =
                Some(SUBSIDISED_HOURS[rules_rng.gen_range(0..SUBSIDISED_HOURS.len())]);
        }
        let staff: Vec<&str> = caregivers
            .iter()
            .filter(|c| c.station == client.station)
            .map(|c| c.id.as_str())
            .collect();
        let mut pick = |p: f64| {
            (opts.rules && !staff.is_empty() && rules_rng.gen_bool(p))
                .then(|| staff[rules_rng.gen_range(0..staff.len())].to_string())
        };
        let usual = pick(USUAL_CAREGIVER);
        let refused = pick(REFUSES_ONE).filter(|r| Some(r) != usual.as_ref());
        let female_only = opts.rules && rules_rng.gen_bool(FEMALE_ONLY_CLIENTS);
        let count = if rng.gen_bool(0.3) { 2 } else { 1 };
        if opts.lunch_only {
            visits.push(Visit {
                id: format!("V{}", visits.len() + 1),
                client: client.id.clone(),
                service: ServiceKind::Meal,
                duration: Seconds(LUNCH_HANDOVER_S),
                windows: vec![TimeWindow::new(Seconds(LUNCH_WINDOW.0), Seconds(LUNCH_WINDOW.1))],
                skills: Vec::new(),
                priority: 3,
                due: None,
                preferred: usual.iter().cloned().collect(),
                refused: refused.iter().cloned().collect(),
                female_only: false,
                canteen: None,
                meals: None,
            });
            continue;
        }
        if opts.packages {
            for _ in 0..count {
                let template = services::draw(&mut rng);
                let (per_week, fixed) = services::weekly(&template.service);
                let bathing = template.service == ServiceKind::Bathing;
                packages.push(CarePackage {
                    id: format!("P{}", packages.len() + 1),
                    client: client.id.clone(),
                    female_only: female_only && services::intimate(&template.service),
                    windows: template.windows(),
                    service: template.service,
                    duration: Seconds(template.duration),
                    skills: template.skills,
                    priority: template.priority,
                    per_week,
                    days: if fixed { (0..7).collect() } else { Vec::new() },
                    allowed_days: None,
                    two_caregivers: bathing
                        && opts.rules
                        && rules_rng.gen_bool(TWO_CAREGIVER_BATHING),
                    canteen: None,
                });
            }
            continue;
        }
        for _ in 0..count {
            let template = services::draw(&mut rng);
            visits.push(Visit {
                id: format!("V{}", visits.len() + 1),
                client: client.id.clone(),
                windows: template.windows(),
                service: template.service,
                duration: Seconds(template.duration),
                skills: template.skills,
                priority: template.priority,
                due: None,
                preferred: usual.iter().cloned().collect(),
                refused: refused.iter().cloned().collect(),
                female_only: false,
                canteen: None,
                meals: None,
            });
            if opts.rules {
                let links = (opts.canteens == 0).then_some(&mut links);
                add_rules(&mut visits, links, female_only, &mut rules_rng);
            }
        }
    }
    // Two-caregiver bathing adds helper visits: number them like the others (an original
    // visit's id is already its position, so only helpers change).
    for (i, v) in visits.iter_mut().enumerate() {
        let id = format!("V{}", i + 1);
        for l in &mut links {
            if l.first == v.id {
                l.first = id.clone();
            }
            if l.second == v.id {
                l.second = id.clone();
            }
        }
        v.id = id;
    }

    // Canteens draw from their own stream too.
    let mut canteen_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xca27_ee25);
    let canteens = (0..opts.canteens)
        .filter_map(|k| {
            let s = k % stations.len();
            let at = homes[s].choose(&mut canteen_rng).copied()?;
            Some(Canteen {
                id: format!("CT{}", k + 1),
                name: Some(format!(
                    "{} 长者食堂 {}",
                    stations[s].name.as_deref().unwrap_or("?").trim_end_matches(" 服务站"),
                    k / stations.len() + 1
                )),
                location: wgs84(at),
                hours: TimeWindow::new(Seconds(CANTEEN_HOURS.0), Seconds(CANTEEN_HOURS.1)),
                meals_ready: Some(Seconds(MEALS_READY)),
            })
        })
        .collect::<Vec<_>>();
    if !canteens.is_empty() {
        for c in &mut clients {
            c.any_canteen = canteen_rng.gen_bool(ANY_CANTEEN);
        }
    }
    let mut scenario = Scenario {
        name: opts.name.clone(),
        date: Some(opts.date.clone()),
        osm: opts.osm.clone(),
        stations,
        caregivers,
        clients,
        visits,
        links,
        soft_costs: None,
        packages,
        canteens,
        meal_rules: None,
        travel: None,
        pools: Vec::new(),
    };
    if opts.pool {
        let stations = scenario.stations.iter().map(|s| s.id.clone()).collect();
        let name = Some("全县统筹 (one pool)".to_string());
        scenario.pools.push(Pool { id: "P1".into(), name, stations });
    }
    scenario.validate()?;
    Ok(scenario)
}

/// The home-care rules of the visit just drawn (the last of `visits`): female-only bathing
/// and personal care for clients who want it, meal deadlines, and for some bathing a second
/// caregiver at the same time.
fn add_rules(
    visits: &mut Vec<Visit>,
    links: Option<&mut Vec<solver::VisitLink>>,
    female_only: bool,
    rng: &mut ChaCha8Rng,
) {
    let Some(v) = visits.last_mut() else { return };
    if services::intimate(&v.service) {
        v.female_only = female_only;
    }
    if v.service == ServiceKind::Meal {
        v.due = v.windows.first().map(|w| w.start + Seconds(MEAL_DUE_AFTER));
    }
    let Some(links) = links else { return };
    if v.service == ServiceKind::Bathing && rng.gen_bool(TWO_CAREGIVER_BATHING) {
        // A temporary id; the caller numbers every visit once all are drawn.
        let mut helper = v.clone();
        helper.id = format!("{}-helper", v.id);
        // The helper lifts; any caregiver may.
        helper.skills.clear();
        helper.preferred.clear();
        links.push(solver::VisitLink::synchronised(v.id.clone(), helper.id.clone()));
        visits.push(helper);
    }
}

/// The road mode of a scenario travel mode.
pub fn road_mode(mode: TravelMode) -> roads::Mode {
    planner::travel::road_mode(mode)
}

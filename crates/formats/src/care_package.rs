//! Care packages (`CarePackage`): a client's recurring booking over a week, such as meals
//! every day 11:00-12:30, cleaning twice a week on any weekdays, or bathing once a week with
//! two caregivers. [`expand_week`] turns a scenario's packages into the visits of each day of
//! a horizon: fixed days as booked, flexible ones spread evenly over the week on the days
//! that are least loaded so far, so that no day of a station is overbooked while another
//! is idle. The days are then planned one after another (by the caller), each day's usual
//! caregivers of a client becoming the next day's preferred ones.

use crate::scenario::{Scenario, ScenarioError, Visit};
use serde::{Deserialize, Serialize};
use solver::model::{Seconds, ServiceKind, TimeWindow, VisitLink};
use std::collections::BTreeMap;

/// A recurring booking. Days are numbered 0 (Monday) to 6 (Sunday).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CarePackage {
    pub id: String,
    pub client: String,
    pub service: ServiceKind,
    /// Seconds per visit.
    pub duration: Seconds,
    /// Times of day in which each visit may start.
    pub windows: Vec<TimeWindow>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// Visits a week.
    pub per_week: u32,
    /// The days, if fixed; empty: the planner picks `per_week` days, on `allowed_days`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<u8>,
    /// Days the planner may pick from (default: Monday to Friday).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_days: Option<Vec<u8>>,
    /// Each visit needs two caregivers at once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub two_caregivers: bool,
    /// The client's canteen for a meal package (see `scenario::Visit::canteen`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canteen: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub female_only: bool,
}

fn default_priority() -> u32 {
    1
}

const WEEKDAYS: [u8; 5] = [0, 1, 2, 3, 4];

impl CarePackage {
    /// Checks the package against its scenario; the error names the field.
    pub fn validate(&self, i: usize, scenario: &Scenario) -> Result<(), ScenarioError> {
        let field = |f: &str| format!("packages[{i}].{f}");
        let bad = |f: &str, reason: String| ScenarioError::Invalid { field: field(f), reason };
        if scenario.client(&self.client).is_none() {
            return Err(bad("client", format!("unknown client {:?}", self.client)));
        }
        crate::visit_rules::check(self.duration, &self.windows, self.priority)
            .map_err(|e| bad(&e.field, e.reason))?;
        let allowed = self.allowed();
        if let Some(d) = self.days.iter().chain(&allowed).find(|&&d| d > 6) {
            return Err(bad("days", format!("{d} is not a day 0 (Monday) to 6 (Sunday)")));
        }
        if !self.days.is_empty() && self.days.len() != self.per_week as usize {
            return Err(bad(
                "per_week",
                format!("is {}, but {} days are given", self.per_week, self.days.len()),
            ));
        }
        if self.days.is_empty() && self.per_week as usize > allowed.len() {
            return Err(bad(
                "per_week",
                format!(
                    "{} visits a week do not fit on {} allowed days",
                    self.per_week,
                    allowed.len()
                ),
            ));
        }
        Ok(())
    }

    fn allowed(&self) -> Vec<u8> {
        self.allowed_days.clone().unwrap_or_else(|| WEEKDAYS.to_vec())
    }
}

/// One day of an expanded horizon: its visits and links, and which package each came from.
#[derive(Clone, Debug, Default)]
pub struct PlannedDay {
    /// 0 for the first day of the horizon.
    pub index: usize,
    /// Day of the week, 0 (Monday) to 6 (Sunday).
    pub weekday: u8,
    pub visits: Vec<Visit>,
    pub links: Vec<VisitLink>,
}

/// The visits of `days` days starting on `first_weekday`: the scenario's own visits on the
/// first day, and every package's visits on its days. Flexible packages take, among the
/// evenly spread patterns of their allowed days, the one whose days carry the least booked
/// time of the client's station so far (packages in order of decreasing duration).
pub fn expand_week(scenario: &Scenario, days: usize, first_weekday: u8) -> Vec<PlannedDay> {
    let mut out: Vec<PlannedDay> = (0..days)
        .map(|index| PlannedDay {
            index,
            weekday: ((first_weekday as usize + index) % 7) as u8,
            ..PlannedDay::default()
        })
        .collect();
    if let Some(first) = out.first_mut() {
        first.visits = scenario.visits.clone();
        first.links = scenario.links.clone();
    }
    let stations: BTreeMap<&str, &str> =
        scenario.clients.iter().map(|c| (c.id.as_str(), c.station.as_str())).collect();
    let station_of = |client: &str| stations.get(client).map(|s| s.to_string());
    // Booked seconds per (station, day of the horizon).
    let mut load: BTreeMap<(String, usize), i64> = BTreeMap::new();
    for day in &out {
        for v in &day.visits {
            if let Some(s) = station_of(&v.client) {
                *load.entry((s, day.index)).or_default() += v.duration.0;
            }
        }
    }
    let mut order: Vec<&CarePackage> = scenario.packages.iter().collect();
    // Fixed packages first, then the longest flexible ones, which are hardest to place.
    order.sort_by(|a, b| {
        (a.days.is_empty().cmp(&b.days.is_empty()))
            .then(b.duration.cmp(&a.duration))
            .then(a.id.cmp(&b.id))
    });
    for p in order {
        let Some(station) = station_of(&p.client) else { continue };
        let weekdays: Vec<u8> =
            if p.days.is_empty() { best_pattern(p, &station, &out, &load) } else { p.days.clone() };
        for day in out.iter_mut().filter(|d| weekdays.contains(&d.weekday)) {
            *load.entry((station.clone(), day.index)).or_default() += p.duration.0;
            let id = format!("{}-d{}", p.id, day.index + 1);
            let visit = Visit {
                id: id.clone(),
                client: p.client.clone(),
                service: p.service.clone(),
                duration: p.duration,
                windows: p.windows.clone(),
                skills: p.skills.clone(),
                priority: p.priority,
                due: None,
                preferred: Vec::new(),
                refused: Vec::new(),
                female_only: p.female_only,
                canteen: p.canteen.clone(),
                meals: None,
            };
            if p.two_caregivers {
                let helper =
                    Visit { id: format!("{id}-helper"), skills: Vec::new(), ..visit.clone() };
                day.links.push(VisitLink::synchronised(id.clone(), helper.id.clone()));
                day.visits.push(visit);
                day.visits.push(helper);
            } else {
                day.visits.push(visit);
            }
        }
    }
    out
}

/// The weekdays of a flexible package: `per_week` of its allowed days, evenly spaced, with
/// the least load on the horizon's matching days.
fn best_pattern(
    p: &CarePackage,
    station: &str,
    days: &[PlannedDay],
    load: &BTreeMap<(String, usize), i64>,
) -> Vec<u8> {
    let allowed = p.allowed();
    let k = (p.per_week as usize).min(allowed.len());
    if k == 0 {
        return Vec::new();
    }
    let load_of = |weekday: u8| -> i64 {
        days.iter()
            .filter(|d| d.weekday == weekday)
            .map(|d| load.get(&(station.to_string(), d.index)).copied().unwrap_or(0))
            .sum()
    };
    // Patterns: start at each allowed day, then every len/k allowed days.
    (0..allowed.len())
        .map(|o| {
            (0..k)
                .map(|j| allowed[(o + j * allowed.len() / k) % allowed.len()])
                .collect::<Vec<u8>>()
        })
        .min_by_key(|pattern| {
            (pattern.iter().map(|&d| load_of(d)).max().unwrap_or(0), pattern.clone())
        })
        .unwrap_or_default()
}

/// A client's hours of service over the horizon against the entitlement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Entitlement {
    pub client: String,
    pub booked_hours: f64,
    /// The monthly entitlement scaled to the horizon (30.4 days a month), if the client has one.
    pub entitled_hours: Option<f64>,
}

/// Each client's booked hours from `served` (`(client, seconds)` of every served visit),
/// against `Client::monthly_hours` scaled to `days`; clients in scenario order.
pub fn entitlements(
    scenario: &Scenario,
    days: usize,
    served: &[(String, i64)],
) -> Vec<Entitlement> {
    let mut booked: BTreeMap<&str, i64> = BTreeMap::new();
    for (client, secs) in served {
        *booked.entry(client.as_str()).or_default() += secs;
    }
    scenario
        .clients
        .iter()
        .map(|c| Entitlement {
            client: c.id.clone(),
            booked_hours: booked.get(c.id.as_str()).copied().unwrap_or(0) as f64 / 3600.0,
            entitled_hours: c.monthly_hours.map(|h| h * days as f64 / 30.4),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(packages: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(&format!(
            r#"{{"name":"w","stations":[{{"id":"S1","location":{{"lon":1.5,"lat":42.5}},"circle":{{"minutes":15,"mode":"ebike"}}}}],
               "caregivers":[{{"id":"C1","station":"S1","shift":{{"start":28800,"end":61200}},"mode":"ebike"}}],
               "clients":[{{"id":"K1","station":"S1","location":{{"lon":1.51,"lat":42.51}},"monthly_hours":45}},
                          {{"id":"K2","station":"S1","location":{{"lon":1.52,"lat":42.51}}}}],
               "visits":[],
               "packages":{packages}}}"#
        ))
    }

    fn package(id: &str, client: &str, per_week: u32, days: &str, extra: &str) -> String {
        format!(
            r#"{{"id":"{id}","client":"{client}","service":"cleaning","duration":3600,
                "windows":[{{"start":32400,"end":57600}}],"per_week":{per_week},"days":{days}{extra}}}"#
        )
    }

    #[test]
    fn fixed_days_are_kept_and_flexible_ones_spread_and_balanced() {
        let meals = package("meals", "K1", 7, "[0,1,2,3,4,5,6]", "");
        let clean1 = package("clean1", "K1", 2, "[]", "");
        let clean2 = package("clean2", "K2", 2, "[]", "");
        let bath = package("bath", "K2", 1, "[]", r#","two_caregivers":true"#);
        let s = scenario(&format!("[{meals},{clean1},{clean2},{bath}]")).expect("valid");
        let week = expand_week(&s, 7, 0);
        assert_eq!(week.len(), 7);
        let days_of = |pkg: &str| -> Vec<u8> {
            week.iter()
                .filter(|d| d.visits.iter().any(|v| v.id.starts_with(&format!("{pkg}-d"))))
                .map(|d| d.weekday)
                .collect()
        };
        assert_eq!(days_of("meals"), vec![0, 1, 2, 3, 4, 5, 6]);
        for pkg in ["clean1", "clean2"] {
            let d = days_of(pkg);
            assert_eq!(d.len(), 2, "{pkg}: {d:?}");
            assert!(d.iter().all(|&x| x < 5), "weekdays only: {d:?}");
            assert!(d[1] - d[0] >= 2, "spread over the week: {d:?}");
        }
        // The second cleaning package avoids the first one's days.
        assert!(days_of("clean1").iter().all(|d| !days_of("clean2").contains(d)));
        // Two caregivers: a helper visit linked to the main one, on one day.
        let bath_day = week.iter().find(|d| !d.links.is_empty()).expect("bath day");
        assert_eq!(bath_day.links.len(), 1);
        assert_eq!(bath_day.links[0].second, format!("{}-helper", bath_day.links[0].first));
        // Starting on a Saturday shifts the weekdays, not the rules.
        let weekend = expand_week(&s, 2, 5);
        assert!(weekend.iter().all(|d| d.visits.iter().all(|v| v.id.starts_with("meals"))));
    }

    #[test]
    fn bad_packages_name_the_field() {
        for (p, expect) in [
            (package("x", "K9", 1, "[]", ""), "packages[0].client: unknown client \"K9\""),
            (package("x", "K1", 2, "[1]", ""), "packages[0].per_week: is 2, but 1 days are given"),
            (package("x", "K1", 1, "[7]", ""), "packages[0].days: 7 is not a day"),
            (package("x", "K1", 6, "[]", ""), "packages[0].per_week: 6 visits a week do not fit"),
        ] {
            let err = scenario(&format!("[{p}]")).expect_err(expect).to_string();
            assert!(err.starts_with(expect), "{err:?} should start with {expect:?}");
        }
    }

    #[test]
    fn entitlements_scale_the_month_to_the_horizon() {
        let s = scenario("[]").expect("valid");
        let e = entitlements(&s, 7, &[("K1".into(), 7_200), ("K1".into(), 1_800)]);
        assert_eq!(e[0].booked_hours, 2.5);
        let entitled = e[0].entitled_hours.expect("K1 has an entitlement");
        assert!((entitled - 45.0 * 7.0 / 30.4).abs() < 1e-9);
        assert_eq!(e[1].entitled_hours, None);
        assert_eq!(e[1].booked_hours, 0.0);
    }
}

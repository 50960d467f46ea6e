//! The home-health-care instances of Mankowska, Meisel & Bierwirth (2014), as distributed
//! with Kummer Neto et al.'s BRKGA (../shared/data/hhc/mankowska2014): sections introduced by
//! a keyword line (`nbNodes`, `nbVehi`, `nbServi`, `r`, `DS`, `a`, `x`, `y`, `d`, `p`,
//! `mind`, `maxd`, `e`, `l`), then their numbers.
//!
//! Node 0 is the depot and node `nbNodes - 1` its copy for the return. Each patient needs one
//! or two of the services (`r`); a caregiver may deliver the services it is qualified for
//! (`a`), taking `p[node][caregiver][service]`. A patient's two services are given by two
//! different caregivers, the second starting between `mind` and `maxd` after the first (0/0:
//! together); the first is the lower-numbered service. Services start no earlier than `e`;
//! starting after `l` is tardiness. The objective is (distance + total tardiness + maximum
//! tardiness) / 3, with travel time equal to distance.
//!
//! In the model each (patient, service) is a visit with id `"{node}.{service}"`, times are
//! scaled by [`SCALE`] (travel rounded up, so every plan is feasible in exact arithmetic),
//! windows are `[e, HORIZON]` with a soft `due = l`, and lateness costs 1 per unit and 1
//! for the largest: the model's cost is three times the benchmark's objective, scaled.

use crate::vrptw::ImportError;
use solver::model::{
    Caregiver, LocationIdx, Meters, Objective, Plan, Problem, ProblemError, ProfileIdx, Seconds,
    ServiceKind, SoftCosts, TimeWindow, Visit, VisitLink,
};
use solver::travel::{DenseMatrix, TravelMatrices};
use std::collections::BTreeMap;

/// Model units per unit of the file.
pub const SCALE: i64 = 1000;
/// Largest time or distance accepted, in file units (the real files stay below 10^4).
const MAX_VALUE: f64 = 1.0e6;
/// End of every window and shift, in file units: the files have no hard limit beyond `e`.
const HORIZON: f64 = 1.0e7;

#[derive(Clone, Debug)]
pub struct MankowskaInstance {
    pub name: String,
    pub nodes: usize,
    pub vehicles: usize,
    pub services: usize,
    /// `requires[node][service]`.
    pub requires: Vec<Vec<bool>>,
    /// `qualified[vehicle][service]`.
    pub qualified: Vec<Vec<bool>>,
    /// Travel distance (= time), `d[from * nodes + to]`.
    pub d: Vec<f64>,
    /// Processing time, `p[(node * vehicles + vehicle) * services + service]`.
    pub p: Vec<f64>,
    pub mind: Vec<f64>,
    pub maxd: Vec<f64>,
    pub e: Vec<f64>,
    pub l: Vec<f64>,
}

/// The benchmark's figures for one plan, in the file's units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    pub distance: f64,
    pub tardiness: f64,
    pub max_tardiness: f64,
}

impl Score {
    /// `(distance + tardiness + max tardiness) / 3`.
    pub fn objective(&self) -> f64 {
        (self.distance + self.tardiness + self.max_tardiness) / 3.0
    }
}

/// One caregiver's route as `(node, service)` pairs.
pub type ServiceRoute = (usize, Vec<(usize, usize)>);

/// Whether `text` looks like one of these files (its first word is `nbNodes`).
pub fn is_mankowska(text: &str) -> bool {
    text.split_whitespace().next() == Some("nbNodes")
}

/// A section's keyword line and its numbers, each with its line.
struct Section {
    line: usize,
    numbers: Vec<(usize, f64)>,
}

const SECTIONS: [&str; 14] =
    ["nbNodes", "nbVehi", "nbServi", "r", "DS", "a", "x", "y", "d", "p", "mind", "maxd", "e", "l"];

/// Parses an instance; errors name the line and the section.
pub fn parse_mankowska(text: &str, name: &str) -> Result<MankowskaInstance, ImportError> {
    let mut found: BTreeMap<&'static str, Section> = BTreeMap::new();
    let mut current: Option<&'static str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(&key) = SECTIONS.iter().find(|&&k| k == trimmed) {
            if found.insert(key, Section { line, numbers: Vec::new() }).is_some() {
                return Err(malformed(line, key, "section appears twice".into()));
            }
            current = Some(key);
            continue;
        }
        let Some(key) = current else {
            return Err(malformed(
                line,
                "nbNodes",
                format!("expected a section name, got {trimmed:?}"),
            ));
        };
        for tok in trimmed.split_whitespace() {
            let x: f64 = tok
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| malformed(line, key, format!("{tok:?} is not a number")))?;
            if let Some(section) = found.get_mut(key) {
                section.numbers.push((line, x));
            }
        }
    }
    let section = |key: &'static str| -> Result<&Section, ImportError> {
        found.get(key).ok_or(ImportError::MissingSection { section: key })
    };
    let count = |key: &'static str| -> Result<usize, ImportError> {
        let Section { line, numbers: values } = section(key)?;
        match values.as_slice() {
            [(_, x)] if *x >= 1.0 && x.fract() == 0.0 => Ok(*x as usize),
            _ => Err(malformed(*line, key, "expected one positive whole number".into())),
        }
    };
    let nodes = count("nbNodes")?;
    let vehicles = count("nbVehi")?;
    let services = count("nbServi")?;
    if nodes < 2 {
        return Err(ImportError::Invalid {
            field: "nbNodes",
            reason: "needs the depot and its copy".into(),
        });
    }
    let values = |key: &'static str, len: usize| -> Result<Vec<f64>, ImportError> {
        let Section { line, numbers: values } = section(key)?;
        if values.len() != len {
            let at = values.get(len).map_or(*line, |v| v.0);
            return Err(malformed(
                at,
                key,
                format!("expected {len} numbers, found {}", values.len()),
            ));
        }
        Ok(values.iter().map(|v| v.1).collect())
    };
    let flags = |key: &'static str, rows: usize| -> Result<Vec<Vec<bool>>, ImportError> {
        let raw = &section(key)?.numbers;
        let v = values(key, rows * services)?;
        let mut out = Vec::with_capacity(rows);
        for (r, row) in v.chunks(services).enumerate() {
            if let Some(k) = row.iter().position(|&x| x != 0.0 && x != 1.0) {
                let line = raw[r * services + k].0;
                return Err(malformed(line, key, format!("{} is not 0 or 1", row[k])));
            }
            out.push(row.iter().map(|&x| x == 1.0).collect());
        }
        Ok(out)
    };
    let requires = flags("r", nodes)?;
    let qualified = flags("a", vehicles)?;
    let instance = MankowskaInstance {
        name: name.to_string(),
        nodes,
        vehicles,
        services,
        d: values("d", nodes * nodes)?,
        p: values("p", nodes * vehicles * services)?,
        mind: values("mind", nodes)?,
        maxd: values("maxd", nodes)?,
        e: values("e", nodes)?,
        l: values("l", nodes)?,
        requires,
        qualified,
    };
    let checked = [
        ("d", &instance.d),
        ("p", &instance.p),
        ("mind", &instance.mind),
        ("maxd", &instance.maxd),
        ("e", &instance.e),
        ("l", &instance.l),
    ];
    for (key, v) in checked {
        if let Some(k) = v.iter().position(|&x| !(0.0..=MAX_VALUE).contains(&x)) {
            let line = section(key)?.numbers[k].0;
            return Err(malformed(line, key, format!("{} is not between 0 and {MAX_VALUE}", v[k])));
        }
    }
    // Double-service patients must be those the `DS` list names (1-based node numbers).
    let Section { line: ds_line, numbers: ds } = section("DS")?;
    let mut listed: Vec<usize> = ds.iter().map(|&(_, x)| x as usize).collect();
    listed.sort_unstable();
    let mut double: Vec<usize> =
        (1..nodes - 1).filter(|&i| instance.demands(i).len() == 2).map(|i| i + 1).collect();
    double.sort_unstable();
    if listed != double {
        return Err(malformed(
            *ds_line,
            "DS",
            format!(
            "lists nodes {listed:?}, but the nodes needing two services (1-based) are {double:?}"
        ),
        ));
    }
    for i in 1..nodes - 1 {
        let n = instance.demands(i).len();
        if n == 0 || n > 2 {
            let line = section("r")?.numbers[i * services].0;
            return Err(malformed(
                line,
                "r",
                format!("node {i} needs {n} services; 1 or 2 expected"),
            ));
        }
        if instance.maxd[i] < instance.mind[i] {
            let line = section("maxd")?.numbers[i].0;
            return Err(malformed(
                line,
                "maxd",
                format!("node {i}: below mind {}", instance.mind[i]),
            ));
        }
    }
    Ok(instance)
}

fn malformed(line: usize, field: &'static str, reason: String) -> ImportError {
    ImportError::Malformed { line, field, reason }
}

fn scaled(x: f64) -> i64 {
    (x * SCALE as f64).round() as i64
}

impl MankowskaInstance {
    /// The services node `i` needs, in increasing order.
    pub fn demands(&self, i: usize) -> Vec<usize> {
        (0..self.services).filter(|&s| self.requires[i][s]).collect()
    }

    fn dist(&self, a: usize, b: usize) -> f64 {
        self.d[a * self.nodes + b]
    }

    fn proc(&self, node: usize, vehicle: usize, service: usize) -> f64 {
        self.p[(node * self.vehicles + vehicle) * self.services + service]
    }

    /// The model's visit id of a patient's service.
    pub fn visit_id(node: usize, service: usize) -> String {
        format!("{node}.{service}")
    }

    /// The problem in model units (see the module docs) and its travel matrix.
    pub fn to_problem(&self) -> Result<(Problem, TravelMatrices), ProblemError> {
        let horizon = scaled(HORIZON);
        let mut visits = Vec::new();
        let mut links = Vec::new();
        for i in 1..self.nodes - 1 {
            let wanted = self.demands(i);
            for &s in &wanted {
                let durations: Vec<i64> =
                    (0..self.vehicles).map(|k| scaled(self.proc(i, k, s))).collect();
                let duration = durations[0];
                let duration_for = durations
                    .iter()
                    .enumerate()
                    .filter(|&(_, &d)| d != duration)
                    .map(|(k, &d)| (format!("v{k}"), Seconds(d)))
                    .collect();
                visits.push(Visit {
                    station: None,
                    id: Self::visit_id(i, s),
                    client: Some(i.to_string()),
                    location: LocationIdx(i as u32),
                    service: ServiceKind::Other(s.to_string()),
                    duration: Seconds(duration),
                    windows: vec![TimeWindow::new(Seconds(scaled(self.e[i])), Seconds(horizon))],
                    skills: vec![format!("s{s}")],
                    priority: 0,
                    demand: 0,
                    due: Some(Seconds(scaled(self.l[i]))),
                    duration_for,
                    preferred: Vec::new(),
                    refused: Vec::new(),
                    female_only: false,
                });
            }
            if let [a, b] = wanted[..] {
                links.push(VisitLink {
                    first: Self::visit_id(i, a),
                    second: Self::visit_id(i, b),
                    min_gap: Seconds(scaled(self.mind[i])),
                    max_gap: Seconds(scaled(self.maxd[i])),
                });
            }
        }
        let end = self.nodes - 1;
        let caregivers = (0..self.vehicles)
            .map(|k| Caregiver {
                commute: None,
                circle: None,
                id: format!("v{k}"),
                station: None,
                skills: (0..self.services)
                    .filter(|&s| self.qualified[k][s])
                    .map(|s| format!("s{s}"))
                    .collect(),
                profile: ProfileIdx(0),
                start: LocationIdx(0),
                end: LocationIdx(end as u32),
                shift: TimeWindow::new(Seconds(scaled(self.e[0])), Seconds(horizon)),
                capacity: None,
                max_route_duration: None,
                contracted: None,
                female: false,
                lunch_break: None,
            })
            .collect();
        let n = self.nodes;
        // Rounded up: a plan feasible in the model is feasible with exact distances.
        let times: Vec<Seconds> =
            self.d.iter().map(|&x| Seconds((x * SCALE as f64).ceil() as i64)).collect();
        let distances = times.iter().map(|t| Meters(t.0)).collect();
        let matrix = DenseMatrix::new(n, times, distances)?;
        let problem =
            Problem::new(&self.name, visits, caregivers, n, 1, None, Objective::Distance, SCALE)?
                .with_links(links)?
                .with_soft_costs(SoftCosts {
                    lateness: 1,
                    max_lateness: 1,
                    ..SoftCosts::default()
                })?;
        Ok((problem, TravelMatrices::new(vec![matrix])?))
    }

    /// The routes of a plan of this instance as `(vehicle, [(node, service)])`.
    pub fn routes_of(&self, plan: &Plan) -> Result<Vec<ServiceRoute>, String> {
        plan.routes
            .iter()
            .map(|r| {
                let vehicle = r
                    .caregiver
                    .strip_prefix('v')
                    .and_then(|k| k.parse().ok())
                    .ok_or_else(|| format!("caregiver {:?} is not one of v0..", r.caregiver))?;
                let stops = r
                    .stops
                    .iter()
                    .map(|s| {
                        let (node, service) = s.visit.split_once('.').unwrap_or((&s.visit, ""));
                        match (node.parse(), service.parse()) {
                            (Ok(n), Ok(k)) => Ok((n, k)),
                            _ => Err(format!("visit {:?} is not node.service", s.visit)),
                        }
                    })
                    .collect::<Result<_, _>>()?;
                Ok((vehicle, stops))
            })
            .collect()
    }

    /// Scores routes the benchmark's way, in exact arithmetic: every service starts as early
    /// as travel, its window's opening and its partner allow (the earliest schedule, found
    /// by repeated passes), and tardiness is lateness after `l`. Checks that every service
    /// needed is given once by a qualified caregiver and that partners are on two routes.
    pub fn score(&self, routes: &[ServiceRoute]) -> Result<Score, String> {
        let key = |i: usize, s: usize| i * self.services + s;
        let mut start: Vec<Option<f64>> = vec![None; self.nodes * self.services];
        let mut by: Vec<Option<usize>> = vec![None; self.nodes * self.services];
        let mut distance = 0.0;
        for (k, route) in routes {
            if *k >= self.vehicles {
                return Err(format!("no vehicle {k}"));
            }
            let mut prev = 0;
            for &(i, s) in route {
                if i == 0 || i >= self.nodes - 1 || s >= self.services || !self.requires[i][s] {
                    return Err(format!("node {i} does not need service {s}"));
                }
                if !self.qualified[*k][s] {
                    return Err(format!("vehicle {k} is not qualified for service {s}"));
                }
                if by[key(i, s)].replace(*k).is_some() {
                    return Err(format!("service {s} of node {i} is given twice"));
                }
                distance += self.dist(prev, i);
                prev = i;
            }
            distance += self.dist(prev, self.nodes - 1);
        }
        for i in 1..self.nodes - 1 {
            let wanted = self.demands(i);
            if let Some(&s) = wanted.iter().find(|&&s| by[key(i, s)].is_none()) {
                return Err(format!("service {s} of node {i} is not given"));
            }
            if let [a, b] = wanted[..] {
                if by[key(i, a)] == by[key(i, b)] {
                    return Err(format!("both services of node {i} are given by one vehicle"));
                }
            }
        }
        let partner_bound = |i: usize, s: usize, start: &[Option<f64>]| -> Option<f64> {
            match self.demands(i)[..] {
                [a, b] if s == a => start[key(i, b)].map(|t| t - self.maxd[i]),
                [a, b] if s == b => start[key(i, a)].map(|t| t + self.mind[i]),
                _ => None,
            }
        };
        // Passes until nothing moves; each pass settles one more link of any chain of waits.
        for _ in 0..=routes.len() * self.nodes + 2 {
            let mut changed = false;
            for (k, route) in routes {
                let (mut t, mut prev) = (self.e[0], 0);
                for &(i, s) in route {
                    let mut st = (t + self.dist(prev, i)).max(self.e[i]);
                    if let Some(b) = partner_bound(i, s, &start) {
                        st = st.max(b);
                    }
                    if start[key(i, s)] != Some(st) {
                        start[key(i, s)] = Some(st);
                        changed = true;
                    }
                    t = st + self.proc(i, *k, s);
                    prev = i;
                }
            }
            if !changed {
                let (mut tardiness, mut max_tardiness) = (0.0f64, 0.0f64);
                for i in 1..self.nodes - 1 {
                    for s in self.demands(i) {
                        let late = (start[key(i, s)].unwrap_or(0.0) - self.l[i]).max(0.0);
                        tardiness += late;
                        max_tardiness = max_tardiness.max(late);
                    }
                }
                return Ok(Score { distance, tardiness, max_tardiness });
            }
        }
        Err("partners wait on each other in a cycle: no schedule".into())
    }
}

/// Reads a route file of the BRKGA (`<vehicle> <arcs>` then `<from> <to> <vehicle> <service>`
/// lines; `#` comments). The return to the depot (node 0) ends a route.
pub fn parse_route_file(text: &str) -> Result<Vec<ServiceRoute>, ImportError> {
    let mut routes: Vec<ServiceRoute> = Vec::new();
    let mut arcs_left = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let nums: Vec<usize> = t
            .split_whitespace()
            .map(|x| {
                x.parse()
                    .map_err(|_| malformed(line, "route", format!("{x:?} is not a whole number")))
            })
            .collect::<Result<_, _>>()?;
        if arcs_left == 0 {
            let [vehicle, arcs] = nums[..] else {
                return Err(malformed(line, "route", "expected `<vehicle> <arcs>`".into()));
            };
            routes.push((vehicle, Vec::new()));
            arcs_left = arcs;
        } else {
            let [_, to, _, service] = nums[..] else {
                return Err(malformed(
                    line,
                    "arc",
                    "expected `<from> <to> <vehicle> <service>`".into(),
                ));
            };
            arcs_left -= 1;
            if to != 0 {
                if let Some(r) = routes.last_mut() {
                    r.1.push((to, service));
                }
            }
        }
    }
    Ok(routes)
}

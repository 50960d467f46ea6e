//! The Solomon VRPTW text format (also used by the Gehring–Homberger instances):
//!
//! ```text
//! C101
//!
//! VEHICLE
//! NUMBER     CAPACITY
//!   25         200
//!
//! CUSTOMER
//! CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
//!
//!     0      40         50          0          0       1236          0
//!     1      45         68         10        912        967         90
//! ```
//!
//! Customer 0 is the depot; travel time equals Euclidean distance. In the model every time
//! and distance is scaled by [`TIME_SCALE`] and each leg is rounded *up*, so a plan feasible
//! in the integer model is feasible with exact distances (the convention of the published
//! best-known values); [`SolomonInstance::exact_distance`] and
//! [`SolomonInstance::check_exact`] re-measure a plan in floating point.

use crate::model::{
    Caregiver, Meters, Objective, Plan, Problem, ProblemError, ProfileIdx, Seconds, ServiceKind,
    TimeWindow, Visit,
};
use crate::travel::{DenseMatrix, TravelMatrices};
use crate::LocationIdx;
use thiserror::Error;

/// Model units per unit of the file (thousandths).
pub const TIME_SCALE: i64 = 1000;

/// Why a Solomon file could not be read. Lines are numbered from 1.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ImportError {
    #[error("line {line}: {field}: {reason}")]
    Malformed { line: usize, field: &'static str, reason: String },
    #[error("missing section {section}")]
    MissingSection { section: &'static str },
    #[error("no customers (not even the depot, customer 0)")]
    NoDepot,
}

impl ImportError {
    /// The line the error is on, if it is about one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            ImportError::Malformed { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// One row of the `CUSTOMER` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub number: u32,
    pub x: f64,
    pub y: f64,
    pub demand: i64,
    pub ready: i64,
    pub due: i64,
    pub service: i64,
}

/// A parsed instance; `customers[0]` is the depot.
#[derive(Clone, Debug, PartialEq)]
pub struct SolomonInstance {
    pub name: String,
    pub vehicles: u32,
    pub capacity: i64,
    pub customers: Vec<Customer>,
}

const CUSTOMER_FIELDS: [&str; 7] =
    ["customer number", "x", "y", "demand", "ready time", "due date", "service time"];

/// Parses a Solomon-format instance; `name` names the problem.
pub fn parse_solomon(text: &str, name: &str) -> Result<SolomonInstance, ImportError> {
    #[derive(PartialEq)]
    enum Section {
        Head,
        Vehicle,
        Customer,
    }
    let mut section = Section::Head;
    let mut fleet: Option<(u32, i64)> = None;
    let mut customers: Vec<Customer> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let upper = trimmed.to_ascii_uppercase();
        if upper == "VEHICLE" {
            section = Section::Vehicle;
            continue;
        }
        if upper == "CUSTOMER" {
            section = Section::Customer;
            continue;
        }
        // Column headers start with a letter; data rows with a digit or a sign.
        let data_row = trimmed.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
        if !data_row {
            continue;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        match section {
            Section::Head => {}
            Section::Vehicle => {
                if fleet.is_some() {
                    return Err(malformed(line, "vehicle", "a second vehicle line"));
                }
                if fields.len() != 2 {
                    return Err(malformed(
                        line,
                        "vehicle",
                        format!("expected NUMBER CAPACITY, found {} fields", fields.len()),
                    ));
                }
                let number = int(fields[0], line, "vehicle number")?;
                let capacity = int(fields[1], line, "vehicle capacity")?;
                let number = u32::try_from(number)
                    .map_err(|_| malformed(line, "vehicle number", "must be 0 or more"))?;
                if capacity < 0 {
                    return Err(malformed(line, "vehicle capacity", "must not be negative"));
                }
                fleet = Some((number, capacity));
            }
            Section::Customer => {
                if fields.len() != CUSTOMER_FIELDS.len() {
                    return Err(malformed(
                        line,
                        "customer",
                        format!("expected 7 fields, found {}", fields.len()),
                    ));
                }
                let number = int(fields[0], line, CUSTOMER_FIELDS[0])?;
                let number = u32::try_from(number)
                    .map_err(|_| malformed(line, CUSTOMER_FIELDS[0], "must be 0 or more"))?;
                let c = Customer {
                    number,
                    x: float(fields[1], line, CUSTOMER_FIELDS[1])?,
                    y: float(fields[2], line, CUSTOMER_FIELDS[2])?,
                    demand: int(fields[3], line, CUSTOMER_FIELDS[3])?,
                    ready: int(fields[4], line, CUSTOMER_FIELDS[4])?,
                    due: int(fields[5], line, CUSTOMER_FIELDS[5])?,
                    service: int(fields[6], line, CUSTOMER_FIELDS[6])?,
                };
                if customers.is_empty() && c.number != 0 {
                    return Err(malformed(
                        line,
                        CUSTOMER_FIELDS[0],
                        "the first customer must be the depot, 0",
                    ));
                }
                if customers.iter().any(|d| d.number == c.number) {
                    return Err(malformed(
                        line,
                        CUSTOMER_FIELDS[0],
                        format!("{} appears twice", c.number),
                    ));
                }
                if c.demand < 0 || c.service < 0 {
                    return Err(malformed(line, "demand/service time", "must not be negative"));
                }
                if c.ready > c.due {
                    return Err(malformed(line, "ready time", "is after the due date"));
                }
                customers.push(c);
            }
        }
    }
    let (vehicles, capacity) = fleet.ok_or(ImportError::MissingSection { section: "VEHICLE" })?;
    if section != Section::Customer {
        return Err(ImportError::MissingSection { section: "CUSTOMER" });
    }
    if customers.is_empty() {
        return Err(ImportError::NoDepot);
    }
    Ok(SolomonInstance { name: name.to_string(), vehicles, capacity, customers })
}

fn malformed(line: usize, field: &'static str, reason: impl Into<String>) -> ImportError {
    ImportError::Malformed { line, field, reason: reason.into() }
}

fn int(s: &str, line: usize, field: &'static str) -> Result<i64, ImportError> {
    s.parse::<i64>().map_err(|_| malformed(line, field, format!("{s:?} is not an integer")))
}

fn float(s: &str, line: usize, field: &'static str) -> Result<f64, ImportError> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(malformed(line, field, format!("{s:?} is not a number"))),
    }
}

impl SolomonInstance {
    fn euclid(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (&self.customers[a], &self.customers[b]);
        (p.x - q.x).hypot(p.y - q.y)
    }

    /// The integer travel time (= distance) between rows `a` and `b`, rounded up.
    fn scaled(&self, a: usize, b: usize) -> i64 {
        (self.euclid(a, b) * TIME_SCALE as f64).ceil() as i64
    }

    /// The problem in model units (see the module docs) and its one travel matrix.
    pub fn to_problem(&self) -> Result<(Problem, TravelMatrices), ProblemError> {
        let depot = &self.customers[0];
        let n = self.customers.len();
        let visits: Vec<Visit> = self.customers[1..]
            .iter()
            .enumerate()
            .map(|(i, c)| Visit {
                id: c.number.to_string(),
                client: None,
                location: LocationIdx(i as u32 + 1),
                service: ServiceKind::Other("customer".into()),
                duration: Seconds(c.service * TIME_SCALE),
                windows: vec![TimeWindow::new(
                    Seconds(c.ready * TIME_SCALE),
                    Seconds(c.due * TIME_SCALE),
                )],
                skills: Vec::new(),
                priority: 0,
                demand: c.demand,
            })
            .collect();
        let caregivers: Vec<Caregiver> = (1..=self.vehicles)
            .map(|k| Caregiver {
                id: k.to_string(),
                station: None,
                skills: Vec::new(),
                profile: ProfileIdx(0),
                start: LocationIdx(0),
                end: LocationIdx(0),
                shift: TimeWindow::new(
                    Seconds(depot.ready * TIME_SCALE),
                    Seconds(depot.due * TIME_SCALE),
                ),
                capacity: Some(self.capacity),
                max_route_duration: None,
            })
            .collect();
        let mut times = Vec::with_capacity(n * n);
        for a in 0..n {
            times.extend((0..n).map(|b| Seconds(self.scaled(a, b))));
        }
        let distances = times.iter().map(|t| Meters(t.0)).collect();
        let matrix = DenseMatrix::new(n, times, distances)?;
        let problem = Problem::new(
            &self.name,
            visits,
            caregivers,
            n,
            1,
            None,
            Objective::Distance,
            TIME_SCALE,
        )?;
        Ok((problem, TravelMatrices::new(vec![matrix])?))
    }

    /// Row of the customer with this id, if any.
    fn row(&self, id: &str) -> Option<usize> {
        let number: u32 = id.parse().ok()?;
        self.customers.iter().position(|c| c.number == number).filter(|&i| i > 0)
    }

    /// Total exact Euclidean length of the plan's routes (unknown customers are skipped;
    /// [`SolomonInstance::check_exact`] reports them).
    pub fn exact_distance(&self, plan: &Plan) -> f64 {
        let mut total = 0.0;
        for route in &plan.routes {
            let mut prev = 0;
            for stop in &route.stops {
                if let Some(r) = self.row(&stop.visit) {
                    total += self.euclid(prev, r);
                    prev = r;
                }
            }
            total += self.euclid(prev, 0);
        }
        total
    }

    /// Re-verifies the time windows and the depot's due date with exact floating-point
    /// distances, starting every visit as early as possible. One message per violation.
    pub fn check_exact(&self, plan: &Plan) -> Vec<String> {
        // Tolerance for summing floats; far below any rounding the integer model does.
        const EPS: f64 = 1e-9;
        let mut out = Vec::new();
        let depot = &self.customers[0];
        for route in &plan.routes {
            let mut t = depot.ready as f64;
            let mut prev = 0;
            for stop in &route.stops {
                let Some(r) = self.row(&stop.visit) else {
                    out.push(format!(
                        "route {}: unknown customer {:?}",
                        route.caregiver, stop.visit
                    ));
                    continue;
                };
                let c = &self.customers[r];
                t = (t + self.euclid(prev, r)).max(c.ready as f64);
                if t > c.due as f64 + EPS {
                    out.push(format!(
                        "route {}: customer {} starts at {t:.4}, after its due date {}",
                        route.caregiver, c.number, c.due
                    ));
                }
                t += c.service as f64;
                prev = r;
            }
            t += self.euclid(prev, 0);
            if t > depot.due as f64 + EPS {
                out.push(format!(
                    "route {}: back at the depot at {t:.4}, after its due date {}",
                    route.caregiver, depot.due
                ));
            }
        }
        out
    }
}

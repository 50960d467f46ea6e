//! A VRPTW benchmark instance as read from a Solomon or VRPLIB file, its conversion to a
//! [`Problem`], and the re-measurement of a plan under the file's own distance convention.
//!
//! Two conventions exist for the published best-known values:
//! - [`Convention::Exact`] (Solomon, Gehring–Homberger text files): exact floating-point
//!   Euclidean distances. The model scales them by 1000 and rounds each leg *up*, so a plan
//!   feasible in the integer model is feasible with exact distances.
//! - [`Convention::Dimacs`] (VRPLIB files of the DIMACS challenge): each distance and travel
//!   time truncated to one decimal. The model scales by 10, which is then exact.

use solver::model::{
    Caregiver, Meters, Objective, Plan, Problem, ProblemError, ProfileIdx, Seconds, ServiceKind,
    TimeWindow, Visit,
};
use solver::travel::{DenseMatrix, TravelMatrices};
use solver::LocationIdx;
use thiserror::Error;

/// How the distance between two points is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    /// Exact Euclidean distance.
    Exact,
    /// Euclidean distance truncated to one decimal (DIMACS challenge, VRPLIB).
    Dimacs,
}

impl Convention {
    /// Model units per unit of the file.
    pub fn scale(self) -> i64 {
        match self {
            Convention::Exact => 1000,
            Convention::Dimacs => 10,
        }
    }
}

/// Why a benchmark file could not be read. Lines are numbered from 1.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ImportError {
    #[error("line {line}: {field}: {reason}")]
    Malformed { line: usize, field: &'static str, reason: String },
    #[error("missing section {section}")]
    MissingSection { section: &'static str },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
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

/// One customer (the Solomon `CUSTOMER` block, or one node of a VRPLIB file).
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
pub struct VrptwInstance {
    pub name: String,
    pub vehicles: u32,
    /// Load limit per vehicle; `None` when the file sets none.
    pub capacity: Option<i64>,
    pub customers: Vec<Customer>,
    pub convention: Convention,
}

pub(super) fn malformed(
    line: usize,
    field: &'static str,
    reason: impl Into<String>,
) -> ImportError {
    ImportError::Malformed { line, field, reason: reason.into() }
}

pub(super) fn int(s: &str, line: usize, field: &'static str) -> Result<i64, ImportError> {
    s.parse::<i64>().map_err(|_| malformed(line, field, format!("{s:?} is not an integer")))
}

pub(super) fn float(s: &str, line: usize, field: &'static str) -> Result<f64, ImportError> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(malformed(line, field, format!("{s:?} is not a number"))),
    }
}

impl VrptwInstance {
    /// Model units per unit of the file.
    pub fn scale(&self) -> i64 {
        self.convention.scale()
    }

    /// The distance between rows `a` and `b` under the file's convention.
    fn euclid(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (&self.customers[a], &self.customers[b]);
        let d = (p.x - q.x).hypot(p.y - q.y);
        match self.convention {
            Convention::Exact => d,
            Convention::Dimacs => (d * 10.0).floor() / 10.0,
        }
    }

    /// The integer travel time (= distance) between rows `a` and `b` in model units: rounded
    /// up for exact distances, exact for truncated ones.
    fn scaled(&self, a: usize, b: usize) -> i64 {
        let (p, q) = (&self.customers[a], &self.customers[b]);
        let d = (p.x - q.x).hypot(p.y - q.y);
        match self.convention {
            Convention::Exact => (d * 1000.0).ceil() as i64,
            Convention::Dimacs => (d * 10.0).floor() as i64,
        }
    }

    /// The problem in model units (see the module docs) and its one travel matrix.
    pub fn to_problem(&self) -> Result<(Problem, TravelMatrices), ProblemError> {
        self.to_problem_as(Objective::Distance)
    }

    /// As [`VrptwInstance::to_problem`], minimising `objective` (for example
    /// [`Objective::VehiclesFirst`], the classic hierarchical VRPTW objective).
    pub fn to_problem_as(
        &self,
        objective: Objective,
    ) -> Result<(Problem, TravelMatrices), ProblemError> {
        let scale = self.scale();
        let depot = &self.customers[0];
        let n = self.customers.len();
        let visits: Vec<Visit> = self.customers[1..]
            .iter()
            .enumerate()
            .map(|(i, c)| Visit {
                station: None,
                id: c.number.to_string(),
                client: None,
                location: LocationIdx(i as u32 + 1),
                service: ServiceKind::Other("customer".into()),
                duration: Seconds(c.service * scale),
                windows: vec![TimeWindow::new(Seconds(c.ready * scale), Seconds(c.due * scale))],
                skills: Vec::new(),
                priority: 0,
                demand: c.demand,
                due: None,
                duration_for: Default::default(),
                preferred: Vec::new(),
                refused: Vec::new(),
                female_only: false,
            })
            .collect();
        let caregivers: Vec<Caregiver> = (1..=self.vehicles)
            .map(|k| Caregiver {
                commute: None,
                circle: None,
                id: k.to_string(),
                station: None,
                skills: Vec::new(),
                profile: ProfileIdx(0),
                start: LocationIdx(0),
                end: LocationIdx(0),
                shift: TimeWindow::new(Seconds(depot.ready * scale), Seconds(depot.due * scale)),
                capacity: self.capacity,
                max_route_duration: None,
                contracted: None,
                female: false,
                lunch_break: None,
            })
            .collect();
        let mut times = Vec::with_capacity(n * n);
        for a in 0..n {
            times.extend((0..n).map(|b| Seconds(self.scaled(a, b))));
        }
        let distances = times.iter().map(|t| Meters(t.0)).collect();
        let matrix = DenseMatrix::new(n, times, distances)?;
        let problem = Problem::new(&self.name, visits, caregivers, n, 1, None, objective, scale)?;
        Ok((problem, TravelMatrices::new(vec![matrix])?))
    }

    /// Row of the customer with this id, if any.
    fn row(&self, id: &str) -> Option<usize> {
        let number: u32 = id.parse().ok()?;
        self.customers.iter().position(|c| c.number == number).filter(|&i| i > 0)
    }

    /// Total length of the plan's routes under the file's convention (unknown customers are skipped;
    /// [`VrptwInstance::check_floats`] reports them).
    pub fn distance(&self, plan: &Plan) -> f64 {
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

    /// Re-verifies the time windows and the depot's due date with floating-point distances
    /// under the file's convention, starting every visit as early as possible. One message per violation.
    pub fn check_floats(&self, plan: &Plan) -> Vec<String> {
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

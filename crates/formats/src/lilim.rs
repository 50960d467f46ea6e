//! The Li & Lim pick-up-and-delivery (PDPTW) text format:
//!
//! ```text
//! 25    200    1
//! 0    40    50    0    0    1236    0    0    0
//! 1    45    68    -10    912    967    90    11    0
//! 3    42    66    10    65    146    90    0    75
//! ```
//!
//! (fields are separated by tabs). The first line is `vehicles capacity speed`; then one task per line: `number x y demand
//! earliest latest service pickup delivery`. Task 0 is the depot. A pick-up names its
//! delivery (last column) and has a positive demand; a delivery names its pick-up and has the
//! negative demand. Travel time equals Euclidean distance (speed 1; a 0 in the header, as ten of
//! the published files have, means the same), measured exactly, as for
//! Solomon files ([`Convention::Exact`]).

use crate::vrptw::{float, int, malformed, Convention, Customer, ImportError, VrptwInstance};
use solver::model::{Objective, PickupDelivery, Plan, Problem, ProblemError};
use solver::travel::TravelMatrices;

/// A parsed instance: its tasks as VRPTW customers (demands set to 0: the pairs carry them)
/// and its pairs `(pick-up number, delivery number, quantity)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LiLimInstance {
    pub tasks: VrptwInstance,
    pub pairs: Vec<(u32, u32, i64)>,
}

/// Whether `text` looks like a Li & Lim instance: a first line of three numbers, then rows
/// of nine.
pub fn is_lilim(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let numeric = |l: &str, n: usize| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() == n && f.iter().all(|x| x.parse::<f64>().is_ok())
    };
    matches!((lines.next(), lines.next()), (Some(a), Some(b)) if numeric(a, 3) && numeric(b, 9))
}

/// Parses a Li & Lim instance; `name` names the problem.
pub fn parse_lilim(text: &str, name: &str) -> Result<LiLimInstance, ImportError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, head) = lines.next().ok_or(ImportError::MissingSection { section: "header" })?;
    let head: Vec<&str> = head.split_whitespace().collect();
    if head.len() != 3 {
        return Err(malformed(1, "header", "expected `vehicles capacity speed`"));
    }
    let vehicles = u32::try_from(int(head[0], 1, "vehicles")?)
        .map_err(|_| malformed(1, "vehicles", "must be 0 or more"))?;
    let capacity = int(head[1], 1, "capacity")?;
    if capacity < 0 {
        return Err(malformed(1, "capacity", "must not be negative"));
    }
    // The published set writes 0 in ten files (lc104, lc2xx...) and 1 in the rest; every
    // best-known solution takes time = distance, so 0 means "not given".
    let speed = float(head[2], 1, "speed")?;
    if speed != 1.0 && speed != 0.0 {
        return Err(malformed(1, "speed", "only speed 1 (time = distance) is supported"));
    }
    let mut customers = Vec::new();
    let mut links: Vec<(u32, u32, i64, usize)> = Vec::new();
    for (i, raw) in lines {
        let line = i + 1;
        let f: Vec<&str> = raw.split_whitespace().collect();
        if f.len() != 9 {
            return Err(malformed(line, "task", format!("expected 9 fields, found {}", f.len())));
        }
        let number = u32::try_from(int(f[0], line, "task number")?)
            .map_err(|_| malformed(line, "task number", "must be 0 or more"))?;
        let (ready, due) = (int(f[4], line, "earliest")?, int(f[5], line, "latest")?);
        if ready > due {
            return Err(malformed(line, "latest", "is before earliest"));
        }
        let service = int(f[6], line, "service")?;
        if service < 0 {
            return Err(malformed(line, "service", "must not be negative"));
        }
        let demand = int(f[3], line, "demand")?;
        let (pickup, delivery) = (int(f[7], line, "pickup")?, int(f[8], line, "delivery")?);
        if number > 0 && delivery > 0 {
            if demand < 0 {
                return Err(malformed(line, "demand", "a pick-up's demand must not be negative"));
            }
            let delivery = u32::try_from(delivery)
                .map_err(|_| malformed(line, "delivery", "is not a task number"))?;
            links.push((number, delivery, demand, line));
        } else if number > 0 && pickup <= 0 {
            return Err(malformed(line, "pickup", "a task must name its pick-up or delivery"));
        }
        customers.push(Customer {
            number,
            x: float(f[1], line, "x")?,
            y: float(f[2], line, "y")?,
            demand: 0,
            ready,
            due,
            service,
        });
    }
    if customers.first().is_none_or(|c| c.number != 0) {
        return Err(ImportError::NoDepot);
    }
    for &(p, d, _, line) in &links {
        if !customers.iter().any(|c| c.number == d && d != p && d != 0) {
            return Err(malformed(line, "delivery", format!("no task {d}")));
        }
    }
    Ok(LiLimInstance {
        tasks: VrptwInstance {
            name: name.to_string(),
            vehicles,
            capacity: Some(capacity),
            customers,
            convention: Convention::Exact,
        },
        pairs: links.into_iter().map(|(p, d, q, _)| (p, d, q)).collect(),
    })
}

impl LiLimInstance {
    /// The problem, fewest vehicles first and then distance (the benchmark's objective), in
    /// the model units of [`Convention::Exact`], and its travel matrix.
    pub fn to_problem(&self) -> Result<(Problem, TravelMatrices), ProblemError> {
        let (problem, travel) = self.tasks.to_problem_as(Objective::VehiclesFirst)?;
        let pairs = self
            .pairs
            .iter()
            .map(|&(p, d, quantity)| PickupDelivery {
                pickups: vec![p.to_string()],
                delivery: d.to_string(),
                quantity,
                max_ride: None,
            })
            .collect();
        Ok((problem.with_pairs(pairs)?, travel))
    }

    /// Total length of the plan's routes with exact distances.
    pub fn distance(&self, plan: &Plan) -> f64 {
        self.tasks.distance(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "2\t10\t1\r\n0\t0\t0\t0\t0\t1000\t0\t0\t0\r\n\
        1\t3\t4\t5\t0\t1000\t10\t0\t2\r\n2\t6\t8\t-5\t0\t1000\t10\t1\t0\r\n";

    #[test]
    fn is_told_from_solomon_files() {
        assert!(is_lilim(TINY));
        assert!(!is_lilim("C101\n\nVEHICLE\nNUMBER CAPACITY\n 25 200\n"));
    }

    #[test]
    fn reads_pairs_and_the_depot() {
        let inst = parse_lilim(TINY, "tiny").expect("valid");
        assert_eq!(inst.pairs, vec![(1, 2, 5)]);
        assert_eq!(inst.tasks.customers.len(), 3);
        let (problem, _) = inst.to_problem().expect("problem");
        assert_eq!(problem.pairs.len(), 1);
        assert_eq!(problem.order_count(), 1);
    }

    #[test]
    fn a_bad_field_names_its_line() {
        let text = TINY.replace("6\t8\t-5", "6\tx\t-5");
        let err = parse_lilim(&text, "bad").expect_err("must fail");
        assert_eq!(err.line(), Some(4), "{err}");
        let text = TINY.replace("1\t3\t4\t5\t0\t1000\t10\t0\t2", "1\t3\t4\t5\t0\t1000\t10\t0\t9");
        let err = parse_lilim(&text, "bad").expect_err("must fail");
        assert!(err.to_string().contains("no task 9"), "{err}");
    }
}

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
//! Customer 0 is the depot; travel time equals Euclidean distance, measured exactly (the
//! convention of the published best-known values, see [`Convention::Exact`]).

use crate::vrptw::{float, int, malformed, Convention, Customer, ImportError, VrptwInstance};

const CUSTOMER_FIELDS: [&str; 7] =
    ["customer number", "x", "y", "demand", "ready time", "due date", "service time"];

/// Parses a Solomon-format instance; `name` names the problem.
pub fn parse_solomon(text: &str, name: &str) -> Result<VrptwInstance, ImportError> {
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
    Ok(VrptwInstance {
        name: name.to_string(),
        vehicles,
        capacity: Some(capacity),
        customers,
        convention: Convention::Exact,
    })
}

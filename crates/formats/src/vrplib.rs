//! VRPLIB VRPTW files (as in CVRPLIB and the PyVRP instance collection):
//!
//! ```text
//! NAME : C1_10_1
//! TYPE : VRPTW
//! DIMENSION : 1001
//! VEHICLES : 250
//! CAPACITY : 200
//! SERVICE_TIME : 90
//! EDGE_WEIGHT_TYPE : EUC_2D
//! NODE_COORD_SECTION
//! 1 250 250
//! DEMAND_SECTION
//! 1 0
//! TIME_WINDOW_SECTION
//! 1 0 1824
//! DEPOT_SECTION
//! 1
//! -1
//! EOF
//! ```
//!
//! Node 1 is the depot; node `i` becomes customer `i - 1`, the numbering of the `.sol` files.
//! A `SERVICE_TIME_SECTION` may give each node its own service time instead of the global
//! `SERVICE_TIME`. Distances follow the DIMACS convention (see [`Convention::Dimacs`]).

use crate::vrptw::{float, int, malformed, Convention, Customer, ImportError, VrptwInstance};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Spec,
    Coords,
    Demands,
    Windows,
    Service,
    Depots,
    End,
}

/// Per-node fields collected before the instance is assembled; index = node - 1.
#[derive(Default, Clone)]
struct Node {
    xy: Option<(f64, f64)>,
    demand: Option<i64>,
    window: Option<(i64, i64)>,
    service: Option<i64>,
}

/// Parses a VRPLIB VRPTW instance; `name` is used when the file has no `NAME`.
pub fn parse_vrplib(text: &str, name: &str) -> Result<VrptwInstance, ImportError> {
    let mut section = Section::Spec;
    let mut file_name: Option<String> = None;
    let mut dimension: Option<usize> = None;
    let mut vehicles: Option<u32> = None;
    let mut capacity: Option<i64> = None;
    let mut global_service: i64 = 0;
    let mut nodes: Vec<Node> = Vec::new();
    let mut depots: Vec<i64> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || section == Section::End {
            continue;
        }
        let upper = trimmed.to_ascii_uppercase();
        let next = match upper.as_str() {
            "NODE_COORD_SECTION" => Some(Section::Coords),
            "DEMAND_SECTION" => Some(Section::Demands),
            "TIME_WINDOW_SECTION" => Some(Section::Windows),
            "SERVICE_TIME_SECTION" => Some(Section::Service),
            "DEPOT_SECTION" => Some(Section::Depots),
            "EOF" => Some(Section::End),
            _ => None,
        };
        if let Some(next) = next {
            if next != Section::End && next != Section::Depots {
                let n = dimension.ok_or_else(|| {
                    malformed(line, "DIMENSION", "must come before the first section")
                })?;
                nodes.resize(n, Node::default());
            }
            section = next;
            continue;
        }
        if section == Section::Spec {
            let Some((key, value)) = trimmed.split_once(':') else {
                return Err(malformed(
                    line,
                    "specification",
                    format!("expected KEY : VALUE, found {trimmed:?}"),
                ));
            };
            let value = value.trim();
            match key.trim().to_ascii_uppercase().as_str() {
                "NAME" => file_name = Some(value.to_string()),
                "TYPE"
                    if !value.eq_ignore_ascii_case("VRPTW")
                        && !value.eq_ignore_ascii_case("CVRPTW") =>
                {
                    return Err(malformed(line, "TYPE", format!("{value:?} is not VRPTW")));
                }
                "DIMENSION" => {
                    let n = int(value, line, "DIMENSION")?;
                    if !(1..=1_000_000).contains(&n) {
                        return Err(malformed(
                            line,
                            "DIMENSION",
                            "must be between 1 and 1,000,000",
                        ));
                    }
                    dimension = Some(n as usize);
                }
                "VEHICLES" => {
                    vehicles = Some(
                        u32::try_from(int(value, line, "VEHICLES")?)
                            .map_err(|_| malformed(line, "VEHICLES", "must be 0 or more"))?,
                    )
                }
                "CAPACITY" => {
                    let c = int(value, line, "CAPACITY")?;
                    if c < 0 {
                        return Err(malformed(line, "CAPACITY", "must not be negative"));
                    }
                    capacity = Some(c);
                }
                "SERVICE_TIME" => {
                    global_service = int(value, line, "SERVICE_TIME")?;
                    if global_service < 0 {
                        return Err(malformed(line, "SERVICE_TIME", "must not be negative"));
                    }
                }
                "EDGE_WEIGHT_TYPE" if !value.eq_ignore_ascii_case("EUC_2D") => {
                    return Err(malformed(
                        line,
                        "EDGE_WEIGHT_TYPE",
                        format!("{value:?} is not supported (only EUC_2D)"),
                    ));
                }
                _ => {}
            }
            continue;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        if section == Section::Depots {
            let d = int(fields[0], line, "depot")?;
            if d != -1 {
                depots.push(d);
            }
            continue;
        }
        let (field, width) = match section {
            Section::Coords => ("node coordinates", 3),
            Section::Demands => ("demand", 2),
            Section::Windows => ("time window", 3),
            _ => ("service time", 2),
        };
        if fields.len() != width {
            return Err(malformed(
                line,
                field,
                format!("expected {width} fields, found {}", fields.len()),
            ));
        }
        let id = int(fields[0], line, "node")?;
        let count = nodes.len();
        let node = usize::try_from(id)
            .ok()
            .and_then(|id| id.checked_sub(1))
            .and_then(|k| nodes.get_mut(k))
            .ok_or_else(|| malformed(line, "node", format!("{id} is not between 1 and {count}")))?;
        match section {
            Section::Coords => {
                node.xy = Some((float(fields[1], line, "x")?, float(fields[2], line, "y")?))
            }
            Section::Demands => {
                let d = int(fields[1], line, "demand")?;
                if d < 0 {
                    return Err(malformed(line, "demand", "must not be negative"));
                }
                node.demand = Some(d);
            }
            Section::Windows => {
                let (ready, due) =
                    (int(fields[1], line, "ready time")?, int(fields[2], line, "due date")?);
                if ready > due {
                    return Err(malformed(line, "ready time", "is after the due date"));
                }
                node.window = Some((ready, due));
            }
            _ => {
                let s = int(fields[1], line, "service time")?;
                if s < 0 {
                    return Err(malformed(line, "service time", "must not be negative"));
                }
                node.service = Some(s);
            }
        }
    }
    if dimension.is_none() {
        return Err(ImportError::MissingSection { section: "DIMENSION" });
    }
    if nodes.is_empty() {
        return Err(ImportError::NoDepot);
    }
    if !depots.is_empty() && depots != [1] {
        return Err(ImportError::Invalid {
            field: "DEPOT_SECTION",
            reason: format!("depots {depots:?}: only node 1 as the one depot is supported"),
        });
    }
    let mut customers = Vec::with_capacity(nodes.len());
    for (k, node) in nodes.iter().enumerate() {
        let missing = |section: &'static str| ImportError::Invalid {
            field: section,
            reason: format!("node {} has no entry", k + 1),
        };
        let (x, y) = node.xy.ok_or_else(|| missing("NODE_COORD_SECTION"))?;
        let (ready, due) = node.window.ok_or_else(|| missing("TIME_WINDOW_SECTION"))?;
        let depot = k == 0;
        customers.push(Customer {
            number: k as u32,
            x,
            y,
            demand: node.demand.unwrap_or(0),
            ready,
            due,
            service: node.service.unwrap_or(if depot { 0 } else { global_service }),
        });
    }
    Ok(VrptwInstance {
        name: file_name.unwrap_or_else(|| name.to_string()),
        vehicles: vehicles.unwrap_or(nodes.len().saturating_sub(1) as u32),
        capacity,
        customers,
        convention: Convention::Dimacs,
    })
}

//! Orders: what the API receives (`NewOrder`), validated into what is stored (`Order`), which
//! becomes one visit on its date, or two linked visits (`{order}:1`, `{order}:2`) when it
//! needs two caregivers.

use crate::date::PlanDate;
use crate::error::AppError;
use formats::scenario::Visit;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use solver::VisitLink;
use solver::{Seconds, ServiceKind, TimeWindow};

fn default_priority() -> u32 {
    1
}

/// The body of `POST /v1/orders`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// A client-chosen id; one is made up when absent.
    #[serde(default)]
    pub id: Option<String>,
    pub client: String,
    pub date: PlanDate,
    pub service: ServiceKind,
    /// Seconds.
    pub duration: i64,
    /// Windows in which the visit may start, seconds from midnight.
    pub windows: Vec<TimeWindow>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// Soft deadline for the start, seconds from midnight; later costs lateness.
    #[serde(default)]
    pub due: Option<i64>,
    /// The client's usual caregivers (ids).
    #[serde(default)]
    pub preferred: Vec<String>,
    /// Caregivers the client refuses (ids).
    #[serde(default)]
    pub refused: Vec<String>,
    /// Only a female caregiver may serve it.
    #[serde(default)]
    pub female_only: bool,
    /// What the caregiver should know: the service items, the door code, the family's number.
    #[serde(default)]
    pub notes: Option<String>,
    /// Caregivers it needs: 1, or 2 (a bath, a transfer): two visits, one per caregiver.
    #[serde(default = "one")]
    pub caregivers: u8,
    /// With two caregivers: the second starts this many seconds after the first, at least and
    /// at most (both 0, the default: together).
    #[serde(default)]
    pub min_gap: i64,
    #[serde(default)]
    pub max_gap: i64,
    /// A one-tap call: insert it into the day's plan at once (the answer says where). Only
    /// when the order is created.
    #[serde(default)]
    pub urgent: bool,
}

/// The body of `PATCH /v1/orders/{id}`: the fields to change (`id`, `client` and `status`
/// cannot); the order with them must be valid as a new one.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read for its errors and its schema; the change merges the JSON itself
pub struct OrderPatch {
    date: Option<PlanDate>,
    service: Option<ServiceKind>,
    duration: Option<i64>,
    windows: Option<Vec<TimeWindow>>,
    skills: Option<Vec<String>>,
    priority: Option<u32>,
    due: Option<Option<i64>>,
    preferred: Option<Vec<String>>,
    refused: Option<Vec<String>>,
    female_only: Option<bool>,
    notes: Option<Option<String>>,
    caregivers: Option<u8>,
    min_gap: Option<i64>,
    max_gap: Option<i64>,
}

fn one() -> u8 {
    1
}

fn is_one(n: &u8) -> bool {
    *n == 1
}

fn is_zero(s: &Seconds) -> bool {
    s.0 == 0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Open,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// A stored order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Order {
    pub id: String,
    pub client: String,
    pub date: PlanDate,
    pub service: ServiceKind,
    pub duration: Seconds,
    pub windows: Vec<TimeWindow>,
    pub skills: Vec<String>,
    pub priority: u32,
    pub status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Seconds>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub female_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub caregivers: u8,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_gap: Seconds,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_gap: Seconds,
}

/// The visit id of part `k` (1 or 2) of a two-caregiver order.
pub fn part_id(order: &str, k: u8) -> String {
    format!("{order}:{k}")
}

/// The order a visit serves: the order of the same id, or the two-caregiver order of which it
/// is a part (`{order}:1`, `{order}:2`).
pub fn order_of(visit: &str) -> &str {
    visit.strip_suffix(":1").or_else(|| visit.strip_suffix(":2")).unwrap_or(visit)
}

/// The other part of a two-caregiver order's visit `{order}:1` or `{order}:2`; `None` for
/// any other visit.
pub fn other_part(visit: &str) -> Option<String> {
    let order = order_of(visit);
    match visit.strip_prefix(order)? {
        ":1" => Some(part_id(order, 2)),
        ":2" => Some(part_id(order, 1)),
        _ => None,
    }
}

/// The latest time of day accepted (windows, deadlines and gaps may run past midnight).
const MAX_TIME: i64 = formats::visit_rules::MAX_TIME;
/// Longest caregiver list (usual or refused) an order may name.
const MAX_NAMED: usize = 20;
/// Longest notes, in characters.
const MAX_NOTES: usize = 1000;

impl NewOrder {
    /// Checks everything that does not need the database; the error names the field.
    pub fn validate(self, id: String) -> Result<Order, AppError> {
        crate::limits::id("id", &id)?;
        crate::limits::text("service", self.service.as_str(), crate::limits::MAX_SERVICE)?;
        if order_of(&id) != id {
            return Err(AppError::invalid(
                "id",
                "must not end in :1 or :2, which name the parts of a two-caregiver order",
            ));
        }
        if !(1..=2).contains(&self.caregivers) {
            return Err(AppError::invalid("caregivers", "must be 1 or 2"));
        }
        if self.caregivers == 1 && (self.min_gap, self.max_gap) != (0, 0) {
            return Err(AppError::invalid("min_gap", "a gap needs two caregivers"));
        }
        if self.min_gap > self.max_gap {
            return Err(AppError::invalid("max_gap", "must not be below min_gap"));
        }
        if self.min_gap.abs() > MAX_TIME || self.max_gap.abs() > MAX_TIME {
            return Err(AppError::invalid(
                "max_gap",
                format!("gaps must lie within {MAX_TIME} seconds either way"),
            ));
        }
        if self.service.as_str().trim().is_empty() {
            return Err(AppError::invalid("service", "must not be empty"));
        }
        // The same rules and words as scenario visits and care packages.
        formats::visit_rules::check(Seconds(self.duration), &self.windows, self.priority)
            .map_err(|e| AppError::invalid(e.field, e.reason))?;
        if let Some(i) = self.skills.iter().position(|s| s.trim().is_empty()) {
            return Err(AppError::invalid(format!("skills[{i}]"), "must not be empty"));
        }
        if self.due.is_some_and(|d| !(0..=MAX_TIME).contains(&d)) {
            return Err(AppError::invalid(
                "due",
                format!("must lie between 0 and {MAX_TIME} seconds from midnight"),
            ));
        }
        for (name, ids) in [("preferred", &self.preferred), ("refused", &self.refused)] {
            if ids.len() > MAX_NAMED {
                return Err(AppError::invalid(
                    name,
                    format!("names at most {MAX_NAMED} caregivers"),
                ));
            }
            if let Some(i) = ids.iter().position(|c| c.trim().is_empty() || c.len() > 64) {
                return Err(AppError::invalid(
                    format!("{name}[{i}]"),
                    "must be 1 to 64 characters",
                ));
            }
        }
        if self.notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES) {
            return Err(AppError::invalid(
                "notes",
                format!("must be at most {MAX_NOTES} characters"),
            ));
        }
        Ok(Order {
            id,
            client: self.client,
            date: self.date,
            service: self.service,
            duration: Seconds(self.duration),
            windows: self.windows,
            skills: self.skills,
            priority: self.priority,
            status: OrderStatus::Open,
            due: self.due.map(Seconds),
            preferred: self.preferred,
            refused: self.refused,
            female_only: self.female_only,
            notes: self.notes.filter(|n| !n.trim().is_empty()),
            caregivers: self.caregivers,
            min_gap: Seconds(self.min_gap),
            max_gap: Seconds(self.max_gap),
        })
    }
}

impl Order {
    /// A scenario's visit as an order for `date` (the ids stay the same).
    pub fn from_scenario_visit(v: &Visit, date: PlanDate) -> Order {
        Order {
            id: v.id.clone(),
            client: v.client.clone(),
            date,
            service: v.service.clone(),
            duration: v.duration,
            windows: v.windows.clone(),
            skills: v.skills.clone(),
            priority: v.priority,
            status: OrderStatus::Open,
            due: v.due,
            preferred: v.preferred.clone(),
            refused: v.refused.clone(),
            female_only: v.female_only,
            notes: None,
            caregivers: 1,
            min_gap: Seconds(0),
            max_gap: Seconds(0),
        }
    }

    /// The visits this order asks for: one, or one per caregiver (`{order}:1`, `{order}:2`).
    pub fn visits(&self) -> Vec<Visit> {
        match self.caregivers {
            2 => (1..=2).map(|k| self.visit(part_id(&self.id, k))).collect(),
            _ => vec![self.visit(self.id.clone())],
        }
    }

    /// The link between the two visits of a two-caregiver order.
    pub fn link(&self) -> Option<VisitLink> {
        (self.caregivers == 2).then(|| VisitLink {
            first: part_id(&self.id, 1),
            second: part_id(&self.id, 2),
            min_gap: self.min_gap,
            max_gap: self.max_gap,
        })
    }

    fn visit(&self, id: String) -> Visit {
        Visit {
            id,
            client: self.client.clone(),
            service: self.service.clone(),
            duration: self.duration,
            windows: self.windows.clone(),
            skills: self.skills.clone(),
            priority: self.priority,
            due: self.due,
            preferred: self.preferred.clone(),
            refused: self.refused.clone(),
            female_only: self.female_only,
            canteen: None,
            meals: None,
        }
    }
}

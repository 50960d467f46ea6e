//! Orders: what the API receives (`NewOrder`), validated into what is stored (`Order`), which
//! becomes one visit on its date.

use crate::date::PlanDate;
use crate::error::AppError;
use formats::scenario::Visit;
use serde::{Deserialize, Serialize};
use solver::{Seconds, ServiceKind, TimeWindow};

fn default_priority() -> u32 {
    1
}

/// The body of `POST /v1/orders`.
#[derive(Clone, Debug, Deserialize)]
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
}

/// Longest visit and latest window end accepted (windows may run past midnight).
const MAX_DURATION: i64 = 12 * 3600;
const MAX_TIME: i64 = 2 * 86_400;
const MAX_PRIORITY: u32 = 100;
/// Longest caregiver list (usual or refused) an order may name.
const MAX_NAMED: usize = 20;
/// Longest notes, in characters.
const MAX_NOTES: usize = 1000;

impl NewOrder {
    /// Checks everything that does not need the database; the error names the field.
    pub fn validate(self, id: String) -> Result<Order, AppError> {
        if id.trim().is_empty() || id.len() > 64 {
            return Err(AppError::invalid("id", "must be 1 to 64 characters"));
        }
        if self.service.as_str().trim().is_empty() {
            return Err(AppError::invalid("service", "must not be empty"));
        }
        if !(0..=MAX_DURATION).contains(&self.duration) {
            return Err(AppError::invalid(
                "duration",
                format!("must be between 0 and {MAX_DURATION} seconds"),
            ));
        }
        if self.windows.is_empty() {
            return Err(AppError::invalid("windows", "needs at least one time window"));
        }
        for (i, w) in self.windows.iter().enumerate() {
            let field = format!("windows[{i}]");
            if w.start.0 < 0 || w.end.0 > MAX_TIME {
                return Err(AppError::invalid(
                    field,
                    format!("must lie between 0 and {MAX_TIME} seconds from midnight"),
                ));
            }
            if w.start > w.end {
                return Err(AppError::invalid(
                    field,
                    format!("starts ({}) after it ends ({})", w.start.0, w.end.0),
                ));
            }
            if i > 0 && self.windows[i - 1].end >= w.start {
                return Err(AppError::invalid(
                    field,
                    "windows must be sorted and must not overlap",
                ));
            }
        }
        if let Some(i) = self.skills.iter().position(|s| s.trim().is_empty()) {
            return Err(AppError::invalid(format!("skills[{i}]"), "must not be empty"));
        }
        if self.priority > MAX_PRIORITY {
            return Err(AppError::invalid("priority", format!("must be at most {MAX_PRIORITY}")));
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
        }
    }

    /// The visit this order asks for.
    pub fn to_visit(&self) -> Visit {
        Visit {
            id: self.id.clone(),
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

//! The problem model of DESIGN.md, in integer units.

mod caregiver;
pub mod cost;
mod error;
mod ids;
mod link;
mod pickup;
mod plan;
mod problem;
mod time_window;
mod units;
mod visit;

pub use caregiver::{Caregiver, Commute, LunchBreak, StationCircle};
pub use error::ProblemError;
pub use ids::{CaregiverIdx, LocationIdx, ProfileIdx, VisitIdx};
pub use link::{SoftCosts, VisitLink};
pub use pickup::PickupDelivery;
pub use plan::{Fairness, Kpis, MealFigures, Plan, ReasonCode, Route, Stop, Unassigned};
pub use problem::{Objective, Problem};
pub use time_window::TimeWindow;
pub use units::{Cost, Meters, Seconds};
pub use visit::{ServiceKind, Visit};

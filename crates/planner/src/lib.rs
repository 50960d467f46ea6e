//! CareCircle's planning on real roads, shared by the command and the service: a station-day's
//! travel matrices on the road network ([`travel`]), and the planner's questions —
//! who is inside each service circle, where stations should go, how many caregivers each
//! needs ([`simulate`]).

pub mod coverage;
mod error;
pub mod parallel;
pub mod simulate;
pub mod siting;
pub mod travel;

pub use error::PlannerError;

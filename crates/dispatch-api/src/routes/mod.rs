//! One file per resource.

pub mod caregivers;
pub mod orders;
pub mod planner;
pub mod plans;

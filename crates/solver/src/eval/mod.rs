//! The solver's own evaluation: a compact, index-based copy of the problem ([`Data`]),
//! route schedules with forward/backward slack for O(1) insertion checks ([`schedule`]) and
//! the hierarchical solution cost ([`cost`]). The independent checker never uses this module.

pub mod cost;
pub mod data;
pub mod schedule;

pub use cost::SolCost;
pub use data::Data;
pub use schedule::RouteState;

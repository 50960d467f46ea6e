//! The solver's own evaluation: a compact, index-based copy of the problem ([`Data`]), the
//! one route evaluation — schedules with forward/backward slack for O(1) move checks, soft
//! terms, breaks and pinned linked visits ([`schedule`]) — and the hierarchical solution
//! cost ([`cost`]). The independent checker never uses this module.

pub mod cost;
pub mod data;
pub mod schedule;

pub use cost::SolCost;
pub use data::Data;
pub use schedule::RouteState;

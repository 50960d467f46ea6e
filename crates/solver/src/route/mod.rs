//! The one route evaluation the search prices every move with (DESIGN's `route/`): a compact,
//! index-based copy of the problem ([`Data`]); each caregiver's route with forward and
//! backward schedule caches for O(1) checks of a move, soft terms, breaks, pinned (linked and
//! locked) visits and meal rounds ([`schedule`]), the rules themselves being in
//! `crate::rules`; and the hierarchical solution cost ([`cost`]). The independent checker
//! never uses this module.

pub mod cost;
pub mod data;
pub mod schedule;

pub use cost::SolCost;
pub use data::Data;
pub use schedule::RouteState;

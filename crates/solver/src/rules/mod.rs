//! The rules of a caregiver's day, one file each: what the search's one route evaluation asks
//! of the rule (the walk and the route caches of `route::schedule` call these; nothing else
//! codes them again), the reason code a visit gets when the rule alone keeps it out of every
//! route, and the rule's twin in the independent checker (`check`), which keeps its own code
//! and never calls these.
//!
//! | rule | reason code | checker |
//! | --- | --- | --- |
//! | [`window`] | `time_window` | `time_window` |
//! | [`shift`] | `shift` | `shift_start`, `shift_end` |
//! | [`leg`] (the service circle) | `max_leg` | `max_leg` |
//! | [`commute`] (from and to home) | `max_commute` | `max_commute` |
//! | [`circle`] (a pool's stations) | `circle` | `circle` |
//! | [`duration`] | `route_duration` | `route_duration` |
//! | [`capacity`] | `capacity` | `capacity` |
//! | [`skills`], [`gender`], [`refusals`] | `skills`, `gender`, `refused` | the same |
//! | [`breaks`] | `break` | `break` |
//! | [`links`] | `link` | `link_incomplete`, `link_same_caregiver`, `link_gap` |
//! | [`pairs`] | (the delivery's) | `pair_incomplete`, `pair_same_caregiver`, `pickup_before_delivery` |
//! | [`meal_box`] | `box_capacity` | `box_capacity` |
//! | [`ride`] | `ride_time` | `ride_time` |
//! | [`locked`] (re-plans) | — | the re-plan's own checks |

pub mod breaks;
pub mod capacity;
pub mod circle;
pub mod commute;
pub mod duration;
pub mod gender;
pub mod leg;
pub mod links;
pub mod locked;
pub mod meal_box;
pub mod pairs;
pub mod refusals;
pub mod ride;
pub mod shift;
pub mod skills;
pub mod window;

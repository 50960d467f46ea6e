//! Recreate operators: put unassigned visits back into routes.

pub mod greedy_blinks;

pub use greedy_blinks::{best_insertion, insert_one, recreate, recreate_with, InsertionScratch};

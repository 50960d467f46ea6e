//! Local search on feasible solutions: first-improvement moves until none improves.

pub mod relocate;
pub mod two_opt_star;

use crate::eval::Data;
use crate::search::solution::Solution;

/// Applies improving moves until a local optimum.
pub fn improve(data: &Data, sol: &mut Solution) {
    loop {
        let moved = relocate::relocate_pass(data, sol);
        if !two_opt_star::two_opt_star_pass(data, sol) && !moved {
            break;
        }
    }
}

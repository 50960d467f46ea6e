//! Ruin operators: remove some served visits, leaving every route feasible.

pub mod random;
pub mod string;

pub use random::ruin_random;
pub use string::ruin_strings;

//! One file per subcommand.

pub mod check;
pub mod coverage;
pub mod db;
pub mod demo;
pub mod demo_week;
pub mod report;
pub mod roads;
pub mod scenario;
pub mod serve;
pub mod simulate;
pub mod solve;
pub mod token;
pub mod week;

use crate::siting::milp::SitingError;
use formats::scenario::ScenarioError;
use roads::OsmError;
use thiserror::Error;

use crate::travel::TravelError;

/// Why a planning question could not be answered.
#[derive(Debug, Error)]
pub enum PlannerError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Travel(#[from] TravelError),
    #[error(transparent)]
    Roads(#[from] OsmError),
    #[error(transparent)]
    Siting(#[from] SitingError),
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// A plan the solver made failed the independent checker: a bug, never bad input.
    #[error("internal error: a plan failed the independent checker: {0}")]
    Checker(String),
}

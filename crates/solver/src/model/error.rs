use thiserror::Error;

/// Why a problem could not be built. Infeasibility is *not* an error: a visit nobody can
/// serve becomes an unassigned visit with a reason.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProblemError {
    #[error("{field}: id {id:?} is used twice")]
    DuplicateId { field: String, id: String },
    #[error("{field}: index out of range")]
    OutOfRange { field: String },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

impl ProblemError {
    /// The field the error names, e.g. `visits[3].windows[0]`.
    pub fn field(&self) -> &str {
        match self {
            ProblemError::DuplicateId { field, .. }
            | ProblemError::OutOfRange { field }
            | ProblemError::Invalid { field, .. } => field,
        }
    }
}

use super::{Caregiver, CaregiverIdx, ProblemError, Seconds, Visit, VisitIdx};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the solver minimises, after unassigned visits (always the heaviest term).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Total travel time (home-care default).
    #[default]
    TravelTime,
    /// Total travel distance (VRPTW benchmarks).
    Distance,
    /// Fewest routes first, then total distance.
    VehiclesFirst,
}

/// A validated routing problem. Build it with [`Problem::new`]; fields are read-only by
/// convention after that.
#[derive(Clone, Debug)]
pub struct Problem {
    pub name: String,
    pub visits: Vec<Visit>,
    pub caregivers: Vec<Caregiver>,
    /// Number of points in the travel matrices; every `LocationIdx` is below it.
    pub num_locations: usize,
    /// Number of travel profiles; every caregiver's `ProfileIdx` is below it.
    pub num_profiles: usize,
    /// No single leg may take longer than this (the service circle), if set.
    pub max_leg: Option<Seconds>,
    pub objective: Objective,
    /// Model time units per real second (1 for home-care days; 1000 for Solomon instances,
    /// whose exact Euclidean travel times are rounded up to thousandths).
    pub time_scale: i64,
    visit_index: HashMap<String, VisitIdx>,
    caregiver_index: HashMap<String, CaregiverIdx>,
}

impl Problem {
    /// Validates and builds a problem: unique ids, indices in range, windows sorted and
    /// non-empty, non-negative durations.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: impl Into<String>,
        visits: Vec<Visit>,
        caregivers: Vec<Caregiver>,
        num_locations: usize,
        num_profiles: usize,
        max_leg: Option<Seconds>,
        objective: Objective,
        time_scale: i64,
    ) -> Result<Problem, ProblemError> {
        let mut visit_index = HashMap::with_capacity(visits.len());
        for (i, v) in visits.iter().enumerate() {
            let field = |f: &str| format!("visits[{i}].{f}");
            if visit_index.insert(v.id.clone(), VisitIdx(i as u32)).is_some() {
                return Err(ProblemError::DuplicateId { field: field("id"), id: v.id.clone() });
            }
            if v.location.index() >= num_locations {
                return Err(ProblemError::OutOfRange { field: field("location") });
            }
            if v.duration.0 < 0 {
                return Err(ProblemError::Invalid {
                    field: field("duration"),
                    reason: "must not be negative".into(),
                });
            }
            if v.windows.is_empty() {
                return Err(ProblemError::Invalid {
                    field: field("windows"),
                    reason: "needs at least one time window".into(),
                });
            }
            for (w, tw) in v.windows.iter().enumerate() {
                if tw.start > tw.end {
                    return Err(ProblemError::Invalid {
                        field: field(&format!("windows[{w}]")),
                        reason: format!("starts ({}) after it ends ({})", tw.start, tw.end),
                    });
                }
                if w > 0 && v.windows[w - 1].end >= tw.start {
                    return Err(ProblemError::Invalid {
                        field: field(&format!("windows[{w}]")),
                        reason: "windows must be sorted and must not overlap".into(),
                    });
                }
            }
            if v.demand < 0 {
                return Err(ProblemError::Invalid {
                    field: field("demand"),
                    reason: "must not be negative".into(),
                });
            }
        }
        let mut caregiver_index = HashMap::with_capacity(caregivers.len());
        for (i, c) in caregivers.iter().enumerate() {
            let field = |f: &str| format!("caregivers[{i}].{f}");
            if caregiver_index.insert(c.id.clone(), CaregiverIdx(i as u32)).is_some() {
                return Err(ProblemError::DuplicateId { field: field("id"), id: c.id.clone() });
            }
            if c.start.index() >= num_locations {
                return Err(ProblemError::OutOfRange { field: field("start") });
            }
            if c.end.index() >= num_locations {
                return Err(ProblemError::OutOfRange { field: field("end") });
            }
            if c.profile.index() >= num_profiles {
                return Err(ProblemError::OutOfRange { field: field("profile") });
            }
            if c.shift.start > c.shift.end {
                return Err(ProblemError::Invalid {
                    field: field("shift"),
                    reason: format!("starts ({}) after it ends ({})", c.shift.start, c.shift.end),
                });
            }
        }
        if time_scale <= 0 {
            return Err(ProblemError::Invalid {
                field: "time_scale".into(),
                reason: "must be positive".into(),
            });
        }
        Ok(Problem {
            name: name.into(),
            visits,
            caregivers,
            num_locations,
            num_profiles,
            max_leg,
            objective,
            time_scale,
            visit_index,
            caregiver_index,
        })
    }

    pub fn visit(&self, idx: VisitIdx) -> &Visit {
        &self.visits[idx.index()]
    }

    pub fn caregiver(&self, idx: CaregiverIdx) -> &Caregiver {
        &self.caregivers[idx.index()]
    }

    /// The index of the visit with this external id.
    pub fn visit_idx(&self, id: &str) -> Option<VisitIdx> {
        self.visit_index.get(id).copied()
    }

    /// The index of the caregiver with this external id.
    pub fn caregiver_idx(&self, id: &str) -> Option<CaregiverIdx> {
        self.caregiver_index.get(id).copied()
    }
}

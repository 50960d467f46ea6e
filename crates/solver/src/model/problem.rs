use super::{
    Caregiver, CaregiverIdx, PickupDelivery, ProblemError, Seconds, SoftCosts, Visit, VisitIdx,
    VisitLink,
};
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
    /// Visits tied together (see [`VisitLink`]); set with [`Problem::with_links`].
    pub links: Vec<VisitLink>,
    /// What the soft rules cost; set with [`Problem::with_soft_costs`].
    pub soft: SoftCosts,
    /// Loads carried from a pick-up to a delivery (see [`PickupDelivery`]); set with
    /// [`Problem::with_pairs`].
    pub pairs: Vec<PickupDelivery>,
    /// For each visit in a pair: the pair's index and whether the visit is a pick-up.
    pair_of: Vec<Option<(u32, bool)>>,
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
            for (c, d) in &v.duration_for {
                if d.0 < 0 {
                    return Err(ProblemError::Invalid {
                        field: field(&format!("duration_for.{c}")),
                        reason: "must not be negative".into(),
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
            if c.contracted.is_some_and(|h| h.0 < 0) {
                return Err(ProblemError::Invalid {
                    field: field("contracted"),
                    reason: "must not be negative".into(),
                });
            }
            if let Some(b) = c.lunch_break {
                if b.window.start > b.window.end || b.duration.0 < 0 {
                    return Err(ProblemError::Invalid {
                        field: field("lunch_break"),
                        reason: "needs window.start <= window.end and a duration >= 0".into(),
                    });
                }
            }
            if c.shift.start > c.shift.end {
                return Err(ProblemError::Invalid {
                    field: field("shift"),
                    reason: format!("starts ({}) after it ends ({})", c.shift.start, c.shift.end),
                });
            }
        }
        for (i, v) in visits.iter().enumerate() {
            for (name, ids) in [("preferred", &v.preferred), ("refused", &v.refused)] {
                if let Some(c) = ids.iter().find(|c| !caregiver_index.contains_key(*c)) {
                    return Err(ProblemError::Invalid {
                        field: format!("visits[{i}].{name}"),
                        reason: format!("names caregiver {c:?}, who is not in the problem"),
                    });
                }
            }
            if let Some(c) = v.duration_for.keys().find(|c| !caregiver_index.contains_key(*c)) {
                return Err(ProblemError::Invalid {
                    field: format!("visits[{i}].duration_for"),
                    reason: format!("names caregiver {c:?}, who is not in the problem"),
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
            links: Vec::new(),
            soft: SoftCosts::default(),
            pairs: Vec::new(),
            pair_of: Vec::new(),
            visit_index,
            caregiver_index,
        })
    }

    /// Adds links between visits: each names two different visits of the problem, with
    /// `min_gap <= max_gap`, and a visit belongs to at most one link.
    pub fn with_links(mut self, links: Vec<VisitLink>) -> Result<Problem, ProblemError> {
        let mut linked = vec![false; self.visits.len()];
        for (i, l) in links.iter().enumerate() {
            let field = |f: &str| format!("links[{i}].{f}");
            if l.first == l.second {
                return Err(ProblemError::Invalid {
                    field: field("second"),
                    reason: "a visit cannot be linked to itself".into(),
                });
            }
            for (name, id) in [("first", &l.first), ("second", &l.second)] {
                let v = self.visit_idx(id).ok_or_else(|| ProblemError::Invalid {
                    field: field(name),
                    reason: format!("no visit {id:?} in the problem"),
                })?;
                if std::mem::replace(&mut linked[v.index()], true) {
                    return Err(ProblemError::Invalid {
                        field: field(name),
                        reason: format!("visit {id:?} is already linked; a visit has one link"),
                    });
                }
            }
            if l.min_gap > l.max_gap {
                return Err(ProblemError::Invalid {
                    field: field("max_gap"),
                    reason: format!("{} is below min_gap {}", l.max_gap, l.min_gap),
                });
            }
        }
        self.links = links;
        Ok(self)
    }

    /// Adds pick-up-and-delivery pairs: each names a delivery and at least one pick-up, all
    /// visits of the problem without a `demand` of their own (the pair carries it) and in no
    /// other pair or link, with `quantity >= 0` and `max_ride >= 0`.
    pub fn with_pairs(mut self, pairs: Vec<PickupDelivery>) -> Result<Problem, ProblemError> {
        let mut pair_of = vec![None; self.visits.len()];
        let linked: std::collections::HashSet<&str> =
            self.links.iter().flat_map(|l| [l.first.as_str(), l.second.as_str()]).collect();
        for (i, p) in pairs.iter().enumerate() {
            let field = |f: &str| format!("pairs[{i}].{f}");
            if p.pickups.is_empty() {
                return Err(ProblemError::Invalid {
                    field: field("pickups"),
                    reason: "needs at least one pick-up visit".into(),
                });
            }
            let ends = p
                .pickups
                .iter()
                .enumerate()
                .map(|(k, id)| (format!("pickups[{k}]"), id, true))
                .chain([("delivery".to_string(), &p.delivery, false)]);
            for (name, id, is_pickup) in ends {
                let v = self.visit_idx(id).ok_or_else(|| ProblemError::Invalid {
                    field: field(&name),
                    reason: format!("no visit {id:?} in the problem"),
                })?;
                let slot = &mut pair_of[v.index()];
                if slot.is_some() || linked.contains(id.as_str()) {
                    return Err(ProblemError::Invalid {
                        field: field(&name),
                        reason: format!("visit {id:?} is already in a pair or a link"),
                    });
                }
                *slot = Some((i as u32, is_pickup));
                if self.visits[v.index()].demand != 0 {
                    return Err(ProblemError::Invalid {
                        field: field(&name),
                        reason: format!(
                            "visit {id:?} has a demand of its own; a pair's load is its quantity"
                        ),
                    });
                }
            }
            if p.quantity < 0 {
                return Err(ProblemError::Invalid {
                    field: field("quantity"),
                    reason: "must not be negative".into(),
                });
            }
            if p.max_ride.is_some_and(|r| r.0 < 0) {
                return Err(ProblemError::Invalid {
                    field: field("max_ride"),
                    reason: "must not be negative".into(),
                });
            }
        }
        self.pairs = pairs;
        self.pair_of = pair_of;
        Ok(self)
    }

    /// The pair visit `v` belongs to, and whether it is the pair's pick-up.
    pub fn pair_of(&self, v: VisitIdx) -> Option<(usize, bool)> {
        self.pair_of.get(v.index()).copied().flatten().map(|(p, pickup)| (p as usize, pickup))
    }

    /// Whether visit `v` is a pick-up: a stop on the way to an order, not an order itself.
    pub fn is_pickup(&self, v: VisitIdx) -> bool {
        self.pair_of(v).is_some_and(|(_, pickup)| pickup)
    }

    /// The orders: visits that are not pick-ups.
    pub fn order_count(&self) -> usize {
        (0..self.visits.len()).filter(|&v| !self.is_pickup(VisitIdx(v as u32))).count()
    }

    /// Sets what the soft rules cost; weights must not be negative.
    pub fn with_soft_costs(mut self, weights: SoftCosts) -> Result<Problem, ProblemError> {
        let named = [
            ("lateness", weights.lateness),
            ("max_lateness", weights.max_lateness),
            ("non_preferred", weights.non_preferred),
            ("overtime", weights.overtime),
            ("working_spread", weights.working_spread),
        ];
        if let Some((name, _)) = named.iter().find(|(_, w)| *w < 0) {
            return Err(ProblemError::Invalid {
                field: format!("soft_costs.{name}"),
                reason: "must not be negative".into(),
            });
        }
        self.soft = weights;
        Ok(self)
    }

    /// Why caregiver `c` may not serve visit `v` at all, if so: a missing skill, a client who
    /// needs a female caregiver, or a client who refused this caregiver.
    pub fn ineligible(&self, v: VisitIdx, c: CaregiverIdx) -> Option<super::ReasonCode> {
        let (visit, cg) = (self.visit(v), self.caregiver(c));
        if !crate::rules::skills::holds(visit, cg) {
            Some(super::ReasonCode::Skills)
        } else if !crate::rules::gender::holds(visit, cg) {
            Some(super::ReasonCode::Gender)
        } else if !crate::rules::refusals::holds(visit, cg) {
            Some(super::ReasonCode::Refused)
        } else {
            None
        }
    }

    /// Whether visit `v` served by caregiver `c` breaks continuity of care: the client has
    /// usual caregivers and `c` is not one of them.
    pub fn non_preferred(&self, v: VisitIdx, c: CaregiverIdx) -> bool {
        let visit = self.visit(v);
        !visit.preferred.is_empty() && !visit.preferred.contains(&self.caregiver(c).id)
    }

    /// How long caregiver `c` takes for visit `v`.
    pub fn duration(&self, v: VisitIdx, c: CaregiverIdx) -> Seconds {
        let visit = self.visit(v);
        visit.duration_for.get(&self.caregiver(c).id).copied().unwrap_or(visit.duration)
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

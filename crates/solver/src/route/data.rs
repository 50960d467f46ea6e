//! A compact, index-based copy of a [`Problem`] for the search's inner loops: locations
//! renumbered densely, one travel-time and one arc-cost matrix per travel profile in use
//! (the `dyn TravelTimes` call is too slow for move evaluation), skills as a boolean table,
//! and nearest-neighbour lists.

use crate::model::{cost, CaregiverIdx, Objective, Problem, ReasonCode, SoftCosts, VisitIdx};
use crate::rules::links::LinkEnd;
use crate::rules::pairs::MealPair;
use crate::travel::TravelTimes;
use crate::{LocationIdx, ProfileIdx};

/// "No limit" for capacities and the leg limit; far from overflow when added to times.
pub const UNLIMITED: i64 = i64::MAX / 4;

/// The start of a visit whose time the schedule chooses (see [`Data::start_pinned`]).
pub const FREE: i64 = i64::MIN;

/// How many neighbours each visit keeps: enough for string removal to reach several routes
/// without quadratic memory on large instances.
const MAX_NEIGHBOURS: usize = 100;

pub struct Data {
    pub n_visits: usize,
    pub n_caregivers: usize,
    /// Dense location index of each visit.
    pub visit_loc: Vec<usize>,
    pub duration: Vec<i64>,
    pub demand: Vec<i64>,
    /// `priority + 1`: what leaving the visit unassigned costs (see `model::cost`).
    pub weight: Vec<i64>,
    pub priority: Vec<u32>,
    /// Windows of visit `v` are `windows[win_from[v]..win_from[v + 1]]`, sorted.
    pub(crate) win_from: Vec<usize>,
    pub(crate) windows: Vec<(i64, i64)>,
    pub cg_start: Vec<usize>,
    pub cg_end: Vec<usize>,
    /// Whether caregiver `c`'s first leg (from `cg_start`) and last leg (to `cg_end`) are a
    /// commute: limited by the commute's own limit, held in their times, not by `max_leg`.
    pub(crate) commute_start: Vec<bool>,
    pub(crate) commute_end: Vec<bool>,
    /// Matrix slot (not the model's `ProfileIdx`) of each caregiver.
    pub cg_slot: Vec<usize>,
    pub shift_start: Vec<i64>,
    pub shift_end: Vec<i64>,
    pub capacity: Vec<i64>,
    pub max_duration: Vec<Option<i64>>,
    /// Caregivers with identical attributes share a class; empty routes of one class are
    /// interchangeable, so insertion tries only one of them.
    pub cg_class: Vec<usize>,
    /// `can_serve[c * n_visits + v]`: caregiver `c` holds every skill visit `v` needs and
    /// its client accepts them (gender, refusals).
    pub(crate) can_serve: Vec<bool>,
    /// `non_preferred[c * n_visits + v]`: `c` is not among the client's usual caregivers;
    /// `None` if no client has usual caregivers.
    non_preferred: Option<Vec<bool>>,
    /// Why no caregiver at all may serve each visit, if none may.
    pub ineligible: Vec<Option<ReasonCode>>,
    /// Contracted working time of each caregiver.
    pub contracted: Vec<Option<i64>>,
    /// Each caregiver's lunch break: `(window start, window end, duration)`.
    pub brk: Vec<Option<(i64, i64, i64)>>,
    /// Number of dense locations.
    pub n_locs: usize,
    /// Per matrix slot: travel times and arc costs, `from * n_locs + to`.
    times: Vec<Vec<i64>>,
    costs: Vec<Vec<i64>>,
    /// The arc costs again, `to * n_locs + from`: insertion looks up the legs into and out of
    /// one visit for many neighbours, and with both layouts each is a walk along one row
    /// instead of a cache miss per position (measured: 73 % of a 1,000-visit search).
    costs_into: Vec<Vec<i64>>,
    /// Each caregiver's leg limit: the problem's, or their own station's in a pool.
    pub max_leg: Vec<i64>,
    /// The shortest of them: a leg within it fits whoever takes it.
    pub(crate) shortest_max_leg: i64,
    /// Added once per used route (non-zero only for `VehiclesFirst`).
    pub route_cost: i64,
    /// For each visit, other visits by increasing arc cost from it (first slot's matrix).
    pub neighbours: Vec<Vec<u32>>,
    /// Soft deadline of each visit's start (`UNLIMITED` if none).
    pub due: Vec<i64>,
    /// The link of each visit, seen from it.
    pub link: Vec<Option<LinkEnd>>,
    /// The pick-up-and-delivery pair of each visit, and whether it is the pick-up.
    pub pair: Vec<Option<(u32, bool)>>,
    pub pairs: Vec<MealPair>,
    /// Per caregiver: whether a rule on the whole day applies (see [`Data::whole_day_rules`]).
    whole_day: Vec<bool>,
    /// When re-planning a day that has begun (see [`Data::for_the_day`]): each visit's
    /// caregiver and start in the plan before, and what a visit served by someone else or
    /// moved by more than `tolerance` costs; empty and 0 otherwise.
    pub(crate) was: Vec<Option<(u32, i64)>>,
    pub(crate) tolerance: i64,
    pub moved_weight: i64,
    /// The caregiver each visit is locked to, its start pinned where it was: it happened,
    /// is under way, or a dispatcher locked it. The search never moves or removes it.
    pub(crate) locked: Vec<Option<u32>>,
    /// `cg_duration[c * n_visits + v]` where some service time depends on the caregiver.
    cg_duration: Option<Vec<i64>>,
    pub soft: SoftCosts,
    /// Whether a route's cost includes soft terms of its own (lateness, continuity,
    /// overtime): then every move's cost change is priced on the new schedule, not only
    /// on its arcs. False on plain days, which keep the O(1) arc-only evaluation.
    pub soft_route: bool,
    /// Whether terms over the whole day are priced (the latest visit's lateness, the
    /// fairness spread of working times): the solution adds them to its routes' costs.
    pub global_terms: bool,
}

impl Data {
    pub fn new(problem: &Problem, travel: &dyn TravelTimes) -> Data {
        // Dense renumbering of the locations actually used, in a deterministic order.
        let mut used: Vec<LocationIdx> = problem
            .visits
            .iter()
            .map(|v| v.location)
            .chain(problem.caregivers.iter().flat_map(|c| [c.start, c.end]))
            .collect();
        used.sort_unstable();
        used.dedup();
        let dense = |l: LocationIdx| used.binary_search(&l).unwrap_or(0);
        // A commute's end points get dense locations of their own, after the shared ones:
        // their rows hold the commute's times (see `rules::commute`).
        let places = crate::rules::commute::Places::new(problem, used.len());
        let points: Vec<LocationIdx> = used.iter().copied().chain(places.points()).collect();
        let mut profiles: Vec<ProfileIdx> = problem.caregivers.iter().map(|c| c.profile).collect();
        profiles.sort_unstable();
        profiles.dedup();
        let n_locs = points.len();
        let mut times = Vec::with_capacity(profiles.len());
        let mut costs = Vec::with_capacity(profiles.len());
        for &p in &profiles {
            let mut t = Vec::with_capacity(n_locs * n_locs);
            let mut c = Vec::with_capacity(n_locs * n_locs);
            for (i, &a) in points.iter().enumerate() {
                for (j, &b) in points.iter().enumerate() {
                    let time = travel.time(p, a, b).0;
                    t.push(places.leg_time(i, j, time));
                    c.push(match problem.objective {
                        Objective::TravelTime => time,
                        Objective::Distance | Objective::VehiclesFirst => {
                            travel.distance(p, a, b).0
                        }
                    });
                }
            }
            times.push(t);
            costs.push(c);
        }
        let costs_into = costs
            .iter()
            .map(|c| {
                let mut into = vec![0; n_locs * n_locs];
                for (i, &x) in c.iter().enumerate() {
                    into[(i % n_locs) * n_locs + i / n_locs] = x;
                }
                into
            })
            .collect();
        let mut win_from = Vec::with_capacity(problem.visits.len() + 1);
        let mut windows = Vec::new();
        for v in &problem.visits {
            win_from.push(windows.len());
            windows.extend(v.windows.iter().map(|w| (w.start.0, w.end.0)));
        }
        win_from.push(windows.len());
        let n_visits = problem.visits.len();
        let n_caregivers = problem.caregivers.len();
        // Each (caregiver, visit) judged once: who may serve, and why not.
        let mut excluded: Vec<Option<ReasonCode>> = Vec::with_capacity(n_caregivers * n_visits);
        let mut non_preferred = Vec::with_capacity(n_caregivers * n_visits);
        for c in 0..n_caregivers {
            let c = CaregiverIdx(c as u32);
            for v in 0..n_visits {
                let v = VisitIdx(v as u32);
                excluded.push(problem.ineligible(v, c));
                non_preferred.push(problem.non_preferred(v, c));
            }
        }
        crate::rules::circle::exclude(problem, travel, &mut excluded);
        let can_serve = excluded.iter().map(Option::is_none).collect();
        // Why nobody may serve a visit, when nobody may: the rule that excludes the last
        // candidates (outside the pool's circles, no skill, then gender, then refusal).
        let ineligible = (0..n_visits)
            .map(|v| {
                let reasons: Vec<ReasonCode> =
                    (0..n_caregivers).filter_map(|c| excluded[c * n_visits + v]).collect();
                (reasons.len() == n_caregivers).then(|| {
                    [
                        ReasonCode::Circle,
                        ReasonCode::Refused,
                        ReasonCode::Gender,
                        ReasonCode::Skills,
                    ]
                    .into_iter()
                    .find(|r| reasons.contains(r))
                    .unwrap_or(ReasonCode::Skills)
                })
            })
            .collect();
        let cg_slot: Vec<usize> = problem
            .caregivers
            .iter()
            .map(|c| profiles.binary_search(&c.profile).unwrap_or(0))
            .collect();
        let mut link = vec![None; n_visits];
        for l in &problem.links {
            // `Problem::with_links` checked the ids.
            if let (Some(a), Some(b)) = (problem.visit_idx(&l.first), problem.visit_idx(&l.second))
            {
                let (min, max) = (l.min_gap.0, l.max_gap.0);
                link[a.index()] = Some(LinkEnd { partner: b.0, lo: min, hi: max });
                link[b.index()] = Some(LinkEnd { partner: a.0, lo: -max, hi: -min });
            }
        }
        let idx = |id: &String| problem.visit_idx(id).map_or(0, |v| v.0);
        // `Problem::with_pairs` checked the ids.
        let pairs: Vec<MealPair> = problem
            .pairs
            .iter()
            .map(|p| MealPair {
                pickups: p.pickups.iter().map(idx).collect(),
                delivery: idx(&p.delivery),
                quantity: p.quantity,
                max_ride: p.max_ride.map_or(UNLIMITED, |r| r.0),
            })
            .collect();
        let pair: Vec<Option<(u32, bool)>> = (0..n_visits)
            .map(|v| problem.pair_of(VisitIdx(v as u32)).map(|(p, up)| (p as u32, up)))
            .collect();
        let cg_duration = problem.visits.iter().any(|v| !v.duration_for.is_empty()).then(|| {
            (0..problem.caregivers.len())
                .flat_map(|c| {
                    (0..n_visits).map(move |v| {
                        problem.duration(VisitIdx(v as u32), CaregiverIdx(c as u32)).0
                    })
                })
                .collect()
        });
        let mut data = Data {
            n_visits,
            n_caregivers: problem.caregivers.len(),
            visit_loc: problem.visits.iter().map(|v| dense(v.location)).collect(),
            duration: problem.visits.iter().map(|v| v.duration.0).collect(),
            demand: problem.visits.iter().map(|v| v.demand).collect(),
            // A pick-up is a stop on the way to an order, not an order: leaving it out costs
            // nothing of its own (its delivery's weight counts).
            weight: problem
                .visits
                .iter()
                .enumerate()
                .map(|(v, visit)| match pair[v] {
                    Some((_, true)) => 0,
                    _ => cost::unassigned_units(visit.priority),
                })
                .collect(),
            priority: problem.visits.iter().map(|v| v.priority).collect(),
            win_from,
            windows,
            cg_start: (0..n_caregivers)
                .map(|c| places.start(c).unwrap_or_else(|| dense(problem.caregivers[c].start)))
                .collect(),
            cg_end: (0..n_caregivers)
                .map(|c| places.end(c).unwrap_or_else(|| dense(problem.caregivers[c].end)))
                .collect(),
            commute_start: problem.caregivers.iter().map(|c| c.commutes_from_start()).collect(),
            commute_end: problem.caregivers.iter().map(|c| c.commutes_to_end()).collect(),
            cg_slot,
            shift_start: problem.caregivers.iter().map(|c| c.shift.start.0).collect(),
            shift_end: problem.caregivers.iter().map(|c| c.shift.end.0).collect(),
            capacity: problem.caregivers.iter().map(|c| c.capacity.unwrap_or(UNLIMITED)).collect(),
            max_duration: problem
                .caregivers
                .iter()
                .map(|c| c.max_route_duration.map(|d| d.0))
                .collect(),
            cg_class: Vec::new(),
            can_serve,
            non_preferred: non_preferred.iter().any(|&x| x).then_some(non_preferred),
            ineligible,
            contracted: problem.caregivers.iter().map(|c| c.contracted.map(|h| h.0)).collect(),
            brk: problem
                .caregivers
                .iter()
                .map(|c| c.lunch_break.map(|b| (b.window.start.0, b.window.end.0, b.duration.0)))
                .collect(),
            n_locs,
            times,
            costs,
            costs_into,
            max_leg: problem
                .caregivers
                .iter()
                .map(|c| {
                    let own = c.circle.map(|k| k.max_leg).or(problem.max_leg);
                    crate::rules::leg::leg_limit(own.map(|s| s.0))
                })
                .collect(),
            shortest_max_leg: 0,
            route_cost: match problem.objective {
                Objective::VehiclesFirst => cost::VEHICLE_WEIGHT,
                _ => 0,
            },
            neighbours: Vec::new(),
            due: problem.visits.iter().map(|v| v.due.map_or(UNLIMITED, |d| d.0)).collect(),
            link,
            pair,
            pairs,
            whole_day: Vec::new(),
            was: Vec::new(),
            tolerance: 0,
            moved_weight: 0,
            locked: Vec::new(),
            cg_duration,
            soft: problem.soft,
            soft_route: false,
            global_terms: false,
        };
        data.shortest_max_leg = data.max_leg.iter().copied().min().unwrap_or(0);
        data.drop_terms_that_cannot_bind();
        data.soft_route = (data.soft.lateness > 0 && data.due.iter().any(|&d| d < UNLIMITED))
            || (data.soft.non_preferred > 0 && data.non_preferred.is_some())
            || (data.soft.overtime > 0 && data.contracted.iter().any(Option::is_some));
        data.global_terms = (data.soft.max_lateness > 0 && data.due.iter().any(|&d| d < UNLIMITED))
            || (data.soft.working_spread > 0 && n_caregivers > 1);
        data.whole_day = (0..n_caregivers)
            .map(|c| {
                data.brk[c].is_some()
                    || data.max_duration[c].is_some()
                    || data.pairs.iter().any(|p| data.can_serve(c, p.delivery as usize))
            })
            .collect();
        data.cg_class = data.classes();
        data.neighbours = data.neighbour_lists();
        data
    }

    /// Forgets the soft terms that no schedule can make cost anything, so that a day with
    /// them is searched exactly as the day without: a deadline at or after the end of the
    /// visit's last window (service never starts later), contracted hours at or beyond the
    /// shift (nobody works longer than their shift).
    fn drop_terms_that_cannot_bind(&mut self) {
        for v in 0..self.n_visits {
            let last_end = self.windows(v).iter().map(|w| w.1).max().unwrap_or(UNLIMITED);
            if self.due[v] >= last_end {
                self.due[v] = UNLIMITED;
            }
        }
        for c in 0..self.n_caregivers {
            if self.contracted[c].is_some_and(|h| h >= self.shift_end[c] - self.shift_start[c]) {
                self.contracted[c] = None;
            }
        }
    }

    /// Whether caregiver `c` has a rule on their whole day that the route caches do not
    /// hold (a lunch break, whose place the schedule chooses; a route duration limit; meal
    /// rounds, whose box, order and ride times span the route): each move on their route is
    /// then scheduled in full.
    #[inline]
    pub fn whole_day_rules(&self, c: usize) -> bool {
        self.whole_day[c]
    }

    /// Whether visit `v` moves only with another (a linked visit with its partner, a
    /// pick-up with its delivery): the local search's single-visit moves leave it alone.
    #[inline]
    pub fn moves_in_unit(&self, v: usize) -> bool {
        self.link[v].is_some() || self.pair[v].is_some()
    }

    /// What the terms over the whole day cost, from each caregiver's route figures
    /// `(latest lateness, working time)` (idle caregivers included, with 0 working time).
    pub fn global_price(&self, routes: impl Iterator<Item = (i64, i64)>) -> i64 {
        let (mut late_max, mut lo, mut hi, mut n) = (0, i64::MAX, i64::MIN, 0);
        for (late, working) in routes {
            late_max = late_max.max(late);
            lo = lo.min(working);
            hi = hi.max(working);
            n += 1;
        }
        let spread = if n < 2 { 0 } else { hi - lo };
        self.soft.max_lateness * late_max + self.soft.working_spread * spread
    }

    /// Whether caregiver `c` holds the skills visit `v` needs.
    #[inline]
    pub fn can_serve(&self, c: usize, v: usize) -> bool {
        self.can_serve[c * self.n_visits + v]
    }

    /// Whether the local search may move visit `v` alone onto caregiver `c`'s route: `c`
    /// may serve it and it moves on its own (a linked visit keeps its pinned start and moves
    /// only with its partner, a pair's visits together).
    #[inline]
    pub fn movable_to(&self, c: usize, v: usize) -> bool {
        self.can_serve(c, v) && !self.moves_in_unit(v) && !self.is_locked(v)
    }

    /// How long caregiver `c` takes for visit `v`.
    #[inline]
    pub fn duration_for(&self, c: usize, v: usize) -> i64 {
        match &self.cg_duration {
            Some(d) => d[c * self.n_visits + v],
            None => self.duration[v],
        }
    }

    /// Whether caregiver `c` serving visit `v` breaks continuity of care.
    #[inline]
    pub fn non_preferred(&self, c: usize, v: usize) -> bool {
        self.non_preferred.as_ref().is_some_and(|t| t[c * self.n_visits + v])
    }

    /// What starting visit `v` at `start` costs in lateness per unit weight.
    #[inline]
    pub fn lateness(&self, v: usize, start: i64) -> i64 {
        (start - self.due[v]).max(0)
    }

    fn duration_row(&self, c: usize) -> &[i64] {
        match &self.cg_duration {
            Some(d) => &d[c * self.n_visits..(c + 1) * self.n_visits],
            None => &[],
        }
    }

    fn preference_row(&self, c: usize) -> &[bool] {
        match &self.non_preferred {
            Some(t) => &t[c * self.n_visits..(c + 1) * self.n_visits],
            None => &[],
        }
    }

    fn skill_row(&self, c: usize) -> &[bool] {
        &self.can_serve[c * self.n_visits..(c + 1) * self.n_visits]
    }

    #[inline]
    pub fn time(&self, slot: usize, from: usize, to: usize) -> i64 {
        self.times[slot][from * self.n_locs + to]
    }

    #[inline]
    pub fn cost(&self, slot: usize, from: usize, to: usize) -> i64 {
        self.costs[slot][from * self.n_locs + to]
    }

    /// The same as [`Data::cost`], read from the layout by destination: fast when many
    /// `from` are tried for one `to`.
    #[inline]
    pub fn cost_into(&self, slot: usize, from: usize, to: usize) -> i64 {
        self.costs_into[slot][to * self.n_locs + from]
    }

    /// Caregivers identical in every attribute the search sees get the same class.
    pub(crate) fn classes(&self) -> Vec<usize> {
        let key = |c: usize| {
            (
                self.cg_start[c],
                self.cg_end[c],
                self.cg_slot[c],
                self.shift_start[c],
                self.shift_end[c],
                self.capacity[c],
                self.max_duration[c],
                self.max_leg[c],
            )
        };
        let mut class = Vec::with_capacity(self.n_caregivers);
        for c in 0..self.n_caregivers {
            let same = (0..c).find(|&d| {
                key(d) == key(c)
                    && self.contracted[d] == self.contracted[c]
                    && self.brk[d] == self.brk[c]
                    && self.skill_row(d) == self.skill_row(c)
                    && self.duration_row(d) == self.duration_row(c)
                    && self.preference_row(d) == self.preference_row(c)
                    && !self.had_visits(c)
                    && !self.had_visits(d)
            });
            class.push(same.map_or(c, |d| class[d]));
        }
        class
    }

    fn neighbour_lists(&self) -> Vec<Vec<u32>> {
        if self.costs.is_empty() {
            // No caregiver, hence no matrix: nothing will be routed.
            return vec![Vec::new(); self.n_visits];
        }
        let k = MAX_NEIGHBOURS.min(self.n_visits.saturating_sub(1));
        (0..self.n_visits)
            .map(|v| {
                let lv = self.visit_loc[v];
                let dist = |w: usize| {
                    let lw = self.visit_loc[w];
                    self.cost(0, lv, lw).min(self.cost(0, lw, lv))
                };
                let mut others: Vec<u32> =
                    (0..self.n_visits).filter(|&w| w != v).map(|w| w as u32).collect();
                // Ties broken by index keep the lists deterministic.
                let key = |w: &u32| (dist(*w as usize), *w);
                if others.len() > k {
                    others.select_nth_unstable_by_key(k, key);
                    others.truncate(k);
                }
                others.sort_unstable_by_key(key);
                others
            })
            .collect()
    }
}

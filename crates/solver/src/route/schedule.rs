//! One caregiver's route with cached forward and backward schedule data: the one route
//! evaluation every kind of day goes through.
//!
//! Forward: the caregiver leaves at the shift start and starts each visit as early as
//! possible (the earliest time in the first window not yet closed, or exactly at its pin for
//! a linked visit). Backward: for each position the latest arrival that still lets the rest
//! of the route meet its windows and get back before the shift ends. Because the earliest
//! start is monotone in the arrival, the feasible arrivals at a position form a down-set,
//! described by that one number; inserting, removing or replacing visits is checked in O(1)
//! (O(the new part) for a replacement).
//!
//! Soft terms each route prices on its own (lateness, continuity, overtime) are kept beside
//! the arcs and priced for a move by following the delay it causes until the schedule
//! rejoins the old one. A caregiver with a rule on the whole day (a lunch break, placed by
//! the schedule; a route duration limit; meal rounds, whose order, box and ride times span
//! the route) has each move scheduled in full, the caches being necessary conditions only. Terms over the whole day (the latest lateness, the fairness
//! spread) are the solution's (see `search::solution`).

use super::data::{Data, FREE};
use crate::model::ReasonCode;
use crate::rules;

/// Stands for "no feasible arrival" in the backward pass; far from overflow.
const NEVER: i64 = i64::MIN / 4;

/// The schedule of a whole route, as the plan reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    pub departure: i64,
    /// `(arrival, start)` per visit.
    pub stops: Vec<(i64, i64)>,
    pub return_time: i64,
    /// The lunch break: after how many visits, and when it starts.
    pub lunch_break: Option<(usize, i64)>,
}

#[derive(Debug)]
pub struct RouteState {
    pub caregiver: usize,
    pub visits: Vec<u32>,
    /// The pinned start of each position's visit, [`FREE`] unless it is linked (see
    /// [`Data::start_pinned`]). Local search never moves a pinned visit; only a ruin takes
    /// it out, with its partner, and a recreate puts the pair back with new pins.
    pub pins: Vec<i64>,
    /// Earliest end of service at each position.
    end: Vec<i64>,
    /// Latest arrival at each position that keeps the suffix feasible.
    latest_arrival: Vec<i64>,
    /// Cost of the arc into each position, the end depot (position `len`) included; empty
    /// when the route is. Insertion replaces exactly this arc.
    arc_in: Vec<i64>,
    pub load: i64,
    /// Sum of arc costs, depot legs included; 0 when empty.
    pub arc_cost: i64,
    /// What the route's own soft terms cost (lateness, continuity, overtime) on its
    /// earliest schedule; 0 unless [`Data::soft_route`].
    pub soft: i64,
    /// When the caregiver is back at the end of the earliest schedule.
    return_time: i64,
    /// The route's latest start after a deadline and its working time, for the terms priced
    /// over the whole day (see [`Data::global_terms`]); 0 unless those are priced.
    pub late_max: i64,
    pub working: i64,
}

// Hand-written so that `clone_from` reuses the vectors' buffers: the search copies
// solutions every iteration.
impl Clone for RouteState {
    fn clone(&self) -> RouteState {
        RouteState {
            caregiver: self.caregiver,
            visits: self.visits.clone(),
            pins: self.pins.clone(),
            end: self.end.clone(),
            latest_arrival: self.latest_arrival.clone(),
            arc_in: self.arc_in.clone(),
            load: self.load,
            arc_cost: self.arc_cost,
            soft: self.soft,
            return_time: self.return_time,
            late_max: self.late_max,
            working: self.working,
        }
    }

    fn clone_from(&mut self, src: &RouteState) {
        self.caregiver = src.caregiver;
        self.visits.clone_from(&src.visits);
        self.pins.clone_from(&src.pins);
        self.end.clone_from(&src.end);
        self.latest_arrival.clone_from(&src.latest_arrival);
        self.arc_in.clone_from(&src.arc_in);
        self.load = src.load;
        self.arc_cost = src.arc_cost;
        self.soft = src.soft;
        self.return_time = src.return_time;
        self.late_max = src.late_max;
        self.working = src.working;
    }
}

impl RouteState {
    pub fn new(caregiver: usize) -> RouteState {
        RouteState {
            caregiver,
            visits: Vec::new(),
            pins: Vec::new(),
            end: Vec::new(),
            latest_arrival: Vec::new(),
            arc_in: Vec::new(),
            load: 0,
            arc_cost: 0,
            soft: 0,
            return_time: 0,
            late_max: 0,
            working: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.visits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visits.is_empty()
    }

    /// The route's contribution to the objective term.
    pub fn cost(&self, data: &Data) -> i64 {
        if self.visits.is_empty() {
            0
        } else {
            self.arc_cost + data.route_cost + self.soft
        }
    }

    /// Location of the node at position `p`, where `-1`..: `p == len` is the end depot.
    #[inline]
    fn loc_at(&self, data: &Data, p: usize) -> usize {
        if p < self.visits.len() {
            data.visit_loc[self.visits[p] as usize]
        } else {
            data.cg_end[self.caregiver]
        }
    }

    /// What the arc into position `p` costs, the arc an insertion there replaces; on an
    /// empty route minus the route's cost (opening it costs both legs and the route).
    #[inline]
    fn arc_into(&self, data: &Data, p: usize) -> i64 {
        self.arc_in.get(p).copied().unwrap_or(-data.route_cost)
    }

    /// Location and earliest end of service of the node just before position `p`. Always
    /// inlined: the move evaluations read it first (measured: 4 % of a Solomon search as a
    /// call).
    #[inline(always)]
    pub fn before(&self, data: &Data, p: usize) -> (usize, i64) {
        if p == 0 {
            (data.cg_start[self.caregiver], data.shift_start[self.caregiver])
        } else {
            (data.visit_loc[self.visits[p - 1] as usize], self.end[p - 1])
        }
    }

    /// Latest feasible arrival at the node at position `p` (the end depot if `p == len`).
    #[inline]
    pub fn latest_at(&self, data: &Data, p: usize) -> i64 {
        if p < self.visits.len() {
            self.latest_arrival[p]
        } else {
            data.shift_end[self.caregiver]
        }
    }

    /// Recomputes the caches after the visit order changed.
    pub fn update(&mut self, data: &Data) {
        let c = self.caregiver;
        let slot = data.cg_slot[c];
        let n = self.visits.len();
        self.end.clear();
        self.latest_arrival.clear();
        self.latest_arrival.resize(n, NEVER);
        self.arc_in.clear();
        self.load = 0;
        self.arc_cost = 0;
        self.soft = 0;
        self.late_max = 0;
        self.working = 0;
        if n == 0 {
            return;
        }
        let (mut loc, mut t) = (data.cg_start[c], data.shift_start[c]);
        for (&v, &pin) in self.visits.iter().zip(&self.pins) {
            let v = v as usize;
            let to = data.visit_loc[v];
            let arrival = t + data.time(slot, loc, to);
            // An infeasible route is never stored; fall back to the arrival to stay total.
            let start = data.start_pinned(v, arrival, pin).unwrap_or(arrival);
            t = start + data.duration_for(c, v);
            self.end.push(t);
            self.arc_in.push(data.cost(slot, loc, to));
            self.arc_cost += data.cost(slot, loc, to);
            self.load += data.demand[v];
            loc = to;
        }
        let end = data.cg_end[c];
        self.arc_in.push(data.cost(slot, loc, end));
        self.arc_cost += data.cost(slot, loc, end);
        self.return_time = t + data.time(slot, loc, end);
        if data.soft_route || data.global_terms {
            let day = if data.whole_day_rules(c) {
                // A stored route is feasible; its schedule exists.
                day_figures(data, c, self.stops())
            } else {
                let ends = self.visits.iter().zip(&self.end);
                let starts = ends.map(|(&v, e)| (v as usize, e - data.duration_for(c, v as usize)));
                Some(DayFigures::new(data, c, starts, self.return_time - self.departure(data)))
            };
            let day = day.unwrap_or_default();
            self.soft = if data.soft_route { day.soft_price(data, c) } else { 0 };
            self.late_max = day.late_max;
            self.working = day.working;
        }
        let (mut next, mut latest) = (end, data.shift_end[c]);
        for p in (0..n).rev() {
            let v = self.visits[p] as usize;
            let here = data.visit_loc[v];
            let latest_start = latest - data.time(slot, here, next) - data.duration_for(c, v);
            latest = data.latest_arrival_pinned(v, latest_start, self.pins[p]).unwrap_or(NEVER);
            self.latest_arrival[p] = latest;
            next = here;
        }
    }

    /// The change of [`RouteState::cost`] if `v` were inserted at position `p`, or `None`
    /// if that breaks a rule (windows, shift, capacity, leg limit, route duration) or the
    /// change is not below `bound`. The cost is looked up first and the rules are only
    /// checked for a move that would win, which spares most of the searches' lookups; pass
    /// `i64::MAX` for the plain delta. Skills are the caller's business (see
    /// [`Data::can_serve`]).
    #[inline]
    pub fn insertion_delta_below(
        &self,
        data: &Data,
        v: usize,
        p: usize,
        bound: i64,
    ) -> Option<i64> {
        self.insertion_delta_pinned(data, v, p, FREE, bound)
    }

    /// As [`RouteState::insertion_delta_below`], with `v`'s start `pin`ned (a linked visit
    /// placed with its partner), or [`FREE`].
    #[inline]
    pub fn insertion_delta_pinned(
        &self,
        data: &Data,
        v: usize,
        p: usize,
        pin: i64,
        bound: i64,
    ) -> Option<i64> {
        let c = self.caregiver;
        let slot = data.cg_slot[c];
        let (prev, prev_end) = self.before(data, p);
        let next = self.loc_at(data, p);
        let here = data.visit_loc[v];
        let delta =
            data.cost_into(slot, prev, here) + data.cost(slot, here, next) - self.arc_into(data, p);
        if delta - self.soft >= bound || !data.fits_capacity(c, self.load + data.demand[v]) {
            return None;
        }
        let t1 = data.time(slot, prev, here);
        let t2 = data.time(slot, here, next);
        if !data.leg_fits(c, prev, here, t1) || !data.leg_fits(c, here, next, t2) {
            return None;
        }
        let start = data.start_pinned(v, prev_end + t1, pin)?;
        if start + data.duration_for(c, v) + t2 > self.latest_at(data, p) {
            return None;
        }
        self.finish(data, delta, p..p, &[v as u32], pin, bound)
    }

    /// The starts `v` could have if inserted at `p`, as far as the route's caches tell:
    /// from the earliest arrival to the latest start that keeps the rest of the route
    /// feasible (`v`'s windows not applied), or `None` if a leg, the capacity or the rest
    /// of the route rules it out. A start inside this range and a window, pinned, is then
    /// checked in full by [`RouteState::insertion_delta_pinned`].
    pub fn start_range(&self, data: &Data, v: usize, p: usize) -> Option<(i64, i64)> {
        let c = self.caregiver;
        let slot = data.cg_slot[c];
        let (prev, prev_end) = self.before(data, p);
        let (here, next) = (data.visit_loc[v], self.loc_at(data, p));
        let (t1, t2) = (data.time(slot, prev, here), data.time(slot, here, next));
        if !data.leg_fits(c, prev, here, t1)
            || !data.leg_fits(c, here, next, t2)
            || !data.fits_capacity(c, self.load + data.demand[v])
        {
            return None;
        }
        let earliest = prev_end + t1;
        let latest = self.latest_at(data, p) - t2 - data.duration_for(c, v);
        (earliest <= latest).then_some((earliest, latest))
    }

    /// The change of [`RouteState::cost`] if the visit at `p` were removed, or `None` if the
    /// shortened route breaks a rule (possible when travel times violate the triangle
    /// inequality or the direct leg exceeds the leg limit).
    #[inline]
    pub fn removal_delta(&self, data: &Data, p: usize) -> Option<i64> {
        let c = self.caregiver;
        let slot = data.cg_slot[c];
        let (prev, prev_end) = self.before(data, p);
        let here = data.visit_loc[self.visits[p] as usize];
        let next = self.loc_at(data, p + 1);
        let t = data.time(slot, prev, next);
        if !data.leg_fits(c, prev, next, t) || prev_end + t > self.latest_at(data, p + 1) {
            return None;
        }
        if self.visits.len() == 1 {
            return Some(-self.cost(data));
        }
        let delta =
            data.cost(slot, prev, next) - data.cost(slot, prev, here) - data.cost(slot, here, next);
        self.finish(data, delta, p..p + 1, &[], FREE, i64::MAX)
    }

    /// The change of [`RouteState::cost`] if the visits at positions `i..j` were replaced by
    /// `seg` (visits from elsewhere; either side may be empty), or `None` if that breaks a
    /// rule or the change is not below `bound`. O(`seg.len()`) from the caches: the part
    /// before `i` keeps its earliest schedule and the part from `j` its latest arrivals.
    /// This one evaluation serves every exchange of segments between two routes (swap,
    /// or-opt, cross-exchange). Skills are the caller's business.
    pub fn replace_delta(
        &self,
        data: &Data,
        i: usize,
        j: usize,
        seg: &[u32],
        bound: i64,
    ) -> Option<i64> {
        let c = self.caregiver;
        let slot = data.cg_slot[c];
        let (prev, mut t) = self.before(data, i);
        let next = self.loc_at(data, j);
        if seg.is_empty() && i == 0 && j == self.len() {
            // Emptied: no schedule left to check.
            return Some(-self.cost(data)).filter(|&d| d < bound);
        }
        let delta = {
            let old: i64 =
                if self.is_empty() { -data.route_cost } else { self.arc_in[i..=j].iter().sum() };
            let mut new = 0;
            let mut loc = prev;
            for &w in seg {
                let to = data.visit_loc[w as usize];
                new += data.cost(slot, loc, to);
                loc = to;
            }
            new + data.cost(slot, loc, next) - old
        };
        // The soft terms can at most fall to nothing, which bounds the move from below.
        if delta - self.soft >= bound {
            return None;
        }
        let removed: i64 = self.visits[i..j].iter().map(|&w| data.demand[w as usize]).sum();
        let added: i64 = seg.iter().map(|&w| data.demand[w as usize]).sum();
        if !data.fits_capacity(c, self.load - removed + added) {
            return None;
        }
        let mut loc = prev;
        for &w in seg {
            let w = w as usize;
            let to = data.visit_loc[w];
            let leg = data.time(slot, loc, to);
            if !data.leg_fits(c, loc, to, leg) {
                return None;
            }
            t = data.start_at(w, t + leg)? + data.duration_for(c, w);
            loc = to;
        }
        let leg = data.time(slot, loc, next);
        if !data.leg_fits(c, loc, next, leg) || t + leg > self.latest_at(data, j) {
            return None;
        }
        self.finish(data, delta, i..j, seg, FREE, bound)
    }

    /// The last step of every move's evaluation, once the O(1) checks passed: `arc_delta`
    /// plus the change of the soft terms if the visits at `i..j` were replaced by `seg`
    /// (their starts `pin`ned, or [`FREE`]), if that is below `bound`. A caregiver with a rule on the whole day (a lunch break, whose
    /// place the schedule chooses, or a route duration limit) has the new route scheduled in
    /// full, O(length); the caches ignore those rules, so the checks before were necessary
    /// conditions only. Otherwise the soft terms are priced from the caches; plain days price
    /// arcs only.
    #[inline]
    fn finish(
        &self,
        data: &Data,
        arc_delta: i64,
        std::ops::Range { start: i, end: j }: std::ops::Range<usize>,
        seg: &[u32],
        pin: i64,
        bound: i64,
    ) -> Option<i64> {
        let soft = if data.whole_day_rules(self.caregiver) {
            self.whole_day_soft_delta(data, self.stops_with(i, j, seg, pin))?
        } else if data.soft_route {
            self.soft_delta(data, i, j, seg, pin)
        } else {
            0
        };
        let delta = arc_delta + soft;
        (delta < bound).then_some(delta)
    }

    /// For a caregiver with a rule on the whole day: `seq` scheduled in full, `None`
    /// if it breaks a rule, else the change of [`RouteState::soft`]. Kept out of line, so
    /// that the plain path stays small.
    #[inline(never)]
    fn whole_day_soft_delta(
        &self,
        data: &Data,
        seq: impl Iterator<Item = (usize, i64)> + Clone,
    ) -> Option<i64> {
        let c = self.caregiver;
        let day = day_figures(data, c, seq)?;
        Some(if data.soft_route { day.soft_price(data, c) - self.soft } else { 0 })
    }

    /// The change of [`RouteState::soft`] if the visits at `i..j` were replaced by `seg`
    /// (a feasible move), on the new earliest schedule. The part before `i` keeps its
    /// schedule; after the new part the old visits are followed only until one starts when
    /// it did before, from where nothing changes: O(`seg` + the visits the delay reaches).
    #[inline(never)]
    fn soft_delta(&self, data: &Data, i: usize, j: usize, seg: &[u32], pin: i64) -> i64 {
        let (c, n) = (self.caregiver, self.visits.len());
        if seg.is_empty() && i == 0 && j == n {
            return -self.soft;
        }
        let slot = data.cg_slot[c];
        let old_start = |p: usize| self.end[p] - data.duration_for(c, self.visits[p] as usize);
        let (mut late, mut off, mut moved) = (0, 0, 0);
        for p in i..j {
            let v = self.visits[p] as usize;
            late -= data.lateness(v, old_start(p));
            off -= i64::from(data.non_preferred(c, v));
            moved -= i64::from(data.moved(c, v, old_start(p)));
        }
        // The new first visit's start and leg, when the move changes the first visit.
        let mut first: Option<(i64, i64)> = None;
        let (mut loc, mut t) = self.before(data, i);
        let mut q = j;
        for &w in seg {
            let w = w as usize;
            let to = data.visit_loc[w];
            let leg = data.time(slot, loc, to);
            let start = data.start_pinned(w, t + leg, pin).unwrap_or(t + leg);
            if i == 0 && first.is_none() {
                first = Some((start, leg));
            }
            late += data.lateness(w, start);
            off += i64::from(data.non_preferred(c, w));
            moved += i64::from(data.moved(c, w, start));
            t = start + data.duration_for(c, w);
            loc = to;
        }
        let return_time = loop {
            if q == n {
                break t + data.time(slot, loc, data.cg_end[c]);
            }
            let v = self.visits[q] as usize;
            let to = data.visit_loc[v];
            let leg = data.time(slot, loc, to);
            let start = data.start_pinned(v, t + leg, self.pins[q]).unwrap_or(t + leg);
            if i == 0 && first.is_none() {
                first = Some((start, leg));
            }
            if start == old_start(q) {
                break self.return_time;
            }
            late += data.lateness(v, start) - data.lateness(v, old_start(q));
            moved += i64::from(data.moved(c, v, start)) - i64::from(data.moved(c, v, old_start(q)));
            t = start + data.duration_for(c, v);
            loc = to;
            q += 1;
        };
        let departure = match first {
            Some((start, leg)) => data.shift_start[c].max(start - leg),
            None => self.departure(data),
        };
        let old = match n {
            0 => 0,
            _ => overtime(data, c, self.return_time - self.departure(data)),
        };
        let overtime = overtime(data, c, return_time - departure) - old;
        data.soft.lateness * late
            + data.soft.non_preferred * off
            + data.moved_weight * moved
            + data.soft.overtime * overtime
    }

    /// The change of [`RouteState::cost`] if pick-up `u` were inserted before position `i`
    /// and its delivery `d` before position `j` (`i <= j`: the delivery after the pick-up),
    /// or `None` if that breaks a rule or the change is not below `bound`. The arcs are
    /// priced first; only a move that could win is scheduled in full (a caregiver who
    /// carries meals has rules on the whole day).
    pub fn pair_insertion_delta(
        &self,
        data: &Data,
        [u, d]: [usize; 2],
        [i, j]: [usize; 2],
        bound: i64,
    ) -> Option<i64> {
        debug_assert!(i <= j && j <= self.len());
        let slot = data.cg_slot[self.caregiver];
        let (lu, ld) = (data.visit_loc[u], data.visit_loc[d]);
        let replaced = |p: usize| self.arc_into(data, p);
        let arc_delta = if i == j {
            let (prev, _) = self.before(data, i);
            let next = self.loc_at(data, i);
            data.cost(slot, prev, lu) + data.cost(slot, lu, ld) + data.cost(slot, ld, next)
                - replaced(i)
        } else {
            let (prev_u, _) = self.before(data, i);
            let (prev_d, _) = self.before(data, j);
            data.cost(slot, prev_u, lu) + data.cost(slot, lu, self.loc_at(data, i)) - replaced(i)
                + data.cost(slot, prev_d, ld)
                + data.cost(slot, ld, self.loc_at(data, j))
                - replaced(j)
        };
        if arc_delta - self.soft >= bound {
            return None;
        }
        let seq = self
            .slice(0..i)
            .chain(std::iter::once((u, FREE)))
            .chain(self.slice(i..j))
            .chain(std::iter::once((d, FREE)))
            .chain(self.slice(j..self.len()));
        self.delta_with(data, arc_delta, seq, bound)
    }

    /// The change of [`RouteState::cost`] if the visits at positions `a < b` (a pick-up and
    /// its delivery) were removed, or `None` if the shortened route breaks a rule.
    pub fn pair_removal_delta(&self, data: &Data, [a, b]: [usize; 2]) -> Option<i64> {
        debug_assert!(a < b && b < self.len());
        if self.len() == 2 {
            return Some(-self.cost(data));
        }
        let slot = data.cg_slot[self.caregiver];
        let arc_delta = if b == a + 1 {
            let (prev, _) = self.before(data, a);
            data.cost(slot, prev, self.loc_at(data, b + 1))
                - self.arc_in[a]
                - self.arc_in[a + 1]
                - self.arc_in[a + 2]
        } else {
            let (prev_a, _) = self.before(data, a);
            let (prev_b, _) = self.before(data, b);
            data.cost(slot, prev_a, self.loc_at(data, a + 1)) - self.arc_in[a] - self.arc_in[a + 1]
                + data.cost(slot, prev_b, self.loc_at(data, b + 1))
                - self.arc_in[b]
                - self.arc_in[b + 1]
        };
        let seq = self.slice(0..a).chain(self.slice(a + 1..b)).chain(self.slice(b + 1..self.len()));
        self.delta_with(data, arc_delta, seq, i64::MAX)
    }

    /// The visits at positions `range` with their pins.
    fn slice(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (usize, i64)> + Clone + '_ {
        let pins = &self.pins[range.clone()];
        self.visits[range].iter().zip(pins).map(|(&v, &pin)| (v as usize, pin))
    }

    /// `arc_delta` plus the change of [`RouteState::soft`] if the route became `seq`,
    /// scheduled in full; `None` if `seq` breaks a rule or the change is not below `bound`.
    fn delta_with(
        &self,
        data: &Data,
        arc_delta: i64,
        seq: impl Iterator<Item = (usize, i64)> + Clone,
        bound: i64,
    ) -> Option<i64> {
        let delta = arc_delta + self.whole_day_soft_delta(data, seq)?;
        (delta < bound).then_some(delta)
    }

    /// When the caregiver leaves: late enough to arrive just as the first visit starts.
    fn departure(&self, data: &Data) -> i64 {
        let c = self.caregiver;
        match self.visits.first() {
            None => data.shift_start[c],
            Some(&v) => {
                let v = v as usize;
                let leg = data.time(data.cg_slot[c], data.cg_start[c], data.visit_loc[v]);
                data.shift_start[c].max(self.end[0] - data.duration_for(c, v) - leg)
            }
        }
    }

    /// Replaces the visits at positions `i..j` by `seg`, none of them linked (the caller
    /// checked it).
    pub fn replace(&mut self, data: &Data, i: usize, j: usize, seg: &[u32]) {
        debug_assert!(seg.iter().all(|&w| !data.is_linked(w as usize)));
        self.visits.splice(i..j, seg.iter().copied());
        self.pins.splice(i..j, std::iter::repeat_n(FREE, seg.len()));
        self.update(data);
    }

    pub fn insert(&mut self, data: &Data, v: usize, p: usize) {
        self.insert_pinned(data, v, p, FREE);
    }

    /// Inserts `v` at `p` with its start `pin`ned (or [`FREE`]); the caller checked it.
    pub fn insert_pinned(&mut self, data: &Data, v: usize, p: usize, pin: i64) {
        self.visits.insert(p, v as u32);
        self.pins.insert(p, pin);
        self.update(data);
    }

    pub fn remove(&mut self, data: &Data, p: usize) -> usize {
        let v = self.visits.remove(p) as usize;
        self.pins.remove(p);
        self.update(data);
        v
    }

    /// The route's visits with their pins, in order.
    pub fn stops(&self) -> impl Iterator<Item = (usize, i64)> + Clone + '_ {
        self.visits.iter().zip(&self.pins).map(|(&v, &pin)| (v as usize, pin))
    }

    /// The visits with their pins if those at `i..j` were replaced by `seg` (`pin`ned).
    fn stops_with<'a>(
        &'a self,
        i: usize,
        j: usize,
        seg: &'a [u32],
        pin: i64,
    ) -> impl Iterator<Item = (usize, i64)> + Clone + 'a {
        let new = seg.iter().map(move |&w| (w as usize, pin));
        self.slice(0..i).chain(new).chain(self.slice(j..self.len()))
    }

    pub fn position(&self, v: usize) -> Option<usize> {
        self.visits.iter().position(|&w| w as usize == v)
    }

    /// The full schedule of this route (departure as late as possible without delaying the
    /// first visit), or `None` if the route breaks a rule other than skills.
    pub fn timing(&self, data: &Data) -> Option<Timing> {
        timing(data, self.caregiver, self.stops())
    }
}

/// Forward schedule of caregiver `c` serving `seq` (visits with their pins) in order,
/// checking every rule except skills; `None` if one is broken.
pub fn timing(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
) -> Option<Timing> {
    let mut stops = Vec::new();
    let frame = walk(data, c, seq, |_, arrival, start| stops.push((arrival, start))).ok()?;
    if let Some(first) = stops.first_mut() {
        // Leave late enough to arrive just as the first visit starts.
        first.0 = frame.departure + frame.first_leg;
    }
    Some(Timing {
        departure: frame.departure,
        stops,
        return_time: frame.return_time,
        lunch_break: frame.lunch_break,
    })
}

/// The soft-term figures of caregiver `c` serving `seq`, as [`timing`] would schedule it,
/// without keeping the stops; `None` if a rule is broken.
pub fn day_figures(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
) -> Option<DayFigures> {
    let mut f = DayFigures::default();
    let frame = walk(data, c, seq, |v, _, start| {
        let late = data.lateness(v, start);
        f.late += late;
        f.late_max = f.late_max.max(late);
        f.off += i64::from(data.non_preferred(c, v));
        f.moved += i64::from(data.moved(c, v, start));
    })
    .ok()?;
    f.working = frame.return_time - frame.departure;
    Some(f)
}

/// The first rule caregiver `c` serving `seq` breaks, if any (skills aside).
pub fn broken_rule(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
) -> Option<ReasonCode> {
    walk(data, c, seq, no_stop).err()
}

/// What a walk through a route leaves besides its stops.
struct Frame {
    departure: i64,
    first_leg: i64,
    return_time: i64,
    lunch_break: Option<(usize, i64)>,
}

/// Walks caregiver `c` through `seq`, calling `stop(visit, arrival, start)` for each, and
/// checks every rule except skills. Each visit starts as early as its window (or pin)
/// allows, the lunch break where [`rules::breaks::break_gap`] puts it; a route with meal rounds is then
/// moved to just in time (see [`meal_round`]).
fn walk(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
    mut stop: impl FnMut(usize, i64, i64),
) -> Result<Frame, ReasonCode> {
    if data.whole_day_rules(c) && seq.clone().any(|(v, _)| data.pair[v].is_some()) {
        return meal_round(data, c, seq, stop);
    }
    let frame = forward(data, c, seq, &mut stop)?;
    rules::duration::within(data, c, frame.departure, frame.return_time)?;
    Ok(frame)
}

/// The forward pass of [`walk`]: every rule but the route duration limit (which depends on
/// when the caregiver leaves) and the meal rounds'.
fn forward(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
    stop: impl FnMut(usize, i64, i64),
) -> Result<Frame, ReasonCode> {
    forward_with(data, c, seq, stop, Gaps::Any)
}

/// Where the lunch break may go in a forward pass.
#[derive(Clone, Copy)]
enum Gaps<'a> {
    Any,
    /// Only the gaps marked true (before visit `k`, or the way back at `len`).
    Only(&'a [bool]),
    /// No break: the route judged as if it had none.
    Skip,
}

/// A walk's `stop` for callers that only want the verdict.
fn no_stop(_: usize, _: i64, _: i64) {}

/// [`forward`], the lunch break in one of the `gaps`.
fn forward_with(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
    mut stop: impl FnMut(usize, i64, i64),
    gaps: Gaps,
) -> Result<Frame, ReasonCode> {
    let slot = data.cg_slot[c];
    let allowed = |gap: usize| match gaps {
        Gaps::Only(ok) => ok.get(gap).copied().unwrap_or(false),
        _ => true,
    };
    let brk = match data.brk[c].filter(|_| !matches!(gaps, Gaps::Skip)) {
        Some(b) => match rules::breaks::break_gap(data, c, seq.clone(), allowed) {
            Some(gap) => gap.map(|gap| (gap, b)),
            // No gap fits the break; name another rule if the route breaks one even
            // without it.
            None => {
                let without = forward_with(data, c, seq, no_stop, Gaps::Skip);
                return Err(without.err().unwrap_or(ReasonCode::Break));
            }
        },
        None => None,
    };
    let (mut loc, mut t) = (data.cg_start[c], data.shift_start[c]);
    let (mut load, mut n) = (0, 0);
    let mut first: Option<(i64, i64)> = None;
    let mut lunch_break = None;
    // The break, when the schedule reaches its gap (before visit `gap`, or the way back).
    let mut take_break = |gap: usize, t: &mut i64| {
        if let Some((at, (open, _, duration))) = brk {
            if at == gap {
                let start = (*t).max(open);
                lunch_break = Some((gap, start));
                *t = start + duration;
            }
        }
    };
    for (v, pin) in seq {
        take_break(n, &mut t);
        let to = data.visit_loc[v];
        let leg = data.time(slot, loc, to);
        data.leg_rule(c, loc, to, leg)?;
        let arrival = t + leg;
        let start = data.start_pinned(v, arrival, pin).ok_or(ReasonCode::TimeWindow)?;
        first.get_or_insert((start, leg));
        stop(v, arrival, start);
        load += data.demand[v];
        t = start + data.duration_for(c, v);
        loc = to;
        n += 1;
    }
    take_break(n, &mut t);
    let leg = data.time(slot, loc, data.cg_end[c]);
    let return_time = t + leg;
    data.leg_rule(c, loc, data.cg_end[c], leg)?;
    if !data.back_in_shift(c, return_time) {
        return Err(ReasonCode::Shift);
    }
    if !data.fits_capacity(c, load) {
        return Err(ReasonCode::Capacity);
    }
    // Leave late enough to arrive just as the first visit starts: less waiting, same
    // schedule (after a break before leaving, too: the first visit cannot start before the
    // break's end plus the leg).
    let (departure, first_leg) = match first {
        Some((start, leg)) => (data.shift_start[c].max(start - leg), leg),
        None => (data.shift_start[c], 0),
    };
    Ok(Frame { departure, first_leg, return_time, lunch_break })
}

/// [`walk`] for a route that carries meals: the forward pass, the pairs' order and the box
/// (single visits' demand on board from the start, as in VRPTW; a pair's quantity from its
/// pick-up to its delivery), then every stop but the last as late as the next one allows
/// (just in time): the caregiver waits at the canteen rather than with the meal in the box.
/// Ride times, lateness and the day's length are judged on that schedule.
fn meal_round(
    data: &Data,
    c: usize,
    seq: impl Iterator<Item = (usize, i64)> + Clone,
    mut stop: impl FnMut(usize, i64, i64),
) -> Result<Frame, ReasonCode> {
    let seq: Vec<(usize, i64)> = seq.collect();
    let rides = rules::pairs::in_order(data, &seq)?;
    // The break goes where no meal is on board, if it fits anywhere such; else anywhere.
    let mut empty_box = vec![true; seq.len() + 1];
    let mut on_board = 0i32;
    for (k, &(v, _)) in seq.iter().enumerate() {
        on_board += match data.pair[v] {
            Some((_, true)) => 1,
            Some((_, false)) => -1,
            None => 0,
        };
        empty_box[k + 1] = on_board == 0;
    }
    let mut start: Vec<i64> = Vec::with_capacity(seq.len());
    let forward_in = |gaps: Gaps, start: &mut Vec<i64>| {
        start.clear();
        forward_with(data, c, seq.iter().copied(), |_, _, s| start.push(s), gaps)
    };
    let mut frame = match forward_in(Gaps::Only(&empty_box), &mut start) {
        Err(ReasonCode::Break) => forward_in(Gaps::Any, &mut start)?,
        other => other?,
    };
    rules::meal_box::holds(data, c, &seq)?;
    let slot = data.cg_slot[c];
    let leg = |a: usize, b: usize| data.time(slot, data.visit_loc[a], data.visit_loc[b]);
    let brk = data.brk[c].zip(frame.lunch_break);
    let mut lunch_break = frame.lunch_break;
    for i in (0..seq.len().saturating_sub(1)).rev() {
        let (v, pin) = seq[i];
        let mut latest_end = start[i + 1] - leg(v, seq[i + 1].0);
        if let Some(((_, close, duration), (gap, _))) = brk.filter(|b| b.1 .0 == i + 1) {
            // Never before the forward schedule's break, which the window allowed.
            let at = close.min(latest_end - duration);
            lunch_break = Some((gap, at));
            latest_end = at;
        }
        if pin == FREE {
            let latest = latest_end - data.duration_for(c, v);
            if let Some(s) = data.latest_arrival_for(v, latest) {
                start[i] = start[i].max(s);
            }
        }
    }
    if !seq.is_empty() {
        frame.departure = data.shift_start[c].max(start[0] - frame.first_leg);
        if let Some(((_, close, duration), (0, _))) = brk {
            lunch_break = Some((0, close.min(frame.departure - duration)));
        }
    }
    frame.lunch_break = lunch_break;
    rules::ride::within(data, c, &seq, &start, &rides)?;
    rules::duration::within(data, c, frame.departure, frame.return_time)?;
    let mut free = frame.departure;
    for (i, &(v, _)) in seq.iter().enumerate() {
        if let Some((_, at)) = frame.lunch_break.filter(|b| b.0 == i && i > 0) {
            free = at + brk.map_or(0, |b| b.0 .2);
        }
        let arrival = match i {
            0 => frame.departure + frame.first_leg,
            _ => free + leg(seq[i - 1].0, v),
        };
        stop(v, arrival, start[i]);
        free = start[i] + data.duration_for(c, v);
    }
    Ok(frame)
}

/// What caregiver `c`'s route costs in soft terms: `late` seconds of lateness, `off` visits
/// off continuity, `working` seconds from departure to return.
fn soft_price(data: &Data, c: usize, late: i64, off: i64, moved: i64, working: i64) -> i64 {
    data.soft.lateness * late
        + data.soft.non_preferred * off
        + data.moved_weight * moved
        + data.soft.overtime * overtime(data, c, working)
}

/// The figures one route's schedule gives the soft terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayFigures {
    /// Seconds late, summed and the most of one visit.
    pub late: i64,
    pub late_max: i64,
    /// Visits off continuity.
    pub off: i64,
    /// Visits moved against the plan before a re-plan (see [`Data::moved`]).
    pub moved: i64,
    /// Departure to return.
    pub working: i64,
}

impl DayFigures {
    /// From each visit with its start, and the working time.
    pub fn new(
        data: &Data,
        c: usize,
        starts: impl Iterator<Item = (usize, i64)>,
        working: i64,
    ) -> DayFigures {
        let mut f = DayFigures { working, ..DayFigures::default() };
        for (v, start) in starts {
            let late = data.lateness(v, start);
            f.late += late;
            f.late_max = f.late_max.max(late);
            f.off += i64::from(data.non_preferred(c, v));
            f.moved += i64::from(data.moved(c, v, start));
        }
        f
    }

    /// What the route's own soft terms cost.
    pub fn soft_price(&self, data: &Data, c: usize) -> i64 {
        soft_price(data, c, self.late, self.off, self.moved, self.working)
    }
}

fn overtime(data: &Data, c: usize, working: i64) -> i64 {
    data.contracted[c].map_or(0, |h| (working - h).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::testutil;

    /// The O(1) insertion and removal checks agree with a full recomputation.
    #[test]
    fn cached_checks_match_full_recomputation() {
        cached_checks_match_full_recomputation_on(testutil::problem);
    }

    /// The same with soft terms priced per route: every move's cost change, soft terms
    /// included, equals the change of a route recomputed from scratch.
    #[test]
    fn soft_terms_match_full_recomputation() {
        cached_checks_match_full_recomputation_on(testutil::soft_problem);
        cached_checks_match_full_recomputation_on(testutil::break_problem);
        cached_checks_match_full_recomputation_on(testutil::global_problem);
        // Not vacuous: the soft terms are priced and cost something on these days.
        let (p, t) = testutil::soft_problem(1, 25);
        let data = Data::new(&p, &t);
        assert!(data.soft_route);
        let priced = (0..10)
            .filter(|&seed| testutil::solution(&data, seed).routes.iter().any(|r| r.soft > 0));
        assert!(priced.count() > 0);
    }

    fn cached_checks_match_full_recomputation_on(
        make: fn(u64, usize) -> (crate::model::Problem, crate::travel::TravelMatrices),
    ) {
        for seed in 0..30 {
            let (p, t) = make(seed, 25);
            let data = Data::new(&p, &t);
            let sol = testutil::solution(&data, seed);
            for route in &sol.routes {
                let c = route.caregiver;
                if let Some(day) = day_figures(&data, c, route.stops()) {
                    // The cached soft cost is the one priced on the full schedule.
                    assert_eq!(route.soft, day.soft_price(&data, c), "seed {seed}");
                    if data.global_terms {
                        assert_eq!((route.late_max, route.working), (day.late_max, day.working));
                    }
                }
                for v in 0..data.n_visits {
                    if route.visits.contains(&(v as u32)) {
                        continue;
                    }
                    for pos in 0..=route.len() {
                        let mut seq = route.visits.clone();
                        seq.insert(pos, v as u32);
                        let full = timing(&data, c, seq.iter().map(|&w| (w as usize, FREE)));
                        let fast = route.insertion_delta_below(&data, v, pos, i64::MAX);
                        assert_eq!(fast.is_some(), full.is_some(), "seed {seed} v {v} pos {pos}");
                        if let Some(delta) = fast {
                            let mut r = RouteState::new(c);
                            r.pins = vec![FREE; seq.len()];
                            r.visits = seq;
                            r.update(&data);
                            assert_eq!(r.cost(&data) - route.cost(&data), delta);
                            // The bound is strict: a move only as good as it is pruned.
                            assert_eq!(route.insertion_delta_below(&data, v, pos, delta), None);
                            let above = route.insertion_delta_below(&data, v, pos, delta + 1);
                            assert_eq!(above, Some(delta));
                        }
                    }
                }
                replacements_match_full_recomputation(&data, route, &sol, seed);
                for pos in 0..route.len() {
                    let mut seq = route.visits.clone();
                    seq.remove(pos);
                    let full = timing(&data, c, seq.iter().map(|&w| (w as usize, FREE)));
                    let fast = route.removal_delta(&data, pos);
                    assert_eq!(fast.is_some(), full.is_some());
                    if let Some(delta) = fast {
                        let mut r = route.clone();
                        r.remove(&data, pos);
                        assert_eq!(r.cost(&data) - route.cost(&data), delta, "seed {seed}");
                    }
                }
            }
        }
    }

    /// Every replacement of a slice of `route` by a few visits of other routes (or none):
    /// the O(seg) check agrees with the full schedule and the cost with a recomputation.
    fn replacements_match_full_recomputation(
        data: &Data,
        route: &RouteState,
        sol: &crate::search::solution::Solution,
        seed: u64,
    ) {
        let others: Vec<u32> = (0..data.n_visits as u32)
            .filter(|w| !route.visits.contains(w) && sol.route_of[*w as usize].is_some())
            .collect();
        let segs: Vec<Vec<u32>> = (0..=3)
            .flat_map(|k| {
                others
                    .windows(k.max(1))
                    .take(if k == 0 { 1 } else { 6 })
                    .map(move |w| w[..k].to_vec())
            })
            .collect();
        for i in 0..=route.len() {
            for j in i..=(i + 3).min(route.len()) {
                for seg in &segs {
                    let mut seq = route.visits.clone();
                    seq.splice(i..j, seg.iter().copied());
                    let full =
                        timing(data, route.caregiver, seq.iter().map(|&w| (w as usize, FREE)));
                    let fast = route.replace_delta(data, i, j, seg, i64::MAX);
                    assert_eq!(fast.is_some(), full.is_some(), "seed {seed} {i}..{j} {seg:?}");
                    if let Some(delta) = fast {
                        let mut r = route.clone();
                        r.replace(data, i, j, seg);
                        assert_eq!(r.cost(data) - route.cost(data), delta);
                        assert_eq!(route.replace_delta(data, i, j, seg, delta), None);
                    }
                }
            }
        }
    }
}

/// Every move the route evaluation prices (insertion, removal, replacement of a slice),
/// against a simulation of the whole route written separately, from the problem's own fields (not [`Data`], not the walk): the same verdict
/// on every rule, and on days where the schedule has one choice (no lunch break) the same
/// cost change, soft terms and pins included.
#[cfg(test)]
mod naive {
    use super::*;
    use crate::model::{CaregiverIdx, Problem, VisitIdx};
    use crate::search::testutil;
    use crate::travel::{TravelMatrices, TravelTimes};

    /// The cost of caregiver `c` serving `seq` (visit, pinned start or [`FREE`]), or `None` if
    /// a rule breaks; with a lunch break, every place for it is tried and the first that fits
    /// is priced.
    fn naive(p: &Problem, t: &TravelMatrices, c: usize, seq: &[(usize, i64)]) -> Option<i64> {
        if seq.is_empty() {
            return Some(0);
        }
        let gaps: Vec<Option<usize>> = match p.caregivers[c].lunch_break {
            Some(_) => (0..=seq.len()).map(Some).collect(),
            None => vec![None],
        };
        gaps.into_iter().find_map(|gap| simulate(p, t, c, seq, gap))
    }

    fn simulate(
        p: &Problem,
        t: &TravelMatrices,
        c: usize,
        seq: &[(usize, i64)],
        gap: Option<usize>,
    ) -> Option<i64> {
        let cg = &p.caregivers[c];
        let ci = CaregiverIdx(c as u32);
        let dur = |v: usize| p.duration(VisitIdx(v as u32), ci).0;
        let leg = |a, b| t.time(cg.profile, a, b).0;
        let (mut now, mut loc) = (cg.shift.start.0, cg.start);
        let (mut arcs, mut load) = (0, 0);
        let mut starts: Vec<i64> = Vec::new();
        let rest = |k: usize, now: &mut i64| -> bool {
            match (gap, cg.lunch_break) {
                (Some(g), Some(b)) if g == k => {
                    let start = (*now).max(b.window.start.0);
                    *now = start + b.duration.0;
                    start <= b.window.end.0
                }
                _ => true,
            }
        };
        for (k, &(v, pin)) in seq.iter().enumerate() {
            if !rest(k, &mut now) {
                return None;
            }
            let visit = &p.visits[v];
            let l = leg(loc, visit.location);
            if p.max_leg.is_some_and(|m| l > m.0) {
                return None;
            }
            arcs += l;
            let arrival = now + l;
            let start = if pin != FREE {
                (arrival <= pin).then_some(pin)?
            } else {
                let w = visit.windows.iter().find(|w| w.end.0 >= arrival)?;
                arrival.max(w.start.0)
            };
            starts.push(start);
            load += visit.demand;
            now = start + dur(v);
            loc = visit.location;
        }
        if !rest(seq.len(), &mut now) {
            return None;
        }
        let back = leg(loc, cg.end);
        if p.max_leg.is_some_and(|m| back > m.0) || cg.capacity.is_some_and(|q| load > q) {
            return None;
        }
        let ret = now + back;
        if ret > cg.shift.end.0 {
            return None;
        }
        let first_leg = leg(cg.start, p.visits[seq[0].0].location);
        let meals = seq.iter().any(|&(v, _)| p.pair_of(VisitIdx(v as u32)).is_some());
        if meals {
            meal_rules(p, cg, seq, load)?;
            // Just in time, from the last stop back: each as late as its window and the next
            // stop (and a break between them) allow.
            for k in (0..seq.len() - 1).rev() {
                let (v, pin) = seq[k];
                let (w, _) = seq[k + 1];
                let mut latest_end =
                    starts[k + 1] - leg(p.visits[v].location, p.visits[w].location);
                if let (Some(g), Some(b)) = (gap, cg.lunch_break) {
                    if g == k + 1 {
                        latest_end = b.window.end.0.min(latest_end - b.duration.0);
                    }
                }
                if pin == FREE {
                    let latest = latest_end - dur(v);
                    let window = p.visits[v].windows.iter().rev().find(|w| w.start.0 <= latest);
                    if let Some(w) = window {
                        starts[k] = starts[k].max(w.end.0.min(latest));
                    }
                }
            }
            for (d, &(v, _)) in seq.iter().enumerate() {
                let Some((q, false)) = p.pair_of(VisitIdx(v as u32)) else { continue };
                let Some(limit) = p.pairs[q].max_ride else { continue };
                let u =
                    (0..d).find(|&k| p.pair_of(VisitIdx(seq[k].0 as u32)) == Some((q, true)))?;
                if starts[d] - (starts[u] + dur(seq[u].0)) > limit.0 {
                    return None;
                }
            }
        }
        let departure = cg.shift.start.0.max(starts[0] - first_leg);
        if cg.max_route_duration.is_some_and(|d| ret - departure > d.0) {
            return None;
        }
        let (mut late, mut off) = (0, 0);
        for (k, &(v, _)) in seq.iter().enumerate() {
            late += p.visits[v].due.map_or(0, |d| (starts[k] - d.0).max(0));
            off += i64::from(p.non_preferred(VisitIdx(v as u32), ci));
        }
        let overtime = cg.contracted.map_or(0, |h| (ret - departure - h.0).max(0));
        Some(
            arcs + back
                + p.soft.lateness * late
                + p.soft.non_preferred * off
                + p.soft.overtime * overtime,
        )
    }

    /// The pairs on a route: each delivery after exactly one of its pick-ups, each pick-up
    /// before its delivery, and the box never over capacity (`single` on board at the start).
    fn meal_rules(
        p: &Problem,
        cg: &crate::model::Caregiver,
        seq: &[(usize, i64)],
        single: i64,
    ) -> Option<()> {
        let pair = |k: usize| p.pair_of(VisitIdx(seq[k].0 as u32));
        let mut load = single;
        for k in 0..seq.len() {
            match pair(k) {
                None => load -= p.visits[seq[k].0].demand,
                Some((q, true)) => {
                    (k + 1..seq.len()).find(|&j| pair(j) == Some((q, false)))?;
                    load += p.pairs[q].quantity;
                }
                Some((q, false)) => {
                    let picked = (0..k).filter(|&j| pair(j) == Some((q, true))).count();
                    let later = (k + 1..seq.len()).any(|j| pair(j).is_some_and(|x| x.0 == q));
                    if picked != 1 || later {
                        return None;
                    }
                    load -= p.pairs[q].quantity;
                }
            }
            if cg.capacity.is_some_and(|c| load > c) {
                return None;
            }
        }
        Some(())
    }

    #[test]
    fn every_move_agrees_with_a_separate_simulation() {
        let makers = [
            testutil::problem as fn(u64, usize) -> _,
            testutil::soft_problem,
            testutil::break_problem,
            testutil::linked_problem,
            testutil::meal_problem,
        ];
        let (mut priced, mut meals) = (0, 0);
        for make in makers {
            for seed in 0..15 {
                let (p, t) = make(seed, 25);
                let data = Data::new(&p, &t);
                let sol = testutil::solution(&data, seed);
                for route in &sol.routes {
                    let c = route.caregiver;
                    let stops: Vec<(usize, i64)> = route.stops().collect();
                    let Some(old) = naive(&p, &t, c, &stops) else {
                        panic!("seed {seed}: a stored route fails the simulation");
                    };
                    let one_choice = p.caregivers[c].lunch_break.is_none();
                    let mut compare = |fast: Option<i64>, new: Vec<(usize, i64)>, what: &str| {
                        let slow = naive(&p, &t, c, &new).map(|n| n - old);
                        assert_eq!(fast.is_some(), slow.is_some(), "seed {seed} {what}");
                        if one_choice && fast.is_some() {
                            assert_eq!(fast, slow, "seed {seed} {what}");
                            priced += 1;
                        }
                    };
                    for v in (0..data.n_visits).filter(|&v| sol.route_of[v].is_none()) {
                        if data.is_linked(v) || !data.can_serve(c, v) {
                            continue;
                        }
                        // A meal's delivery goes in with each of its pick-ups, at every pair
                        // of positions.
                        if let Some((q, false)) = data.pair[v] {
                            for &u in &data.pairs[q as usize].pickups {
                                let u = u as usize;
                                for i in 0..=route.len() {
                                    for j in i..=route.len() {
                                        let mut new = stops.clone();
                                        new.insert(j, (v, FREE));
                                        new.insert(i, (u, FREE));
                                        let fast = route.pair_insertion_delta(
                                            &data,
                                            [u, v],
                                            [i, j],
                                            i64::MAX,
                                        );
                                        meals += usize::from(fast.is_some());
                                        compare(fast, new, &format!("insert {u}, {v} at {i}, {j}"));
                                    }
                                }
                            }
                        }
                        for q in 0..=route.len() {
                            let mut new = stops.clone();
                            new.insert(q, (v, FREE));
                            let fast = route.insertion_delta_below(&data, v, q, i64::MAX);
                            compare(fast, new, &format!("insert {v} at {q}"));
                        }
                    }
                    for q in 0..route.len() {
                        let mut new = stops.clone();
                        new.remove(q);
                        compare(route.removal_delta(&data, q), new, &format!("remove at {q}"));
                        // A meal's pick-up leaves with its delivery.
                        let Some((pair, true)) = data.pair[route.visits[q] as usize] else {
                            continue;
                        };
                        let d = data.pairs[pair as usize].delivery as usize;
                        let Some(r) = route.position(d) else { continue };
                        let mut new = stops.clone();
                        new.remove(r);
                        new.remove(q);
                        let fast = route.pair_removal_delta(&data, [q, r]);
                        compare(fast, new.clone(), &format!("remove {q} and {r}"));
                        // And the pair back at every pair of positions of the shortened
                        // route.
                        let mut base = RouteState::new(c);
                        base.visits = new.iter().map(|&(v, _)| v as u32).collect();
                        base.pins = new.iter().map(|&(_, pin)| pin).collect();
                        base.update(&data);
                        let Some(old) = naive(&p, &t, c, &new) else { continue };
                        let u = route.visits[q] as usize;
                        for i in 0..=base.len() {
                            for j in i..=base.len() {
                                let mut back = new.clone();
                                back.insert(j, (d, FREE));
                                back.insert(i, (u, FREE));
                                let fast =
                                    base.pair_insertion_delta(&data, [u, d], [i, j], i64::MAX);
                                let slow = naive(&p, &t, c, &back).map(|n| n - old);
                                let what = format!("seed {seed}: {u}, {d} back at {i}, {j}");
                                assert_eq!(fast.is_some(), slow.is_some(), "{what}");
                                if one_choice && fast.is_some() {
                                    assert_eq!(fast, slow, "{what}");
                                    meals += 1;
                                }
                            }
                        }
                    }
                    // Replacements as swap, or-opt and cross-exchange try them: a slice of
                    // this route by up to two unlinked visits from elsewhere.
                    let others: Vec<u32> = (0..data.n_visits as u32)
                        .filter(|&w| {
                            let w = w as usize;
                            sol.route_of[w] != Some(c as u32)
                                && !data.is_linked(w)
                                && data.can_serve(c, w)
                        })
                        .collect();
                    for i in 0..=route.len() {
                        for j in i..=(i + 2).min(route.len()) {
                            for seg in others.windows(2).take(4).flat_map(|w| [&w[..1], w]) {
                                let mut new = stops.clone();
                                new.splice(i..j, seg.iter().map(|&w| (w as usize, FREE)));
                                let fast = route.replace_delta(&data, i, j, seg, i64::MAX);
                                compare(fast, new, &format!("replace {i}..{j} by {seg:?}"));
                            }
                        }
                    }
                }
            }
        }
        assert!(priced > 1_000, "only {priced} moves priced");
        assert!(meals > 20, "only {meals} meal insertions priced");
    }
}

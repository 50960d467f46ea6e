//! A solution of the linked search and its schedule. Routes are not independent here: a
//! visit linked to another (two caregivers together, or one after the other) may have to
//! wait for its partner, delaying the rest of its route and perhaps other partners. The
//! schedule is the earliest one meeting every lower bound (travel, windows, partners),
//! the least fixed point of a monotone propagation: waiting never helps lateness, so it
//! is also the cheapest schedule of the given routes.
//!
//! Inserting a visit only raises start times, so a trial insertion propagates the rises
//! from the insertion point, through partners into other routes, and is undone from a log;
//! a removal may lower them, so after a ruin the whole schedule is recomputed.

use crate::eval::{Data, SolCost};
use crate::model::{cost, Seconds};

/// Below every real time: "not scheduled yet".
pub const UNSET: i64 = i64::MIN / 4;

/// The cost figures of a solution; see `model::cost` for how they add up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub arcs: i64,
    pub routes_used: i64,
    pub lateness_total: i64,
    pub lateness_max: i64,
    /// Visits served by someone other than a usual caregiver of the client.
    pub non_preferred: i64,
    pub overtime: i64,
    /// Longest minus shortest working time over all caregivers.
    pub spread: i64,
    pub unassigned: i64,
}

impl Figures {
    pub fn cost(&self, data: &Data) -> SolCost {
        SolCost {
            unassigned: self.unassigned,
            objective: self.arcs
                + self.routes_used * data.route_cost
                + data.soft.lateness * self.lateness_total
                + data.soft.max_lateness * self.lateness_max
                + data.soft.non_preferred * self.non_preferred
                + data.soft.overtime * self.overtime
                + data.soft.working_spread * self.spread,
        }
    }
}

#[derive(Clone, Debug)]
pub struct LinkedSolution {
    /// The visits of each caregiver's route, in order.
    pub routes: Vec<Vec<u32>>,
    pub route_of: Vec<Option<u32>>,
    /// Position of each served visit on its route.
    pub pos: Vec<u32>,
    /// Start of each served visit (meaningless for unassigned ones).
    pub start: Vec<i64>,
    pub load: Vec<i64>,
    /// Working time of each caregiver (return minus departure; 0 if idle).
    pub work: Vec<i64>,
    /// Where each caregiver's lunch break comes: before the visit at this position (the
    /// route's length: before the way back). Moved by [`Self::place_breaks`].
    pub brk_pos: Vec<u32>,
    pub unassigned: Vec<u32>,
    pub fig: Figures,
}

/// How a trial's propagation ended.
enum Propagation {
    Done,
    /// A rule broke.
    Broken,
    /// A start fell: the insertion cannot be followed by rises alone.
    Lowered,
}

/// Reusable buffers of a trial insertion.
#[derive(Default)]
pub struct Scratch {
    /// `(visit, previous start)` of every change, to undo.
    log: Vec<(u32, i64)>,
    work: Vec<(u32, u32)>,
    /// Routes whose schedule the trial changed.
    touched: Vec<u32>,
    /// Their new working times, in the order of `touched`.
    new_work: Vec<i64>,
}

impl LinkedSolution {
    /// Every caregiver idle, every visit unassigned.
    pub fn empty(data: &Data) -> LinkedSolution {
        LinkedSolution {
            routes: vec![Vec::new(); data.n_caregivers],
            route_of: vec![None; data.n_visits],
            pos: vec![0; data.n_visits],
            start: vec![UNSET; data.n_visits],
            load: vec![0; data.n_caregivers],
            work: vec![0; data.n_caregivers],
            brk_pos: vec![0; data.n_caregivers],
            unassigned: (0..data.n_visits as u32).collect(),
            fig: Figures {
                unassigned: (0..data.n_visits).map(|v| data.weight[v]).sum(),
                ..Figures::default()
            },
        }
    }

    pub fn cost(&self, data: &Data) -> SolCost {
        self.fig.cost(data)
    }

    /// The visit's partner if it is served.
    #[inline]
    fn served_partner(&self, data: &Data, v: usize) -> Option<(usize, i64, i64)> {
        let l = data.link[v]?;
        let p = l.partner as usize;
        self.route_of[p].map(|_| (p, l.lo, l.hi))
    }

    /// When caregiver `c`, free at `t` just before position `i`, may go on: after the lunch
    /// break if it comes there; `None` if the break's window has closed.
    #[inline]
    fn past_break(&self, data: &Data, c: usize, i: usize, t: i64) -> Option<i64> {
        if self.brk_pos[c] as usize == i {
            data.past_break(c, t)
        } else {
            Some(t)
        }
    }

    /// Where caregiver `c` is free after position `i - 1` of its route: `(time, location)`.
    fn free_before(&self, data: &Data, c: usize, i: usize) -> (i64, usize) {
        match i.checked_sub(1).map(|k| self.routes[c][k] as usize) {
            None => (data.shift_start[c], data.cg_start[c]),
            Some(u) => (self.start[u] + data.duration_for(c, u), data.visit_loc[u]),
        }
    }

    /// Caregiver `c`'s `(departure, return)`: leaving late enough to arrive just as the first
    /// visit starts; `None` if idle.
    fn day(&self, data: &Data, c: usize) -> Option<(i64, i64)> {
        let route = &self.routes[c];
        let (&first, &last) = (route.first()?, route.last()?);
        let (first, last) = (first as usize, last as usize);
        let slot = data.cg_slot[c];
        let out = data.time(slot, data.cg_start[c], data.visit_loc[first]);
        let back = data.time(slot, data.visit_loc[last], data.cg_end[c]);
        let departure = data.shift_start[c].max(self.start[first] - out);
        let free = self.start[last] + data.duration_for(c, last);
        // A break that no longer fits before the way back makes the day impossible.
        let free = self.past_break(data, c, route.len(), free).unwrap_or(i64::MAX / 4);
        Some((departure, free + back))
    }

    /// Caregiver `c`'s working time (0 if idle).
    fn working_time(&self, data: &Data, c: usize) -> i64 {
        self.day(data, c).map_or(0, |(departure, back)| back - departure)
    }

    /// Whether the route's end is within the shift and its duration limit.
    fn route_end_ok(&self, data: &Data, c: usize) -> bool {
        match data.max_duration[c] {
            // Only the return matters (the common case, kept cheap: it runs on every trial
            // whose rises reach the end of a route).
            None => self.routes[c].last().is_none_or(|&last| {
                let last = last as usize;
                let back = data.time(data.cg_slot[c], data.visit_loc[last], data.cg_end[c]);
                let free = self.start[last] + data.duration_for(c, last);
                self.past_break(data, c, self.routes[c].len(), free)
                    .is_some_and(|t| t + back <= data.shift_end[c])
            }),
            Some(limit) => self.day(data, c).is_none_or(|(departure, back)| {
                back <= data.shift_end[c] && back - departure <= limit
            }),
        }
    }

    /// Recomputes the whole schedule and every figure; `false` if the routes admit no
    /// schedule (a window missed, a shift overrun, or partners waiting on each other).
    pub fn evaluate(&mut self, data: &Data) -> bool {
        for r in &self.routes {
            for &v in r {
                self.start[v as usize] = UNSET;
            }
        }
        // Each pass settles at least one more link of any chain of waits; more passes
        // than links mean a cycle of waits.
        let max_passes =
            self.routes.iter().flatten().filter(|&&v| data.link[v as usize].is_some()).count() + 2;
        let mut passes = 0;
        loop {
            let mut changed = false;
            for c in 0..self.routes.len() {
                let slot = data.cg_slot[c];
                let (mut t, mut loc) = (data.shift_start[c], data.cg_start[c]);
                for i in 0..self.routes[c].len() {
                    let v = self.routes[c][i] as usize;
                    let to = data.visit_loc[v];
                    let Some(after) = self.past_break(data, c, i, t) else {
                        return false;
                    };
                    let mut lower = after + data.time(slot, loc, to);
                    if let Some((p, _, hi)) = self.served_partner(data, v) {
                        if self.start[p] != UNSET {
                            lower = lower.max(self.start[p] - hi);
                        }
                    }
                    let Some(st) = data.start_at(v, lower) else {
                        return false;
                    };
                    if st != self.start[v] {
                        self.start[v] = st;
                        changed = true;
                    }
                    t = st + data.duration_for(c, v);
                    loc = to;
                }
            }
            passes += 1;
            if !changed {
                break;
            }
            if passes > max_passes {
                return false;
            }
        }
        self.refigure(data)
    }

    /// Recomputes the figures from the schedule and checks the static rules.
    fn refigure(&mut self, data: &Data) -> bool {
        let mut fig = Figures {
            unassigned: self.unassigned.iter().map(|&v| data.weight[v as usize]).sum(),
            ..Figures::default()
        };
        for c in 0..self.routes.len() {
            if self.routes[c].is_empty() {
                continue;
            }
            fig.routes_used += 1;
            let slot = data.cg_slot[c];
            let mut loc = data.cg_start[c];
            let mut load = 0;
            for &v in &self.routes[c] {
                let v = v as usize;
                let to = data.visit_loc[v];
                if data.time(slot, loc, to) > data.max_leg {
                    return false;
                }
                fig.arcs += data.cost(slot, loc, to);
                fig.non_preferred += i64::from(data.non_preferred(c, v));
                let late = data.lateness(v, self.start[v]);
                fig.lateness_total += late;
                fig.lateness_max = fig.lateness_max.max(late);
                load += data.demand[v];
                loc = to;
            }
            let end = data.cg_end[c];
            if data.time(slot, loc, end) > data.max_leg || load > data.capacity[c] {
                return false;
            }
            fig.arcs += data.cost(slot, loc, end);
            self.load[c] = load;
            if !self.route_end_ok(data, c) {
                return false;
            }
        }
        if data.prices_working_time() {
            for c in 0..self.routes.len() {
                self.work[c] = self.working_time(data, c);
                fig.overtime += overtime(data, c, self.work[c]);
            }
            fig.spread = spread(data, self.work.iter().copied());
        }
        self.fig = fig;
        true
    }

    /// Whether removing `v` keeps its route's legs within the leg limit (unserved: true).
    pub fn can_remove(&self, data: &Data, v: usize) -> bool {
        let Some(c) = self.route_of[v].map(|c| c as usize) else {
            return true;
        };
        let (route, i) = (&self.routes[c], self.pos[v] as usize);
        let prev = match i {
            0 => data.cg_start[c],
            _ => data.visit_loc[route[i - 1] as usize],
        };
        let next = route.get(i + 1).map_or(data.cg_end[c], |&w| data.visit_loc[w as usize]);
        // An emptied route has no legs at all.
        route.len() == 1 || data.time(data.cg_slot[c], prev, next) <= data.max_leg
    }

    /// Removes served visit `v` (the schedule is stale until [`Self::evaluate`]).
    pub fn remove(&mut self, data: &Data, v: usize) {
        let Some(c) = self.route_of[v].map(|c| c as usize) else {
            return;
        };
        let i = self.pos[v] as usize;
        self.routes[c].remove(i);
        for k in i..self.routes[c].len() {
            self.pos[self.routes[c][k] as usize] = k as u32;
        }
        if (i as u32) < self.brk_pos[c] {
            self.brk_pos[c] -= 1;
        }
        self.route_of[v] = None;
        self.load[c] -= data.demand[v];
        self.unassigned.push(v as u32);
    }

    /// Inserts unassigned visit `v` at position `i` of caregiver `c`'s route and returns the
    /// new figures, or `None` if a rule breaks. Unless `commit`, everything is undone.
    pub fn try_insert(
        &mut self,
        data: &Data,
        v: usize,
        c: usize,
        i: usize,
        commit: bool,
        scratch: &mut Scratch,
    ) -> Option<Figures> {
        if !data.can_serve(c, v) || self.load[c] + data.demand[v] > data.capacity[c] {
            return None;
        }
        if let Some((p, _, _)) = self.served_partner(data, v) {
            if self.route_of[p] == Some(c as u32) {
                return None;
            }
        }
        let slot = data.cg_slot[c];
        let route = &self.routes[c];
        let prev = match i {
            0 => data.cg_start[c],
            _ => data.visit_loc[route[i - 1] as usize],
        };
        let next = route.get(i).map_or(data.cg_end[c], |&w| data.visit_loc[w as usize]);
        let here = data.visit_loc[v];
        if data.time(slot, prev, here) > data.max_leg || data.time(slot, here, next) > data.max_leg
        {
            return None;
        }
        let mut fig = self.fig;
        fig.arcs += data.cost(slot, prev, here) + data.cost(slot, here, next);
        if route.is_empty() {
            // An idle caregiver travels nothing, not the start-to-end leg.
            fig.routes_used += 1;
        } else {
            fig.arcs -= data.cost(slot, prev, next);
        }
        fig.unassigned -= data.weight[v];
        fig.non_preferred += i64::from(data.non_preferred(c, v));

        self.routes[c].insert(i, v as u32);
        for k in i..self.routes[c].len() {
            self.pos[self.routes[c][k] as usize] = k as u32;
        }
        // The break stays after the same visit, so a visit inserted at the break's place
        // comes after it: the caregiver still starts the break as early as before, and only
        // then travels, via the new visit (rises only, by the triangle inequality).
        let old_brk = self.brk_pos[c];
        if (i as u32) < old_brk {
            self.brk_pos[c] += 1;
        } else if self.routes[c].len() == 1 {
            // A first visit: the break after it if it may start before the break's window
            // opens (a morning visit), else before leaving. `place_breaks` may move it.
            let morning = data.brk[c]
                .is_some_and(|(open, _, _)| data.windows(v).first().is_some_and(|w| w.0 < open));
            self.brk_pos[c] = u32::from(morning);
        }
        self.route_of[v] = Some(c as u32);
        self.start[v] = UNSET;
        scratch.log.clear();
        scratch.touched.clear();
        scratch.touched.push(c as u32);
        let ok = match self.propagate(data, c, i, &mut fig, scratch) {
            Propagation::Done => {
                self.day_figures(data, &mut fig, scratch);
                true
            }
            Propagation::Broken => false,
            Propagation::Lowered => {
                // Rises alone cannot describe this insertion (non-metric travel times):
                // reschedule a copy in full.
                for &(w, old) in scratch.log.iter().rev() {
                    self.start[w as usize] = old;
                }
                scratch.log.clear();
                let mut full = self.clone();
                full.load[c] += data.demand[v];
                if let Some(k) = full.unassigned.iter().position(|&w| w as usize == v) {
                    full.unassigned.swap_remove(k);
                }
                let ok = full.evaluate(data);
                fig = full.fig;
                if ok && commit {
                    *self = full;
                    return Some(fig);
                }
                ok
            }
        };
        if ok && commit {
            for (&d, &w) in scratch.touched.iter().zip(&scratch.new_work) {
                self.work[d as usize] = w;
            }
            self.load[c] += data.demand[v];
            if let Some(k) = self.unassigned.iter().position(|&w| w as usize == v) {
                self.unassigned.swap_remove(k);
            }
            self.fig = fig;
            return Some(fig);
        }
        for &(w, old) in scratch.log.iter().rev() {
            self.start[w as usize] = old;
        }
        self.routes[c].remove(i);
        for k in i..self.routes[c].len() {
            self.pos[self.routes[c][k] as usize] = k as u32;
        }
        self.brk_pos[c] = old_brk;
        self.route_of[v] = None;
        ok.then_some(fig)
    }

    /// Updates overtime and spread for the routes a trial touched (their new working times
    /// go to `scratch.new_work`).
    fn day_figures(&self, data: &Data, fig: &mut Figures, scratch: &mut Scratch) {
        scratch.new_work.clear();
        if !data.prices_working_time() {
            // Working times stay as they were computed in full; nothing depends on them.
            scratch.touched.clear();
            return;
        }
        for &d in &scratch.touched {
            let d = d as usize;
            let w = self.working_time(data, d);
            fig.overtime += overtime(data, d, w) - overtime(data, d, self.work[d]);
            scratch.new_work.push(w);
        }
        if data.soft.working_spread > 0 {
            let changed = |d: usize| scratch.touched.iter().position(|&t| t as usize == d);
            fig.spread = spread(
                data,
                (0..self.work.len())
                    .map(|d| changed(d).map_or(self.work[d], |k| scratch.new_work[k])),
            );
        }
    }

    /// Pushes start-time rises from position `i` of route `c` through routes and partners;
    /// updates the lateness figures.
    fn propagate(
        &mut self,
        data: &Data,
        c: usize,
        i: usize,
        fig: &mut Figures,
        scratch: &mut Scratch,
    ) -> Propagation {
        // A chain of waits crossing more links than there are must be a cycle.
        let max_updates = 4 * (data.n_visits + 1);
        let mut updates = 0;
        scratch.work.clear();
        scratch.work.push((c as u32, i as u32));
        while let Some((c, i)) = scratch.work.pop() {
            let (c, i) = (c as usize, i as usize);
            let slot = data.cg_slot[c];
            let (mut t, mut loc) = self.free_before(data, c, i);
            let mut reached_end = true;
            for j in i..self.routes[c].len() {
                let v = self.routes[c][j] as usize;
                let to = data.visit_loc[v];
                let Some(after) = self.past_break(data, c, j, t) else {
                    return Propagation::Broken;
                };
                let mut lower = after + data.time(slot, loc, to);
                let partner = self.served_partner(data, v);
                if let Some((p, _, hi)) = partner {
                    if self.start[p] != UNSET {
                        lower = lower.max(self.start[p] - hi);
                    }
                }
                let Some(st) = data.start_at(v, lower) else {
                    return Propagation::Broken;
                };
                if st < self.start[v] {
                    // Only travel times breaking the triangle inequality can do this.
                    return Propagation::Lowered;
                }
                if st == self.start[v] {
                    // Unchanged from here on (only the route's duration may change, when
                    // its first visit moved).
                    reached_end = data.max_duration[c].is_some();
                    break;
                }
                updates += 1;
                if updates > max_updates {
                    return Propagation::Broken;
                }
                let old = self.start[v];
                scratch.log.push((v as u32, old));
                if !scratch.touched.contains(&(c as u32)) {
                    scratch.touched.push(c as u32);
                }
                self.start[v] = st;
                let late = data.lateness(v, st);
                fig.lateness_total += late - if old == UNSET { 0 } else { data.lateness(v, old) };
                fig.lateness_max = fig.lateness_max.max(late);
                if let Some((p, lo, _)) = partner {
                    if self.start[p] != UNSET && self.start[p] < st + lo {
                        scratch.work.push((self.route_of[p].unwrap_or(0), self.pos[p]));
                    }
                }
                t = st + data.duration_for(c, v);
                loc = to;
            }
            if reached_end && !self.route_end_ok(data, c) {
                return Propagation::Broken;
            }
        }
        Propagation::Done
    }

    /// Moves the lunch break of each of `routes` to where the plan costs least (a full
    /// reschedule per position tried; the current place is kept on ties and when nothing
    /// else fits). The solution must be feasible on entry; it stays so.
    pub fn place_breaks(&mut self, data: &Data, routes: &[usize]) {
        for &c in routes {
            if data.brk[c].is_none() || self.routes[c].is_empty() {
                continue;
            }
            let (mut best_pos, mut best_cost) = (self.brk_pos[c], self.cost(data));
            for p in 0..=self.routes[c].len() as u32 {
                if p == best_pos {
                    continue;
                }
                self.brk_pos[c] = p;
                if self.evaluate(data) && self.cost(data) < best_cost {
                    (best_pos, best_cost) = (p, self.cost(data));
                }
            }
            self.brk_pos[c] = best_pos;
            let ok = self.evaluate(data);
            debug_assert!(ok, "the kept break position was feasible");
        }
    }

    /// Debug aid: the incremental figures equal a full recomputation.
    #[cfg(test)]
    pub fn is_consistent(&self, data: &Data) -> bool {
        let mut copy = self.clone();
        let ok = copy.evaluate(data);
        if !ok || copy.fig != self.fig || copy.start != self.start {
            let diff: Vec<(usize, i64, i64)> = (0..data.n_visits)
                .filter(|&v| copy.start[v] != self.start[v])
                .map(|v| (v, self.start[v], copy.start[v]))
                .collect();
            eprintln!("evaluate {ok}: {:?} vs {:?}; starts differ {diff:?}", self.fig, copy.fig);
            for &(v, _, _) in &diff {
                if let Some(c) = self.route_of[v] {
                    let c = c as usize;
                    let r: Vec<(u32, i64, i64)> = self.routes[c]
                        .iter()
                        .map(|&w| (w, self.start[w as usize], copy.start[w as usize]))
                        .collect();
                    eprintln!(
                        "  route {c} brk_pos {} brk {:?}: {r:?} link {:?}",
                        self.brk_pos[c], data.brk[c], data.link[v]
                    );
                }
            }
            return false;
        }
        true
    }
}

/// Working time beyond caregiver `c`'s contracted hours.
fn overtime(data: &Data, c: usize, work: i64) -> i64 {
    cost::overtime(Seconds(work), data.contracted[c].map(Seconds)).0
}

/// The fairness figure (longest minus shortest working time), if it is priced.
fn spread(data: &Data, work: impl Iterator<Item = i64>) -> i64 {
    if data.soft.working_spread == 0 {
        return 0;
    }
    cost::working_spread(work.map(Seconds)).0
}

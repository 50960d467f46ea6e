//! A solution in the search: one route per caregiver (possibly empty), the unassigned
//! visits, and the hierarchical cost kept up to date by the operations below.

use crate::route::data::FREE;
use crate::route::{Data, RouteState, SolCost};

#[derive(Debug)]
pub struct Solution {
    pub routes: Vec<RouteState>,
    /// The route serving each visit.
    pub route_of: Vec<Option<u32>>,
    /// Visits not served, in no particular (but deterministic) order.
    pub unassigned: Vec<u32>,
    pub cost: SolCost,
    /// What the terms over the whole day cost (part of `cost.objective`; see
    /// [`Data::global_terms`]).
    global: i64,
}

// Hand-written so that `clone_from` reuses buffers (see `RouteState`).
impl Clone for Solution {
    fn clone(&self) -> Solution {
        Solution {
            routes: self.routes.clone(),
            route_of: self.route_of.clone(),
            unassigned: self.unassigned.clone(),
            cost: self.cost,
            global: self.global,
        }
    }

    fn clone_from(&mut self, src: &Solution) {
        self.routes.clone_from(&src.routes);
        self.route_of.clone_from(&src.route_of);
        self.unassigned.clone_from(&src.unassigned);
        self.cost = src.cost;
        self.global = src.global;
    }
}

impl Solution {
    /// Every caregiver idle, every visit unassigned.
    pub fn empty(data: &Data) -> Solution {
        let mut s = Solution {
            routes: (0..data.n_caregivers).map(RouteState::new).collect(),
            route_of: vec![None; data.n_visits],
            unassigned: (0..data.n_visits as u32).collect(),
            cost: SolCost::default(),
            global: 0,
        };
        s.recompute_cost(data);
        s
    }

    pub fn recompute_cost(&mut self, data: &Data) {
        self.global = self.global_price(data);
        self.cost = SolCost {
            unassigned: self.unassigned.iter().map(|&v| data.weight[v as usize]).sum(),
            objective: self.routes.iter().map(|r| r.cost(data)).sum::<i64>() + self.global,
        };
    }

    fn global_price(&self, data: &Data) -> i64 {
        match data.global_terms {
            true => data.global_price(self.routes.iter().map(|r| (r.late_max, r.working))),
            false => 0,
        }
    }

    /// How much the terms over the whole day would change if route `r` became `new`.
    pub fn global_change(&self, data: &Data, r: usize, new: &RouteState) -> i64 {
        let figures = self.routes.iter().enumerate().map(|(k, route)| match k == r {
            true => (new.late_max, new.working),
            false => (route.late_max, route.working),
        });
        data.global_price(figures) - self.global
    }

    /// Brings the terms over the whole day up to date after routes changed: O(routes),
    /// once per applied change, never per evaluated move.
    fn reprice_global(&mut self, data: &Data) {
        if data.global_terms {
            let global = self.global_price(data);
            self.cost.objective += global - self.global;
            self.global = global;
        }
    }

    /// Inserts unassigned visit `v` into route `r` at position `p` (the caller checked it).
    pub fn insert(&mut self, data: &Data, v: usize, r: usize, p: usize) {
        self.insert_pinned(data, v, r, p, FREE);
    }

    /// As [`Solution::insert`], with `v`'s start `pin`ned (or [`FREE`]).
    pub fn insert_pinned(&mut self, data: &Data, v: usize, r: usize, p: usize, pin: i64) {
        let before = self.routes[r].cost(data);
        self.routes[r].insert_pinned(data, v, p, pin);
        self.cost.objective += self.routes[r].cost(data) - before;
        self.reprice_global(data);
        self.route_of[v] = Some(r as u32);
        if let Some(i) = self.unassigned.iter().position(|&w| w as usize == v) {
            self.unassigned.swap_remove(i);
            self.cost.unassigned -= data.weight[v];
        }
    }

    /// Removes the visit at position `p` of route `r` and makes it unassigned.
    pub fn remove(&mut self, data: &Data, r: usize, p: usize) -> usize {
        let before = self.routes[r].cost(data);
        let v = self.routes[r].remove(data, p);
        self.cost.objective += self.routes[r].cost(data) - before;
        self.reprice_global(data);
        self.route_of[v] = None;
        self.unassigned.push(v as u32);
        self.cost.unassigned += data.weight[v];
        v
    }

    /// Removes the visit at position `p` of route `r` and the rest of its unit: a linked
    /// visit's partner, a pick-up's delivery, a delivery's pick-up (all or none of a unit are
    /// served); returns the visit.
    pub fn remove_unit(&mut self, data: &Data, r: usize, p: usize) -> usize {
        let v = self.remove(data, r, p);
        if let Some(w) = self.unit_partner(data, v) {
            if let Some(rw) = self.route_of[w].map(|r| r as usize) {
                if let Some(q) = self.routes[rw].position(w) {
                    self.remove(data, rw, q);
                }
            }
        }
        v
    }

    /// The served visit that must leave with `v`: its link partner, or the other end of its
    /// pair (for a delivery, whichever of its pick-ups is served).
    fn unit_partner(&self, data: &Data, v: usize) -> Option<usize> {
        if let Some(l) = data.link[v] {
            return Some(l.partner as usize);
        }
        let (p, pickup) = data.pair[v]?;
        let pair = &data.pairs[p as usize];
        match pickup {
            true => Some(pair.delivery as usize),
            false => pair.pickups.iter().map(|&u| u as usize).find(|&u| self.route_of[u].is_some()),
        }
    }

    /// Removes served visit `v` with the rest of its unit (see [`Solution::remove_unit`]),
    /// if the shortened routes stay feasible.
    pub fn try_remove(&mut self, data: &Data, v: usize) -> bool {
        let place = |sol: &Solution, w: usize| {
            let r = sol.route_of[w]? as usize;
            Some((r, sol.routes[r].position(w)?))
        };
        let Some((r, p)) = place(self, v) else {
            return false;
        };
        let partner = self.unit_partner(data, v);
        if data.is_locked(v) || partner.is_some_and(|w| data.is_locked(w)) {
            return false;
        }
        let removable = match partner.and_then(|w| place(self, w)) {
            // A pair: both ends on this route, removed together.
            Some((rw, q)) if rw == r => {
                self.routes[r].pair_removal_delta(data, [p.min(q), p.max(q)]).is_some()
            }
            // A link: each half on its own route.
            Some((rw, q)) => {
                self.routes[r].removal_delta(data, p).is_some()
                    && self.routes[rw].removal_delta(data, q).is_some()
            }
            None => self.routes[r].removal_delta(data, p).is_some(),
        };
        if removable {
            self.remove_unit(data, r, p);
        }
        removable
    }

    /// Inserts pick-up `u` before position `i` of route `r` and its delivery `d` before
    /// position `j` (`i <= j`, positions in the route before the insertion).
    pub fn insert_pair(&mut self, data: &Data, r: usize, [u, d]: [usize; 2], [i, j]: [usize; 2]) {
        self.insert(data, u, r, i);
        self.insert(data, d, r, j + 1);
    }

    /// Replaces the visits and pins of route `r` (the caller checked feasibility).
    pub fn set_route(&mut self, data: &Data, r: usize, visits: &[u32], pins: &[i64]) {
        let before = self.routes[r].cost(data);
        let route = &mut self.routes[r];
        route.visits.clear();
        route.visits.extend_from_slice(visits);
        route.pins.clear();
        route.pins.extend_from_slice(pins);
        route.update(data);
        self.cost.objective += self.routes[r].cost(data) - before;
        self.reprice_global(data);
        for &v in visits {
            self.route_of[v as usize] = Some(r as u32);
        }
    }

    /// Exchanges the visits at positions `a_span` of route `ra` with those at `b_span` of
    /// route `rb` (`ra != rb`; either span may be empty; the caller checked both routes).
    pub fn exchange(
        &mut self,
        data: &Data,
        ra: usize,
        a_span: std::ops::Range<usize>,
        rb: usize,
        b_span: std::ops::Range<usize>,
    ) {
        debug_assert_ne!(ra, rb);
        let from_a: Vec<u32> = self.routes[ra].visits[a_span.clone()].to_vec();
        let from_b: Vec<u32> = self.routes[rb].visits[b_span.clone()].to_vec();
        let before = self.routes[ra].cost(data) + self.routes[rb].cost(data);
        self.routes[ra].replace(data, a_span.start, a_span.end, &from_b);
        self.routes[rb].replace(data, b_span.start, b_span.end, &from_a);
        self.cost.objective += self.routes[ra].cost(data) + self.routes[rb].cost(data) - before;
        self.reprice_global(data);
        for &v in &from_b {
            self.route_of[v as usize] = Some(ra as u32);
        }
        for &v in &from_a {
            self.route_of[v as usize] = Some(rb as u32);
        }
    }

    /// Every link holds: both visits served by two caregivers at pinned starts the gap
    /// allows, or neither served; only linked and locked visits are pinned.
    fn links_hold(&self, data: &Data) -> bool {
        let mut start = vec![FREE; data.n_visits];
        for route in &self.routes {
            for (v, pin) in route.stops() {
                if pin != FREE && !data.is_linked(v) && !data.is_locked(v) {
                    return false;
                }
                start[v] = pin;
            }
        }
        (0..data.n_visits).all(|v| match data.link[v] {
            None => true,
            Some(l) => {
                let w = l.partner as usize;
                match (self.route_of[v], self.route_of[w]) {
                    (None, None) => true,
                    (Some(a), Some(b)) => {
                        let gap = start[w] - start[v];
                        a != b
                            && start[v] != FREE
                            && start[w] != FREE
                            && (l.lo..=l.hi).contains(&gap)
                    }
                    _ => false,
                }
            }
        })
    }

    /// Every pair is served whole or not at all: a served delivery with exactly one of its
    /// pick-ups (the route's schedule checks the order and the box), a pick-up only with its
    /// delivery.
    fn pairs_hold(&self, data: &Data) -> bool {
        data.pairs.iter().all(|p| {
            let picked = p.pickups.iter().filter(|&&u| self.route_of[u as usize].is_some()).count();
            let delivered = self.route_of[p.delivery as usize].is_some();
            picked == usize::from(delivered)
        })
    }

    /// Number of routes with at least one visit.
    pub fn routes_used(&self) -> usize {
        self.routes.iter().filter(|r| !r.is_empty()).count()
    }

    /// Full consistency check, for tests and debug assertions: every visit in exactly one
    /// place, every route feasible and with skills, the cost up to date.
    pub fn is_consistent(&self, data: &Data) -> bool {
        let mut seen = vec![0u8; data.n_visits];
        for (r, route) in self.routes.iter().enumerate() {
            if route.caregiver != r || (!route.is_empty() && route.timing(data).is_none()) {
                return false;
            }
            for &v in &route.visits {
                let v = v as usize;
                seen[v] += 1;
                if self.route_of[v] != Some(r as u32) || !data.can_serve(r, v) {
                    return false;
                }
            }
        }
        for &v in &self.unassigned {
            seen[v as usize] += 1;
            if self.route_of[v as usize].is_some() {
                return false;
            }
        }
        if !self.links_hold(data) || !self.pairs_hold(data) {
            return false;
        }
        let mut fresh = self.clone();
        fresh.recompute_cost(data);
        seen.iter().all(|&n| n == 1) && fresh.cost == self.cost
    }
}

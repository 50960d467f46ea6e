//! The search for problems with pick-up-and-delivery pairs (meal rounds from canteens; the
//! Li & Lim PDPTW): ruin and recreate over *orders* — a pair (one of its pick-ups and its
//! delivery, inserted together on one route) or a single visit — with simulated-annealing
//! acceptance as the other searches. Each trial re-evaluates the whole route
//! ([`route::evaluate`]); the lunch break is placed only for the best trials.

mod route;

use crate::env::Environment;
use crate::eval::{Data, SolCost};
use crate::model::{Plan, Problem, ReasonCode};
use crate::search::anneal::{accept, Anneal};
use crate::search::diagnose::diagnose;
use crate::search::output::{build_plan, TimedRoute};
use crate::travel::TravelTimes;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use route::{Lunch, Marks, Pairs};

/// Start and end temperature, as multiples of the first solution's mean cost per order.
const T_START: f64 = 0.5;
const T_END: f64 = 0.005;
/// Average number of orders removed per ruin.
const AVG_REMOVED: usize = 8;
/// Trials of one order kept per route for the lunch-break check, cheapest first.
const LUNCH_TRIALS: usize = 4;

#[derive(Clone)]
struct Solution {
    routes: Vec<Vec<u32>>,
    /// Each route's cost (0 if empty).
    cost: Vec<i64>,
    /// Orders (deliveries and single visits) not served.
    unassigned: Vec<u32>,
    /// Σ weight of the unassigned orders.
    unassigned_weight: i64,
}

impl Solution {
    fn total(&self) -> SolCost {
        SolCost { unassigned: self.unassigned_weight, objective: self.cost.iter().sum() }
    }
}

struct Search<'a> {
    data: &'a Data,
    pairs: &'a Pairs,
    /// Orders nobody can ever serve.
    hopeless: Vec<bool>,
    marks: Marks,
    buf: Vec<u32>,
}

/// One way to insert an order into a route: the new route and its relaxed cost.
struct Trial {
    route: usize,
    visits: Vec<u32>,
    delta: i64,
}

impl Search<'_> {
    /// Whether caregiver `c` may serve every visit of order `o` (some pick-up of a pair).
    fn eligible(&self, c: usize, o: usize) -> bool {
        if !self.data.can_serve(c, o) {
            return false;
        }
        match self.pairs.of[o] {
            Some((p, _)) => {
                self.pairs.pickups[p as usize].iter().any(|&u| self.data.can_serve(c, u as usize))
            }
            None => true,
        }
    }

    /// The cheapest insertion of order `o` into route `r` by the relaxed cost, then
    /// confirmed with the lunch break; `None` if it fits nowhere there.
    fn best_in_route(&mut self, sol: &Solution, r: usize, o: usize) -> Option<Trial> {
        let (data, pairs) = (self.data, self.pairs);
        let route = &sol.routes[r];
        let n = route.len();
        let base = sol.cost[r];
        let mut trials: Vec<(i64, Vec<u32>)> = Vec::new();
        // Evaluates the route with the order inserted (`buf`) and keeps it if it is among the
        // cheapest few.
        let mut trial = |buf: &[u32], marks: &mut Marks| -> Result<(), ReasonCode> {
            let cost = route::evaluate(data, pairs, r, buf, Lunch::Ignored, marks, None)?.cost;
            if trials.len() < LUNCH_TRIALS || cost < trials[trials.len() - 1].0 {
                let at = trials.partition_point(|t| t.0 <= cost);
                trials.insert(at, (cost, buf.to_vec()));
                trials.truncate(LUNCH_TRIALS);
            }
            Ok(())
        };
        let (buf, marks) = (&mut self.buf, &mut self.marks);
        match pairs.of[o] {
            None => {
                for i in 0..=n {
                    buf.clear();
                    buf.extend_from_slice(&route[..i]);
                    buf.push(o as u32);
                    buf.extend_from_slice(&route[i..]);
                    // An insertion that breaks a rule is simply not kept.
                    let _ = trial(buf, marks);
                }
            }
            Some((p, _)) => {
                for &u in &pairs.pickups[p as usize] {
                    if !data.can_serve(r, u as usize) {
                        continue;
                    }
                    for i in 0..=n {
                        for j in i..=n {
                            buf.clear();
                            buf.extend_from_slice(&route[..i]);
                            buf.push(u);
                            buf.extend_from_slice(&route[i..j]);
                            buf.push(o as u32);
                            buf.extend_from_slice(&route[j..]);
                            // Carrying the meal past more stops only makes it later.
                            if trial(buf, marks) == Err(ReasonCode::RideTime) {
                                break;
                            }
                        }
                    }
                }
            }
        }
        for (cost, visits) in trials {
            let confirmed = if data.brk[r].is_some() {
                route::best(data, pairs, r, &visits, &mut self.marks).ok()
            } else {
                Some(cost)
            };
            if let Some(cost) = confirmed {
                return Some(Trial { route: r, visits, delta: cost - base });
            }
        }
        None
    }

    /// Inserts the unassigned orders one by one (random order, higher priority first), each
    /// where it costs least; what fits nowhere stays unassigned.
    fn recreate(&mut self, sol: &mut Solution, rng: &mut ChaCha8Rng) {
        let mut todo = std::mem::take(&mut sol.unassigned);
        todo.shuffle(rng);
        todo.sort_by_key(|&o| std::cmp::Reverse(self.data.priority[o as usize]));
        for o in todo {
            let o_us = o as usize;
            let mut best: Option<Trial> = None;
            if !self.hopeless[o_us] {
                let mut empty_classes_tried: Vec<usize> = Vec::new();
                for r in 0..self.data.n_caregivers {
                    if !self.eligible(r, o_us) {
                        continue;
                    }
                    if sol.routes[r].is_empty() {
                        // Empty routes of one class are interchangeable.
                        let class = self.data.cg_class[r];
                        if empty_classes_tried.contains(&class) {
                            continue;
                        }
                        empty_classes_tried.push(class);
                    }
                    if let Some(t) = self.best_in_route(sol, r, o_us) {
                        if best.as_ref().is_none_or(|b| t.delta < b.delta) {
                            best = Some(t);
                        }
                    }
                }
            }
            match best {
                Some(t) => {
                    sol.cost[t.route] += t.delta;
                    sol.routes[t.route] = t.visits;
                    sol.unassigned_weight -= self.data.weight[o_us];
                }
                None => sol.unassigned.push(o),
            }
        }
    }

    /// Removes about `avg` orders: those near a random served one (by the neighbour lists),
    /// or a whole route's, or random ones.
    fn ruin(&mut self, sol: &mut Solution, rng: &mut ChaCha8Rng, avg: usize) -> bool {
        let served: Vec<u32> = sol
            .routes
            .iter()
            .flatten()
            .copied()
            .filter(|&v| self.pairs.order_of(v as usize) == v as usize)
            .collect();
        if served.is_empty() {
            return false;
        }
        let count = rng.gen_range(1..=(2 * avg).min(served.len()));
        let mut remove: Vec<usize> = Vec::with_capacity(count);
        let kind = rng.gen::<f64>();
        if kind < 0.1 {
            let used: Vec<usize> =
                (0..sol.routes.len()).filter(|&r| !sol.routes[r].is_empty()).collect();
            if let Some(&r) = used.choose(rng) {
                remove.extend(sol.routes[r].iter().map(|&v| self.pairs.order_of(v as usize)));
            }
        } else if kind < 0.25 {
            remove.extend(served.choose_multiple(rng, count).map(|&v| v as usize));
        } else {
            let seed = served[rng.gen_range(0..served.len())] as usize;
            remove.push(seed);
            for &w in &self.data.neighbours[seed] {
                if remove.len() >= count {
                    break;
                }
                let o = self.pairs.order_of(w as usize);
                if !remove.contains(&o) && !sol.unassigned.contains(&(o as u32)) {
                    remove.push(o);
                }
            }
        }
        remove.sort_unstable();
        remove.dedup();
        let mut changed = vec![false; sol.routes.len()];
        for (r, route) in sol.routes.iter_mut().enumerate() {
            let before = route.len();
            route.retain(|&v| remove.binary_search(&self.pairs.order_of(v as usize)).is_err());
            changed[r] = route.len() != before;
        }
        for &o in &remove {
            // Only served orders were picked; an unassigned neighbour stays listed once.
            if !sol.unassigned.contains(&(o as u32)) {
                sol.unassigned.push(o as u32);
                sol.unassigned_weight += self.data.weight[o];
            }
        }
        for r in (0..sol.routes.len()).filter(|&r| changed[r]) {
            // Removing stops never breaks the rules of a route (waiting is allowed), but the
            // break may move: re-place it.
            match route::best(self.data, self.pairs, r, &sol.routes[r], &mut self.marks) {
                Ok(cost) => sol.cost[r] = cost,
                Err(_) => {
                    // Cannot happen for a feasible route; stay correct if it does.
                    let orders: Vec<u32> = sol.routes[r]
                        .iter()
                        .map(|&v| self.pairs.order_of(v as usize) as u32)
                        .filter(|o| !sol.unassigned.contains(o))
                        .collect();
                    for o in orders {
                        if !sol.unassigned.contains(&o) {
                            sol.unassigned.push(o);
                            sol.unassigned_weight += self.data.weight[o as usize];
                        }
                    }
                    sol.routes[r].clear();
                    sol.cost[r] = 0;
                }
            }
        }
        true
    }
}

/// Builds a plan for a problem with pick-up-and-delivery pairs and improves it until told
/// to stop.
pub fn solve(problem: &Problem, travel: &dyn TravelTimes, env: &mut Environment) -> Plan {
    let data = Data::new(problem, travel);
    let pairs = Pairs::new(problem);
    let mut marks = Marks::default();
    let orders: Vec<u32> =
        (0..data.n_visits as u32).filter(|&v| pairs.order_of(v as usize) == v as usize).collect();
    let reasons: Vec<ReasonCode> = (0..data.n_visits)
        .map(|v| match pairs.of[v] {
            Some((p, false)) => pair_reason(&data, &pairs, p as usize, &mut marks),
            Some((_, true)) => ReasonCode::NoRoom,
            None => diagnose(&data, v),
        })
        .collect();
    let hopeless: Vec<bool> = reasons.iter().map(|r| r.is_hopeless()).collect();
    let mut search = Search { data: &data, pairs: &pairs, hopeless, marks, buf: Vec::new() };
    let mut rng = ChaCha8Rng::seed_from_u64(env.seed);
    let mut cur = Solution {
        routes: vec![Vec::new(); data.n_caregivers],
        cost: vec![0; data.n_caregivers],
        unassigned_weight: orders.iter().map(|&o| data.weight[o as usize]).sum(),
        unassigned: orders.clone(),
    };
    search.recreate(&mut cur, &mut rng);
    let mut best = cur.clone();
    report(problem, travel, &mut search, &best, &reasons, env);
    let servable = orders.iter().filter(|&&o| !search.hopeless[o as usize]).count();
    if servable == 0 || data.n_caregivers == 0 {
        return to_plan(problem, travel, &mut search, &best, &reasons);
    }
    let served = (orders.len() - cur.unassigned.len()).max(1);
    let mean = (cur.total().objective as f64 / served as f64).max(1.0);
    let avg = AVG_REMOVED.min(servable).max(1);
    let mut anneal = Anneal::new(mean * T_START, mean * T_END, 0);
    let mut cand = cur.clone();
    let mut iter = 0u64;
    loop {
        if env.stop.should_stop(iter) || env.cancel.is_cancelled() {
            break;
        }
        let (temperature, restart) = anneal.temperature(env.stop.as_ref(), iter);
        if restart {
            cur.clone_from(&best);
        }
        cand.clone_from(&cur);
        if search.ruin(&mut cand, &mut rng, avg) {
            search.recreate(&mut cand, &mut rng);
            if accept(cand.total(), cur.total(), temperature, &mut rng) {
                std::mem::swap(&mut cur, &mut cand);
                if cur.total() < best.total() {
                    best.clone_from(&cur);
                    report(problem, travel, &mut search, &best, &reasons, env);
                }
            }
        }
        iter += 1;
    }
    to_plan(problem, travel, &mut search, &best, &reasons)
}

/// Why a pair cannot be served by anyone on an otherwise empty route: the most common
/// blocking rule over every caregiver and pick-up, or `NoRoom` if one combination works.
fn pair_reason(data: &Data, pairs: &Pairs, p: usize, marks: &mut Marks) -> ReasonCode {
    let d = pairs.delivery[p] as usize;
    if let Some(reason) = data.ineligible[d] {
        return reason;
    }
    let mut counts = [0usize; ReasonCode::ALL.len()];
    let mut any = false;
    for c in 0..data.n_caregivers {
        if !data.can_serve(c, d) {
            continue;
        }
        for &u in &pairs.pickups[p] {
            if !data.can_serve(c, u as usize) {
                continue;
            }
            any = true;
            match route::best(data, pairs, c, &[u, d as u32], marks) {
                Ok(_) => return ReasonCode::NoRoom,
                Err(code) => {
                    if let Some(i) = ReasonCode::ALL.iter().position(|&k| k == code) {
                        counts[i] += 1;
                    }
                }
            }
        }
    }
    if !any {
        return ReasonCode::Skills;
    }
    let mut best = 0;
    for i in 1..counts.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    ReasonCode::ALL[best]
}

fn to_plan(
    problem: &Problem,
    travel: &dyn TravelTimes,
    search: &mut Search,
    sol: &Solution,
    reasons: &[ReasonCode],
) -> Plan {
    let (data, pairs) = (search.data, search.pairs);
    let timed: Vec<_> = sol
        .routes
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .filter_map(|(c, r)| {
            route::timed(data, pairs, c, r, &mut search.marks).map(|(day, stops)| (c, day, stops))
        })
        .collect();
    let routes = timed.into_iter().map(|(c, day, stops)| TimedRoute {
        caregiver: c,
        visits: &sol.routes[c],
        stops,
        departure: day.departure,
        return_time: day.return_time,
        lunch_break: day.lunch,
    });
    build_plan(problem, travel, routes, &sol.unassigned, reasons)
}

fn report(
    problem: &Problem,
    travel: &dyn TravelTimes,
    search: &mut Search,
    best: &Solution,
    reasons: &[ReasonCode],
    env: &mut Environment,
) {
    if env.on_improvement.is_some() {
        let plan = to_plan(problem, travel, search, best, reasons);
        if let Some(f) = env.on_improvement.as_mut() {
            f(&plan);
        }
    }
}

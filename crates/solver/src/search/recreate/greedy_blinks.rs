//! Greedy insertion with blinks (Christiaens & Vanden Berghe's SISR): visits are inserted one
//! by one at their cheapest feasible position, but each position is skipped ("blinked")
//! with a small probability so that repeated recreates explore different solutions.
//! Visits go in order of priority first, so a higher-priority visit never loses its place
//! to a lower-priority one inserted earlier.

use crate::route::{Data, RouteState};
use crate::search::solution::Solution;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Probability of skipping a position.
const BLINK_RATE: f64 = 0.01;

/// A feasible insertion and its cost change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub route: usize,
    pub position: usize,
    pub delta: i64,
}

/// Neighbours whose routes the recreate tries first: on a 1,000-visit instance a visit's
/// best place is almost always on a route through one of them, and trying only those routes
/// is ten times cheaper than trying all; every route is tried when none of them fits.
const NEAR_VISITS: usize = 40;

/// Scratch space and settings of the insertion searches, reused across calls.
#[derive(Default)]
pub struct InsertionScratch {
    /// Whether empty routes may be opened (the fleet-minimisation phase forbids it).
    pub closed_fleet: bool,
    /// Caregiver classes whose empty route was already tried.
    empty_seen: Vec<u32>,
    /// Routes to try, and a mark per route for deduplication.
    routes: Vec<u32>,
    marked: Vec<bool>,
    /// A route with a trial insertion, for the terms over the whole day.
    trial: Option<RouteState>,
}

/// The cheapest feasible insertion of `v` in `sol`, skipping each position with
/// probability `blink` (0 for a plain best insertion).
pub fn best_insertion(
    data: &Data,
    sol: &Solution,
    v: usize,
    blink: f64,
    rng: &mut ChaCha8Rng,
    scratch: &mut InsertionScratch,
) -> Option<Insertion> {
    scratch.routes.clear();
    scratch.routes.extend(0..sol.routes.len() as u32);
    best_in_routes(data, sol, v, blink, rng, scratch)
}

/// As [`best_insertion`], but first only on the routes through `v`'s nearest neighbours (and
/// one empty route per caregiver class); on every route if none of those fits.
pub fn best_insertion_near(
    data: &Data,
    sol: &Solution,
    v: usize,
    blink: f64,
    rng: &mut ChaCha8Rng,
    scratch: &mut InsertionScratch,
) -> Option<Insertion> {
    scratch.marked.clear();
    scratch.marked.resize(sol.routes.len(), false);
    scratch.routes.clear();
    for &w in data.neighbours[v].iter().take(NEAR_VISITS) {
        if let Some(r) = sol.route_of[w as usize] {
            if !std::mem::replace(&mut scratch.marked[r as usize], true) {
                scratch.routes.push(r);
            }
        }
    }
    if !scratch.closed_fleet {
        scratch
            .routes
            .extend((0..sol.routes.len() as u32).filter(|&r| sol.routes[r as usize].is_empty()));
    }
    // Route order decides ties; keep it the plain one, as in the full search.
    scratch.routes.sort_unstable();
    best_in_routes(data, sol, v, blink, rng, scratch)
        .or_else(|| best_insertion(data, sol, v, blink, rng, scratch))
}

fn best_in_routes(
    data: &Data,
    sol: &Solution,
    v: usize,
    blink: f64,
    rng: &mut ChaCha8Rng,
    scratch: &mut InsertionScratch,
) -> Option<Insertion> {
    let mut best: Option<Insertion> = None;
    // Positions to go before the next blink: one draw per blink, not one per position.
    let mut next_blink = blink_gap(blink, rng);
    // Empty routes of one caregiver class are interchangeable: try the first only.
    scratch.empty_seen.clear();
    for &r in &scratch.routes {
        let r = r as usize;
        let route = &sol.routes[r];
        if !data.can_serve(r, v)
            || !first_of_class(data, sol, r, None, &mut scratch.empty_seen, scratch.closed_fleet)
        {
            continue;
        }
        // Where the terms over the whole day are priced, each route's best place is priced
        // with them before routes are compared (the fairness spread is about which route).
        let mut here: Option<Insertion> = None;
        for p in 0..=route.len() {
            if next_blink == 0 {
                next_blink = blink_gap(blink, rng);
                continue;
            }
            next_blink -= 1;
            // The cheapest place of this route; without terms over the whole day, only one
            // that beats every route before it matters.
            let bound = match (here, data.global_terms) {
                (Some(h), _) => h.delta,
                (None, true) => i64::MAX,
                (None, false) => best.map_or(i64::MAX, |b| b.delta),
            };
            if let Some(delta) = route.insertion_delta_below(data, v, p, bound) {
                here = Some(Insertion { route: r, position: p, delta });
            }
        }
        if let Some(mut ins) = here {
            if data.global_terms {
                let trial = scratch.trial.get_or_insert_with(|| RouteState::new(r));
                trial.clone_from(route);
                trial.insert(data, v, ins.position);
                ins.delta += sol.global_change(data, r, trial);
            }
            if best.is_none_or(|b| ins.delta < b.delta) {
                best = Some(ins);
            }
        }
    }
    best
}

/// A linked pair's feasible placement: each visit's route, position and pinned start, and
/// the cost change of both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairInsertion {
    pub places: [(usize, usize, usize, i64); 2],
    pub delta: i64,
}

/// Places of a pair's first visit from which the partner's place is searched.
const PAIR_CANDIDATES: usize = 3;

/// The cheapest placement found for linked visits `a` and `b` (both unassigned) on two
/// caregivers' routes, starts pinned so that the link's gap holds. Each visit in turn goes
/// first: its [`PAIR_CANDIDATES`] cheapest places (skipping each with probability `blink`),
/// then, for each, the partner's best place on another route whose range of starts meets
/// the first's through the gap; both starts as early as that allows. Each route is then
/// priced exactly with its pinned visit.
pub fn best_pair_insertion(
    data: &Data,
    sol: &Solution,
    [a, b]: [usize; 2],
    blink: f64,
    rng: &mut ChaCha8Rng,
    scratch: &mut InsertionScratch,
) -> Option<PairInsertion> {
    let mut best: Option<PairInsertion> = None;
    for (x, y) in [(a, b), (b, a)] {
        // `start[y] - start[x]` must lie in `lo..=hi`.
        let link = data.link[x]?;
        let mut firsts: Vec<(i64, usize, usize)> = Vec::with_capacity(PAIR_CANDIDATES + 1);
        let mut next_blink = blink_gap(blink, rng);
        scratch.empty_seen.clear();
        for r in 0..sol.routes.len() {
            let route = &sol.routes[r];
            if !data.can_serve(r, x)
                || !first_of_class(
                    data,
                    sol,
                    r,
                    None,
                    &mut scratch.empty_seen,
                    scratch.closed_fleet,
                )
            {
                continue;
            }
            for p in 0..=route.len() {
                if next_blink == 0 {
                    next_blink = blink_gap(blink, rng);
                    continue;
                }
                next_blink -= 1;
                let bound = match firsts.len() {
                    PAIR_CANDIDATES => firsts[PAIR_CANDIDATES - 1].0,
                    _ => i64::MAX,
                };
                if let Some(delta) = route.insertion_delta_below(data, x, p, bound) {
                    let at = firsts.partition_point(|f| f.0 <= delta);
                    firsts.insert(at, (delta, r, p));
                    firsts.truncate(PAIR_CANDIDATES);
                }
            }
        }
        for &(_, r, p) in &firsts {
            let Some(range_x) = sol.routes[r].start_range(data, x, p) else { continue };
            scratch.empty_seen.clear();
            for r2 in 0..sol.routes.len() {
                if r2 == r
                    || !data.can_serve(r2, y)
                    || !first_of_class(
                        data,
                        sol,
                        r2,
                        Some(r),
                        &mut scratch.empty_seen,
                        scratch.closed_fleet,
                    )
                {
                    continue;
                }
                let other = &sol.routes[r2];
                for q in 0..=other.len() {
                    let Some(range_y) = other.start_range(data, y, q) else { continue };
                    let Some((sx, sy)) = pinned_starts(data, x, range_x, y, range_y, link) else {
                        continue;
                    };
                    let bound = best.map_or(i64::MAX, |b| b.delta);
                    let Some(dx) = sol.routes[r].insertion_delta_pinned(data, x, p, sx, bound)
                    else {
                        continue;
                    };
                    let Some(dy) =
                        other.insertion_delta_pinned(data, y, q, sy, bound.saturating_sub(dx))
                    else {
                        continue;
                    };
                    best = Some(PairInsertion {
                        places: [(x, r, p, sx), (y, r2, q, sy)],
                        delta: dx + dy,
                    });
                }
            }
        }
    }
    best
}

/// A meal pair's feasible placement on one route: pick-up `pickup` (one of the pair's
/// canteens) before position `positions[0]`, the delivery before `positions[1]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MealInsertion {
    pub route: usize,
    pub pickup: usize,
    pub positions: [usize; 2],
    pub delta: i64,
}

/// The cheapest placement of unassigned delivery `d` with one of its pick-ups on one route,
/// the pick-up first, skipping each pick-up position with probability `blink`.
pub fn best_meal_insertion(
    data: &Data,
    sol: &Solution,
    d: usize,
    blink: f64,
    rng: &mut ChaCha8Rng,
    scratch: &mut InsertionScratch,
) -> Option<MealInsertion> {
    let mut best: Option<MealInsertion> = None;
    let mut next_blink = blink_gap(blink, rng);
    let mut skip = || {
        if next_blink == 0 {
            next_blink = blink_gap(blink, rng);
            return true;
        }
        next_blink -= 1;
        false
    };
    scratch.empty_seen.clear();
    for r in 0..sol.routes.len() {
        if !data.can_serve(r, d)
            || !first_of_class(data, sol, r, None, &mut scratch.empty_seen, scratch.closed_fleet)
        {
            continue;
        }
        let route = &sol.routes[r];
        // Without terms over the whole day, only a place that beats every route before
        // matters; with them, each route's cheapest is priced with them first.
        let bound = match data.global_terms {
            true => i64::MAX,
            false => best.map_or(i64::MAX, |b| b.delta),
        };
        if let Some(mut ins) = best_meal_place(data, route, d, bound, &mut skip) {
            if data.global_terms {
                let trial = scratch.trial.get_or_insert_with(|| RouteState::new(r));
                trial.clone_from(route);
                trial.insert(data, ins.pickup, ins.positions[0]);
                trial.insert(data, d, ins.positions[1] + 1);
                ins.delta += sol.global_change(data, r, trial);
            }
            if best.is_none_or(|b| ins.delta < b.delta) {
                best = Some(ins);
            }
        }
    }
    best
}

/// The cheapest place on `route` for delivery `d` with one of its pick-ups the route's
/// caregiver may serve, below `bound`; pick-up positions for which `skip()` says so, or
/// that the route's caches rule out, are not tried. For each pick-up position, the
/// delivery's positions are tried in order until the shortest possible ride exceeds the
/// limit.
pub fn best_meal_place(
    data: &Data,
    route: &RouteState,
    d: usize,
    bound: i64,
    mut skip: impl FnMut() -> bool,
) -> Option<MealInsertion> {
    let (p, _) = data.pair[d]?;
    let pair = &data.pairs[p as usize];
    let (c, n) = (route.caregiver, route.len());
    let slot = data.cg_slot[c];
    let mut best: Option<MealInsertion> = None;
    for &u in &pair.pickups {
        let u = u as usize;
        if !data.can_serve(c, u) {
            continue;
        }
        for i in 0..=n {
            if skip() {
                continue;
            }
            let fits = route.start_range(data, u, i).is_some_and(|(earliest, latest)| {
                data.start_at(u, earliest).is_some_and(|s| s <= latest)
            });
            if !fits {
                continue;
            }
            // The shortest ride if the delivery goes before position `j`: the legs and
            // services between, no waiting.
            let mut ride = 0;
            let mut from = data.visit_loc[u];
            for j in i..=n {
                if ride + data.time(slot, from, data.visit_loc[d]) > pair.max_ride {
                    break;
                }
                let below = best.map_or(bound, |b| b.delta);
                if let Some(delta) = route.pair_insertion_delta(data, [u, d], [i, j], below) {
                    best = Some(MealInsertion { route: c, pickup: u, positions: [i, j], delta });
                }
                if j < n {
                    let w = route.visits[j] as usize;
                    ride += data.time(slot, from, data.visit_loc[w]) + data.duration_for(c, w);
                    from = data.visit_loc[w];
                }
            }
        }
    }
    best
}

/// Whether route `r` is worth trying: any used route, or the first empty route of its
/// caregiver class not yet tried (other than `taken`, the partner's route).
fn first_of_class(
    data: &Data,
    sol: &Solution,
    r: usize,
    taken: Option<usize>,
    empty_seen: &mut Vec<u32>,
    closed_fleet: bool,
) -> bool {
    if !sol.routes[r].is_empty() {
        return true;
    }
    if closed_fleet || taken == Some(r) {
        return false;
    }
    let class = data.cg_class[r] as u32;
    if empty_seen.contains(&class) {
        return false;
    }
    empty_seen.push(class);
    true
}

/// The earliest starts of `x` in `range_x` and `y` in `range_y`, each inside one of its
/// windows, with `start_y - start_x` in the link's `lo..=hi`.
fn pinned_starts(
    data: &Data,
    x: usize,
    range_x: (i64, i64),
    y: usize,
    range_y: (i64, i64),
    link: crate::rules::links::LinkEnd,
) -> Option<(i64, i64)> {
    let clip = |w: &(i64, i64), r: (i64, i64)| {
        let (lo, hi) = (w.0.max(r.0), w.1.min(r.1));
        (lo <= hi).then_some((lo, hi))
    };
    for wx in data.windows(x).iter().filter_map(|w| clip(w, range_x)) {
        for wy in data.windows(y).iter().filter_map(|w| clip(w, range_y)) {
            let lo = wx.0.max(wy.0 - link.hi);
            let hi = wx.1.min(wy.1 - link.lo);
            if lo <= hi {
                return Some((lo, wy.0.max(lo + link.lo)));
            }
        }
    }
    None
}

/// Positions until the next blink: geometric with success probability `blink`, which skips
/// each position independently with that probability; never for `blink <= 0`.
fn blink_gap(blink: f64, rng: &mut ChaCha8Rng) -> u64 {
    if blink <= 0.0 {
        return u64::MAX;
    }
    let u: f64 = 1.0 - rng.gen::<f64>(); // in (0, 1]
    (u.ln() / (1.0 - blink.min(0.5)).ln()).floor().min(u64::MAX as f64) as u64
}

/// How removed visits are ordered before reinsertion (SISR's four orders).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Random,
    DemandDesc,
    FarFirst,
    CloseFirst,
}

/// Reinserts every unassigned visit that some caregiver has the skills and capacity for.
/// `hopeless[v]` marks visits no caregiver can ever serve.
pub fn recreate(data: &Data, sol: &mut Solution, rng: &mut ChaCha8Rng, hopeless: &[bool]) {
    recreate_with(data, sol, rng, hopeless, BLINK_RATE, false)
}

/// As [`recreate`], with the blink rate given and, if `closed_fleet`, only into routes that
/// already serve someone.
pub fn recreate_with(
    data: &Data,
    sol: &mut Solution,
    rng: &mut ChaCha8Rng,
    hopeless: &[bool],
    blink: f64,
    closed_fleet: bool,
) {
    let mut todo: Vec<u32> =
        sol.unassigned.iter().copied().filter(|&v| !hopeless[v as usize]).collect();
    if todo.is_empty() {
        return;
    }
    todo.sort_unstable();
    let order = match rng.gen_range(0..11) {
        0..=3 => Order::Random,
        4..=7 => Order::DemandDesc,
        8..=9 => Order::FarFirst,
        _ => Order::CloseFirst,
    };
    // Distance from the first caregiver's start stands in for "distance from the depot".
    let depot = data.cg_start.first().copied().unwrap_or(0);
    let far = |v: u32| data.cost(0, depot, data.visit_loc[v as usize]);
    match order {
        Order::Random => {
            for i in (1..todo.len()).rev() {
                todo.swap(i, rng.gen_range(0..=i));
            }
        }
        Order::DemandDesc => todo.sort_by_key(|&v| std::cmp::Reverse(data.demand[v as usize])),
        Order::FarFirst => todo.sort_by_key(|&v| std::cmp::Reverse(far(v))),
        Order::CloseFirst => todo.sort_by_key(|&v| far(v)),
    }
    // Stable: priority first, the order above within a priority.
    todo.sort_by_key(|&v| std::cmp::Reverse(data.priority[v as usize]));
    let mut scratch = InsertionScratch { closed_fleet, ..InsertionScratch::default() };
    for v in todo {
        insert_one(data, sol, v as usize, blink, rng, &mut scratch);
    }
}

/// Inserts unassigned visit `v` where it costs least: alone, or with its partner if it is
/// linked (once, when the first of the two comes; a half whose partner is served stays
/// out: halves only leave together), or with one of its pick-ups if it is a meal's
/// delivery (a pick-up is never inserted on its own).
pub fn insert_one(
    data: &Data,
    sol: &mut Solution,
    v: usize,
    blink: f64,
    rng: &mut ChaCha8Rng,
    scratch: &mut InsertionScratch,
) {
    if sol.route_of[v].is_some() {
        return;
    }
    match data.link[v] {
        None if data.pair[v].is_some() => {
            if data.is_pickup(v) {
                return;
            }
            if let Some(ins) = best_meal_insertion(data, sol, v, blink, rng, scratch) {
                sol.insert_pair(data, ins.route, [ins.pickup, v], ins.positions);
            }
        }
        None => {
            if let Some(ins) = best_insertion_near(data, sol, v, blink, rng, scratch) {
                sol.insert(data, v, ins.route, ins.position);
            }
        }
        Some(link) => {
            let w = link.partner as usize;
            if sol.route_of[w].is_some() {
                return;
            }
            if let Some(pair) = best_pair_insertion(data, sol, [v, w], blink, rng, scratch) {
                for (x, r, p, start) in pair.places {
                    sol.insert_pinned(data, x, r, p, start);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::ruin::ruin_random;
    use crate::search::testutil;

    /// Without blinks the best insertion is the cheapest feasible place over every route
    /// and position, on plain days and with terms over the whole day.
    #[test]
    fn best_insertion_is_the_cheapest_place() {
        for make in [testutil::problem, testutil::soft_problem, testutil::global_problem] {
            for seed in 0..20 {
                let (p, t) = make(seed, 30);
                let data = Data::new(&p, &t);
                let mut sol = testutil::solution(&data, seed);
                ruin_random(&data, &mut sol, &mut testutil::rng(seed), 6);
                let mut scratch = InsertionScratch::default();
                for &v in &sol.unassigned {
                    let v = v as usize;
                    let mut cheapest: Option<i64> = None;
                    for (r, route) in sol.routes.iter().enumerate() {
                        if !data.can_serve(r, v) {
                            continue;
                        }
                        for q in 0..=route.len() {
                            let Some(mut d) = route.insertion_delta_below(&data, v, q, i64::MAX)
                            else {
                                continue;
                            };
                            if data.global_terms {
                                let mut trial = route.clone();
                                trial.insert(&data, v, q);
                                d += sol.global_change(&data, r, &trial);
                            }
                            cheapest = Some(cheapest.map_or(d, |c| c.min(d)));
                        }
                    }
                    let found =
                        best_insertion(&data, &sol, v, 0.0, &mut testutil::rng(1), &mut scratch);
                    if data.global_terms {
                        // Each route's place is its cheapest by its own cost, then priced
                        // with the whole day's terms: never better than the true cheapest.
                        assert!(found.map(|f| f.delta) >= cheapest, "seed {seed} visit {v}");
                        assert_eq!(found.is_some(), cheapest.is_some());
                    } else {
                        assert_eq!(found.map(|f| f.delta), cheapest, "seed {seed} visit {v}");
                    }
                }
            }
        }
    }

    #[test]
    fn reinserts_what_ruin_removed_and_stays_consistent() {
        for seed in 0..20 {
            let (p, t) = testutil::problem(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            let mut rng = testutil::rng(seed);
            ruin_random(&data, &mut sol, &mut rng, 6);
            let after_ruin = sol.unassigned.len();
            recreate_with(&data, &mut sol, &mut rng, &vec![false; data.n_visits], 0.0, false);
            assert!(sol.is_consistent(&data));
            assert!(sol.unassigned.len() <= after_ruin);
        }
    }

    /// Meals go in whole (one pick-up, then the delivery, on one route) through construction,
    /// ruins and recreates, and the solution stays consistent.
    #[test]
    fn meal_pairs_go_in_whole_and_come_out_whole() {
        let mut served = 0;
        for seed in 0..20 {
            let (p, t) = testutil::meal_problem(seed, 30);
            let data = Data::new(&p, &t);
            let mut sol = testutil::solution(&data, seed);
            let mut rng = testutil::rng(seed);
            for round in 0..10 {
                assert!(sol.is_consistent(&data), "seed {seed} round {round}");
                served += data
                    .pairs
                    .iter()
                    .filter(|q| sol.route_of[q.delivery as usize].is_some())
                    .count();
                if round % 2 == 0 {
                    ruin_random(&data, &mut sol, &mut rng, 6);
                } else {
                    crate::search::ruin::ruin_strings(&data, &mut sol, &mut rng, 6);
                }
                assert!(sol.is_consistent(&data), "seed {seed} round {round} after ruin");
                recreate_with(&data, &mut sol, &mut rng, &vec![false; data.n_visits], 0.01, false);
            }
        }
        assert!(served > 100, "only {served} meals served over every round");
    }

    #[test]
    fn hopeless_visits_are_not_tried() {
        let (p, t) = testutil::problem(3, 10);
        let data = Data::new(&p, &t);
        let mut sol = Solution::empty(&data);
        recreate_with(
            &data,
            &mut sol,
            &mut testutil::rng(1),
            &vec![true; data.n_visits],
            0.0,
            false,
        );
        assert_eq!(sol.unassigned.len(), data.n_visits);
    }
}

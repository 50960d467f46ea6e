//! Ruin for the linked search: SISR-style strings around a random served visit (see
//! `search::ruin::string`), or random visits. A linked visit always leaves with its
//! partner, so pairs are reinserted together.

use super::state::LinkedSolution;
use crate::eval::Data;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Longest string cut from one route.
const MAX_STRING: usize = 10;

/// Removes about `avg_removed` visits, as strings around a random served visit or, with
/// probability `random_share`, at random; then recomputes the schedule. `false` if the
/// remaining routes have none: a caregiver's daily limit can break when a partner's removal
/// lets a first visit start earlier (the route then starts earlier but ends no sooner).
pub fn ruin(
    data: &Data,
    sol: &mut LinkedSolution,
    rng: &mut ChaCha8Rng,
    avg_removed: usize,
    random_share: f64,
) -> bool {
    let served: Vec<u32> = sol.routes.iter().flatten().copied().collect();
    if served.is_empty() {
        return true;
    }
    if rng.gen_bool(random_share) {
        let count = rng.gen_range(1..=2 * avg_removed).min(served.len());
        for _ in 0..count {
            let v = served[rng.gen_range(0..served.len())] as usize;
            remove_with_partner(data, sol, v);
        }
    } else {
        strings(data, sol, rng, avg_removed, &served);
    }
    sol.evaluate(data)
}

fn strings(
    data: &Data,
    sol: &mut LinkedSolution,
    rng: &mut ChaCha8Rng,
    avg_removed: usize,
    served: &[u32],
) {
    let used: Vec<usize> = sol.routes.iter().map(Vec::len).filter(|&l| l > 0).collect();
    let avg_len = used.iter().sum::<usize>() / used.len().max(1);
    let max_len = MAX_STRING.min(avg_len).max(1);
    let max_strings = ((4 * avg_removed) as f64 / (1 + max_len) as f64 - 1.0).max(1.0);
    let strings = rng.gen_range(1.0..max_strings + 1.0) as usize;
    let seed = served[rng.gen_range(0..served.len())] as usize;
    let walk: Vec<u32> =
        std::iter::once(seed as u32).chain(data.neighbours[seed].iter().copied()).collect();
    let mut cut: Vec<u32> = Vec::with_capacity(strings);
    for v in walk {
        if cut.len() >= strings {
            break;
        }
        let v = v as usize;
        let Some(c) = sol.route_of[v] else {
            continue;
        };
        if cut.contains(&c) {
            continue;
        }
        cut.push(c);
        let route = &sol.routes[c as usize];
        let (len, at) = (route.len(), sol.pos[v] as usize);
        let l = rng.gen_range(1..=max_len.min(len));
        let from = rng.gen_range(at.saturating_sub(l - 1)..=at.min(len - l));
        let string: Vec<u32> = route[from..from + l].to_vec();
        for w in string {
            remove_with_partner(data, sol, w as usize);
        }
    }
}

/// Removes `v` and its partner, unless that would join two stops by a leg over the limit
/// (partners are on two routes, so the two checks are independent).
fn remove_with_partner(data: &Data, sol: &mut LinkedSolution, v: usize) {
    let partner = data.link[v].map(|l| l.partner as usize);
    if !sol.can_remove(data, v) || partner.is_some_and(|p| !sol.can_remove(data, p)) {
        return;
    }
    sol.remove(data, v);
    if let Some(p) = partner {
        sol.remove(data, p);
    }
}

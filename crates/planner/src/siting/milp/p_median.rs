//! p-median: choose `k` sites minimising the clients' total travel time to their nearest open
//! site. The program is Elloumi's radius formulation over each client's `nearest` candidates
//! only, with every farther candidate charged as the last one kept: a relaxation, so its
//! optimum is a proven lower bound. When every client's nearest open site is among the kept
//! ones (the usual case), the relaxation is exact and the choice proven optimal; otherwise the
//! choice's true cost is reported with its gap to the bound.

use super::SitingError;
use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable};

/// Travel times from candidate sites to clients: `rows[i]` lists `(candidate, seconds)` for
/// every candidate that reaches client `i`, in any order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TravelRows {
    pub candidates: usize,
    pub rows: Vec<Vec<(u32, i64)>>,
}

/// A p-median choice and what it achieves.
#[derive(Clone, Debug, PartialEq)]
pub struct PMedian {
    pub chosen: Vec<u32>,
    /// Sum over reachable clients of the time to their nearest chosen site.
    pub total_seconds: i64,
    /// Clients no candidate reaches, or no chosen site reaches.
    pub unreachable: usize,
    /// Proven lower bound on `total_seconds` (`None` for the heuristic).
    pub lower_bound: Option<i64>,
    /// Relative gap to the bound; `Some(0.0)` when proven optimal.
    pub gap: Option<f64>,
}

impl TravelRows {
    fn validate(&self, k: usize) -> Result<(), SitingError> {
        if k > self.candidates {
            return Err(SitingError::TooManySites { k, candidates: self.candidates });
        }
        for (client, row) in self.rows.iter().enumerate() {
            if let Some(&(candidate, _)) = row.iter().find(|&&(j, _)| j as usize >= self.candidates)
            {
                return Err(SitingError::UnknownCandidate {
                    client,
                    candidate,
                    candidates: self.candidates,
                });
            }
        }
        Ok(())
    }

    /// Total time of each client to its nearest site in `chosen`, and the clients none reaches.
    pub fn cost_of(&self, chosen: &[u32]) -> (i64, usize) {
        let mut open = vec![false; self.candidates];
        for &j in chosen {
            open[j as usize] = true;
        }
        let mut total = 0;
        let mut unreachable = 0;
        for row in &self.rows {
            match row.iter().filter(|(j, _)| open[*j as usize]).map(|&(_, t)| t).min() {
                Some(t) => total += t,
                None => unreachable += 1,
            }
        }
        (total, unreachable)
    }
}

fn result(rows: &TravelRows, chosen: Vec<u32>, lower_bound: Option<i64>) -> PMedian {
    let (total_seconds, unreachable) = rows.cost_of(&chosen);
    let gap = lower_bound.map(|lb| {
        if total_seconds == 0 {
            0.0
        } else {
            ((total_seconds - lb) as f64 / total_seconds as f64).max(0.0)
        }
    });
    PMedian { chosen, total_seconds, unreachable, lower_bound, gap }
}

/// Solves the p-median program over each client's `nearest` candidates (at least 1).
pub fn p_median(rows: &TravelRows, k: usize, nearest: usize) -> Result<PMedian, SitingError> {
    rows.validate(k)?;
    let nearest = nearest.max(1);
    // Each client's kept candidates, nearest first (ties by index, for determinism).
    let kept: Vec<Vec<(u32, i64)>> = rows
        .rows
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| {
            let mut r = r.clone();
            r.sort_by_key(|&(j, t)| (t, j));
            r.truncate(nearest);
            r
        })
        .collect();
    let mut vars = ProblemVariables::new();
    let open: Vec<Variable> = (0..rows.candidates).map(|_| vars.add(variable().binary())).collect();
    // farther[i][r] = 1 when none of client i's r + 1 nearest kept candidates is open.
    let farther: Vec<Vec<Variable>> = kept
        .iter()
        .map(|r| (1..r.len()).map(|_| vars.add(variable().min(0).max(1))).collect())
        .collect();
    let mut objective = Expression::from(0.0);
    let mut base = 0i64;
    for (row, z) in kept.iter().zip(&farther) {
        base += row[0].1;
        for (r, &zr) in z.iter().enumerate() {
            objective += ((row[r + 1].1 - row[r].1) as f64) * zr;
        }
    }
    let mut model = vars.minimise(objective).using(microlp);
    for (row, z) in kept.iter().zip(&farther) {
        for (r, &zr) in z.iter().enumerate() {
            let open_among: Expression = row[..=r].iter().map(|&(j, _)| open[j as usize]).sum();
            model = model.with((Expression::from(zr) + open_among).geq(1.0));
        }
    }
    let total: Expression = open.iter().copied().sum();
    model = model.with(total.eq(k as f64));
    let solution = model.solve().map_err(|e| SitingError::Solver(e.to_string()))?;
    let chosen: Vec<u32> = open
        .iter()
        .enumerate()
        .filter(|(_, &v)| solution.value(v) > 0.5)
        .map(|(j, _)| j as u32)
        .collect();
    // The relaxation's value at its optimum: the bound.
    let mut bound = base;
    for (row, z) in kept.iter().zip(&farther) {
        for (r, &zr) in z.iter().enumerate() {
            bound += ((row[r + 1].1 - row[r].1) as f64 * solution.value(zr)).round() as i64;
        }
    }
    Ok(result(rows, chosen, Some(bound)))
}

/// Opens sites one by one, each time the one that lowers the total time most (reaching the
/// most clients first). Keeps each client's time to the nearest open site, so a round costs
/// one pass over the candidate-client times.
pub fn greedy_p_median(rows: &TravelRows, k: usize) -> Result<PMedian, SitingError> {
    rows.validate(k)?;
    let n = rows.rows.len();
    let m = rows.candidates;
    // times[j * n + i]: candidate j to client i, if it reaches.
    let mut times: Vec<Option<i64>> = vec![None; m * n];
    for (i, row) in rows.rows.iter().enumerate() {
        for &(j, t) in row {
            let slot = &mut times[j as usize * n + i];
            *slot = Some(slot.map_or(t, |old: i64| old.min(t)));
        }
    }
    let mut nearest: Vec<Option<i64>> = vec![None; n];
    let mut chosen: Vec<u32> = Vec::new();
    for _ in 0..k {
        let mut best: Option<((usize, i64), u32)> = None;
        for j in 0..m {
            if chosen.contains(&(j as u32)) {
                continue;
            }
            // (clients newly reached, time saved) if j opened.
            let (mut reached, mut saved) = (0usize, 0i64);
            for (i, current) in nearest.iter().enumerate() {
                if let Some(t) = times[j * n + i] {
                    match current {
                        None => reached += 1,
                        Some(c) if t < *c => saved += c - t,
                        Some(_) => {}
                    }
                }
            }
            let score = (reached, saved);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, j as u32));
            }
        }
        let Some((_, j)) = best else { break };
        for (i, current) in nearest.iter_mut().enumerate() {
            if let Some(t) = times[j as usize * n + i] {
                *current = Some(current.map_or(t, |c| c.min(t)));
            }
        }
        chosen.push(j);
    }
    chosen.sort_unstable();
    Ok(result(rows, chosen, None))
}

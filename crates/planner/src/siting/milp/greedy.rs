//! Greedy siting: repeatedly open the site covering the most clients not yet covered. The
//! classic baseline the MILP results are compared with (it is never better than the optimum).

use super::{Coverage, Siting, SitingError};

/// Opens sites one by one until `k` are open or nothing more is gained; ties go to the lower
/// index.
pub fn greedy_max_cover(c: &Coverage, k: usize) -> Result<Siting, SitingError> {
    c.validate()?;
    if k > c.candidates {
        return Err(SitingError::TooManySites { k, candidates: c.candidates });
    }
    Ok(greedy(c, Some(k)))
}

/// Opens sites until every coverable client is covered.
pub fn greedy_set_cover(c: &Coverage) -> Result<Siting, SitingError> {
    c.validate()?;
    Ok(greedy(c, None))
}

fn greedy(c: &Coverage, k: Option<usize>) -> Siting {
    let rows = c.weighted_rows();
    let mut by_site: Vec<Vec<usize>> = vec![Vec::new(); c.candidates];
    for (r, (sites, _)) in rows.iter().enumerate() {
        for &j in sites {
            by_site[j as usize].push(r);
        }
    }
    let mut covered = vec![false; rows.len()];
    let mut chosen = Vec::new();
    while k.is_none_or(|k| chosen.len() < k) {
        let gain = |j: usize| {
            by_site[j].iter().filter(|&&r| !covered[r]).map(|&r| rows[r].1).sum::<usize>()
        };
        let Some((best, g)) = (0..c.candidates)
            .map(|j| (j, gain(j)))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        if g == 0 {
            break;
        }
        for &r in &by_site[best] {
            covered[r] = true;
        }
        chosen.push(best as u32);
    }
    chosen.sort_unstable();
    let covered = c.covered_by(&chosen);
    Siting { chosen, covered, gap: None }
}

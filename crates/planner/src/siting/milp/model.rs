//! The siting programs. Variables: `open[j]` binary per candidate; for maximal covering also
//! `hit[r]` in [0, 1] per distinct covering set (it need not be integer: the objective pushes
//! it to 1 exactly when one of its sites is open).

use super::{Coverage, Siting, SitingError};
use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable};

fn chosen(solution: &impl Solution, open: &[Variable]) -> Vec<u32> {
    open.iter()
        .enumerate()
        .filter(|(_, &v)| solution.value(v) > 0.5)
        .map(|(j, _)| j as u32)
        .collect()
}

/// Chooses `k` candidate sites maximising the clients inside at least one circle, solved to
/// proven optimality.
pub fn max_cover(c: &Coverage, k: usize) -> Result<Siting, SitingError> {
    c.validate()?;
    if k > c.candidates {
        return Err(SitingError::TooManySites { k, candidates: c.candidates });
    }
    let rows = c.weighted_rows();
    let mut vars = ProblemVariables::new();
    let open: Vec<Variable> = (0..c.candidates).map(|_| vars.add(variable().binary())).collect();
    let hit: Vec<Variable> = rows.iter().map(|_| vars.add(variable().min(0).max(1))).collect();
    let objective: Expression = rows.iter().zip(&hit).map(|((_, w), &h)| (*w as f64) * h).sum();
    let mut model = vars.maximise(objective).using(microlp);
    for ((sites, _), &h) in rows.iter().zip(&hit) {
        let any_open: Expression = sites.iter().map(|&j| open[j as usize]).sum();
        model = model.with(Expression::from(h).leq(any_open));
    }
    let total: Expression = open.iter().copied().sum();
    model = model.with(total.leq(k as f64));
    let solution = model.solve().map_err(|e| SitingError::Solver(e.to_string()))?;
    let chosen = chosen(&solution, &open);
    let covered = c.covered_by(&chosen);
    Ok(Siting { chosen, covered, gap: Some(0.0) })
}

/// The fewest candidate sites that put every coverable client inside a circle, solved to
/// proven optimality. Clients no candidate covers are left out (see
/// [`Coverage::uncoverable`]).
pub fn set_cover(c: &Coverage) -> Result<Siting, SitingError> {
    c.validate()?;
    let rows = c.weighted_rows();
    let mut vars = ProblemVariables::new();
    let open: Vec<Variable> = (0..c.candidates).map(|_| vars.add(variable().binary())).collect();
    let objective: Expression = open.iter().copied().sum();
    let mut model = vars.minimise(objective).using(microlp);
    for (sites, _) in &rows {
        let any_open: Expression = sites.iter().map(|&j| open[j as usize]).sum();
        model = model.with(any_open.geq(1.0));
    }
    let solution = model.solve().map_err(|e| SitingError::Solver(e.to_string()))?;
    let chosen = chosen(&solution, &open);
    let covered = c.covered_by(&chosen);
    Ok(Siting { chosen, covered, gap: Some(0.0) })
}

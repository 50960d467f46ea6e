//! The hierarchical cost the search compares: unassigned weight first, then the objective
//! term. Kept as a pair so the search never multiplies by the huge unassigned weight and
//! cannot overflow. The published plan cost (`model::cost::total`) orders plans the same way.

/// `(Σ (priority + 1) over unassigned visits, objective term)`, compared lexicographically.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SolCost {
    pub unassigned: i64,
    pub objective: i64,
}

//! The programs against brute force on small random instances; greedy never beats them.

use super::*;
use proptest::prelude::*;

fn subsets(n: usize, k: usize) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut pick = Vec::new();
    fn go(start: usize, n: usize, k: usize, pick: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        if pick.len() == k {
            out.push(pick.clone());
            return;
        }
        for j in start..n {
            pick.push(j as u32);
            go(j + 1, n, k, pick, out);
            pick.pop();
        }
    }
    go(0, n, k, &mut pick, &mut out);
    out
}

fn coverage() -> impl Strategy<Value = Coverage> {
    (1usize..=7).prop_flat_map(|candidates| {
        prop::collection::vec(prop::collection::vec(0..candidates as u32, 0..=3), 0..=25)
            .prop_map(move |covering| Coverage { candidates, covering })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn max_cover_matches_brute_force(c in coverage(), k in 0usize..=4) {
        let k = k.min(c.candidates);
        let best = subsets(c.candidates, k).iter().map(|s| c.covered_by(s)).max().unwrap_or(0);
        let milp = max_cover(&c, k).expect("solves");
        prop_assert_eq!(milp.covered, best);
        prop_assert!(milp.chosen.len() <= k);
        let greedy = greedy_max_cover(&c, k).expect("greedy");
        prop_assert!(greedy.covered <= milp.covered);
    }

    #[test]
    fn set_cover_matches_brute_force(c in coverage()) {
        let coverable = c.covering.len() - c.uncoverable();
        let fewest = (0..=c.candidates)
            .find(|&k| subsets(c.candidates, k).iter().any(|s| c.covered_by(s) == coverable))
            .unwrap_or(c.candidates);
        let milp = set_cover(&c).expect("solves");
        prop_assert_eq!(milp.chosen.len(), fewest);
        prop_assert_eq!(milp.covered, coverable);
        let greedy = greedy_set_cover(&c).expect("greedy");
        prop_assert!(greedy.chosen.len() >= milp.chosen.len());
        prop_assert_eq!(greedy.covered, coverable);
    }
}

/// Every candidate reaches every client, as on a strongly connected road network.
fn travel_rows() -> impl Strategy<Value = TravelRows> {
    (1usize..=6).prop_flat_map(|candidates| {
        prop::collection::vec(prop::collection::vec(0i64..500, candidates), 1..=15).prop_map(
            move |times| {
                let rows = times
                    .into_iter()
                    .map(|t| t.into_iter().enumerate().map(|(j, s)| (j as u32, s)).collect())
                    .collect();
                TravelRows { candidates, rows }
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn p_median_is_bounded_and_exact_when_nothing_is_cut(
        rows in travel_rows(), k in 1usize..=3, nearest in 1usize..=6
    ) {
        let k = k.min(rows.candidates);
        let best = subsets(rows.candidates, k).iter().map(|s| rows.cost_of(s).0).min().expect("a subset");
        let milp = p_median(&rows, k, nearest).expect("solves");
        prop_assert_eq!(milp.unreachable, 0);
        prop_assert_eq!(milp.chosen.len(), k);
        let bound = milp.lower_bound.expect("a bound");
        prop_assert!(bound <= best, "bound {} above the optimum {}", bound, best);
        prop_assert!(milp.total_seconds >= best);
        if milp.gap == Some(0.0) {
            prop_assert_eq!(milp.total_seconds, best, "proven optimal must be optimal");
        }
        if nearest >= rows.candidates {
            prop_assert_eq!(milp.total_seconds, best, "nothing cut: the program is exact");
        }
        let greedy = greedy_p_median(&rows, k).expect("greedy");
        prop_assert!(greedy.total_seconds >= best);
    }
}

#[test]
fn errors_name_the_field() {
    let c = Coverage { candidates: 2, covering: vec![vec![0], vec![5]] };
    assert_eq!(
        max_cover(&c, 1).expect_err("bad candidate").to_string(),
        "covering[1]: candidate 5 does not exist (2 candidates)"
    );
    let c = Coverage { candidates: 2, covering: vec![vec![0]] };
    assert!(matches!(max_cover(&c, 3), Err(SitingError::TooManySites { k: 3, candidates: 2 })));
}

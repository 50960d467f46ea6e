//! The core of a road graph for many-to-many matrices: nine in ten nodes of an OSM road graph
//! only shape a road between two junctions (25,801 car nodes in Andorra, 23,254 of them with
//! two neighbours). Contracting those chains leaves a graph of junctions an order of magnitude
//! smaller, on which a matrix's one search per source is correspondingly faster. Costs stay
//! exact: a chain edge is the sum of its pieces, and a point inside a chain is reached either
//! along its own chain or from one of the chain's two junctions.

use crate::graph::{Cost, RoadGraph};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The contracted graph: junctions ("core" nodes) and chain edges between them.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Core {
    /// Core index of each graph node; `None` for a node inside a chain.
    pub core_of: Vec<Option<u32>>,
    first_out: Vec<u32>,
    head: Vec<u32>,
    weight: Vec<Cost>,
    /// For a chain node: how it is entered from a junction, with the cost from there; one
    /// entry per direction the chain may be travelled.
    pub entries: Vec<[Option<(u32, Cost)>; 2]>,
}

/// How a chain continues past node `x` when arrived at from `prev`: the next node and the
/// cost of that piece. Only called for chain nodes, which have one way on.
pub(crate) fn continuation(g: &RoadGraph, x: u32, prev: u32) -> Option<(u32, Cost)> {
    let mut out = g.out_edges(x);
    let first = out.next()?;
    match out.next() {
        // Two-way chain node: the neighbour we did not come from.
        Some(second) => Some(if first.0 == prev { second } else { first }),
        // One-way chain node: its single way out.
        None => Some(first),
    }
}

impl Core {
    /// Finds the chain nodes (on exactly two segments to two distinct neighbours, either a
    /// two-way road through or a one-way road through) and contracts them.
    pub fn build(g: &RoadGraph) -> Core {
        let n = g.coords.len();
        let mut ins: Vec<Vec<u32>> = vec![Vec::new(); n];
        for u in 0..n as u32 {
            for (v, _) in g.out_edges(u) {
                ins[v as usize].push(u);
            }
        }
        // A chain node lies on exactly two road segments: with a third (even a one-way
        // one back to a neighbour) a route may turn there, so it is a junction.
        let mut incident = vec![0u32; n];
        for s in &g.segments {
            incident[s.a as usize] += 1;
            incident[s.b as usize] += 1;
        }
        let is_chain = |u: u32| {
            if incident[u as usize] != 2 {
                return false;
            }
            let mut outs: Vec<u32> = g.out_edges(u).map(|(v, _)| v).collect();
            let mut inn = ins[u as usize].clone();
            let (n_out, n_in) = (outs.len(), inn.len());
            outs.sort_unstable();
            outs.dedup();
            inn.sort_unstable();
            inn.dedup();
            if outs.len() != n_out || inn.len() != n_in || outs.contains(&u) {
                return false; // parallel edges or a loop: keep it a junction
            }
            match (n_out, n_in) {
                (2, 2) => outs == inn,
                (1, 1) => outs != inn,
                _ => false,
            }
        };
        let mut core_of: Vec<Option<u32>> = vec![None; n];
        let mut count = 0u32;
        for u in 0..n as u32 {
            if !is_chain(u) {
                core_of[u as usize] = Some(count);
                count += 1;
            }
        }
        // A graph that is one ring has no junction at all: make its first node one.
        if count == 0 && n > 0 {
            core_of[0] = Some(0);
            count = 1;
        }
        let mut entries: Vec<[Option<(u32, Cost)>; 2]> = vec![[None, None]; n];
        let mut edges: Vec<(u32, u32, Cost)> = Vec::new();
        for u in 0..n as u32 {
            let Some(cu) = core_of[u as usize] else { continue };
            for (v, w) in g.out_edges(u) {
                let (mut prev, mut cur, mut cost) = (u, v, w);
                let mut steps = 0;
                while core_of[cur as usize].is_none() && steps <= n {
                    let slot = &mut entries[cur as usize];
                    if slot[0].is_none() {
                        slot[0] = Some((cu, cost));
                    } else {
                        slot[1] = Some((cu, cost));
                    }
                    let Some((next, piece)) = continuation(g, cur, prev) else { break };
                    (prev, cur, cost) = (cur, next, cost + piece);
                    steps += 1;
                }
                if let Some(cv) = core_of[cur as usize] {
                    if cv != cu {
                        edges.push((cu, cv, cost));
                    }
                }
            }
        }
        // Adjacency arrays of the chain edges, by tail.
        let m = count as usize;
        let mut first_out = vec![0u32; m + 1];
        for &(a, _, _) in &edges {
            first_out[a as usize + 1] += 1;
        }
        for i in 0..m {
            first_out[i + 1] += first_out[i];
        }
        let mut fill = first_out.clone();
        let mut head = vec![0u32; edges.len()];
        let mut weight = vec![Cost::ZERO; edges.len()];
        for (a, b, c) in edges {
            let slot = fill[a as usize] as usize;
            head[slot] = b;
            weight[slot] = c;
            fill[a as usize] += 1;
        }
        Core { core_of, first_out, head, weight, entries }
    }

    pub fn len(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    fn out_edges(&self, c: u32) -> impl Iterator<Item = (u32, Cost)> + '_ {
        let lo = self.first_out[c as usize] as usize;
        let hi = self.first_out[c as usize + 1] as usize;
        self.head[lo..hi].iter().copied().zip(self.weight[lo..hi].iter().copied())
    }
}

/// Dijkstra on the core from several seeded junctions; buffers reused across sources.
pub(crate) struct CoreSearch {
    pub dist: Vec<Option<Cost>>,
    settled: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Cost, u32)>>,
}

impl CoreSearch {
    pub fn new(n: usize) -> CoreSearch {
        CoreSearch {
            dist: vec![None; n],
            settled: vec![false; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn relax(&mut self, v: u32, c: Cost) {
        let slot = &mut self.dist[v as usize];
        if slot.is_none_or(|old| c < old) {
            if slot.is_none() {
                self.touched.push(v);
            }
            *slot = Some(c);
            self.heap.push(Reverse((c, v)));
        }
    }

    /// Settled cost of junction `c`.
    pub fn settled(&self, c: u32) -> Option<Cost> {
        self.settled[c as usize].then_some(self.dist[c as usize]).flatten()
    }

    /// Runs from `seeds` until every junction marked in `needed` (`needed_count` of them)
    /// is settled.
    pub fn run(
        &mut self,
        core: &Core,
        seeds: &[(u32, Cost)],
        needed: &[bool],
        needed_count: usize,
    ) {
        for &u in &self.touched {
            self.dist[u as usize] = None;
            self.settled[u as usize] = false;
        }
        self.touched.clear();
        self.heap.clear();
        for &(c, cost) in seeds {
            self.relax(c, cost);
        }
        let mut remaining = needed_count;
        while let Some(Reverse((c, u))) = self.heap.pop() {
            if self.settled[u as usize] || self.dist[u as usize] != Some(c) {
                continue;
            }
            self.settled[u as usize] = true;
            if needed[u as usize] {
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            for (v, w) in core.out_edges(u) {
                if !self.settled[v as usize] {
                    self.relax(v, c + w);
                }
            }
        }
    }
}

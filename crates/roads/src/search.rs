//! One-to-many Dijkstra over the adjacency arrays, starting and ending part-way along
//! snapped segments. Buffers are reused across sources: only touched nodes are reset.

use crate::graph::{Cost, RoadGraph};
use crate::Snap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How the best route reaches a target snap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// Straight along the shared segment, touching no node.
    Direct,
    /// Through this graph node, then part of the target's segment.
    Node(u32),
}

pub(crate) struct Search {
    dist: Vec<Option<Cost>>,
    pred: Vec<Option<u32>>,
    settled: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(Cost, u32)>>,
}

impl Search {
    pub fn new(n: usize) -> Self {
        Search {
            dist: vec![None; n],
            pred: vec![None; n],
            settled: vec![false; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self) {
        for &u in &self.touched {
            self.dist[u as usize] = None;
            self.pred[u as usize] = None;
            self.settled[u as usize] = false;
        }
        self.touched.clear();
        self.heap.clear();
    }

    fn relax(&mut self, v: u32, c: Cost, pred: Option<u32>) {
        let slot = &mut self.dist[v as usize];
        match slot {
            Some(old) if *old <= c => {}
            _ => {
                if slot.is_none() {
                    self.touched.push(v);
                }
                *slot = Some(c);
                self.pred[v as usize] = pred;
                self.heap.push(Reverse((c, v)));
            }
        }
    }

    /// Runs Dijkstra from `from`. `on_settle` is told each node as it is settled and
    /// returns true to stop; nodes costlier than `limit` are never settled.
    pub fn run(
        &mut self,
        g: &RoadGraph,
        from: &Snap,
        limit: Option<Cost>,
        mut on_settle: impl FnMut(u32) -> bool,
    ) {
        self.reset();
        let seg = g.segments[from.segment as usize];
        if seg.forward {
            self.relax(seg.b, seg.cost.tail(from.fraction), None);
        }
        if seg.backward {
            self.relax(seg.a, seg.cost.head(from.fraction), None);
        }
        if let Some(x) = from.at_node(g) {
            self.relax(x, Cost::ZERO, None);
        }
        while let Some(Reverse((c, u))) = self.heap.pop() {
            if self.settled[u as usize] || self.dist[u as usize] != Some(c) {
                continue;
            }
            if limit.is_some_and(|l| c > l) {
                break;
            }
            self.settled[u as usize] = true;
            if on_settle(u) {
                break;
            }
            for (v, w) in g.out_edges(u) {
                if !self.settled[v as usize] {
                    self.relax(v, c + w, Some(u));
                }
            }
        }
    }

    /// Settled nodes with their final costs.
    pub fn settled(&self) -> impl Iterator<Item = (u32, Cost)> + '_ {
        self.touched
            .iter()
            .filter(|&&u| self.settled[u as usize])
            .filter_map(|&u| Some((u, self.dist[u as usize]?)))
    }

    /// Best cost from the last run's source `from` to `to`, and how it arrives. Only
    /// settled nodes count, so a run stopped early must have settled `arrival_nodes(to)`.
    pub fn arrival(&self, g: &RoadGraph, from: &Snap, to: &Snap) -> Option<(Cost, Via)> {
        let seg = g.segments[to.segment as usize];
        let settled = |u: u32| self.settled[u as usize].then_some(self.dist[u as usize]).flatten();
        let mut best: Option<(Cost, Via)> = None;
        let mut offer = |c: Cost, via: Via| {
            if best.is_none_or(|(b, _)| c < b) {
                best = Some((c, via));
            }
        };
        if let Some(c) = along_segment(g, from, to) {
            offer(c, Via::Direct);
        }
        if seg.forward {
            if let Some(d) = settled(seg.a) {
                offer(d + seg.cost.head(to.fraction), Via::Node(seg.a));
            }
        }
        if seg.backward {
            if let Some(d) = settled(seg.b) {
                offer(d + seg.cost.tail(to.fraction), Via::Node(seg.b));
            }
        }
        if let Some(x) = to.at_node(g) {
            if let Some(d) = settled(x) {
                offer(d, Via::Node(x));
            }
        }
        best
    }

    /// Nodes from a seeded node to `u`, in travel order.
    pub fn nodes_to(&self, u: u32) -> Vec<u32> {
        let mut out = vec![u];
        let mut cur = u;
        while let Some(p) = self.pred[cur as usize] {
            out.push(p);
            cur = p;
        }
        out.reverse();
        out
    }
}

/// Nodes whose final cost decides the arrival at `to`.
pub(crate) fn arrival_nodes(g: &RoadGraph, to: &Snap) -> [Option<u32>; 3] {
    let seg = g.segments[to.segment as usize];
    [seg.forward.then_some(seg.a), seg.backward.then_some(seg.b), to.at_node(g)]
}

/// The cost straight along the segment both snaps lie on, touching no node, if allowed.
pub(crate) fn along_segment(g: &RoadGraph, from: &Snap, to: &Snap) -> Option<Cost> {
    if from.segment != to.segment {
        return None;
    }
    let seg = g.segments[to.segment as usize];
    let (hf, ht) = (seg.cost.head(from.fraction), seg.cost.head(to.fraction));
    let forward = (seg.forward && to.fraction >= from.fraction).then(|| ht - hf);
    let backward = (seg.backward && to.fraction <= from.fraction).then(|| hf - ht);
    forward.into_iter().chain(backward).min()
}

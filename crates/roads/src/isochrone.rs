//! Service circles: the area reachable from a snapped point within a time budget, as one
//! polygon. The reached road (whole edges plus the partly travelled ends) is sampled into
//! points, each widened by a small ring so even a single street gives an area, and wrapped
//! in a concave hull; a convex hull is the fallback when the concave one is not simple.

use crate::geodesy::LocalProjection;
use crate::graph::RoadGraph;
use crate::matrix::budget_limit;
use crate::search::Search;
use crate::{LonLat, Snap};
use geo::{
    Area, ConcaveHull, Contains, ConvexHull, Coord, Intersects, Line, LineString, MultiPoint,
    Point, Polygon,
};
use std::collections::HashSet;

/// Half-width of the band drawn around reached road, in metres.
const RING_RADIUS_M: f64 = 30.0;
/// Points per ring.
const RING_POINTS: usize = 8;
/// Reached points closer than this (metres) are merged before hulling, to bound the work.
const GRID_M: f64 = 15.0;
/// `geo::ConcaveHull` concavity: lower hugs the roads more tightly.
const CONCAVITY: f64 = 2.0;
/// Above this many hull vertices the quadratic simplicity check is skipped for the convex
/// hull, which is always simple.
const MAX_CHECKED_VERTICES: usize = 4000;

impl RoadGraph {
    /// The area reachable from `from` within `seconds`. Always a simple polygon containing
    /// the snapped origin; a negative budget or a snap from another graph gives a small
    /// disc around the snapped point.
    pub fn isochrone(&self, from: &Snap, seconds: i64) -> Polygon<f64> {
        let points = self.reached_points(from, seconds);
        hull(&self.projection, &points)
    }

    /// Projected points on every piece of road reachable within the budget.
    fn reached_points(&self, from: &Snap, seconds: i64) -> Vec<[f64; 2]> {
        let proj = &self.projection;
        let mut out = vec![proj.forward(from.snapped)];
        if !self.owns(from) || seconds < 0 {
            return out;
        }
        let limit = budget_limit(seconds).ms;
        let along = |a: LonLat, b: LonLat, f: f64| {
            proj.forward(LonLat::new(a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f))
        };
        // The origin's own segment, as far as the budget goes in each allowed direction.
        let seg = self.segments[from.segment as usize];
        let (pa, pb) = (self.coords[seg.a as usize], self.coords[seg.b as usize]);
        let reach = if seg.cost.ms > 0 { limit as f64 / seg.cost.ms as f64 } else { 1.0 };
        if seg.forward {
            out.push(along(pa, pb, (from.fraction + reach).min(1.0)));
        }
        if seg.backward {
            out.push(along(pa, pb, (from.fraction - reach).max(0.0)));
        }
        let mut search = Search::new(self.coords.len());
        search.run(self, from, Some(budget_limit(seconds)), |_| false);
        for (u, c) in search.settled() {
            let pu = self.coords[u as usize];
            out.push(proj.forward(pu));
            let left = limit - c.ms;
            for (v, w) in self.out_edges(u) {
                if w.ms > left {
                    // Partly travelled edge: its reached end.
                    out.push(along(pu, self.coords[v as usize], left as f64 / w.ms as f64));
                }
            }
        }
        out
    }
}

/// The concave hull of the widened points, checked in the output (degree) coordinates:
/// rounding in the unprojection can fold a spike the projected ring did not have. Falls
/// back to the convex hull, then to the origin's own ring, so the result is always simple
/// and contains the origin (`points[0]`).
fn hull(proj: &LocalProjection, points: &[[f64; 2]]) -> Polygon<f64> {
    let mut seen = HashSet::new();
    let mut cloud: Vec<Point<f64>> = Vec::new();
    for p in points {
        let key = ((p[0] / GRID_M).round() as i64, (p[1] / GRID_M).round() as i64);
        if seen.insert(key) {
            cloud.extend(ring_around(*p));
        }
    }
    let origin = points.first().copied().unwrap_or([0.0, 0.0]);
    let origin_point = {
        let o = proj.inverse(origin);
        Point::new(o.lon, o.lat)
    };
    let cloud = MultiPoint::new(cloud);
    let acceptable = |poly: &Polygon<f64>| is_simple(poly) && poly.contains(&origin_point);
    let concave = unproject(proj, cloud.concave_hull(CONCAVITY));
    if acceptable(&concave) {
        return concave;
    }
    let convex = unproject(proj, cloud.convex_hull());
    if acceptable(&convex) {
        return convex;
    }
    let mut disc: Vec<Point<f64>> = ring_around(origin).collect();
    disc.push(disc[0]);
    unproject(proj, Polygon::new(LineString::from(disc), vec![]))
}

/// `RING_POINTS` points on a circle of `RING_RADIUS_M` around `p` (projected metres).
fn ring_around(p: [f64; 2]) -> impl Iterator<Item = Point<f64>> {
    (0..RING_POINTS).map(move |k| {
        let t = k as f64 * std::f64::consts::TAU / RING_POINTS as f64;
        Point::new(p[0] + RING_RADIUS_M * t.cos(), p[1] + RING_RADIUS_M * t.sin())
    })
}

fn unproject(proj: &LocalProjection, poly: Polygon<f64>) -> Polygon<f64> {
    let (exterior, _) = poly.into_inner();
    let ring: LineString<f64> = exterior
        .0
        .into_iter()
        .map(|c| {
            let p = proj.inverse([c.x, c.y]);
            Coord { x: p.lon, y: p.lat }
        })
        .collect();
    Polygon::new(ring, vec![])
}

/// A closed ring of at least three distinct vertices, non-zero area and no two
/// non-adjacent edges touching.
pub fn is_simple(poly: &Polygon<f64>) -> bool {
    let ring = poly.exterior();
    let n = ring.0.len();
    if n < 4 || ring.0.first() != ring.0.last() || poly.unsigned_area() <= 0.0 {
        return false;
    }
    if n > MAX_CHECKED_VERTICES {
        return false;
    }
    let lines: Vec<Line<f64>> = ring.lines().collect();
    let m = lines.len();
    for i in 0..m {
        for j in (i + 2)..m {
            if i == 0 && j == m - 1 {
                continue; // first and last edges share the closing vertex
            }
            if lines[i].intersects(&lines[j]) {
                return false;
            }
        }
    }
    // Adjacent edges may only share their common vertex: reject a ring folding back on itself.
    for i in 0..m {
        let (a, b) = (lines[i], lines[(i + 1) % m]);
        if a.start == b.end || a.start == a.end {
            return false;
        }
    }
    true
}

//! Service circles: the area reachable from a snapped point within a time budget, as one
//! polygon. The reached road (whole edges plus the partly travelled ends) is sampled every
//! few metres and rasterised onto a grid of small cells, widened by one cell so homes set
//! back from the street count; marching squares (the `contour` crate) trace the outline of
//! the piece holding the origin. Unlike a hull, the outline follows valleys and leaves out
//! the mountainside between them. A convex hull is the fallback should tracing fail.

use crate::geodesy::LocalProjection;
use crate::graph::RoadGraph;
use crate::matrix::budget_limit;
use crate::search::Search;
use crate::Snap;
use contour::ContourBuilder;
use geo::{
    Area, Contains, ConvexHull, Coord, Intersects, Line, LineString, MultiPoint, Point, Polygon,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Side of a raster cell, in metres: about a house plot.
const CELL_M: f64 = 40.0;
/// Reached road is sampled at this spacing (metres), so no cell along it is skipped.
const SAMPLE_M: f64 = CELL_M / 2.0;
/// Most cells a raster may have; a larger area gets coarser cells instead.
const MAX_CELLS: f64 = 4_000_000.0;
/// Half-width of the fallback ring around the origin, in metres.
const RING_RADIUS_M: f64 = 30.0;
/// Points per fallback ring.
const RING_POINTS: usize = 8;

impl RoadGraph {
    /// The area reachable from `from` within `seconds`. Always a simple polygon containing
    /// the snapped origin; a negative budget or a snap from another graph gives a small
    /// disc around the snapped point.
    pub fn isochrone(&self, from: &Snap, seconds: i64) -> Polygon<f64> {
        let points = self.reached_points(from, seconds);
        hull(&self.projection, &points)
    }

    /// Projected points, every `SAMPLE_M` or closer, on every piece of road reachable within
    /// the budget; the snapped origin first.
    fn reached_points(&self, from: &Snap, seconds: i64) -> Vec<[f64; 2]> {
        let proj = &self.projection;
        let mut out = vec![proj.forward(from.snapped)];
        if !self.owns(from) || seconds < 0 {
            return out;
        }
        let limit = budget_limit(seconds).ms;
        let at = |u: u32| proj.forward(self.coords[u as usize]);
        // The origin's own segment, as far as the budget goes in each allowed direction.
        let seg = self.segments[from.segment as usize];
        let reach = if seg.cost.ms > 0 { limit as f64 / seg.cost.ms as f64 } else { 1.0 };
        let (pa, pb) = (at(seg.a), at(seg.b));
        if seg.forward {
            sample(&mut out, pa, pb, from.fraction, (from.fraction + reach).min(1.0));
        }
        if seg.backward {
            sample(&mut out, pa, pb, (from.fraction - reach).max(0.0), from.fraction);
        }
        let mut search = Search::new(self.coords.len());
        search.run(self, from, Some(budget_limit(seconds)), |_| false);
        for (u, c) in search.settled() {
            let pu = at(u);
            out.push(pu);
            let left = limit - c.ms;
            for (v, w) in self.out_edges(u) {
                // A partly travelled edge is reached up to where the budget runs out.
                let f = if w.ms > left { left as f64 / w.ms as f64 } else { 1.0 };
                sample(&mut out, pu, at(v), 0.0, f);
            }
        }
        out
    }
}

/// Points every `SAMPLE_M` or closer on the piece of `a`→`b` between fractions `f0` and `f1`.
fn sample(out: &mut Vec<[f64; 2]>, a: [f64; 2], b: [f64; 2], f0: f64, f1: f64) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length = (dx * dx + dy * dy).sqrt() * (f1 - f0).abs();
    let steps = (length / SAMPLE_M).ceil().max(1.0) as usize;
    for k in 0..=steps {
        let t = f0 + (f1 - f0) * k as f64 / steps as f64;
        out.push([a[0] + dx * t, a[1] + dy * t]);
    }
}

/// The outline of the reached area around the origin (`points[0]`), checked in the output
/// (degree) coordinates. Falls back to the convex hull, then to the origin's own ring, so the
/// result always contains the origin.
fn hull(proj: &LocalProjection, points: &[[f64; 2]]) -> Polygon<f64> {
    let origin = points.first().copied().unwrap_or([0.0, 0.0]);
    let origin_point = {
        let o = proj.inverse(origin);
        Point::new(o.lon, o.lat)
    };
    let acceptable =
        |poly: &Polygon<f64>| poly.unsigned_area() > 0.0 && poly.contains(&origin_point);
    if let Some(outline) = raster_outline(points, origin) {
        let outline = unproject(proj, outline);
        if acceptable(&outline) {
            return outline;
        }
    }
    let cloud: MultiPoint<f64> = points.iter().flat_map(|p| ring_around(*p)).collect();
    let convex = unproject(proj, cloud.convex_hull());
    if acceptable(&convex) && is_simple(&convex) {
        return convex;
    }
    let mut disc: Vec<Point<f64>> = ring_around(origin).collect();
    disc.push(disc[0]);
    unproject(proj, Polygon::new(LineString::from(disc), vec![]))
}

/// Marks the cell of every point and its eight neighbours on a grid, and traces the outline
/// of the marked piece holding `origin` with marching squares (projected metres).
fn raster_outline(points: &[[f64; 2]], origin: [f64; 2]) -> Option<Polygon<f64>> {
    let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in points {
        for k in 0..2 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    if !min[0].is_finite() {
        return None;
    }
    let mut cell = CELL_M;
    while ((max[0] - min[0]) / cell + 5.0) * ((max[1] - min[1]) / cell + 5.0) > MAX_CELLS {
        cell *= 2.0;
    }
    // Two empty cells of margin on every side, so every outline closes inside the grid.
    let x0 = min[0] - 2.0 * cell;
    let y0 = min[1] - 2.0 * cell;
    let nx = ((max[0] - min[0]) / cell).ceil() as usize + 5;
    let ny = ((max[1] - min[1]) / cell).ceil() as usize + 5;
    let mut values = vec![0.0; nx * ny];
    for p in points {
        let i = ((p[0] - x0) / cell) as usize;
        let j = ((p[1] - y0) / cell) as usize;
        for jj in j - 1..=j + 1 {
            for ii in i - 1..=i + 1 {
                values[jj * nx + ii] = 1.0;
            }
        }
    }
    let contours = ContourBuilder::new(nx, ny, true)
        .x_origin(x0)
        .y_origin(y0)
        .x_step(cell)
        .y_step(cell)
        .contours(&values, &[0.5])
        .ok()?;
    let (pieces, _) = contours.into_iter().next()?.into_inner();
    let o = Point::new(origin[0], origin[1]);
    let mut pieces = pieces.0;
    let holding = pieces.iter().position(|p| p.contains(&o))?;
    Some(pieces.swap_remove(holding))
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
    let lines: Vec<Line<f64>> = ring.lines().collect();
    let m = lines.len();
    // Only edges whose bounding boxes meet can cross: find them with an R-tree, so long
    // outlines (thousands of vertices) are checked in O(n log n).
    let boxes = RTree::bulk_load(
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (a, b) = (l.start, l.end);
                GeomWithData::new(
                    Rectangle::from_corners(
                        [a.x.min(b.x), a.y.min(b.y)],
                        [a.x.max(b.x), a.y.max(b.y)],
                    ),
                    i,
                )
            })
            .collect(),
    );
    for (i, line) in lines.iter().enumerate() {
        let (a, b) = (line.start, line.end);
        let envelope =
            AABB::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]);
        for other in boxes.locate_in_envelope_intersecting(&envelope) {
            let j = other.data;
            let adjacent =
                j + 1 == i || i + 1 == j || (i == 0 && j == m - 1) || (j == 0 && i == m - 1);
            if j != i && !adjacent && line.intersects(&lines[j]) {
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

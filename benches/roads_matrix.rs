//! Road-graph hot paths on the bundled Andorra extract, one thread: building the graphs,
//! snapping, 200 x 200 and 1000 x 1000 car matrices, and a 15-minute e-bike service circle.
//! Targets (planner issue): 1000 x 1000 car matrix <= 1 s, circle <= 50 ms, preparation
//! <= 30 s. The side-by-side run against a peer router is benches/roads/run.sh.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use roads::{LonLat, Mode, RoadNetwork, Snap};
use std::path::Path;
use std::time::Duration;

const ANDORRA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/osm/andorra-2020-05-01.osm.pbf");

/// `n` points on the `mode` graph around Andorra la Vella and Escaldes, deterministic.
fn sample_points(network: &RoadNetwork, mode: Mode, n: usize) -> Vec<Snap> {
    let graph = network.graph(mode).expect("graph");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut snaps = Vec::with_capacity(n);
    while snaps.len() < n {
        let p = LonLat { lon: rng.gen_range(1.48..1.60), lat: rng.gen_range(42.46..42.56) };
        if let Ok(s) = graph.snap(p, 300.0) {
            snaps.push(s);
        }
    }
    snaps
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("roads");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("build walk+ebike+car graphs (andorra)", |b| {
        b.iter(|| RoadNetwork::from_pbf(Path::new(ANDORRA), &Mode::ALL).expect("loads"))
    });
    let network = RoadNetwork::from_pbf(Path::new(ANDORRA), &Mode::ALL).expect("loads");
    let car = network.graph(Mode::Car).expect("car graph");
    let snaps = sample_points(&network, Mode::Car, 1000);
    group.bench_function("car matrix 200x200 (andorra)", |b| b.iter(|| car.matrix(&snaps[..200])));
    group.bench_function("car matrix 1000x1000 (andorra)", |b| b.iter(|| car.matrix(&snaps)));
    group.bench_function("snap 1000 points", |b| {
        b.iter(|| {
            snaps
                .iter()
                .filter_map(|s| car.snap(s.point, 1000.0).ok())
                .map(|s| s.distance_m)
                .sum::<f64>()
        })
    });
    let ebike = network.graph(Mode::Ebike).expect("ebike graph");
    let centre = ebike.snap(LonLat { lon: 1.5218, lat: 42.5075 }, 1000.0).expect("snaps");
    group.bench_function("ebike 15-minute circle (andorra la vella)", |b| {
        b.iter(|| ebike.isochrone(&centre, 900))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

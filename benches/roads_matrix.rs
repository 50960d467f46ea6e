//! Road-graph hot paths on the bundled Andorra extract: building the graphs, snapping, and a
//! 200 x 200 car travel-time matrix (the figure the walking-skeleton issue asks for).

use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use roads::{LonLat, Mode, RoadNetwork, Snap};
use std::path::Path;
use std::time::Duration;

const ANDORRA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/osm/andorra-2020-05-01.osm.pbf");

/// `n` points on the car graph around Andorra la Vella and Escaldes, deterministic.
fn sample_points(network: &RoadNetwork, n: usize) -> Vec<Snap> {
    let graph = network.graph(Mode::Car).expect("car graph");
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
    group.bench_function("build car graph (andorra)", |b| {
        b.iter(|| RoadNetwork::from_pbf(Path::new(ANDORRA), &[Mode::Car]).expect("loads"))
    });
    let network = RoadNetwork::from_pbf(Path::new(ANDORRA), &[Mode::Car]).expect("loads");
    let snaps = sample_points(&network, 200);
    let graph = network.graph(Mode::Car).expect("car graph");
    group.bench_function("car matrix 200x200 (andorra)", |b| b.iter(|| graph.matrix(&snaps)));
    group.bench_function("snap 200 points", |b| {
        b.iter(|| {
            snaps
                .iter()
                .filter_map(|s| graph.snap(s.point, 1000.0).ok())
                .map(|s| s.distance_m)
                .sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

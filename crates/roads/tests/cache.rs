//! The on-disk cache of prepared graphs: a second load reads the cache and gives the same
//! answers; a changed extract, a damaged file or an unwritable folder fall back to the PBF.

use roads::{CacheUse, LonLat, Mode, RoadNetwork, DEFAULT_SNAP_LIMIT_M};
use std::path::Path;

const ANDORRA: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/osm/andorra-2020-05-01.osm.pbf");

fn sample_matrix(net: &RoadNetwork) -> Vec<i64> {
    let g = net.graph(Mode::Car).expect("car");
    let snaps: Vec<_> =
        [(1.5218, 42.5075), (1.5340, 42.5100), (1.5600, 42.5450), (1.4900, 42.4670)]
            .iter()
            .map(|&(lon, lat)| g.snap(LonLat::new(lon, lat), DEFAULT_SNAP_LIMIT_M).expect("snaps"))
            .collect();
    g.matrix(&snaps).seconds
}

#[test]
fn second_load_reads_the_cache_and_agrees() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pbf = dir.path().join("andorra.osm.pbf");
    std::fs::copy(ANDORRA, &pbf).expect("copy the bundled extract");
    let cache = dir.path().join("cache");
    let (first, how) =
        RoadNetwork::from_pbf_cached(&pbf, &[Mode::Car, Mode::Walk], &cache).expect("loads");
    assert!(matches!(how, CacheUse::Stored(_)), "{how:?}");
    let (second, how) =
        RoadNetwork::from_pbf_cached(&pbf, &[Mode::Walk, Mode::Car], &cache).expect("loads");
    assert!(matches!(how, CacheUse::Hit(_)), "the same modes in another order hit: {how:?}");
    assert_eq!(sample_matrix(&first), sample_matrix(&second));
    assert_eq!(first.report(), second.report());
    assert_eq!(
        first.graph(Mode::Walk).expect("walk").info(),
        second.graph(Mode::Walk).expect("walk").info()
    );

    // A changed extract (here: rewritten, so its modification time moves) is rebuilt.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::copy(ANDORRA, &pbf).expect("rewrite");
    let (_, how) =
        RoadNetwork::from_pbf_cached(&pbf, &[Mode::Car, Mode::Walk], &cache).expect("loads");
    assert!(matches!(how, CacheUse::Stored(_)), "{how:?}");

    // A damaged cache file is rebuilt, not trusted and not a panic.
    let CacheUse::Stored(file) = how else { unreachable!() };
    let bytes = std::fs::read(&file).expect("cache file");
    std::fs::write(&file, &bytes[..bytes.len() / 2]).expect("truncate");
    let (third, how) =
        RoadNetwork::from_pbf_cached(&pbf, &[Mode::Car, Mode::Walk], &cache).expect("loads");
    assert!(matches!(how, CacheUse::Stored(_)), "{how:?}");
    assert_eq!(sample_matrix(&first), sample_matrix(&third));
}

#[test]
fn an_unwritable_cache_folder_is_no_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A file where the folder should be.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, "x").expect("write");
    let (net, how) =
        RoadNetwork::from_pbf_cached(Path::new(ANDORRA), &[Mode::Car], &blocked.join("cache"))
            .expect("loads");
    assert!(matches!(how, CacheUse::NotStored(_)), "{how:?}");
    assert!(net.graph(Mode::Car).is_ok());
}

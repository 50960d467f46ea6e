//! Hand-made OSM nodes and ways through the builder: tag rules, missing refs, components.
//!
//! Node `k` sits at (0.001 * x, 0.001 * y) degrees, ~111 m per step near the equator.

use roads::osm::{NetworkBuilder, RawNode, RawWay};
use roads::{LonLat, Mode, OsmError, RoadNetwork, DEFAULT_SNAP_LIMIT_M};

fn node(id: i64, x: f64, y: f64) -> RawNode {
    RawNode { id, lon: 0.001 * x, lat: 0.001 * y }
}

fn way(id: i64, refs: &[i64], tags: &[(&str, &str)]) -> RawWay {
    RawWay {
        id,
        refs: refs.to_vec(),
        tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

fn build(nodes: &[RawNode], ways: Vec<RawWay>, modes: &[Mode]) -> Result<RoadNetwork, OsmError> {
    let mut b = NetworkBuilder::new(modes);
    for w in ways {
        b.add_way(w);
    }
    for n in nodes {
        b.add_node(*n);
    }
    b.build()
}

/// Seconds between two node positions on `mode`'s graph.
fn secs(net: &RoadNetwork, mode: Mode, from: &RawNode, to: &RawNode) -> i64 {
    let g = net.graph(mode).expect("mode loaded");
    let a = g.snap(LonLat::new(from.lon, from.lat), 1.0).expect("on the road");
    let b = g.snap(LonLat::new(to.lon, to.lat), 1.0).expect("on the road");
    g.matrix(&[a, b]).seconds(0, 1)
}

/// A triangle 1-2-3 where 1-2 carries `tags` and the other two sides are plain streets.
fn triangle(tags: &[(&str, &str)]) -> (Vec<RawNode>, Vec<RawWay>) {
    let nodes = vec![node(1, 0.0, 0.0), node(2, 1.0, 0.0), node(3, 0.5, 1.0)];
    let street = [("highway", "residential")];
    let ways = vec![way(10, &[1, 2], tags), way(11, &[2, 3, 1], &street)];
    (nodes, ways)
}

#[test]
fn oneway_binds_cars_not_walkers() {
    let (n, w) = triangle(&[("highway", "residential"), ("oneway", "yes")]);
    let net = build(&n, w, &Mode::ALL).expect("builds");
    let (ab, ba) = (secs(&net, Mode::Car, &n[0], &n[1]), secs(&net, Mode::Car, &n[1], &n[0]));
    assert!(ba > ab, "car must go round: {ab} vs {ba}");
    let (ab, ba) = (secs(&net, Mode::Walk, &n[0], &n[1]), secs(&net, Mode::Walk, &n[1], &n[0]));
    assert_eq!(ab, ba);
    assert_eq!(net.graph(Mode::Car).map(|g| g.info().edges).ok(), Some(5));
    assert_eq!(net.graph(Mode::Walk).map(|g| g.info().edges).ok(), Some(6));
}

#[test]
fn oneway_minus_one_reverses() {
    let (n, w) = triangle(&[("highway", "residential"), ("oneway", "-1")]);
    let net = build(&n, w, &[Mode::Car]).expect("builds");
    let (ab, ba) = (secs(&net, Mode::Car, &n[0], &n[1]), secs(&net, Mode::Car, &n[1], &n[0]));
    assert!(ab > ba, "1 -> 2 must go round: {ab} vs {ba}");
}

#[test]
fn oneway_bicycle_no_lets_ebikes_both_ways() {
    let tags = [("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")];
    let (n, w) = triangle(&tags);
    let net = build(&n, w, &[Mode::Ebike, Mode::Car]).expect("builds");
    let (ab, ba) = (secs(&net, Mode::Ebike, &n[0], &n[1]), secs(&net, Mode::Ebike, &n[1], &n[0]));
    assert_eq!(ab, ba);
    let (ab, ba) = (secs(&net, Mode::Car, &n[0], &n[1]), secs(&net, Mode::Car, &n[1], &n[0]));
    assert!(ba > ab);
}

#[test]
fn roundabout_is_oneway_for_cars() {
    let n = vec![node(1, 0.0, 0.0), node(2, 1.0, 0.0), node(3, 1.0, 1.0), node(4, 0.0, 1.0)];
    let ring = way(20, &[1, 2, 3, 4, 1], &[("highway", "primary"), ("junction", "roundabout")]);
    let net = build(&n, vec![ring], &[Mode::Car, Mode::Walk]).expect("builds");
    let forward = secs(&net, Mode::Car, &n[0], &n[1]);
    let backward = secs(&net, Mode::Car, &n[1], &n[0]);
    // Against the ring is three sides (each ~6.7 s, so compare before rounding matters).
    assert!(backward >= 3 * forward - 2 && backward > 2 * forward, "{forward} vs {backward}");
    assert_eq!(secs(&net, Mode::Walk, &n[1], &n[0]), secs(&net, Mode::Walk, &n[0], &n[1]));
}

#[test]
fn private_road_open_to_walkers_with_foot_yes() {
    let n = vec![node(1, 0.0, 0.0), node(2, 1.0, 0.0), node(3, 2.0, 0.0)];
    let ways = vec![
        way(30, &[1, 2], &[("highway", "service"), ("access", "private"), ("foot", "yes")]),
        way(31, &[2, 3], &[("highway", "residential")]),
    ];
    let net = build(&n, ways, &[Mode::Walk, Mode::Car]).expect("builds");
    assert_eq!(net.graph(Mode::Walk).map(|g| g.info().nodes).ok(), Some(3));
    assert_eq!(net.graph(Mode::Car).map(|g| g.info().nodes).ok(), Some(2));
    // Node 1 is only on the private road: a car snaps it onto the public street instead.
    let car = net.graph(Mode::Car).expect("car");
    let s = car.snap(LonLat::new(n[0].lon, n[0].lat), DEFAULT_SNAP_LIMIT_M).expect("snaps");
    assert!((s.distance_m - 111.2).abs() < 1.0, "{s:?}");
}

#[test]
fn missing_refs_split_the_way_and_are_counted() {
    let n = vec![node(1, 0.0, 0.0), node(2, 1.0, 0.0), node(3, 2.0, 0.0), node(4, 4.0, 0.0)];
    let n5 = node(5, 5.0, 0.0);
    let mut nodes = n.clone();
    nodes.push(n5);
    let street = [("highway", "residential")];
    let ways = vec![
        // 999 is outside the extract: 1-2-3 and 4-5 remain, no segment 3-4.
        way(40, &[1, 2, 3, 999, 4, 5], &street),
        // Nothing of this one is in the extract.
        way(41, &[997, 998], &street),
    ];
    let net = build(&nodes, ways, &[Mode::Walk]).expect("builds");
    let r = net.report();
    assert_eq!((r.missing_refs, r.ways_used, r.ways_skipped), (3, 1, 1), "{r:?}");
    let info = net.graph(Mode::Walk).expect("walk").info();
    assert_eq!((info.nodes, info.dropped_nodes, info.edges), (3, 2, 4), "{info:?}");
    assert!((info.total_km - 0.2224).abs() < 0.001, "{info:?}");
}

#[test]
fn largest_component_is_kept() {
    let nodes: Vec<RawNode> = (0..7).map(|i| node(i, i as f64, 0.0)).collect();
    let street = [("highway", "residential")];
    let ways = vec![way(50, &[0, 1], &street), way(51, &[2, 3, 4, 5, 6], &street)];
    let net = build(&nodes, ways, &[Mode::Walk]).expect("builds");
    let info = net.graph(Mode::Walk).expect("walk").info();
    assert_eq!((info.nodes, info.dropped_nodes), (5, 2));
    assert!((info.bbox.0.lon - 0.002).abs() < 1e-12, "{info:?}");
}

#[test]
fn mode_without_roads_is_an_error() {
    let (n, _) = triangle(&[]);
    let ways = vec![way(60, &[1, 2, 3], &[("highway", "footway")])];
    let err = build(&n, ways, &[Mode::Walk, Mode::Car]).err();
    assert!(matches!(err, Some(OsmError::NoRoads { mode: Mode::Car })), "{err:?}");
}

#[test]
fn unloaded_mode_is_an_error() {
    let (n, w) = triangle(&[("highway", "residential")]);
    let net = build(&n, w, &[Mode::Walk]).expect("builds");
    assert!(matches!(net.graph(Mode::Car), Err(OsmError::ModeNotLoaded { mode: Mode::Car })));
    assert_eq!(net.modes(), vec![Mode::Walk]);
}

#[test]
fn speeds_follow_the_profile() {
    let (n, w) = triangle(&[("highway", "residential")]);
    let net = build(&n, w, &Mode::ALL).expect("builds");
    // 111.2 m: walk 5 km/h = 80 s, e-bike 16 km/h = 25 s, car 30 km/h = 13 s.
    assert_eq!(secs(&net, Mode::Walk, &n[0], &n[1]), 80);
    assert_eq!(secs(&net, Mode::Ebike, &n[0], &n[1]), 25);
    assert_eq!(secs(&net, Mode::Car, &n[0], &n[1]), 13);
}

#[test]
fn isochrone_exports_as_geojson() {
    let (n, w) = triangle(&[("highway", "residential")]);
    let net = build(&n, w, &[Mode::Walk]).expect("builds");
    let g = net.graph(Mode::Walk).expect("walk");
    let origin = g.snap(LonLat::new(0.0005, 0.0), DEFAULT_SNAP_LIMIT_M).expect("snaps");
    let poly = g.isochrone(&origin, 60);
    let mut props = serde_json::Map::new();
    props.insert("minutes".into(), serde_json::json!(1));
    let feature = roads::polygon_to_geojson(&poly, props);
    let json = serde_json::to_value(&feature).unwrap_or_default();
    assert_eq!(json["geometry"]["type"], "Polygon");
    assert_eq!(json["properties"]["minutes"], 1);
}

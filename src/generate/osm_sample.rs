//! What the scenario generator needs from an extract besides the road graph: named places
//! (towns and villages, where stations go), nodes of residential streets (where clients
//! live) and the streets' names (their addresses).

use anyhow::{Context, Result};
use osmpbf::{Element, ElementReader};
use roads::LonLat;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A named settlement, ranked: cities before towns before villages.
#[derive(Clone, Debug)]
pub struct Place {
    pub name: String,
    pub rank: u8,
    pub at: LonLat,
}

fn place_rank(value: &str) -> Option<u8> {
    Some(match value {
        "city" => 0,
        "town" => 1,
        "village" => 2,
        "suburb" => 3,
        "hamlet" | "neighbourhood" | "quarter" => 4,
        _ => return None,
    })
}

/// Streets where people live.
const RESIDENTIAL: [&str; 3] = ["residential", "living_street", "unclassified"];

pub struct OsmSample {
    pub places: Vec<Place>,
    /// Nodes on residential streets, in file order.
    pub homes: Vec<LonLat>,
    /// The nodes of named residential streets, each with its street's index in `street_names`.
    streets: RTree<GeomWithData<[f64; 2], usize>>,
    street_names: Vec<String>,
}

impl OsmSample {
    /// The name of the named residential street nearest `p` (by degrees, which is near enough
    /// to pick a street a few metres away), if the extract names any.
    pub fn street_at(&self, p: LonLat) -> Option<&str> {
        let nearest = self.streets.nearest_neighbor(&[p.lon, p.lat])?;
        self.street_names.get(nearest.data).map(String::as_str)
    }
}

/// Reads places and residential-street nodes (two passes: ways first, then their nodes).
pub fn read(pbf: &Path) -> Result<OsmSample> {
    let open =
        || ElementReader::from_path(pbf).with_context(|| format!("{}: cannot open", pbf.display()));
    let mut wanted: HashSet<i64> = HashSet::new();
    // Each node of a named residential street, with the street's name.
    let mut named: HashMap<i64, usize> = HashMap::new();
    let mut street_names: Vec<String> = Vec::new();
    let mut places = Vec::new();
    let mut take_place = |tags: &mut dyn Iterator<Item = (&str, &str)>, at: LonLat| {
        let (mut name, mut rank) = (None, None);
        for (k, v) in tags {
            match k {
                "place" => rank = place_rank(v),
                "name" => name = Some(v.to_string()),
                _ => {}
            }
        }
        if let (Some(name), Some(rank)) = (name, rank) {
            places.push(Place { name, rank, at });
        }
    };
    open()?
        .for_each(|element| match element {
            Element::Way(way) => {
                if way.tags().any(|(k, v)| k == "highway" && RESIDENTIAL.contains(&v)) {
                    wanted.extend(way.refs());
                    if let Some((_, name)) = way.tags().find(|(k, _)| *k == "name") {
                        street_names.push(name.to_string());
                        named.extend(way.refs().map(|n| (n, street_names.len() - 1)));
                    }
                }
            }
            Element::Node(n) => take_place(&mut n.tags(), LonLat { lon: n.lon(), lat: n.lat() }),
            Element::DenseNode(n) => {
                take_place(&mut n.tags(), LonLat { lon: n.lon(), lat: n.lat() })
            }
            Element::Relation(_) => {}
        })
        .with_context(|| format!("{}: cannot read", pbf.display()))?;
    let mut found: HashMap<i64, LonLat> = HashMap::new();
    let mut street_nodes = Vec::new();
    open()?
        .for_each(|element| {
            let (id, at) = match element {
                Element::Node(n) => (n.id(), LonLat { lon: n.lon(), lat: n.lat() }),
                Element::DenseNode(n) => (n.id(), LonLat { lon: n.lon(), lat: n.lat() }),
                _ => return,
            };
            if wanted.contains(&id) {
                found.insert(id, at);
            }
            if let Some(&street) = named.get(&id) {
                street_nodes.push(GeomWithData::new([at.lon, at.lat], street));
            }
        })
        .with_context(|| format!("{}: cannot read", pbf.display()))?;
    // Sorted by node id so the sample does not depend on hash order.
    let mut homes: Vec<(i64, LonLat)> = found.into_iter().collect();
    homes.sort_by_key(|(id, _)| *id);
    places.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));
    Ok(OsmSample {
        places,
        homes: homes.into_iter().map(|(_, p)| p).collect(),
        streets: RTree::bulk_load(street_nodes),
        street_names,
    })
}

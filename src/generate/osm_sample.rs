//! What the scenario generator needs from an extract besides the road graph: named places
//! (towns and villages, where stations go) and nodes of residential streets (where clients
//! live).

use anyhow::{Context, Result};
use osmpbf::{Element, ElementReader};
use roads::LonLat;
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
}

/// Reads places and residential-street nodes (two passes: ways first, then their nodes).
pub fn read(pbf: &Path) -> Result<OsmSample> {
    let open =
        || ElementReader::from_path(pbf).with_context(|| format!("{}: cannot open", pbf.display()));
    let mut wanted: HashSet<i64> = HashSet::new();
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
        })
        .with_context(|| format!("{}: cannot read", pbf.display()))?;
    // Sorted by node id so the sample does not depend on hash order.
    let mut homes: Vec<(i64, LonLat)> = found.into_iter().collect();
    homes.sort_by_key(|(id, _)| *id);
    places.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));
    Ok(OsmSample { places, homes: homes.into_iter().map(|(_, p)| p).collect() })
}

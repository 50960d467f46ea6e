//! Reads an `.osm.pbf` file in two passes: ways first (to learn which nodes roads use),
//! then only those nodes, so memory follows the road network, not the whole extract.

use super::builder::{NetworkBuilder, RawNode, RawWay};
use crate::{Mode, OsmError, RoadNetwork};
use osmpbf::{Element, ElementReader};
use std::path::Path;

/// Loads the road graphs of `modes` from a PBF file.
pub fn read_pbf(path: &Path, modes: &[Mode]) -> Result<RoadNetwork, OsmError> {
    let mut builder = NetworkBuilder::new(modes);
    open(path)?
        .for_each(|element| {
            if let Element::Way(way) = element {
                // Skip the allocation for the many non-road ways (buildings, landuse).
                if !way.tags().any(|(k, _)| k == "highway") {
                    builder.add_way(RawWay { id: way.id(), refs: Vec::new(), tags: Vec::new() });
                    return;
                }
                builder.add_way(RawWay {
                    id: way.id(),
                    refs: way.refs().collect(),
                    tags: way.tags().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                });
            }
        })
        .map_err(|e| decode_error(path, e))?;
    let needed = builder.needed_nodes();
    open(path)?
        .for_each(|element| {
            let (id, lon, lat) = match element {
                Element::Node(n) => (n.id(), n.lon(), n.lat()),
                Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                _ => return,
            };
            if needed.contains(&id) {
                builder.add_node(RawNode { id, lon, lat });
            } else {
                builder.count_node();
            }
        })
        .map_err(|e| decode_error(path, e))?;
    builder.build()
}

fn open(path: &Path) -> Result<ElementReader<std::io::BufReader<std::fs::File>>, OsmError> {
    // Open the file ourselves so a missing file is an Io error, not a decode error.
    let file = std::fs::File::open(path)
        .map_err(|source| OsmError::Io { path: path.to_path_buf(), source })?;
    Ok(ElementReader::new(std::io::BufReader::new(file)))
}

fn decode_error(path: &Path, e: osmpbf::Error) -> OsmError {
    if matches!(e.kind(), osmpbf::ErrorKind::Io(_)) {
        if let osmpbf::ErrorKind::Io(source) = e.into_kind() {
            return OsmError::Io { path: path.to_path_buf(), source };
        }
        unreachable!("checked just above");
    }
    OsmError::Decode { path: path.to_path_buf(), reason: e.to_string() }
}

//! Prepared road graphs cached on disk: building a county's graphs from its PBF takes a
//! while, and a planner or a service reloads the same extract many times. The cache file
//! holds the finished graphs (junction graph and R-tree included) behind a key: the format
//! version, this crate's version, the tag profiles, the modes, and the extract's size and
//! modification time. Any difference rebuilds from the PBF and rewrites the file; so does a
//! file that cannot be read back.

use crate::osm::{LoadReport, Profile};
use crate::{Mode, OsmError, RoadGraph, RoadNetwork};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Bumped whenever the stored layout changes.
const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    format: u32,
    crate_version: String,
    profiles: u64,
    modes: Vec<Mode>,
    pbf_len: u64,
    pbf_modified_ns: u128,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    key: Key,
    report: LoadReport,
    graphs: Vec<RoadGraph>,
}

/// How [`RoadNetwork::from_pbf_cached`] got its graphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// Read from this cache file.
    Hit(PathBuf),
    /// Built from the PBF and stored in this file.
    Stored(PathBuf),
    /// Built from the PBF; the cache could not be written (the reason).
    NotStored(String),
}

/// FNV-1a: a hash that stays the same across Rust versions, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn key(pbf: &Path, modes: &[Mode]) -> Result<Key, OsmError> {
    let io = |source| OsmError::Io { path: pbf.to_path_buf(), source };
    let meta = std::fs::metadata(pbf).map_err(io)?;
    let modified = meta.modified().map_err(io)?;
    let profiles: String = modes.iter().map(|&m| format!("{:?}", Profile::of(m))).collect();
    Ok(Key {
        format: FORMAT,
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        profiles: fnv1a(profiles.as_bytes()),
        modes: modes.to_vec(),
        pbf_len: meta.len(),
        pbf_modified_ns: modified.duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0),
    })
}

fn cache_file(dir: &Path, pbf: &Path, modes: &[Mode]) -> PathBuf {
    let stem = pbf.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let absolute = std::fs::canonicalize(pbf).unwrap_or_else(|_| pbf.to_path_buf());
    let modes: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
    // The path's hash keeps two extracts with the same file name apart.
    let place = fnv1a(absolute.to_string_lossy().as_bytes());
    dir.join(format!("{stem}.{}.{place:016x}.graphs", modes.join("-")))
}

fn read(file: &Path, wanted: &Key) -> Option<RoadNetwork> {
    let bytes = std::fs::read(file).ok()?;
    let stored: Stored = postcard::from_bytes(&bytes).ok()?;
    if &stored.key != wanted {
        return None;
    }
    let mut graphs = stored.graphs;
    for g in &mut graphs {
        g.fresh_id();
    }
    Some(RoadNetwork::new(graphs, stored.report))
}

fn write(file: &Path, key: Key, network: RoadNetwork) -> (RoadNetwork, CacheUse) {
    let (graphs, report) = network.into_parts();
    let stored = Stored { key, report, graphs };
    let outcome = (|| -> Result<(), String> {
        let dir = file.parent().ok_or("no folder")?;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let bytes = postcard::to_stdvec(&stored).map_err(|e| e.to_string())?;
        // Write beside and rename, so a reader never sees half a file.
        let partial = file.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, bytes).map_err(|e| format!("{}: {e}", partial.display()))?;
        std::fs::rename(&partial, file).map_err(|e| format!("{}: {e}", file.display()))
    })();
    let network = RoadNetwork::new(stored.graphs, stored.report);
    match outcome {
        Ok(()) => (network, CacheUse::Stored(file.to_path_buf())),
        Err(reason) => (network, CacheUse::NotStored(reason)),
    }
}

impl RoadNetwork {
    /// Like [`RoadNetwork::from_pbf`], through a cache of prepared graphs in `cache_dir`:
    /// a valid cache file is read instead of the PBF; otherwise the graphs are built and
    /// stored for next time. A cache that cannot be written is no error.
    pub fn from_pbf_cached(
        path: &Path,
        modes: &[Mode],
        cache_dir: &Path,
    ) -> Result<(RoadNetwork, CacheUse), OsmError> {
        let mut modes = modes.to_vec();
        modes.sort();
        modes.dedup();
        let key = key(path, &modes)?;
        let file = cache_file(cache_dir, path, &modes);
        if let Some(network) = read(&file, &key) {
            return Ok((network, CacheUse::Hit(file)));
        }
        let network = RoadNetwork::from_pbf(path, &modes)?;
        Ok(write(&file, key, network))
    }
}

//! A set of road graphs, one per loaded mode, with what loading read and skipped.

use crate::osm::{reader, LoadReport};
use crate::{Mode, OsmError, RoadGraph};
use std::path::Path;

/// The road graphs of the loaded modes.
#[derive(Debug)]
pub struct RoadNetwork {
    graphs: Vec<RoadGraph>,
    report: LoadReport,
}

impl RoadNetwork {
    pub(crate) fn new(graphs: Vec<RoadGraph>, report: LoadReport) -> Self {
        RoadNetwork { graphs, report }
    }

    pub(crate) fn into_parts(self) -> (Vec<RoadGraph>, LoadReport) {
        (self.graphs, self.report)
    }

    /// Reads an `.osm.pbf` extract and builds one graph per mode in `modes`.
    ///
    /// Ways that reference nodes missing from the file (cut at the extract's border) are
    /// split around the missing nodes; [`LoadReport::missing_refs`] counts them.
    pub fn from_pbf(path: &Path, modes: &[Mode]) -> Result<RoadNetwork, OsmError> {
        reader::read_pbf(path, modes)
    }

    /// The graph of `mode`, if it was loaded.
    pub fn graph(&self, mode: Mode) -> Result<&RoadGraph, OsmError> {
        self.graphs.iter().find(|g| g.mode() == mode).ok_or(OsmError::ModeNotLoaded { mode })
    }

    /// The loaded modes, in `Mode::ALL` order.
    pub fn modes(&self) -> Vec<Mode> {
        self.graphs.iter().map(RoadGraph::mode).collect()
    }

    /// What loading read, used and skipped.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }
}

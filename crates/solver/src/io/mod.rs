//! Readers of benchmark file formats.

pub mod lilim;
pub mod mankowska;
pub mod solomon;
pub mod vrplib;
pub mod vrptw;

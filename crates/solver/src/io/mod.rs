//! Readers of benchmark file formats.

pub mod mankowska;
pub mod solomon;
pub mod vrplib;
pub mod vrptw;

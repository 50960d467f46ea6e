//! Readers of benchmark file formats.

pub mod solomon;

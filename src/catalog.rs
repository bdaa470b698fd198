//! The embedded benchmark catalog (placeholder until generated).

use crate::benchmark::Benchmark;

/// The names of the embedded benchmarks.
pub fn names() -> Vec<&'static str> {
    Vec::new()
}

/// An embedded benchmark by name.
pub fn get(_name: &str) -> Option<Benchmark> {
    None
}

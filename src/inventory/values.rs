//! Normalizes exported values (placeholder).

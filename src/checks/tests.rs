//! Unit tests of rule binding and of every check, including the edge of each comparison.

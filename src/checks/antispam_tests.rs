//! Unit tests of the antispam family.

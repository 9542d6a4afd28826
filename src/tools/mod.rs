//! Tools over a Chamber on files: they drive it as a person or a hostile world would, and measure
//! or judge what it did.

/// `parliament bench`: a real Chamber driven as fast as it takes petitions.
pub mod bench;
/// Chaos trials: real processes, real files, a hostile world, and the audit at the end.
pub mod chaos;

//! The file layer: appending rows durably, reading them back from a saved offset, and waking on
//! filesystem notifications. Nothing here knows Paxos; the Chamber builds on it.

//! `parliament`: Lamport's "The Part-Time Parliament" (Paxos), where the network is the file system.

/// The file layer: durable appends, tail reading, folder watching.
pub mod files;

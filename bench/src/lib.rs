//! `make bench`: what Switchyard adds to a request, measured against the same mock provider
//! reached directly, in the same run, on the same machine.
//!
//! [`fast_mock`] is the provider (cheap enough that the gateway dominates what is measured),
//! [`forwarder`] the floor (a proxy that does nothing),
//! [`load`] the client, [`processes`] starts and stops the processes under test, [`procfs`]
//! reads their memory and CPU time, [`scenario`] decides what to run and [`report`] prints the
//! one table; [`allocations`] counts the bytes a large request allocates in the gateway;
//! [`dashboard`] times the admin API's dashboard pages over a long history, and
//! [`soak`] watches the gateway's memory through ten minutes of mixed load.
//! Nothing here reaches beyond loopback, and every loop is bounded in count and time.

pub mod allocations;
pub mod dashboard;
pub mod fast_mock;
pub mod forwarder;
pub mod load;
pub mod machine;
pub mod processes;
pub mod procfs;
pub mod report;
pub mod scenario;
pub mod seed;
pub mod soak;

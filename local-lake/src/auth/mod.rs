//! Identity: SigV4 verification and the access-key → account mapping.

mod identities;
mod sigv4;

pub(crate) use identities::Identities;
pub(crate) use sigv4::{Caller, verify};

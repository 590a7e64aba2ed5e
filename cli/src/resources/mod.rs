//! CloudTrail Lake resources as the commands see them: event data stores, channels and channel resource
//! policies. `policy` is pure (merge and removal rules, unit-tested); the others wrap control-plane calls.

pub(crate) mod channels;
pub(crate) mod event_data_stores;
pub(crate) mod policy;

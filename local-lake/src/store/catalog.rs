//! The in-memory catalog of resources: the authoritative view every request reads, mirrored to SQLite by
//! the writer thread. Ids are globally unique; each resource records its (account, region).

use std::collections::HashMap;

use super::model::{Channel, EventDataStore, Query};

/// Every event data store, channel and query, keyed by id.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// Event data stores.
    pub(crate) stores: HashMap<String, EventDataStore>,
    /// Channels.
    pub(crate) channels: HashMap<String, Channel>,
    /// Queries.
    pub(crate) queries: HashMap<String, Query>,
}

impl Catalog {
    /// The event data stores of an account and Region, oldest first (a stable order for pagination).
    pub(crate) fn stores_in(&self, account: &str, region: &str) -> Vec<&EventDataStore> {
        let mut v: Vec<_> = self
            .stores
            .values()
            .filter(|s| s.account == account && s.region == region)
            .collect();
        v.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        v
    }

    /// The channels of an account and Region, oldest first.
    pub(crate) fn channels_in(&self, account: &str, region: &str) -> Vec<&Channel> {
        let mut v: Vec<_> = self
            .channels
            .values()
            .filter(|c| c.account == account && c.region == region)
            .collect();
        v.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        v
    }

    /// An account's event data store by id (case-insensitive, since Lake SQL identifiers are).
    pub(crate) fn store(&self, account: &str, region: &str, id: &str) -> Option<&EventDataStore> {
        self.stores
            .get(id)
            .or_else(|| self.stores.values().find(|s| s.id.eq_ignore_ascii_case(id)))
            .filter(|s| s.account == account && s.region == region)
    }

    /// An account's channel by id.
    pub(crate) fn channel(&self, account: &str, region: &str, id: &str) -> Option<&Channel> {
        self.channels
            .get(id)
            .filter(|c| c.account == account && c.region == region)
    }

    /// Queued and running queries of an account and Region.
    pub(crate) fn active_queries(&self, account: &str, region: &str) -> usize {
        self.queries
            .values()
            .filter(|q| q.account == account && q.region == region && !q.is_terminal())
            .count()
    }
}

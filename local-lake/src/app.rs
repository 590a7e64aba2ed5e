//! The state every request shares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::auth::Identities;
use crate::config::Config;
use crate::faults::{FaultConfig, Faults};
use crate::policy::ChannelPolicy;
use crate::store::{Catalog, Store};

/// The catalog plus what is derived from it (parsed channel policies).
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Every resource.
    pub(crate) catalog: Catalog,
    /// Parsed resource policies by channel id.
    pub(crate) policies: HashMap<String, Arc<ChannelPolicy>>,
}

/// Shared state: the catalog behind a mutex (never held across an `.await`), the store, credentials and
/// faults.
pub(crate) struct App {
    state: Mutex<State>,
    /// The database.
    pub(crate) store: Store,
    /// Accepted access keys.
    pub(crate) identities: Identities,
    /// Fault injection.
    pub(crate) faults: Faults,
    /// Faults configured at start (`POST /_ctlake/reset` returns to them).
    pub(crate) startup_faults: FaultConfig,
    /// SigV4 clock-skew window.
    pub(crate) max_skew: Option<Duration>,
    /// Interrupt handles of running queries, for CancelQuery and timeouts.
    pub(crate) running: Mutex<HashMap<String, rusqlite::InterruptHandle>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("store", &self.store)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Opens the store and builds the state.
    pub(crate) async fn open(config: &Config) -> Result<Arc<Self>, crate::Error> {
        config.validate()?;
        let storage = config.storage.clone();
        let (store, catalog) = tokio::task::spawn_blocking(move || Store::open(&storage))
            .await
            .map_err(|e| crate::Error::Storage {
                location: "open".to_owned(),
                message: e.to_string(),
            })??;
        let mut policies = HashMap::new();
        for channel in catalog.channels.values() {
            let arn = crate::arn::channel(&channel.region, &channel.account, &channel.id);
            if let Some(Ok(p)) = channel
                .policy
                .as_deref()
                .map(|doc| ChannelPolicy::parse(doc, &arn))
            {
                policies.insert(channel.id.clone(), Arc::new(p));
            }
        }
        let app = Arc::new(Self {
            state: Mutex::new(State { catalog, policies }),
            store,
            identities: Identities::new(&config.credentials),
            faults: Faults::new(config.faults.clone()),
            startup_faults: config.faults.clone(),
            max_skew: config.max_clock_skew,
            running: Mutex::new(HashMap::new()),
        });
        crate::query::recover_interrupted(&app).await;
        Ok(app)
    }

    /// Locks the state. A poisoned lock is recovered: every mutation validates before it changes anything.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Locks the running-query table.
    pub(crate) fn running(&self) -> MutexGuard<'_, HashMap<String, rusqlite::InterruptHandle>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

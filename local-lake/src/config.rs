//! Configuration of a local Lake: where it stores data, which credentials it accepts, which faults it injects.

use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultConfig;

/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = ".ctlake";
/// Name of the SQLite database file inside the data directory.
pub const DATABASE_FILE: &str = "lake.sqlite3";
/// Account of the default access key `test` (LocalStack's convention).
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// The default access key id and the secret of every implicit identity (LocalStack's convention).
pub const DEFAULT_SECRET: &str = "test";

/// Where the Lake keeps its resources, queries and events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A private in-memory SQLite database that disappears with the server (tests).
    Memory,
    /// `<dir>/lake.sqlite3` (WAL mode); created when missing; a restart keeps everything.
    Dir(PathBuf),
}

/// One access key pair the Lake accepts, mapped to the account it acts as.
///
/// Besides the configured pairs, two implicit rules always apply (LocalStack's convention): access key
/// `test` with secret `test` is account `000000000000`, and an access key id of twelve digits is that
/// account, with secret `test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (`AKIA…` or anything else).
    pub access_key_id: String,
    /// The secret the request must be signed with.
    pub secret_access_key: String,
    /// The 12-digit account the key acts as.
    pub account_id: String,
}

impl Credentials {
    /// A key pair for an account.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        account_id: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            account_id: account_id.into(),
        }
    }
}

/// Configuration of a local Lake. Start from [`Config::default`] (data in `.ctlake/`) or
/// [`Config::in_memory`] and adjust with the builder-style methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where data lives.
    pub storage: Storage,
    /// Extra access key pairs, on top of the implicit `test` and 12-digit-account rules.
    pub credentials: Vec<Credentials>,
    /// Faults injected from the start (the admin endpoint `POST /_ctlake/faults` changes them at run time,
    /// `POST /_ctlake/reset` returns to these).
    pub faults: FaultConfig,
    /// Largest accepted difference between a request's `X-Amz-Date` and the server clock (AWS: 15 minutes);
    /// `None` disables the check.
    pub max_clock_skew: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            storage: Storage::Dir(PathBuf::from(DEFAULT_DATA_DIR)),
            credentials: Vec::new(),
            faults: FaultConfig::default(),
            max_clock_skew: Some(Duration::from_secs(15 * 60)),
        }
    }
}

impl Config {
    /// A configuration with an in-memory database (nothing touches the disk).
    pub fn in_memory() -> Self {
        Self {
            storage: Storage::Memory,
            ..Self::default()
        }
    }

    /// A configuration storing in `dir/lake.sqlite3`.
    pub fn with_data_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            storage: Storage::Dir(dir.into()),
            ..Self::default()
        }
    }

    /// Adds an accepted access key pair.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// Sets the faults injected from the start.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Sets (or with `None` disables) the clock-skew check.
    pub fn max_clock_skew(mut self, skew: Option<Duration>) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Checks the configuration, naming the field and rule that fail.
    pub(crate) fn validate(&self) -> Result<(), crate::Error> {
        for (i, c) in self.credentials.iter().enumerate() {
            if c.access_key_id.is_empty() || c.secret_access_key.is_empty() {
                return Err(crate::Error::Config(format!(
                    "credentials[{i}]: access_key_id and secret_access_key must not be empty"
                )));
            }
            if !crate::arn::is_account_id(&c.account_id) {
                return Err(crate::Error::Config(format!(
                    "credentials[{i}].account_id: `{}` is not a 12-digit AWS account id",
                    c.account_id
                )));
            }
        }
        self.faults.validate().map_err(crate::Error::Config)
    }
}

//! Which access keys the Lake accepts and which account each acts as (LocalStack's convention plus
//! configured pairs).

use std::collections::HashMap;

use crate::arn::is_account_id;
use crate::config::{Credentials, DEFAULT_ACCOUNT_ID, DEFAULT_SECRET};

/// The access-key table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Identities {
    /// Configured pairs: access key id → (secret, account).
    configured: HashMap<String, (String, String)>,
}

impl Identities {
    /// A table with the configured pairs; the implicit rules need no entry.
    pub(crate) fn new(credentials: &[Credentials]) -> Self {
        let configured = credentials
            .iter()
            .map(|c| {
                (
                    c.access_key_id.clone(),
                    (c.secret_access_key.clone(), c.account_id.clone()),
                )
            })
            .collect();
        Self { configured }
    }

    /// The secret and account of an access key id: a configured pair first, then `test` → account
    /// `000000000000`, then a 12-digit key id → that account (both with secret `test`).
    pub(crate) fn lookup(&self, access_key_id: &str) -> Option<(String, String)> {
        if let Some(found) = self.configured.get(access_key_id) {
            return Some(found.clone());
        }
        if access_key_id == DEFAULT_SECRET {
            return Some((DEFAULT_SECRET.to_owned(), DEFAULT_ACCOUNT_ID.to_owned()));
        }
        if is_account_id(access_key_id) {
            return Some((DEFAULT_SECRET.to_owned(), access_key_id.to_owned()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_and_configured_keys() {
        let ids = Identities::new(&[Credentials::new("AKIDEXAMPLE", "s3cret", "123456789012")]);
        assert_eq!(ids.lookup("test"), Some(("test".into(), "000000000000".into())));
        assert_eq!(
            ids.lookup("111122223333"),
            Some(("test".into(), "111122223333".into()))
        );
        assert_eq!(
            ids.lookup("AKIDEXAMPLE"),
            Some(("s3cret".into(), "123456789012".into()))
        );
        assert_eq!(ids.lookup("AKIAUNKNOWN"), None);
        assert_eq!(ids.lookup("11112222333"), None);
    }
}

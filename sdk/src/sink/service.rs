//! [`SinkService`]: a [`Sink`] as the innermost tower service of a destination's stack.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{BoxError, Service};

use super::{PutRequest, PutResponse, Sink};
use crate::batch::{Batch, BatchResult, EntryState};

/// Calls the sink once per request and lists every entry of the request in the result: accepted, failed
/// (per-entry code, unclassified) or unknown (missing from the answer).
///
/// # Clone
///
/// Clones share the sink.
#[derive(Debug, Clone)]
pub(crate) struct SinkService {
    sink: Arc<dyn Sink>,
}

impl SinkService {
    pub(crate) fn new(sink: Arc<dyn Sink>) -> Self {
        Self { sink }
    }
}

impl Service<Batch> for SinkService {
    type Response = BatchResult;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<BatchResult, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, batch: Batch) -> Self::Future {
        let put = batch.put;
        crate::metrics::call(put.destination().name(), put.len() as u64);
        let future = self.sink.put(put.clone());
        Box::pin(async move {
            let response = future.await.map_err(BoxError::from)?;
            Ok(entries_of(&put, response))
        })
    }
}

/// The state of each entry of `put` in `response`, in request order; entries the response does not mention
/// are `Unknown`, and answers for ids not in the request are ignored.
fn entries_of(put: &PutRequest, response: PutResponse) -> BatchResult {
    let events = put.events();
    let mut states = vec![EntryState::Unknown; events.len()];
    let index: HashMap<&str, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id().as_str(), i))
        .collect();
    let (successful, failed) = response.into_parts();
    for ok in successful {
        if let Some(&i) = index.get(ok.id()) {
            states[i] = EntryState::Accepted(ok.into_event_id());
        }
    }
    for f in failed {
        if let Some(&i) = index.get(f.id()) {
            let (code, message) = f.into_code_message();
            states[i] = EntryState::Failed { code, message };
        }
    }
    BatchResult {
        states,
        attempts: 1,
        ..BatchResult::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sent_entry_is_listed_in_order_and_unknown_ids_are_ignored() {
        let dest = crate::Destination::new(
            "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc"
                .parse()
                .unwrap(),
        );
        let entries: Vec<crate::AuditEvent> = ["a", "b", "c"]
            .iter()
            .map(|id| crate::AuditEvent::from_json(id.parse().unwrap(), "{}"))
            .collect();
        let put = PutRequest::new(dest, entries);
        let response = PutResponse::new()
            .failed("b", "Throttling", "slow down")
            .accepted("a", "E1")
            .accepted("zzz", "E9");
        let r = entries_of(&put, response);
        assert_eq!(
            r.states,
            [
                EntryState::Accepted("E1".into()),
                EntryState::Failed {
                    code: "Throttling".into(),
                    message: "slow down".into()
                },
                EntryState::Unknown,
            ]
        );
    }
}

//! [`SinkService`]: a [`Sink`] as the innermost tower service of a destination's stack.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{BoxError, Service};

use super::{PutResponse, Sink};
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
        let ids: Vec<String> = put.events().iter().map(|e| e.id().as_str().to_owned()).collect();
        crate::metrics::call(put.destination().name(), ids.len() as u64);
        let future = self.sink.put(put);
        Box::pin(async move {
            let response = future.await.map_err(BoxError::from)?;
            Ok(entries_of(ids, response))
        })
    }
}

/// Lists each sent id with its state in `response`; ids the response does not mention are `Unknown`.
fn entries_of(ids: Vec<String>, response: PutResponse) -> BatchResult {
    let (successful, failed) = response.into_parts();
    let mut answers: HashMap<String, EntryState> = HashMap::with_capacity(ids.len());
    for ok in successful {
        answers.insert(ok.id().to_owned(), EntryState::Accepted(ok.event_id().to_owned()));
    }
    for f in failed {
        answers.insert(
            f.id().to_owned(),
            EntryState::Failed {
                code: f.code().to_owned(),
                message: f.message().to_owned(),
            },
        );
    }
    let entries = ids
        .into_iter()
        .map(|id| {
            let state = answers.remove(&id).unwrap_or(EntryState::Unknown);
            (id, state)
        })
        .collect();
    BatchResult {
        entries,
        attempts: 1,
        ..BatchResult::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sent_id_is_listed_and_unknown_ids_are_ignored() {
        let response = PutResponse::new()
            .accepted("a", "E1")
            .failed("b", "Throttling", "slow down")
            .accepted("zzz", "E9");
        let r = entries_of(vec!["a".into(), "b".into(), "c".into()], response);
        assert_eq!(
            r.entries,
            [
                ("a".to_owned(), EntryState::Accepted("E1".into())),
                (
                    "b".to_owned(),
                    EntryState::Failed {
                        code: "Throttling".into(),
                        message: "slow down".into()
                    }
                ),
                ("c".to_owned(), EntryState::Unknown),
            ]
        );
    }
}

//! [`RateLimit`]: the tower service that waits for its slot in a shared [`Bucket`] before each call.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::time::{Instant, Sleep};
use tower::Service;

use super::Bucket;

/// Waits in `poll_ready` for a slot in a shared bucket; one slot per call.
///
/// # Clone
///
/// Clones share the bucket but not a reservation: a clone starts without one. (The retry layer clones its
/// inner service for every request session; each attempt reserves its own slot.)
#[derive(Debug)]
pub(crate) struct RateLimit<S> {
    inner: S,
    bucket: Arc<Bucket>,
    state: State,
}

#[derive(Debug)]
enum State {
    Idle,
    Waiting(Pin<Box<Sleep>>),
    Ready,
}

impl<S> RateLimit<S> {
    pub(crate) fn new(inner: S, bucket: Arc<Bucket>) -> Self {
        Self {
            inner,
            bucket,
            state: State::Idle,
        }
    }
}

impl<S: Clone> Clone for RateLimit<S> {
    fn clone(&self) -> Self {
        Self::new(self.inner.clone(), self.bucket.clone())
    }
}

impl<S, Req> Service<Req> for RateLimit<S>
where
    S: Service<Req>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        loop {
            match &mut self.state {
                State::Idle => {
                    let now = Instant::now();
                    let at = self.bucket.reserve(now);
                    self.state = if at <= now {
                        State::Ready
                    } else {
                        State::Waiting(Box::pin(tokio::time::sleep_until(at)))
                    };
                }
                State::Waiting(sleep) => {
                    ready!(sleep.as_mut().poll(cx));
                    self.state = State::Ready;
                }
                State::Ready => return self.inner.poll_ready(cx),
            }
        }
    }

    fn call(&mut self, req: Req) -> Self::Future {
        debug_assert!(matches!(self.state, State::Ready), "call before poll_ready");
        self.state = State::Idle;
        Box::pin(self.inner.call(req))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tower::ServiceExt;

    use super::*;
    use crate::rate::Rate;

    #[tokio::test(start_paused = true)]
    async fn calls_are_spaced_by_the_shared_bucket() {
        let bucket = Arc::new(Bucket::new(Rate::new(10, Duration::from_secs(1)).with_burst(1)));
        let echo = tower::service_fn(|_: ()| async { Ok::<_, std::convert::Infallible>(Instant::now()) });
        let mut a = RateLimit::new(echo, bucket.clone());
        let mut b = a.clone();
        let t0 = Instant::now();
        let mut times = Vec::new();
        for _ in 0..2 {
            times.push(a.ready().await.unwrap().call(()).await.unwrap() - t0);
            times.push(b.ready().await.unwrap().call(()).await.unwrap() - t0);
        }
        let ms = Duration::from_millis;
        assert_eq!(times, [ms(0), ms(100), ms(200), ms(300)]);
    }
}

//! What the server provides to server-rendered views through Leptos context. The app cannot
//! depend on the server crate, so the server hands in closures.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::domain::tracking::CitizenView;

pub type CitizenFuture = Pin<Box<dyn Future<Output = Result<CitizenView, String>> + Send>>;

/// Looks up the citizen page's data by tracking token.
#[derive(Clone)]
pub struct CitizenLookup(Arc<dyn Fn(String) -> CitizenFuture + Send + Sync>);

impl CitizenLookup {
    pub fn new(f: impl Fn(String) -> CitizenFuture + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub fn lookup(&self, token: String) -> CitizenFuture {
        (self.0)(token)
    }
}

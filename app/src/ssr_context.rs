//! What the server provides to server-rendered views through Leptos context. The app cannot
//! depend on the server crate, so the server hands in closures.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::domain::public_page::PublicView;
use crate::domain::tracking::CitizenView;

pub type CitizenFuture = Pin<Box<dyn Future<Output = Result<CitizenView, String>> + Send>>;
pub type PublicFuture = Pin<Box<dyn Future<Output = Result<PublicView, String>> + Send>>;

/// The server's lookups for the pages it renders with data: the citizen's ticket by
/// tracking token, and the public page's.
#[derive(Clone)]
pub struct Lookups {
    citizen: Arc<dyn Fn(String) -> CitizenFuture + Send + Sync>,
    public: Arc<dyn Fn() -> PublicFuture + Send + Sync>,
}

impl Lookups {
    pub fn new(
        citizen: impl Fn(String) -> CitizenFuture + Send + Sync + 'static,
        public: impl Fn() -> PublicFuture + Send + Sync + 'static,
    ) -> Self {
        Self {
            citizen: Arc::new(citizen),
            public: Arc::new(public),
        }
    }

    pub fn citizen(&self, token: String) -> CitizenFuture {
        (self.citizen)(token)
    }

    pub fn public(&self) -> PublicFuture {
        (self.public)()
    }
}

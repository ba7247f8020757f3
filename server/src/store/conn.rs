//! The connection to SurrealDB: the SDK's `Any` engine for memory and a server by URL, and
//! for the embedded store on disk a datastore built here, because the SDK gives the
//! embedded engine no way to size its memory.
//!
//! SurrealKV sizes its block cache at half the machine's memory less 1 GiB and its
//! memtable at up to 1 GiB, and replays the whole unflushed memtable from its log at every
//! start: on a year's store the server sat at 1.7 GB idle (BENCHMARKS.md, item 6b). Here
//! both are set from [`DiskMemory`], and [`Conn::close`] flushes the memtable so the next
//! start replays nothing.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use surrealdb::engine::any::Any;
use surrealdb::engine::local::Db;
use surrealdb::method::IntoVariables;
use surrealdb::types::{Object, Variables};
use surrealdb::{IndexedResults, Surreal};
use surrealdb_cnf::ConfigMap;
use surrealdb_engine_local::Datastore;

use crate::config::DiskMemory;

/// One session on the database.
#[derive(Clone)]
pub enum Conn {
    Any(Surreal<Any>),
    Embedded {
        db: Surreal<Db>,
        datastore: Arc<Datastore>,
    },
}

impl Conn {
    /// Memory (`mem://`) or a SurrealDB server by URL.
    pub async fn any(url: &str) -> surrealdb::Result<Self> {
        Ok(Conn::Any(surrealdb::engine::any::connect(url).await?))
    }

    /// The embedded store in `path` (a directory SurrealKV owns), its memory bounded.
    pub async fn embedded(path: &str, memory: DiskMemory) -> surrealdb::Result<Self> {
        let config = ConfigMap::empty()
            .with_key_value(
                "surrealkv_block_cache_capacity",
                memory.block_cache_bytes.to_string(),
            )
            .with_key_value(
                "surrealkv_max_memtable_size",
                memory.memtable_bytes.to_string(),
            );
        // The same steps as the SDK's own embedded connect, with the configuration added.
        let datastore = Datastore::builder()
            .with_config(config)
            .without_maintenance_tasks()
            .build_with_path(&format!("surrealkv://{path}"))
            .await
            .map_err(internal)?;
        datastore.check_version().await.map_err(internal)?;
        datastore.bootstrap().await.map_err(internal)?;
        datastore.start_maintenance_tasks();
        let db = Surreal::<Db>::unstable_from_datastore(Arc::clone(&datastore), None).await?;
        Ok(Conn::Embedded { db, datastore })
    }

    /// A statement (or several) to run; bind its parameters, then await it.
    pub fn query<'a>(&'a self, sql: impl Into<Cow<'a, str>>) -> Query<'a> {
        Query {
            conn: self,
            sql: sql.into(),
            vars: Ok(Variables::new()),
        }
    }

    pub async fn use_ns_db(&self, ns: &str, db: &str) -> surrealdb::Result<()> {
        match self {
            Conn::Any(c) => c.use_ns(ns).use_db(db).await.map(drop),
            Conn::Embedded { db: c, .. } => c.use_ns(ns).use_db(db).await.map(drop),
        }
    }

    pub async fn signin_root(&self, username: &str, password: &str) -> surrealdb::Result<()> {
        let root = surrealdb::opt::auth::Root {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        match self {
            Conn::Any(c) => c.signin(root).await.map(drop),
            Conn::Embedded { db, .. } => db.signin(root).await.map(drop),
        }
    }

    /// The whole database as SurrealQL statements, in chunks: a backup.
    pub async fn export(&self) -> surrealdb::Result<surrealdb::method::Backup> {
        match self {
            Conn::Any(c) => c.export(()).await,
            Conn::Embedded { db, .. } => db.export(()).await,
        }
    }

    /// Runs a backup's statements (a file [`Conn::export`] wrote).
    pub async fn import(&self, file: &std::path::Path) -> surrealdb::Result<()> {
        match self {
            Conn::Any(c) => c.import(file).await,
            Conn::Embedded { db, .. } => db.import(file).await,
        }
    }

    /// Writes what the embedded store holds in memory out to disk and closes it; the next
    /// start then has no log to replay. Nothing to do for memory or a server.
    pub async fn close(&self) -> surrealdb::Result<()> {
        match self {
            Conn::Any(_) => Ok(()),
            Conn::Embedded { datastore, .. } => datastore.shutdown().await.map_err(internal),
        }
    }
}

fn internal(e: impl std::fmt::Display) -> surrealdb::Error {
    surrealdb::Error::internal(e.to_string())
}

/// A query being built: [`Conn::query`], then `bind` as the SDK's, then await.
pub struct Query<'a> {
    conn: &'a Conn,
    sql: Cow<'a, str>,
    vars: surrealdb::Result<Variables>,
}

impl Query<'_> {
    pub fn bind(mut self, vars: impl IntoVariables) -> Self {
        self.vars = match (self.vars, vars.into_variables()) {
            (Ok(mut a), Ok(b)) => {
                a.extend(b);
                Ok(a)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        self
    }
}

impl<'a> IntoFuture for Query<'a> {
    type Output = surrealdb::Result<IndexedResults>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let vars = Object::from(self.vars?);
            match self.conn {
                Conn::Any(c) => c.query(self.sql).bind(vars).await,
                Conn::Embedded { db, .. } => db.query(self.sql).bind(vars).await,
            }
        })
    }
}

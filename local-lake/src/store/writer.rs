//! The store handle and its writer thread (group commit).

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags, params};
use tokio::sync::oneshot;

use super::catalog::Catalog;
use super::model::{Channel, EventDataStore, IngestionStatus, Query};
use super::schema::{KIND_CHANNEL, KIND_EVENT_DATA_STORE, KIND_QUERY, SCHEMA};
use crate::config::{DATABASE_FILE, Storage};
use crate::protocol::ApiError;

/// Most event rows written in one transaction; more waiting jobs go to the next one.
const MAX_ROWS_PER_TRANSACTION: usize = 20_000;
/// How long a connection waits for a lock before failing.
const BUSY_TIMEOUT_MS: u32 = 10_000;

/// One row of the `events` table.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    /// Destination event data store id.
    pub(crate) eds_id: String,
    /// CloudTrail-assigned eventID.
    pub(crate) event_id: Arc<str>,
    /// `YYYY-MM-DD HH:MM:SS.000`.
    pub(crate) event_time: Arc<str>,
    /// `YYYY-MM-DD HH:MM:SS.mmm`.
    pub(crate) ingestion_time: Arc<str>,
    /// The stored record JSON (shared by the rows of every destination).
    pub(crate) record: Arc<str>,
}

/// A write to run inside the writer's transaction. `Fn`, not `FnOnce`: when a grouped transaction fails,
/// each job is retried alone so that one bad job cannot fail its neighbours.
pub(crate) type WriteFn = Box<dyn Fn(&Connection) -> rusqlite::Result<()> + Send>;

struct WriteJob {
    events: Vec<EventRow>,
    exec: Option<WriteFn>,
    done: oneshot::Sender<Result<(), String>>,
}

enum Job {
    Write(WriteJob),
    Close,
}

#[derive(Debug, Clone)]
enum Location {
    /// A shared in-memory database (`memdb` VFS) visible to every connection of this process.
    Memory(String),
    File(PathBuf),
}

/// The handle to the database: submits writes to the writer thread, opens read connections.
#[derive(Debug)]
pub(crate) struct Store {
    location: Location,
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

fn storage_error(location: &Location, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Storage {
        location: match location {
            Location::Memory(_) => "memory".to_owned(),
            Location::File(p) => p.display().to_string(),
        },
        message: e.to_string(),
    }
}

impl Store {
    /// Opens (creating when needed) the database, loads the catalog and starts the writer thread.
    pub(crate) fn open(storage: &Storage) -> Result<(Self, Catalog), crate::Error> {
        let location = match storage {
            Storage::Memory => Location::Memory(format!("file:/ctlake-{}?vfs=memdb", uuid::Uuid::new_v4())),
            Storage::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| crate::Error::Io {
                    context: format!("cannot create the data directory {}", dir.display()),
                    source,
                })?;
                Location::File(dir.join(DATABASE_FILE))
            }
        };
        let conn = open_connection(&location, false).map_err(|e| storage_error(&location, e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| storage_error(&location, e))?;
        let catalog = load_catalog(&conn).map_err(|e| storage_error(&location, e))?;
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ctlake-writer".to_owned())
            .spawn(move || run_writer(conn, receiver))
            .map_err(|source| crate::Error::Io {
                context: "cannot start the writer thread".to_owned(),
                source,
            })?;
        let store = Self {
            location,
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
        };
        Ok((store, catalog))
    }

    /// Queues a write now (keeping the order of calls) and returns a receiver for its outcome.
    pub(crate) fn submit(&self, events: Vec<EventRow>, exec: Option<WriteFn>) -> Pending {
        let (done, rx) = oneshot::channel();
        let job = Job::Write(WriteJob { events, exec, done });
        let sent = self
            .sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(|s| s.send(job).is_ok());
        Pending {
            rx: sent.then_some(rx),
        }
    }

    /// Opens a read-only connection (queries).
    pub(crate) fn open_reader(&self) -> rusqlite::Result<Connection> {
        open_connection(&self.location, true)
    }

    /// Stops the writer after the queued jobs and waits for it (the database is then closed).
    pub(crate) async fn close(&self) {
        let sender = self
            .sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send(Job::Close);
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.get_mut().ok().and_then(Option::take) {
            let _ = sender.send(Job::Close);
        }
    }
}

/// The outcome of a submitted write.
#[derive(Debug)]
pub(crate) struct Pending {
    rx: Option<oneshot::Receiver<Result<(), String>>>,
}

impl Pending {
    /// Waits until the write has committed.
    pub(crate) async fn wait(self) -> Result<(), ApiError> {
        let Some(rx) = self.rx else {
            return Err(ApiError::internal(
                "The local Lake is shutting down; nothing was stored.",
            ));
        };
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ApiError::internal(format!(
                "The local Lake could not store the change: {e}."
            ))),
            Err(_) => Err(ApiError::internal(
                "The local Lake is shutting down; nothing was stored.",
            )),
        }
    }
}

/// A write job that upserts one resource row.
pub(crate) fn upsert<T: serde::Serialize>(
    kind: &'static str,
    id: &str,
    account: &str,
    region: &str,
    value: &T,
) -> WriteFn {
    let (id, account, region) = (id.to_owned(), account.to_owned(), region.to_owned());
    let body = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    Box::new(move |c: &Connection| {
        c.prepare_cached(
            "INSERT OR REPLACE INTO resources (kind, id, account, region, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![kind, id, account, region, body])
        .map(drop)
    })
}

/// Writes for an event data store.
pub(crate) fn save_store(s: &EventDataStore) -> WriteFn {
    upsert(KIND_EVENT_DATA_STORE, &s.id, &s.account, &s.region, s)
}

/// Writes for a channel (not its ingestion status).
pub(crate) fn save_channel(c: &Channel) -> WriteFn {
    upsert(KIND_CHANNEL, &c.id, &c.account, &c.region, c)
}

/// Writes for a query.
pub(crate) fn save_query(q: &Query) -> WriteFn {
    upsert(KIND_QUERY, &q.id, &q.account, &q.region, q)
}

/// A write job that deletes one resource row (and a channel's ingestion status).
pub(crate) fn delete(kind: &'static str, id: &str) -> WriteFn {
    let id = id.to_owned();
    Box::new(move |c: &Connection| {
        c.execute(
            "DELETE FROM resources WHERE kind = ?1 AND id = ?2",
            params![kind, id],
        )?;
        if kind == KIND_CHANNEL {
            c.execute("DELETE FROM channel_ingestion WHERE channel_id = ?1", params![id])?;
        }
        Ok(())
    })
}

/// A write job that records a channel's ingestion status.
pub(crate) fn save_ingestion(channel_id: &str, status: &IngestionStatus) -> WriteFn {
    let id = channel_id.to_owned();
    let body = serde_json::to_string(status).unwrap_or_else(|_| "{}".to_owned());
    Box::new(move |c: &Connection| {
        c.prepare_cached("INSERT OR REPLACE INTO channel_ingestion (channel_id, body) VALUES (?1, ?2)")?
            .execute(params![id, body])
            .map(drop)
    })
}

fn open_connection(location: &Location, read_only: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    flags |= if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    };
    let conn = match location {
        Location::Memory(uri) => Connection::open_with_flags(uri, flags)?,
        Location::File(path) => Connection::open_with_flags(path, flags)?,
    };
    conn.busy_timeout(std::time::Duration::from_millis(u64::from(BUSY_TIMEOUT_MS)))?;
    if !read_only {
        if matches!(location, Location::File(_)) {
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "cache_size", -16_000)?;
    Ok(conn)
}

fn load_catalog(conn: &Connection) -> Result<Catalog, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let mut catalog = Catalog::default();
    let mut stmt = conn
        .prepare("SELECT kind, id, body FROM resources")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .map_err(sql)?;
    let bad = |kind: &str, id: &str, e: serde_json::Error| {
        format!("resources row ({kind}, {id}) is not a valid {kind}: {e}")
    };
    for row in rows {
        let (kind, id, body) = row.map_err(sql)?;
        match kind.as_str() {
            KIND_EVENT_DATA_STORE => {
                let s: EventDataStore = serde_json::from_str(&body).map_err(|e| bad(&kind, &id, e))?;
                catalog.stores.insert(s.id.clone(), s);
            }
            KIND_CHANNEL => {
                let c: Channel = serde_json::from_str(&body).map_err(|e| bad(&kind, &id, e))?;
                catalog.channels.insert(c.id.clone(), c);
            }
            KIND_QUERY => {
                let q: Query = serde_json::from_str(&body).map_err(|e| bad(&kind, &id, e))?;
                catalog.queries.insert(q.id.clone(), q);
            }
            _ => {}
        }
    }
    let mut stmt = conn
        .prepare("SELECT channel_id, body FROM channel_ingestion")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(sql)?;
    for row in rows {
        let (id, body) = row.map_err(sql)?;
        if let Some(channel) = catalog.channels.get_mut(&id) {
            channel.ingestion = serde_json::from_str(&body).map_err(|e| bad("channel_ingestion", &id, e))?;
        }
    }
    Ok(catalog)
}

fn run_writer(mut conn: Connection, receiver: mpsc::Receiver<Job>) {
    let mut closing = false;
    while !closing {
        let mut batch = match receiver.recv() {
            Ok(Job::Write(job)) => vec![job],
            Ok(Job::Close) | Err(_) => break,
        };
        let mut rows = batch[0].events.len();
        while rows < MAX_ROWS_PER_TRANSACTION {
            match receiver.try_recv() {
                Ok(Job::Write(job)) => {
                    rows += job.events.len();
                    batch.push(job);
                }
                Ok(Job::Close) => {
                    closing = true;
                    break;
                }
                Err(_) => break,
            }
        }
        match write_batch(&mut conn, &batch) {
            Ok(()) => {
                for job in batch {
                    let _ = job.done.send(Ok(()));
                }
            }
            Err(_) if batch.len() > 1 => {
                // Retry alone so that only the job at fault fails.
                for job in batch {
                    let result =
                        write_batch(&mut conn, std::slice::from_ref(&job)).map_err(|e| e.to_string());
                    let _ = job.done.send(result);
                }
            }
            Err(e) => {
                for job in batch {
                    let _ = job.done.send(Err(e.to_string()));
                }
            }
        }
    }
    // Close cleanly: a final checkpoint folds the WAL into the database file.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
}

fn write_batch(conn: &mut Connection, batch: &[WriteJob]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO events (eds_id, event_id, event_time, ingestion_time, record) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for job in batch {
            for row in &job.events {
                insert.execute(params![
                    row.eds_id,
                    &*row.event_id,
                    &*row.event_time,
                    &*row.ingestion_time,
                    &*row.record
                ])?;
            }
            if let Some(exec) = &job.exec {
                exec(&tx)?;
            }
        }
    }
    tx.commit()
}

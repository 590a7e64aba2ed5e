//! The harness: a local Lake on a loopback port (in-memory, in this process) and the built `ctlake` binary
//! run as a child process against it, with an environment that holds nothing of the machine's AWS setup.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

/// The built binary.
pub(crate) const CTLAKE: &str = env!("CARGO_BIN_EXE_ctlake");
/// The local Lake's default account (access key `test`).
pub(crate) const OWNER: &str = "000000000000";
/// A vendor account (a 12-digit access key is that account on the local Lake).
pub(crate) const VENDOR: &str = "111122223333";

/// A local Lake and a scratch directory.
pub(crate) struct Lake {
    runtime: tokio::runtime::Runtime,
    lake: Option<ctlake_local::LocalLake>,
    pub(crate) url: String,
    pub(crate) dir: tempfile::TempDir,
}

impl Lake {
    /// Starts an in-memory Lake.
    pub(crate) fn start() -> Self {
        Self::start_with(ctlake_local::Config::in_memory())
    }

    /// Starts a Lake with `config`.
    pub(crate) fn start_with(config: ctlake_local::Config) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let lake = runtime.block_on(ctlake_local::LocalLake::start(config)).unwrap();
        let url = lake.endpoint_url();
        Self {
            runtime,
            lake: Some(lake),
            url,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A path in the scratch directory.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ctlake ARGS` as the account owner, in the scratch directory.
    pub(crate) fn ctlake(&self, args: &[&str]) -> Run {
        self.ctlake_as("test", args)
    }

    /// `ctlake ARGS` with access key `key` (secret `test`).
    pub(crate) fn ctlake_as(&self, key: &str, args: &[&str]) -> Run {
        let mut cmd = command(self.dir.path());
        cmd.env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_ENDPOINT_URL", &self.url)
            .args(args);
        Run::of(cmd.output().unwrap())
    }

    /// The same environment, for a program of the test's choice (scripts), with `ctlake` on the PATH.
    pub(crate) fn command(&self, program: &str) -> Command {
        let mut cmd = clean(Command::new(program), self.dir.path());
        cmd.env("AWS_ENDPOINT_URL", &self.url);
        let bin = Path::new(CTLAKE).parent().unwrap();
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", bin.display()));
        cmd
    }

    /// An AWS SDK configuration for the Lake (the test's own, independent client).
    pub(crate) fn sdk(&self, key: &str) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                key, "test", None, None, "it",
            )))
            .build()
    }

    /// Runs a future on the Lake's runtime.
    pub(crate) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Sets the Lake's faults at run time (the admin endpoint `POST /_ctlake/faults`).
    pub(crate) fn faults(&self, faults: serde_json::Value) {
        self.block_on(post_faults(&self.url, faults));
    }

    /// Sets up an integration with ctlake and returns the bundle (JSON).
    pub(crate) fn enable(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec![
            "--output",
            "json",
            "enable-integration",
            "--name",
            "itest",
            "--create-event-data-store",
        ];
        args.extend_from_slice(extra);
        let run = self.ctlake(&args);
        assert_eq!(run.code, 0, "{run:?}");
        run.json()
    }
}

impl Drop for Lake {
    fn drop(&mut self) {
        if let Some(lake) = self.lake.take() {
            let _ = self.runtime.block_on(lake.shutdown());
        }
    }
}

async fn post_faults(url: &str, faults: serde_json::Value) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = faults.to_string();
    let request = format!(
        "POST /_ctlake/faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

/// A `ctlake` command with a clean environment: no AWS settings of the machine, Region us-east-1, secret
/// `test`, standard input closed.
pub(crate) fn command(dir: &Path) -> Command {
    clean(Command::new(CTLAKE), dir)
}

fn clean(mut cmd: Command, dir: &Path) -> Command {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") || key == "CTLAKE_EVENT_DATA_STORE" || key == "RUST_LOG"
        {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", empty_file(dir, "aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", empty_file(dir, "aws-credentials"))
        // Never the internet: a closed loopback port unless the test points elsewhere.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// An empty file in `dir` (no AWS profiles).
fn empty_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    if !path.exists() {
        std::fs::write(&path, "").unwrap();
    }
    path
}

/// A finished `ctlake` run.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn of(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Standard output as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// `n` valid events for the owner account, as NDJSON lines.
pub(crate) fn events(n: usize, prefix: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "version": "1.0",
                "userIdentity": {"type": "CustomUser", "principalId": format!("user-{}", i % 7)},
                "eventSource": "app.example.com",
                "eventName": if i % 3 == 0 { "Login" } else { "Update" },
                "eventTime": "2024-05-14T08:00:00Z",
                "UID": format!("{prefix}-{i}"),
                "sourceIPAddress": "192.0.2.1",
                "recipientAccountId": OWNER,
                "requestParameters": {"n": i},
            })
            .to_string()
        })
        .collect()
}

/// Counts the rows of a query with the test's own SDK client.
pub(crate) fn count(lake: &Lake, store_arn: &str, filter: &str) -> (u64, u64) {
    let id = store_arn.rsplit('/').next().unwrap();
    let sql = format!("SELECT count(*) AS n, count(DISTINCT eventData.UID) AS d FROM {id} {filter}");
    let run = lake.ctlake(&["--output", "json", "query", &sql]);
    assert_eq!(run.code, 0, "{run:?}");
    let rows = run.json();
    let n = rows[0]["n"].as_str().unwrap().parse().unwrap();
    let d = rows[0]["d"].as_str().unwrap().parse().unwrap();
    (n, d)
}

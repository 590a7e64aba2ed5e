//! A real `moto_server` (S3, SQS, SNS) on a free loopback port, started by a test and killed on drop.
//!
//! Found on `PATH`, else at `<workspace>/.venv/bin/moto_server` (where `scripts/test` installs it). A missing
//! moto_server fails the test with instructions: tests that need it are never skipped.
//!
//! ```no_run
//! # async fn demo() {
//! let moto = ctlake_e2e::moto::Moto::start();
//! let sqs = moto.sqs();
//! let queue = sqs.create_queue().queue_name("q").send().await.unwrap().queue_url.unwrap();
//! assert!(queue.starts_with(&moto.endpoint()));
//! # }
//! ```

#![allow(clippy::missing_panics_doc)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// The region used against moto.
pub const REGION: &str = "us-east-1";

/// moto's default account: the account of every resource it creates (and of its SNS signing certificates).
pub const ACCOUNT: &str = "123456789012";

/// How long moto_server may take to answer after it was started (it imports its services lazily; CI machines
/// are slow).
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running moto_server; killed when dropped.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    port: u16,
}

/// The moto_server program: on `PATH`, else in the workspace's `.venv`.
///
/// # Panics
///
/// When it is in neither place, with what to do about it.
pub fn find_moto_server() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|candidate| candidate.is_file())
    });
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server");
    match on_path {
        Some(path) => path,
        None if venv.is_file() => venv,
        None => panic!(
            "moto_server not found on PATH nor at {}: run scripts/test (it installs moto[server] into .venv) or \
             `pip install 'moto[server]'`",
            venv.display()
        ),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Moto {
    /// Starts moto_server on `127.0.0.1` and waits until it answers.
    pub fn start() -> Self {
        let program = find_moto_server();
        for _attempt in 0..3 {
            let port = free_port();
            let child = Command::new(&program)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
            let mut moto = Self { child, port };
            if moto.wait_ready() {
                return moto;
            }
            // The port may have been taken meanwhile: try another one.
        }
        panic!("moto_server ({}) did not become ready", program.display());
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let request = format!("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n", self.port);
                let mut response = [0u8; 12];
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_exact(&mut response).is_ok()
                    && response.starts_with(b"HTTP/1.")
                {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An SDK configuration for moto: [`REGION`], its endpoint, dummy credentials.
    pub fn sdk_config(&self) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(self.endpoint())
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                Credentials::new("testing", "testing", None, None, "moto"),
            ))
            .build()
    }

    /// An S3 client (path-style addressing).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk_config())
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// An SQS client.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk_config())
    }

    /// An SNS client.
    pub fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.sdk_config())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! `ctlake local serve` as a process: the endpoint line, a client using it, a clean stop on SIGTERM.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use crate::harness::{Run, command};

#[test]
fn local_serve_prints_its_endpoint_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = command(dir.path())
        .args(["local", "serve", "--port", "0", "--data-dir", "data"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");

    let client = Run::of(
        command(dir.path())
            .args([
                "--endpoint-url",
                &url,
                "--output",
                "json",
                "enable-integration",
                "--name",
                "served",
                "--create-event-data-store",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(client.code, 0, "{client:?}");
    assert_eq!(client.json()["changed"], true);

    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(dir.path().join("data").join("lake.sqlite3").exists());
}

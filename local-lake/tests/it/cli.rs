//! Independent clients: the AWS CLI (PyPI `awscli`) runs the setup flow of seed-event-sources.md unchanged,
//! and boto3's `put_audit_events` publishes cross-account. Both come from the project's `.venv`
//! (`scripts/test` installs them); a missing tool fails the test with that instruction.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::*;

fn find_tool(name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    for venv in [workspace().join(".venv"), PathBuf::from("/work/main/.venv")] {
        let candidate = venv.join("bin").join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`{name}` was not found on PATH or in <workspace>/.venv/bin: run scripts/test, which installs the AWS CLI and boto3"
    );
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CTLAKE_PYTHON") {
        return PathBuf::from(p);
    }
    for venv in [workspace().join(".venv"), PathBuf::from("/work/main/.venv")] {
        let candidate = venv.join("bin/python");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("no Python with boto3 (CTLAKE_PYTHON or <workspace>/.venv/bin/python): run scripts/test");
}

/// An environment with only what the AWS tools need: no profile files from $HOME, no retries.
fn isolated(cmd: &mut Command, home: &Path, access_key: &str) {
    let config = home.join("config");
    let creds = home.join("credentials");
    std::fs::write(&config, "").unwrap();
    std::fs::write(&creds, "").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", creds)
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_PAGER", "");
}

struct Cli {
    aws: PathBuf,
    endpoint: String,
    home: tempfile::TempDir,
}

impl Cli {
    /// Runs `aws <args>` as `access_key`; returns (success, stdout JSON or Null, stderr).
    fn run(&self, access_key: &str, args: &[&str]) -> (bool, Value, String) {
        let mut cmd = Command::new(&self.aws);
        isolated(&mut cmd, self.home.path(), access_key);
        cmd.args(args)
            .args(["--endpoint-url", &self.endpoint, "--output", "json"]);
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let json = if stdout.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&stdout).unwrap()
        };
        (
            out.status.success(),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, access_key: &str, args: &[&str]) -> Value {
        let (ok, json, stderr) = self.run(access_key, args);
        assert!(ok, "aws {args:?} failed: {stderr}");
        json
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_runs_the_documented_setup_flow() {
    let lake = lake().await;
    let cli = Cli {
        aws: find_tool("aws"),
        endpoint: lake.endpoint_url(),
        home: tempfile::tempdir().unwrap(),
    };
    let selectors = r#"[{"Name":"Select all external events","FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog"]}]}]"#;
    let eds = cli.ok(
        "test",
        &[
            "cloudtrail",
            "create-event-data-store",
            "--name",
            "klarity-store",
            "--retention-period",
            "30",
            "--no-multi-region-enabled",
            "--advanced-event-selectors",
            selectors,
        ],
    );
    let eds_arn = eds["EventDataStoreArn"].as_str().unwrap().to_owned();
    assert_eq!(eds["MultiRegionEnabled"], false);
    let destinations = format!(r#"[{{"Type":"EVENT_DATA_STORE","Location":"{eds_arn}"}}]"#);
    let channel = cli.ok(
        "test",
        &[
            "cloudtrail",
            "create-channel",
            "--name",
            "klarity",
            "--source",
            "Custom",
            "--destinations",
            &destinations,
        ],
    );
    let channel_arn = channel["ChannelArn"].as_str().unwrap().to_owned();
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ChannelPolicy","Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{PARTNER}:root"]}},"Action":["cloudtrail-data:PutAuditEvents"],"Resource":["{channel_arn}"],"Condition":{{"StringEquals":{{"cloudtrail:ExternalId":"klarity-ext-1"}}}}}}]}}"#
    );
    let put = cli.ok(
        "test",
        &[
            "cloudtrail",
            "put-resource-policy",
            "--resource-arn",
            &channel_arn,
            "--resource-policy",
            &policy,
        ],
    );
    assert_eq!(put["ResourceArn"], channel_arn.as_str());

    let event = serde_json::json!({"id": "cli-1", "eventData": event_data(OWNER, "cli-uid-1")}).to_string();
    let out = cli.ok(
        "test",
        &[
            "cloudtrail-data",
            "put-audit-events",
            "--channel-arn",
            &channel_arn,
            "--external-id",
            "klarity-ext-1",
            "--audit-events",
            &event,
        ],
    );
    assert_eq!(out["successful"][0]["id"], "cli-1");
    assert_eq!(out["failed"], serde_json::json!([]));
    let event_id = out["successful"][0]["eventID"].as_str().unwrap().to_owned();

    // A second account without the external ID is refused; with it, it succeeds.
    let partner_event =
        serde_json::json!({"id": "cli-2", "eventData": event_data(OWNER, "cli-uid-2")}).to_string();
    let (ok, _, stderr) = cli.run(
        PARTNER,
        &[
            "cloudtrail-data",
            "put-audit-events",
            "--channel-arn",
            &channel_arn,
            "--audit-events",
            &partner_event,
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("ChannelInsufficientPermission"), "{stderr}");
    let out = cli.ok(
        PARTNER,
        &[
            "cloudtrail-data",
            "put-audit-events",
            "--channel-arn",
            &channel_arn,
            "--external-id",
            "klarity-ext-1",
            "--audit-events",
            &partner_event,
        ],
    );
    assert_eq!(out["successful"][0]["id"], "cli-2");

    let channel_state = cli.ok("test", &["cloudtrail", "get-channel", "--channel", &channel_arn]);
    assert!(channel_state["IngestionStatus"]["LatestIngestionSuccessEventID"].is_string());

    // The event is queryable with start-query / get-query-results.
    let eds_id = id_of(&eds_arn);
    let statement = format!(
        "SELECT eventID, eventData.UID FROM {eds_id} WHERE eventTime > '2023-01-01 00:00:00' ORDER BY eventData.UID"
    );
    let started = cli.ok(
        "test",
        &["cloudtrail", "start-query", "--query-statement", &statement],
    );
    let query_id = started["QueryId"].as_str().unwrap().to_owned();
    let mut results = Value::Null;
    for _ in 0..50 {
        results = cli.ok(
            "test",
            &["cloudtrail", "get-query-results", "--query-id", &query_id],
        );
        if results["QueryStatus"] == "FINISHED" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(results["QueryStatus"], "FINISHED", "{results}");
    let rows = results["QueryResultRows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0]["eventID"], event_id.as_str());
    assert_eq!(rows[0][1]["UID"], "cli-uid-1");

    let deleted = cli.ok(
        "test",
        &["cloudtrail", "delete-channel", "--channel", &channel_arn],
    );
    assert!(deleted.is_null() || deleted == serde_json::json!({}));
    let (ok, _, stderr) = cli.run("test", &["cloudtrail", "get-channel", "--channel", &channel_arn]);
    assert!(!ok && stderr.contains("ChannelNotFoundException"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_put_audit_events_cross_account() {
    let lake = lake().await;
    let c = clients(&lake, "test");
    let eds = create_store(&c.ct, "boto").await;
    let channel = create_channel(&c.ct, "boto", &[&eds]).await;
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": [format!("arn:aws:iam::{PARTNER}:root")]}, "Action": "cloudtrail-data:PutAuditEvents",
        "Resource": channel, "Condition": {"StringEquals": {"cloudtrail:ExternalId": "boto-ext"}}}]});
    c.ct.put_resource_policy()
        .resource_arn(&channel)
        .resource_policy(policy.to_string())
        .send()
        .await
        .unwrap();

    let script = r#"
import json, sys, boto3
client = boto3.client("cloudtrail-data", endpoint_url=sys.argv[1])
out = client.put_audit_events(channelArn=sys.argv[2], externalId="boto-ext",
    auditEvents=[{"id": "boto-1", "eventData": sys.argv[3]}])
print(json.dumps({"successful": out["successful"], "failed": out["failed"]}))
"#;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(python());
    isolated(&mut cmd, home.path(), PARTNER);
    let out = cmd
        .arg("-c")
        .arg(script)
        .arg(lake.endpoint_url())
        .arg(&channel)
        .arg(event_data(OWNER, "boto-uid"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "boto3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["successful"][0]["id"], "boto-1");
    assert_eq!(result["failed"], serde_json::json!([]));
    assert_eq!(result["successful"][0]["eventID"].as_str().unwrap().len(), 36);
}

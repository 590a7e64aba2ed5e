//! The channel-setup scripts in `scripts/`, run with bash against the local Lake.

use std::path::PathBuf;

use crate::harness::{Lake, Run, VENDOR};

fn script(name: &str) -> String {
    format!("{}/../scripts/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn bash(lake: &Lake, args: &[&str]) -> Run {
    Run::of(lake.command("bash").args(args).output().unwrap())
}

#[test]
fn custom_setup_is_idempotent_and_disable_undoes_it() {
    let lake = Lake::start();
    let first = bash(
        &lake,
        &[
            &script("enable-custom-integration.sh"),
            "acme",
            VENDOR,
            "acme-ext",
        ],
    );
    assert_eq!(first.code, 0, "{first:?}");
    let bundle = first.json();
    assert_eq!(bundle["changed"], true);
    assert_eq!(bundle["externalId"], "acme-ext");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(lake.path("integration-acme.json")).unwrap()).unwrap();
    assert_eq!(saved, bundle);
    let second = bash(
        &lake,
        &[
            &script("enable-custom-integration.sh"),
            "acme",
            VENDOR,
            "acme-ext",
        ],
    );
    assert_eq!(second.json()["changed"], false, "{second:?}");

    let channel = bundle["channelArn"].as_str().unwrap();
    let off = bash(
        &lake,
        &[&script("disable-integration.sh"), channel, "--delete-channel"],
    );
    assert_eq!(off.code, 0, "{off:?}");
    assert_eq!(off.json()["changes"][0]["action"], "delete");
    let again = bash(&lake, &[&script("disable-integration.sh"), channel]);
    assert_eq!(again.json()["changed"], false, "{again:?}");
}

#[test]
fn partner_setup_uses_the_partner_source() {
    let lake = Lake::start();
    let run = bash(
        &lake,
        &[
            &script("enable-partner-integration.sh"),
            "GitHub",
            VENDOR,
            "gh-org-42",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let bundle = run.json();
    assert_eq!(bundle["source"], "GitHub");
    assert_eq!(bundle["channelName"], "github");
    assert!(lake.path("integration-github.json").exists());
    let usage = bash(&lake, &[&script("enable-partner-integration.sh"), "GitHub"]);
    assert_eq!(usage.code, 2, "{usage:?}");
}

/// The AWS CLI: on PATH (CI's scripts/test puts the project's .venv there), else the workspace's .venv.
fn aws_cli_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("aws"))
                .find(|a| a.is_file())
        })
        .unwrap_or_default();
    let venv = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/aws"));
    let aws = on_path
        .or_else(|| venv.is_file().then_some(venv))
        .expect("the AWS CLI is needed: run scripts/test (it installs awscli into .venv)");
    aws.parent().unwrap().to_owned()
}

#[test]
fn the_aws_cli_only_setup_agrees_with_ctlake() {
    let lake = Lake::start();
    let aws_dir = aws_cli_dir();
    let run_awscli = || {
        let mut cmd = lake.command("bash");
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", aws_dir.display()))
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .args([
                &script("enable-custom-integration-awscli.sh"),
                "aws-cli",
                VENDOR,
                "cli-ext",
            ]);
        Run::of(cmd.output().unwrap())
    };
    let first = run_awscli();
    assert_eq!(first.code, 0, "{first:?}");
    let fields: Vec<&str> = first.stdout.trim_end().split('\t').collect();
    assert_eq!(fields.len(), 5, "{first:?}");
    assert!(fields[0].starts_with("arn:aws:cloudtrail:us-east-1:000000000000:channel/"));
    assert_eq!(&fields[1..4], ["000000000000", "us-east-1", "cli-ext"]);
    assert!(first.stderr.contains("created channel"), "{first:?}");

    let second = run_awscli();
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, first.stdout);
    assert!(second.stderr.contains("channel policy: unchanged"), "{second:?}");

    // ctlake sees the same integration as already set up.
    let check = lake.ctlake(&[
        "--output",
        "json",
        "enable-integration",
        "--name",
        "aws-cli",
        "--principal",
        VENDOR,
        "--external-id",
        "cli-ext",
    ]);
    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(check.json()["changed"], false, "{check:?}");
    assert_eq!(check.json()["channelArn"], fields[0]);
}

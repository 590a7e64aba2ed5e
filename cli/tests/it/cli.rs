//! The command line itself: help (snapshots), usage errors, completions, credentials errors.

use crate::harness::{Run, command};

fn ctlake(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    Run::of(command(dir.path()).args(args).output().unwrap())
}

#[test]
fn help_is_stable() {
    for (name, args) in [
        ("help", &["--help"][..]),
        ("help_short", &["-h"][..]),
        ("enable_integration_help", &["enable-integration", "--help"][..]),
        ("disable_integration_help", &["disable-integration", "--help"][..]),
        ("put_events_help", &["put-events", "--help"][..]),
        ("ingest_changes_help", &["ingest-changes", "--help"][..]),
        ("validate_help", &["validate", "--help"][..]),
        ("query_help", &["query", "--help"][..]),
        ("quickstart_help", &["quickstart", "--help"][..]),
        ("local_serve_help", &["local", "serve", "--help"][..]),
        ("completions_help", &["completions", "--help"][..]),
        ("ingest_alarms_help", &["ingest-alarms", "--help"][..]),
        ("serve_sns_help", &["serve-sns", "--help"][..]),
        ("suggest_causes_help", &["suggest-causes", "--help"][..]),
    ] {
        let run = ctlake(args);
        assert_eq!(run.code, 0, "{run:?}");
        insta::assert_snapshot!(name, run.stdout);
    }
}

#[test]
fn every_command_documents_examples() {
    for cmd in [
        "enable-integration",
        "disable-integration",
        "put-events",
        "ingest-changes",
        "validate",
        "query",
        "quickstart",
        "completions",
        "ingest-alarms",
        "serve-sns",
        "suggest-causes",
    ] {
        let run = ctlake(&[cmd, "--help"]);
        assert!(run.stdout.contains("Examples:"), "{cmd}: {run:?}");
    }
    assert!(ctlake(&["--help"]).stdout.contains("252  Invalid command line"));
}

#[test]
fn usage_errors_exit_252() {
    let run = ctlake(&["enable-integration"]);
    assert_eq!(run.code, 252, "{run:?}");
    assert!(run.stderr.contains("--name"), "{run:?}");
    assert_eq!(ctlake(&["no-such-command"]).code, 252);
    assert_eq!(ctlake(&["--output", "yaml", "validate", "x"]).code, 252);
    let csv = ctlake(&["--output", "csv", "enable-integration", "--name", "abc"]);
    assert_eq!(csv.code, 252, "{csv:?}");
}

#[test]
fn completions_are_generated() {
    let bash = ctlake(&["completions", "bash"]);
    assert_eq!(bash.code, 0);
    assert!(
        bash.stdout.contains("enable-integration") && bash.stdout.contains("complete -F"),
        "{bash:?}"
    );
    let zsh = ctlake(&["completions", "zsh"]);
    assert!(zsh.stdout.starts_with("#compdef ctlake"), "{zsh:?}");
}

#[test]
fn missing_credentials_exit_253() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .args(["query", "SELECT 1"])
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_eq!(run.code, 253, "{run:?}");
    assert!(run.stderr.contains("credentials"), "{run:?}");
}

#[test]
fn an_unreachable_endpoint_exits_255() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["query", "SELECT 1"])
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_eq!(run.code, 255, "{run:?}");
    assert!(run.stderr.contains("cannot reach the endpoint"), "{run:?}");
}

//! validate: every problem with its line number, nothing sent, exit codes.

use crate::harness::{Lake, events};

#[test]
fn every_problem_is_reported_with_its_line() {
    let lake = Lake::start();
    let mut lines = events(6, "v");
    lines[1] = lines[1].replace("2024-05-14T08:00:00Z", "202-07-12T10:55:00");
    lines[4] = "[1, 2]".to_owned();
    std::fs::write(lake.path("v.ndjson"), lines.join("\n") + "\n\n").unwrap();

    let text = lake.ctlake(&["--output", "text", "validate", "v.ndjson"]);
    assert_eq!(text.code, 1, "{text:?}");
    let problems: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(problems.len(), 2, "{text:?}");
    assert!(
        problems[0].starts_with("v.ndjson:2: InvalidData: eventData.eventTime: "),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("v.ndjson:5: InvalidData: "),
        "{problems:?}"
    );

    let json = lake.ctlake(&[
        "--output",
        "json",
        "validate",
        "v.ndjson",
        "--channel-arn",
        "arn:aws:cloudtrail:us-east-1:999999999999:channel/x",
    ]);
    assert_eq!(json.code, 1, "{json:?}");
    let report = json.json();
    assert_eq!(report["records"], 6);
    // With the channel of another account every record is also InvalidRecipient.
    assert_eq!(report["invalid"], 6);
    assert_eq!(report["errors"][0]["line"], 1);
    assert_eq!(report["errors"][0]["code"], "InvalidRecipient");
    assert_eq!(report["complete"], true);
}

#[test]
fn a_valid_file_exits_0_and_prints_nothing_when_piped() {
    let lake = Lake::start();
    std::fs::write(lake.path("ok.json"), format!("[{}]", events(5, "ok").join(","))).unwrap();
    let run = lake.ctlake(&["--output", "text", "validate", "ok.json"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", ""),
        "{run:?}"
    );
}

#[test]
fn a_broken_array_names_its_line() {
    let lake = Lake::start();
    let ev = events(2, "b");
    std::fs::write(lake.path("broken.json"), format!("[\n{}\n{}\n]", ev[0], ev[1])).unwrap();
    let run = lake.ctlake(&["--output", "json", "validate", "broken.json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(report["complete"], false);
    assert_eq!(report["errors"][0]["line"], 3);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expected `,` or `]`")
    );
}

#[test]
fn catalog_checks_use_the_shipped_catalog() {
    let lake = Lake::start();
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../event-sources");
    let ev = events(1, "c")[0].replace("app.example.com", "com.nordcloudapp.klarity");
    std::fs::write(lake.path("c.ndjson"), ev).unwrap();
    let run = lake.ctlake(&["--output", "text", "validate", "c.ndjson", "--catalog", catalog]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("c.ndjson:1: CatalogViolation: eventData.eventName"),
        "{run:?}"
    );
    let missing = lake.ctlake(&["validate", "c.ndjson", "--catalog", "no-such-dir"]);
    assert_eq!(missing.code, 252, "{missing:?}");
}

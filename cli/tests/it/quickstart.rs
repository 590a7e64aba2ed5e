//! quickstart from an empty directory, twice.

use crate::harness::command;

/// Whether a table in `out` has the row `field | value`.
fn row(out: &str, field: &str, value: &str) -> bool {
    out.lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["|", field, value, "|"])
}

#[test]
fn quickstart_works_from_an_empty_directory_and_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = crate::harness::Run::of(command(dir.path()).arg("quickstart").output().unwrap());
    assert_eq!(first.code, 0, "{first:?}");
    assert!(dir.path().join(".ctlake").is_dir());
    assert!(first.stdout.contains("| Accepted   20"), "{first:?}");
    assert!(first.stdout.contains("| apiKey.used "), "{first:?}");
    assert!(first.stdout.contains("(generated)"), "{first:?}");
    // The bundled CloudTrail sample: 4 changes (CreateUser, CreateAccessKey, AttachUserPolicy, StopLogging),
    // published and then listed by the saved query.
    assert!(row(&first.stdout, "Published", "4"), "{first:?}");
    let out = &first.stdout;
    let changes = &out[out.find("4. query --saved recent-changes").unwrap()..out.find("5. query").unwrap()];
    let rows: Vec<&str> = changes.lines().filter(|l| l.contains(" arn:aws:iam::")).collect();
    assert_eq!(rows.len(), 4, "{changes}");
    for name in ["CreateUser", "CreateAccessKey", "AttachUserPolicy", "StopLogging"] {
        let named = rows.iter().filter(|r| r.contains(&format!(" {name} "))).count();
        assert_eq!(named, 1, "{name}: {changes}");
    }

    let second = crate::harness::Run::of(command(dir.path()).arg("quickstart").output().unwrap());
    assert_eq!(second.code, 0, "{second:?}");
    assert!(second.stdout.contains("nothing changed"), "{second:?}");
    assert!(second.stdout.contains("already published"), "{second:?}");
    assert!(second.stdout.contains("already ingested"), "{second:?}");
    assert!(row(&second.stdout, "Published", "0"), "{second:?}");
    // The same query answer: the examples were not published twice.
    let answer = |out: &str| out[out.find("5. query").unwrap()..out.find("Next:").unwrap()].to_owned();
    let strip = |s: String| s.lines().skip(2).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(answer(&first.stdout)), strip(answer(&second.stdout)));
}

#[test]
fn quickstart_uses_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::harness::Run::of(
        command(dir.path())
            .args(["quickstart", "--data-dir", "lake-data"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(dir.path().join("lake-data").join("lake.sqlite3").exists());
    assert!(!dir.path().join(".ctlake").exists());
}

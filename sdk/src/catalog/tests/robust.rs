//! No input makes the loader or the checker panic, and every diagnostic points inside its file.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// The demo or full catalog with a few bytes replaced, inserted or deleted.
fn mutated() -> impl Strategy<Value = String> {
    let base = prop_oneof![Just(DEMO), Just(FULL)];
    (
        base,
        proptest::collection::vec((any::<prop::sample::Index>(), 0..3u8, any::<char>()), 1..6),
    )
        .prop_map(|(base, edits)| {
            let mut chars: Vec<char> = base.chars().collect();
            for (at, kind, c) in edits {
                let i = at.index(chars.len().max(1)).min(chars.len());
                match kind {
                    0 if i < chars.len() => chars[i] = c,
                    1 => chars.insert(i, c),
                    _ if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ => {}
                }
            }
            chars.into_iter().collect()
        })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z.*_]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("eventSource".to_owned()),
                    Just("eventName".to_owned()),
                    Just("version".to_owned()),
                    Just("requestParameters".to_owned()),
                    Just("responseElements".to_owned()),
                    Just("additionalEventData".to_owned()),
                    Just("eventData".to_owned()),
                    "[a-zA-Z_]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn loading_any_text_never_panics_and_diagnostics_point_inside_the_file(text in mutated()) {
        if let Err(e) = load(&text) {
            prop_assert!(!e.diagnostics().is_empty());
            let lines = text.lines().count().max(1) + 1;
            for d in e.diagnostics() {
                if let Some(p) = d.position() {
                    prop_assert!(p.line >= 1 && p.line <= lines, "{d} (the text has {lines} lines)");
                    prop_assert!(p.column >= 1);
                }
            }
        }
    }

    #[test]
    fn checking_any_json_never_panics(value in json_value(), source in prop_oneof![
        Just("com.example.full"), Just("com.example.demo"), Just("com.example.fuller")
    ], name in prop_oneof![Just("job.finished"), Just("JobX"), Just("widget.created"), Just("x")]) {
        let catalog = Catalog::from_files([
            SourceFile::new("demo", "demo/source.toml", DEMO),
            SourceFile::new("full", "full/source.toml", FULL),
        ]).unwrap();
        let _ = catalog.check_json(&value);
        let mut event = json!({"eventSource": source, "eventName": name});
        for key in ["requestParameters", "responseElements", "additionalEventData"] {
            event[key] = value.clone();
        }
        let report = catalog.check_json(&event);
        // Whatever the sections hold, an event is judged: clean, or every finding has a path.
        for finding in report.findings() {
            prop_assert!(finding.path().starts_with("eventData."));
        }
    }
}

//! enable-integration and disable-integration against the local Lake.

use serde_json::{Value, json};

use crate::harness::{Lake, VENDOR};

fn policy(lake: &Lake, channel: &str) -> Option<Value> {
    let client = aws_sdk_cloudtrail::Client::new(&lake.sdk("test"));
    lake.block_on(async {
        match client.get_resource_policy().resource_arn(channel).send().await {
            Ok(out) => out.resource_policy().map(|p| serde_json::from_str(p).unwrap()),
            Err(_) => None,
        }
    })
}

#[test]
fn enable_creates_everything_then_a_second_run_changes_nothing() {
    let lake = Lake::start();
    let first = lake.enable(&["--principal", VENDOR, "--external-id", "vendor-ext-1"]);
    assert_eq!(first["changed"], true);
    assert_eq!(first["accountId"], "000000000000");
    assert_eq!(first["region"], "us-east-1");
    assert_eq!(first["externalId"], "vendor-ext-1");
    assert_eq!(first["externalIdGenerated"], false);
    let actions: Vec<&str> = first["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "create", "create"]);
    let channel = first["channelArn"].as_str().unwrap();
    assert!(channel.starts_with("arn:aws:cloudtrail:us-east-1:000000000000:channel/"));

    let doc = policy(&lake, channel).unwrap();
    assert_eq!(
        doc["Statement"],
        json!([{"Sid": "CtlakeItest", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
                "Action": "cloudtrail-data:PutAuditEvents", "Resource": channel,
                "Condition": {"StringEquals": {"cloudtrail:ExternalId": "vendor-ext-1"}}}])
    );

    let second = lake.enable(&["--principal", VENDOR, "--external-id", "vendor-ext-1"]);
    assert_eq!(second["changed"], false);
    assert_eq!(second["channelArn"], first["channelArn"]);
    assert_eq!(second["eventDataStoreArn"], first["eventDataStoreArn"]);
    let actions: Vec<&str> = second["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["reuse", "reuse", "unchanged"]);
    assert_eq!(policy(&lake, channel).unwrap(), doc);
}

#[test]
fn a_cross_account_principal_without_external_id_gets_a_generated_one_that_is_kept() {
    let lake = Lake::start();
    let run = lake.ctlake(&[
        "--output",
        "text",
        "enable-integration",
        "--name",
        "gen",
        "--principal",
        VENDOR,
        "--create-event-data-store",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    // Printed prominently on stderr even when piped, and in the text bundle.
    assert!(run.stderr.contains("Generated external ID: "), "{run:?}");
    let fields: Vec<&str> = run.stdout.trim_end().split('\t').collect();
    assert_eq!(fields.len(), 5, "{run:?}");
    let generated = fields[3];
    assert_eq!(generated.len(), 32);
    assert!(run.stderr.contains(generated));
    // A second run keeps the external ID the vendor already has.
    let again = lake.ctlake(&[
        "--output",
        "json",
        "enable-integration",
        "--name",
        "gen",
        "--principal",
        VENDOR,
        "--create-event-data-store",
    ]);
    assert_eq!(again.json()["externalId"], generated);
    assert_eq!(again.json()["changed"], false);
    assert!(!again.stderr.contains("Generated"));
}

#[test]
fn the_merge_keeps_a_foreign_statement_and_disable_removes_only_ours() {
    let lake = Lake::start();
    let bundle = lake.enable(&["--principal", VENDOR, "--external-id", "x-1"]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    // Someone else's statement, written with another tool.
    let foreign = json!({"Sid": "PartnerB", "Effect": "Allow", "Principal": {"AWS": "444455556666"},
        "Action": ["cloudtrail-data:PutAuditEvents"], "Resource": [channel]});
    let ours = policy(&lake, &channel).unwrap()["Statement"][0].clone();
    let doc = json!({"Version": "2012-10-17", "Statement": [foreign.clone(), ours]});
    let client = aws_sdk_cloudtrail::Client::new(&lake.sdk("test"));
    lake.block_on(
        client
            .put_resource_policy()
            .resource_arn(&channel)
            .resource_policy(doc.to_string())
            .send(),
    )
    .unwrap();

    // A changed principal list updates our statement only.
    let updated = lake.enable(&[
        "--principal",
        VENDOR,
        "--principal",
        "222233334444",
        "--external-id",
        "x-1",
    ]);
    assert_eq!(updated["changes"][2]["action"], "update");
    let statements = policy(&lake, &channel).unwrap()["Statement"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0], foreign);
    assert_eq!(
        statements[1]["Principal"]["AWS"],
        json!(["arn:aws:iam::111122223333:root", "arn:aws:iam::222233334444:root"])
    );

    // Disable: our statement goes, the foreign one stays.
    let run = lake.ctlake(&["--output", "json", "disable-integration", "--channel", &channel]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["changes"][0]["action"], "update");
    assert_eq!(policy(&lake, &channel).unwrap()["Statement"], json!([foreign]));
    // Again: nothing to do.
    let again = lake.ctlake(&["--output", "json", "disable-integration", "--channel", &channel]);
    assert_eq!(again.json()["changed"], false);
    // Removing the foreign principal explicitly leaves no statement: the policy is deleted.
    let run = lake.ctlake(&[
        "--output",
        "json",
        "disable-integration",
        "--channel",
        &channel,
        "--principal",
        "444455556666",
    ]);
    assert_eq!(run.json()["changes"][0]["action"], "delete", "{run:?}");
    assert_eq!(policy(&lake, &channel), None);
}

#[test]
fn disable_deletes_channel_and_store_only_when_confirmed() {
    let lake = Lake::start();
    let bundle = lake.enable(&[]);
    let channel = bundle["channelArn"].as_str().unwrap().to_owned();
    let store = bundle["eventDataStoreArn"].as_str().unwrap().to_owned();

    let unconfirmed = lake.ctlake(&[
        "disable-integration",
        "--channel",
        &channel,
        "--delete-channel",
        "--delete-event-data-store",
    ]);
    assert_eq!(unconfirmed.code, 252, "{unconfirmed:?}");
    assert!(
        unconfirmed.stderr.contains("--yes") && unconfirmed.stderr.contains("7 days"),
        "{unconfirmed:?}"
    );

    let plan = lake.ctlake(&[
        "--output",
        "json",
        "disable-integration",
        "--channel",
        &channel,
        "--delete-channel",
        "--delete-event-data-store",
        "--dry-run",
    ]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert_eq!(plan.json()["dryRun"], true);

    let run = lake.ctlake(&[
        "--output",
        "json",
        "disable-integration",
        "--channel",
        &channel,
        "--delete-channel",
        "--delete-event-data-store",
        "--yes",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let actions: Vec<String> = run.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["action"].as_str().unwrap(),
                c["resource"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "delete channel",
            "update event data store",
            "delete event data store"
        ]
    );

    let client = aws_sdk_cloudtrail::Client::new(&lake.sdk("test"));
    let got = lake
        .block_on(client.get_event_data_store().event_data_store(&store).send())
        .unwrap();
    assert_eq!(got.status().unwrap().as_str(), "PENDING_DELETION");
    assert!(
        lake.block_on(client.get_channel().channel(&channel).send())
            .is_err()
    );
}

#[test]
fn dry_run_changes_nothing() {
    let lake = Lake::start();
    let run = lake.ctlake(&[
        "--output",
        "json",
        "enable-integration",
        "--name",
        "plan",
        "--create-event-data-store",
        "--dry-run",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let bundle = run.json();
    assert_eq!(bundle["dryRun"], true);
    assert_eq!(bundle["changed"], true);
    assert_eq!(bundle["channelArn"], Value::Null);
    let client = aws_sdk_cloudtrail::Client::new(&lake.sdk("test"));
    let channels = lake.block_on(client.list_channels().send()).unwrap();
    assert!(channels.channels().is_empty());
    let stores = lake.block_on(client.list_event_data_stores().send()).unwrap();
    assert!(stores.event_data_stores().is_empty());
}

#[test]
fn the_new_customer_refusal_is_explained_and_reusable_stores_are_named() {
    let lake = Lake::start_with(ctlake_local::Config::in_memory().faults({
        let mut f = ctlake_local::FaultConfig::default();
        f.refuse_new_customers = true;
        f
    }));
    let run = lake.ctlake(&[
        "enable-integration",
        "--name",
        "late",
        "--create-event-data-store",
    ]);
    assert_eq!(run.code, 254, "{run:?}");
    assert!(run.stderr.contains("no longer accepts new customers"), "{run:?}");
    assert!(run.stderr.contains("CloudWatch"), "{run:?}");
}

#[test]
fn a_store_that_does_not_qualify_is_refused_with_the_reason() {
    let lake = Lake::start();
    let client = aws_sdk_cloudtrail::Client::new(&lake.sdk("test"));
    let selector = aws_sdk_cloudtrail::types::AdvancedEventSelector::builder()
        .field_selectors(
            aws_sdk_cloudtrail::types::AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("Management")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    lake.block_on(
        client
            .create_event_data_store()
            .name("mgmt")
            .advanced_event_selectors(selector)
            .send(),
    )
    .unwrap();
    let run = lake.ctlake(&[
        "enable-integration",
        "--name",
        "x-y",
        "--event-data-store",
        "mgmt",
    ]);
    assert_eq!(run.code, 252, "{run:?}");
    assert!(
        run.stderr.contains("does not select ActivityAuditLog events"),
        "{run:?}"
    );
    let missing = lake.ctlake(&["enable-integration", "--name", "x-y"]);
    assert_eq!(missing.code, 252, "{missing:?}");
    assert!(
        missing.stderr.contains("--create-event-data-store"),
        "{missing:?}"
    );
}

#[test]
fn the_bundle_table_is_stable() {
    let lake = Lake::start();
    lake.enable(&["--principal", VENDOR, "--external-id", "vendor-ext-1"]);
    let run = lake.ctlake(&[
        "--output",
        "table",
        "enable-integration",
        "--name",
        "itest",
        "--principal",
        VENDOR,
        "--external-id",
        "vendor-ext-1",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!(redact_ids(&run.stdout));
}

/// Replaces the random resource IDs (36-character UUIDs after `channel/` and `eventdatastore/`).
fn redact_ids(text: &str) -> String {
    let mut out = text.to_owned();
    for marker in ["channel/", "eventdatastore/"] {
        let mut from = 0;
        while let Some(i) = out[from..].find(marker) {
            let start = from + i + marker.len();
            let end = (start + 36).min(out.len());
            out.replace_range(start..end, "[ID]");
            from = start;
        }
    }
    out
}

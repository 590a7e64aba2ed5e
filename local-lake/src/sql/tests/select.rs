//! The select list: columns, nested fields, maps, `*`, naming and rendering.

use super::fixtures::*;

#[test]
fn top_level_and_nested_columns_with_lake_names() {
    let sql = format!(
        "SELECT eventID, eventTime, eventData.eventName, eventData.userIdentity.principalId, eventData.eventTime, \
         metadata.channelArn, awsRegion FROM {STORE_A} WHERE eventID = 'ev-1'"
    );
    assert_eq!(
        columns(&sql),
        [
            "eventID",
            "eventTime",
            "eventName",
            "principalId",
            "eventTime",
            "channelArn",
            "awsRegion"
        ]
    );
    assert_eq!(
        rows(&sql),
        table(&[&[
            "ev-1",
            "2023-01-05 13:50:00.000",
            "discoveryRule.created",
            "alice@example.com",
            "2023-01-05T13:50:00Z",
            "arn:aws:cloudtrail:us-east-1:111122223333:channel/ch-1",
            "us-east-1",
        ]])
    );
}

#[test]
fn identifiers_are_case_insensitive_and_names_keep_the_written_case() {
    let sql = format!(
        "SELECT EVENTDATA.USERIDENTITY.PRINCIPALID, eventdata.uid, eventdata.sourceipaddress, \"eventData\".\"eventSource\" \
         FROM {STORE_A} WHERE eventid = 'ev-1'"
    );
    assert_eq!(
        columns(&sql),
        ["PRINCIPALID", "uid", "sourceipaddress", "eventSource"]
    );
    assert_eq!(
        rows(&sql),
        table(&[&[
            "alice@example.com",
            "uid-1",
            "10.0.0.1",
            "com.nordcloudapp.klarity"
        ]])
    );
}

#[test]
fn aliases_and_positional_names() {
    let sql = format!(
        "SELECT eventData.eventName AS name, lower(eventData.eventName), 'x', eventID id FROM {STORE_A} \
         WHERE eventID = 'ev-2'"
    );
    assert_eq!(columns(&sql), ["name", "_col1", "_col2", "id"]);
    assert_eq!(
        rows(&sql),
        table(&[&["discoveryRule.deleted", "discoveryrule.deleted", "x", "ev-2"]])
    );
}

#[test]
fn missing_fields_are_null() {
    let sql = format!(
        "SELECT eventData.userAgent, eventData.errorCode, addendum.reason FROM {STORE_A} WHERE eventID = 'ev-5'"
    );
    assert_eq!(rows(&sql), table(&[&["<null>", "<null>", "<null>"]]));
}

#[test]
fn element_at_reads_map_members_case_sensitively() {
    let sql = format!(
        "SELECT element_at(eventData.requestParameters, 'ruleName'), element_at(eventData.requestParameters, 'rulename'), \
         element_at(eventData.userIdentity.details, 'role'), element_at(eventData.responseElements, 'status') \
         FROM {STORE_A} WHERE eventID = 'ev-1'"
    );
    assert_eq!(rows(&sql), table(&[&["prod", "<null>", "admin", "ok"]]));
}

#[test]
fn element_at_renders_non_string_members_as_json_text() {
    let sql = format!(
        "SELECT element_at(eventData.additionalEventData, 'count'), element_at(eventData.additionalEventData, 'ratio'), \
         element_at(eventData.additionalEventData, 'flag'), element_at(eventData.additionalEventData, 'nested'), \
         element_at(eventData.additionalEventData, 'none'), element_at(eventData.additionalEventData, 'dotted.key'), \
         element_at(eventData.userIdentity.details, 'mfa') FROM {STORE_A} WHERE eventID = 'ev-1'"
    );
    assert_eq!(
        rows(&sql),
        table(&[&["3", "1.50", "true", "{\"a\":[1,2]}", "<null>", "d", "true"]])
    );
}

#[test]
fn json_extract_scalar_on_a_map_member() {
    let sql = format!(
        "SELECT json_extract_scalar(element_at(eventData.additionalEventData, 'nested'), '$.a[1]'), \
         json_extract_scalar(element_at(eventData.additionalEventData, 'nested'), '$.a'), \
         json_extract_scalar(eventData.userAgent, '$.x') FROM {STORE_A} WHERE eventID = 'ev-1'"
    );
    assert_eq!(rows(&sql), table(&[&["2", "<null>", "<null>"]]));
}

#[test]
fn select_star_returns_the_top_level_schema_columns() {
    let sql = format!("SELECT * FROM {STORE_A} WHERE eventID = 'ev-4'");
    assert_eq!(
        columns(&sql),
        [
            "eventversion",
            "eventcategory",
            "eventtype",
            "eventid",
            "eventtime",
            "awsregion",
            "recipientaccountid",
            "addendum",
            "metadata",
            "eventdata"
        ]
    );
    let r = rows(&sql);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0][..8],
        [
            "1.0",
            "ActivityAuditLog",
            "ActivityLog",
            "ev-4",
            "2023-01-06 09:00:00.000",
            "us-east-1",
            "111122223333",
            "{reason=UPDATED_DATA, updatedfields=eventName, originaluid=uid-0, originaleventid=ev-0}",
        ]
    );
    assert_eq!(
        r[0][8],
        "{ingestiontime=2023-01-06T09:00:00Z, channelarn=arn:aws:cloudtrail:us-east-1:111122223333:channel/ch-1}"
    );
    assert_eq!(
        r[0][9],
        "{version=v1, useridentity={type=USER, principalid=carol@example.com, details=null}, useragent=autobackup/2.3, \
         eventsource=com.nordcloudapp.autobackup, eventname=backup.failed, eventtime=2023-01-06T09:00:00Z, uid=uid-4, \
         requestparameters={resourceType=rds}, responseelements=null, errorcode=Timeout, errormessage=null, \
         sourceipaddress=2001:db8::1, recipientaccountid=111122223333, additionaleventdata=null}"
    );
}

#[test]
fn whole_maps_and_rows_render_like_trino() {
    let sql = format!(
        "SELECT eventData.requestParameters, eventData.userIdentity, addendum FROM {STORE_A} WHERE eventID = 'ev-1'"
    );
    assert_eq!(columns(&sql), ["requestParameters", "userIdentity", "addendum"]);
    assert_eq!(
        rows(&sql),
        table(&[&[
            "{ruleName=prod, ruleId=r-1, environment=production}",
            "{type=USER, principalid=alice@example.com, details={role=admin, mfa=true}}",
            "<null>",
        ]])
    );
}

#[test]
fn struct_wildcard_expands_fields() {
    let sql = format!("SELECT metadata.* FROM {STORE_A} WHERE eventID = 'ev-1'");
    assert_eq!(columns(&sql), ["ingestiontime", "channelarn"]);
    assert_eq!(
        rows(&sql),
        table(&[&[
            "2023-01-05T13:50:00Z",
            "arn:aws:cloudtrail:us-east-1:111122223333:channel/ch-1"
        ]])
    );
}

#[test]
fn table_id_may_be_quoted_aliased_or_upper_case() {
    for from in [
        format!("\"{STORE_A}\""),
        format!("{STORE_A} AS t"),
        format!("{STORE_A} t"),
        STORE_A.to_uppercase(),
    ] {
        let sql = format!("SELECT count(*) FROM {from}");
        assert_eq!(col(&sql), ["6"], "{sql}");
    }
    assert_eq!(
        col(&format!(
            "SELECT t.eventData.eventName FROM {STORE_A} t WHERE t.eventID = 'ev-3'"
        )),
        ["backup.started"]
    );
}

#[test]
fn tables_lists_each_store_once() {
    let q = crate::sql::compile(&format!(
        "SELECT eventID FROM {STORE_A} UNION ALL SELECT eventID FROM {STORE_B} UNION ALL SELECT eventID FROM {STORE_A}"
    ))
    .unwrap();
    assert_eq!(q.tables(), [STORE_A, STORE_B]);
}

#[test]
fn keyword_like_field_names() {
    let sql = format!(
        "SELECT eventData.userIdentity.type, eventData.version, addendum.reason, eventData.userIdentity.details \
         FROM {STORE_A} WHERE eventID = 'ev-4'"
    );
    assert_eq!(columns(&sql), ["type", "version", "reason", "details"]);
    assert_eq!(rows(&sql), table(&[&["USER", "v1", "UPDATED_DATA", "<null>"]]));
}

//! What the local Lake rejects, and the message naming the construct.

use super::fixtures::*;

fn assert_rejected(sql: &str, needle: &str) {
    let msg = rejected(sql);
    assert!(
        msg.contains(needle),
        "message {msg:?} does not contain {needle:?} for {sql}"
    );
}

#[test]
fn only_one_select_statement() {
    assert_rejected(&format!("DELETE FROM {STORE_A}"), "SELECT only");
    assert_rejected(&format!("INSERT INTO \"{STORE_A}\" VALUES (1)"), "SELECT only");
    assert_rejected("DROP TABLE events", "SELECT only");
    assert_rejected(
        &format!("SELECT 1 FROM {STORE_A}; SELECT 2 FROM {STORE_A}"),
        "multiple statements",
    );
    assert_rejected("", "empty");
    assert_rejected("SELECT 1", "FROM an event data store");
    assert_rejected("SELEC eventID FROM x", "syntax error");
}

#[test]
fn unknown_columns_name_the_path() {
    assert_rejected(
        &format!("SELECT eventData.foo FROM {STORE_A}"),
        "unknown column eventData.foo",
    );
    assert_rejected(
        &format!("SELECT eventname FROM {STORE_A}"),
        "unknown column eventname",
    );
    assert_rejected(
        &format!("SELECT eventData.eventName.x FROM {STORE_A}"),
        "eventData.eventName is not a struct",
    );
    assert_rejected(
        &format!("SELECT eventData.requestParameters.ruleName FROM {STORE_A}"),
        "element_at(eventData.requestParameters, 'key')",
    );
    assert_rejected(
        &format!("SELECT eventID FROM {STORE_A} WHERE name = 'x'"),
        "unknown column name",
    );
}

#[test]
fn unsupported_constructs_are_named() {
    for (sql, needle) in [
        (
            "SELECT eventID FROM {A} WHERE eventTime > now() - INTERVAL '1' DAY",
            "function now() is not supported",
        ),
        (
            "SELECT eventID FROM {A} WHERE eventTime > TIMESTAMP '2023-01-01 00:00:00' - INTERVAL '1' DAY",
            "INTERVAL is not supported by the local Lake",
        ),
        (
            "SELECT row_number() OVER (ORDER BY eventTime) FROM {A}",
            "window function",
        ),
        (
            "SELECT approx_distinct(eventID) FROM {A}",
            "function approx_distinct() is not supported",
        ),
        ("WITH x AS (SELECT eventID FROM {A}) SELECT * FROM x", "WITH"),
        (
            "SELECT eventID FROM {A} WHERE eventID IN (SELECT eventID FROM {A})",
            "subquery",
        ),
        ("SELECT * FROM (SELECT eventID FROM {A})", "subquery in FROM"),
        (
            "SELECT eventData.requestParameters['ruleName'] FROM {A}",
            "element_at(map, 'key')",
        ),
        (
            "SELECT element_at(eventData.requestParameters, eventID) FROM {A}",
            "element_at with a key that is not a string literal",
        ),
        (
            "SELECT eventID FROM {A} WHERE eventID LIKE eventData.UID",
            "LIKE with a pattern that is not a string literal",
        ),
        ("SELECT eventID FROM {A} WHERE eventID ILIKE 'x'", "ILIKE"),
        (
            "SELECT eventID FROM {A} WHERE eventID SIMILAR TO 'x'",
            "SIMILAR TO",
        ),
        ("SELECT trim(eventID) FROM {A}", "trim() is not supported"),
        ("SELECT eventID::varchar FROM {A}", "::"),
        (
            "SELECT CAST(eventID AS DECIMAL(10,2)) FROM {A}",
            "CAST to DECIMAL",
        ),
        ("SELECT eventID FROM {A} a JOIN {A} b USING (eventID)", "USING"),
        ("SELECT eventID FROM {A} GROUP BY ROLLUP (eventID)", "ROLLUP"),
        ("SELECT DISTINCT ON (eventID) eventID FROM {A}", "DISTINCT ON"),
        ("SELECT 1.5 FROM {A}", "DECIMAL literal"),
        (
            "SELECT eventID FROM {A} INTERSECT ALL SELECT eventID FROM {A}",
            "INTERSECT ALL",
        ),
        (
            "SELECT json_extract_scalar(eventData.additionalEventData, '$.x') FROM {A}",
            "element_at(map, 'key') first",
        ),
        (
            "SELECT json_extract_scalar(eventData.userAgent, 'x') FROM {A}",
            "Invalid JSON path",
        ),
        ("SELECT replace(eventID, '', 'x') FROM {A}", "empty search string"),
        (
            "SELECT substr(eventID, length(eventID)) FROM {A}",
            "not an integer literal",
        ),
        (
            "SELECT eventID FROM {A} LIMIT eventID",
            "LIMIT must be a non-negative integer literal",
        ),
        (
            "SELECT eventID FROM {A} LIMIT -1",
            "LIMIT must be a non-negative integer literal",
        ),
        ("SELECT * FROM {A} ORDER BY eventData", "ORDER BY the map or row"),
        (
            "SELECT DISTINCT eventData FROM {A}",
            "SELECT DISTINCT over the map or row column",
        ),
        (
            "SELECT eventData.requestParameters, count(*) FROM {A} GROUP BY 1",
            "GROUP BY the map or row column",
        ),
    ] {
        assert_rejected(&sql.replace("{A}", STORE_A), needle);
    }
}

#[test]
fn type_errors_trino_would_report() {
    for (sql, needle) in [
        (
            "SELECT eventID FROM {A} WHERE eventData.eventName = 1",
            "'=' cannot be applied to varchar and integer",
        ),
        (
            "SELECT eventID FROM {A} WHERE eventTime > eventData.eventTime",
            "cannot be applied to timestamp(3) and varchar",
        ),
        (
            "SELECT eventID FROM {A} WHERE eventData.eventName",
            "WHERE must evaluate to a boolean",
        ),
        (
            "SELECT sum(eventData.eventName) FROM {A}",
            "Unexpected parameters (varchar) for function sum",
        ),
        (
            "SELECT avg(eventTime) FROM {A}",
            "Unexpected parameters (timestamp(3)) for function avg",
        ),
        (
            "SELECT lower(eventTime) FROM {A}",
            "Unexpected parameters (timestamp(3)) for function lower",
        ),
        (
            "SELECT eventData.eventName || 1 FROM {A}",
            "Unexpected parameters (varchar, integer) for function concat",
        ),
        (
            "SELECT eventID FROM {A} WHERE eventTime LIKE '2023%'",
            "LIKE cannot be applied to timestamp(3)",
        ),
        (
            "SELECT element_at(eventData.eventName, 'x') FROM {A}",
            "for function element_at",
        ),
        (
            "SELECT eventID + 1 FROM {A}",
            "'+' cannot be applied to varchar and integer",
        ),
        (
            "SELECT date_trunc('day', eventData.eventTime) FROM {A}",
            "must be a timestamp",
        ),
        (
            "SELECT date_trunc('fortnight', eventTime) FROM {A}",
            "'fortnight' is not a valid TIMESTAMP field",
        ),
        (
            "SELECT CASE WHEN true THEN 1 ELSE 'x' END FROM {A}",
            "all CASE results must have the same type",
        ),
        (
            "SELECT eventID FROM {A} UNION SELECT count(*) FROM {A}",
            "incompatible types",
        ),
        (
            "SELECT eventID, eventTime FROM {A} UNION SELECT eventID FROM {A}",
            "different number of fields",
        ),
    ] {
        assert_rejected(&sql.replace("{A}", STORE_A), needle);
    }
}

#[test]
fn time_literals_must_be_timestamps() {
    for (cond, needle) in [
        ("eventTime > '2023-01-05T13:51:00Z'", "not 'T'"),
        ("eventTime > '2023-01-05 13:51:00 UTC'", "no time zone"),
        ("eventTime > 'yesterday'", "not a valid timestamp literal"),
        ("eventTime > '2023-02-30'", "not a valid timestamp literal"),
        ("eventTime > TIMESTAMP '2023-01-05T13:51:00'", "not 'T'"),
        (
            "eventTime BETWEEN '2023-01-01' AND 'later'",
            "not a valid timestamp literal",
        ),
    ] {
        assert_rejected(&format!("SELECT eventID FROM {STORE_A} WHERE {cond}"), needle);
    }
}

#[test]
fn grouping_rules() {
    for (sql, needle) in [
        (
            "SELECT eventData.eventName, count(*) FROM {A}",
            "'eventData.eventName' must be an aggregate expression or appear in GROUP BY clause",
        ),
        (
            "SELECT eventData.eventName FROM {A} GROUP BY eventData.eventSource",
            "must be an aggregate expression or appear in GROUP BY clause",
        ),
        (
            "SELECT eventData.eventName AS n, count(*) FROM {A} GROUP BY n",
            "not the SELECT aliases",
        ),
        (
            "SELECT count(*) FROM {A} GROUP BY 2",
            "GROUP BY position 2 is not in select list",
        ),
        (
            "SELECT count(*) FROM {A} GROUP BY 1",
            "cannot refer to an aggregate",
        ),
        (
            "SELECT eventID FROM {A} WHERE count(*) > 1",
            "WHERE clause cannot contain aggregations",
        ),
        ("SELECT count(count(*)) FROM {A}", "Cannot nest aggregations"),
        (
            "SELECT eventID FROM {A} GROUP BY count(*)",
            "GROUP BY clause cannot contain aggregations",
        ),
        (
            "SELECT DISTINCT eventData.eventName FROM {A} ORDER BY eventTime",
            "For SELECT DISTINCT, ORDER BY expressions must appear in select list",
        ),
        (
            "SELECT eventData.eventSource, count(*) FROM {A} GROUP BY 1 ORDER BY eventTime",
            "must be an aggregate expression or appear in GROUP BY clause",
        ),
        (
            "SELECT eventID FROM {A} ORDER BY 2",
            "ORDER BY position 2 is not in select list",
        ),
        (
            "SELECT eventID FROM {A} ORDER BY count(*)",
            "ORDER BY clause cannot contain aggregations",
        ),
        (
            "SELECT eventID AS x, eventTime AS x FROM {A} ORDER BY x",
            "ambiguous",
        ),
    ] {
        assert_rejected(&sql.replace("{A}", STORE_A), needle);
    }
}

#[test]
fn deep_nesting_is_bounded_and_never_overflows_the_stack() {
    // 10 000 characters (Lake's statement limit) of nesting, on a thread with a small stack like a tokio worker's.
    for unit in ["1=1 AND ", "'a'||", "1+", "(", "NOT "] {
        let depth = 10_000 / unit.len();
        let close = if unit == "(" {
            ")".repeat(depth)
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT eventID FROM {STORE_A} WHERE {}1=1{close}",
            unit.repeat(depth)
        );
        let handle = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || crate::sql::compile(&sql).map(|q| q.sql().len()))
            .unwrap();
        let result = handle.join().expect("compile must not overflow the stack");
        assert!(result.is_err(), "{unit}: {result:?}");
    }
    // Within the bound, a long chain compiles and SQLite runs it.
    let chain = vec!["eventID = 'ev-1'"; 150].join(" OR ");
    assert_eq!(
        col(&format!("SELECT eventID FROM {STORE_A} WHERE {chain}")),
        ["ev-1"]
    );
    let msg = rejected(&format!(
        "SELECT eventID FROM {STORE_A} WHERE {}",
        vec!["eventID = 'x'"; 250].join(" OR ")
    ));
    assert!(msg.contains("nested more than 200 levels"), "{msg}");
}

#[test]
fn dialect_details_trino_rejects() {
    assert_rejected(&format!("SELECT `eventID` FROM {STORE_A}"), "double quotes");
    assert_rejected("SELECT eventID FROM `x`", "double quotes");
    assert_rejected(
        &format!("SELECT TIMESTAMP '2023-01-01 00:00:00' FROM {STORE_A}"),
        "TIMESTAMP literal",
    );
    assert_rejected(
        &format!("SELECT \"eventID\" FROM {STORE_A} WHERE eventID = \"ev-1\""),
        "unknown column ev-1",
    );
    assert_rejected(
        &format!("SELECT eventID FROM {STORE_A} WHERE eventID = U&'ev'"),
        "not supported",
    );
}

#[test]
fn statements_never_become_sqlite_sql() {
    // User text reaches SQLite only as bound parameters: string literals, ids, map keys and patterns.
    let evil = "x'); DROP TABLE events; --";
    let sql = format!(
        "SELECT element_at(eventData.requestParameters, '{k}') FROM \"{id}\" WHERE eventID = '{k}' OR eventID LIKE '{k}'",
        k = evil.replace('\'', "''"),
        id = "events\"\" WHERE 1=1; --"
    );
    let q = crate::sql::compile(&sql).unwrap();
    assert!(!q.sql().contains("DROP"), "{}", q.sql());
    assert_eq!(q.tables(), ["events\" where 1=1; --"]);
    let conn = lake();
    let out = crate::sql::execute(&conn, &q).unwrap();
    assert!(out.rows.is_empty());
    let n: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 8);
    // Other tables are not reachable: a table name is always an event data store id.
    assert_eq!(col("SELECT count(*) FROM sqlite_master"), ["0"]);
}

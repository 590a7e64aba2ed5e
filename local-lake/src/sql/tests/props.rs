//! Properties: `compile` never panics, and whatever it accepts runs on SQLite without SQLite errors (only the
//! Trino runtime errors the local Lake reproduces may occur).

use proptest::prelude::*;
use proptest::sample::select;

use super::fixtures::*;
use crate::sql::{QueryError, compile, execute};

/// Messages of the runtime errors Trino also raises.
const RUNTIME_ERRORS: &[&str] = &[
    "Cannot cast",
    "Value cannot be cast",
    "Division by zero",
    "overflow",
    "Out of range",
    "Unable to cast",
    "NaN",
];

fn leaf() -> impl Strategy<Value = String> {
    select(vec![
        "eventID",
        "eventTime",
        "eventData.eventName",
        "eventdata.useridentity.principalid",
        "eventData.errorCode",
        "eventData.eventTime",
        "element_at(eventData.requestParameters, 'ruleName')",
        "element_at(eventData.additionalEventData, 'nested')",
        "eventData.requestParameters",
        "eventData.userIdentity",
        "metadata.channelArn",
        "awsRegion",
        "'x'",
        "'2023-01-05 13:51:00'",
        "'backup.%'",
        "1",
        "0",
        "-3",
        "2.5e0",
        "1.5",
        "NULL",
        "true",
        "DATE '2023-01-06'",
        "TIMESTAMP '2023-01-06 00:00:00'",
        "count(*)",
    ])
    .prop_map(str::to_owned)
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 24, 3, |inner| {
        let op = select(vec![
            "=",
            "<>",
            "<",
            ">=",
            "+",
            "-",
            "*",
            "/",
            "%",
            "||",
            "AND",
            "OR",
            "LIKE",
            "IS DISTINCT FROM",
        ]);
        let func = select(vec![
            "lower",
            "upper",
            "length",
            "count",
            "min",
            "max",
            "sum",
            "avg",
            "NOT",
            "year",
            "day_of_week",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (func, inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            inner.clone().prop_map(|a| format!("{a} IS NULL")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} IN ({b}, {c}))")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} BETWEEN {b} AND {c})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("CASE WHEN {a} THEN {b} ELSE {c} END")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
            inner.clone().prop_map(|a| format!("substr({a}, -2, 5)")),
            inner.clone().prop_map(|a| format!("date_trunc('week', {a})")),
            inner.clone().prop_map(|a| format!("CAST({a} AS BIGINT)")),
            inner.clone().prop_map(|a| format!("TRY_CAST({a} AS DOUBLE)")),
            inner.clone().prop_map(|a| format!("CAST({a} AS VARCHAR)")),
            inner
                .clone()
                .prop_map(|a| format!("json_extract_scalar({a}, '$.a[0]')")),
        ]
    })
}

fn query() -> impl Strategy<Value = String> {
    let items = prop::collection::vec(expr(), 1..4).prop_map(|v| v.join(", "));
    (
        any::<bool>(),
        items,
        select(vec![STORE_A, STORE_B, STORE_EMPTY]),
        prop::option::of(expr()),
        prop::option::of(prop_oneof![expr(), Just("1".to_owned())]),
        prop::option::of(expr()),
        prop::option::of((prop_oneof![expr(), Just("1".to_owned())], any::<bool>())),
        prop::option::of(0u8..5),
        prop::option::of(expr()),
    )
        .prop_map(
            |(distinct, items, store, filter, group, having, order, limit, union)| {
                let mut q = format!(
                    "SELECT {}{items} FROM {store}",
                    if distinct { "DISTINCT " } else { "" }
                );
                if let Some(f) = filter {
                    q += &format!(" WHERE {f}");
                }
                if let Some(g) = group {
                    q += &format!(" GROUP BY {g}");
                }
                if let Some(h) = having {
                    q += &format!(" HAVING {h}");
                }
                if let Some(u) = union {
                    q += &format!(" UNION ALL SELECT {u} FROM {STORE_B}");
                }
                if let Some((o, desc)) = order {
                    q += &format!(" ORDER BY {o}{}", if desc { " DESC NULLS FIRST" } else { "" });
                }
                if let Some(l) = limit {
                    q += &format!(" LIMIT {l}");
                }
                q
            },
        )
}

/// Typed expression generators, so that most generated queries are valid Lake SQL and reach SQLite.
mod typed {
    use proptest::prelude::*;
    use proptest::sample::select;

    fn leaves(v: &[&'static str]) -> BoxedStrategy<String> {
        select(v.to_vec()).prop_map(str::to_owned).boxed()
    }

    pub(super) fn varchar(depth: u32) -> BoxedStrategy<String> {
        let leaf = leaves(&[
            "eventID",
            "eventData.eventName",
            "eventdata.useridentity.principalid",
            "eventData.errorCode",
            "eventData.eventTime",
            "element_at(eventData.requestParameters, 'ruleName')",
            "element_at(eventData.additionalEventData, 'nested')",
            "element_at(eventData.requestParameters, 'machinesCount')",
            "'x'",
            "'backup.completed'",
            "'{\"a\":[5]}'",
        ]);
        if depth == 0 {
            return leaf;
        }
        let d = depth - 1;
        prop_oneof![
            4 => leaf,
            1 => varchar(d).prop_map(|a| format!("lower({a})")),
            1 => varchar(d).prop_map(|a| format!("upper({a})")),
            1 => (varchar(d), varchar(d)).prop_map(|(a, b)| format!("({a} || {b})")),
            1 => (varchar(d), -4i64..5, 0i64..4).prop_map(|(a, s, l)| format!("substr({a}, {s}, {l})")),
            1 => (varchar(d), varchar(d)).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
            1 => varchar(d).prop_map(|a| format!("json_extract_scalar({a}, '$.a[0]')")),
            1 => (boolean(d), varchar(d), varchar(d)).prop_map(|(c, a, b)| format!("CASE WHEN {c} THEN {a} ELSE {b} END")),
            1 => bigint(d).prop_map(|a| format!("CAST({a} AS VARCHAR)")),
            1 => timestamp(d).prop_map(|a| format!("CAST({a} AS VARCHAR)")),
            1 => varchar(d).prop_map(|a| format!("replace({a}, '.', '-')")),
            1 => (varchar(d), varchar(d)).prop_map(|(a, b)| format!("greatest({a}, {b})")),
        ]
        .boxed()
    }

    pub(super) fn bigint(depth: u32) -> BoxedStrategy<String> {
        let leaf = leaves(&[
            "1",
            "0",
            "-3",
            "2147483647",
            "length(eventID)",
            "year(eventTime)",
            "hour(eventTime)",
        ]);
        if depth == 0 {
            return leaf;
        }
        let d = depth - 1;
        let op = select(vec!["+", "-", "*", "/", "%"]);
        prop_oneof![
            4 => leaf,
            1 => (bigint(d), op, bigint(d)).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            1 => varchar(d).prop_map(|a| format!("length({a})")),
            1 => varchar(d).prop_map(|a| format!("TRY_CAST({a} AS BIGINT)")),
            1 => varchar(d).prop_map(|a| format!("strpos({a}, '.')")),
            1 => bigint(d).prop_map(|a| format!("-({a})")),
            1 => timestamp(d).prop_map(|a| format!("day_of_week({a})")),
            1 => (boolean(d), bigint(d), bigint(d)).prop_map(|(c, a, b)| format!("CASE WHEN {c} THEN {a} ELSE {b} END")),
        ]
        .boxed()
    }

    pub(super) fn double(depth: u32) -> BoxedStrategy<String> {
        let leaf = leaves(&["2.5e0", "-1e3", "CAST(length(eventID) AS DOUBLE)"]);
        if depth == 0 {
            return leaf;
        }
        let d = depth - 1;
        prop_oneof![
            2 => leaf,
            1 => (double(d), bigint(d)).prop_map(|(a, b)| format!("({a} * {b})")),
            1 => (double(d), double(d)).prop_map(|(a, b)| format!("({a} / {b})")),
            1 => varchar(d).prop_map(|a| format!("TRY_CAST({a} AS DOUBLE)")),
        ]
        .boxed()
    }

    pub(super) fn timestamp(depth: u32) -> BoxedStrategy<String> {
        let leaf = leaves(&["eventTime", "TIMESTAMP '2023-01-06 00:00:00.000'"]);
        if depth == 0 {
            return leaf;
        }
        let d = depth - 1;
        let unit = select(vec![
            "second", "minute", "hour", "day", "week", "month", "quarter", "year",
        ]);
        prop_oneof![
            3 => leaf,
            1 => (unit, timestamp(d)).prop_map(|(u, a)| format!("date_trunc('{u}', {a})")),
            1 => varchar(d).prop_map(|a| format!("TRY_CAST({a} AS TIMESTAMP)")),
        ]
        .boxed()
    }

    pub(super) fn boolean(depth: u32) -> BoxedStrategy<String> {
        let leaf = leaves(&[
            "true",
            "eventTime >= '2023-01-05 13:51:00'",
            "eventData.errorCode IS NULL",
            "eventData.eventName LIKE 'backup.%'",
        ]);
        if depth == 0 {
            return leaf;
        }
        let d = depth - 1;
        let cmp = select(vec![
            "=",
            "<>",
            "<",
            "<=",
            ">",
            ">=",
            "IS DISTINCT FROM",
            "IS NOT DISTINCT FROM",
        ]);
        prop_oneof![
            3 => leaf,
            1 => (varchar(d), cmp.clone(), varchar(d)).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            1 => (bigint(d), cmp.clone(), bigint(d)).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            1 => (double(d), cmp.clone(), bigint(d)).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            1 => (timestamp(d), cmp).prop_map(|(a, op)| format!("({a} {op} '2023-01-06 09:00')")),
            1 => (timestamp(d), timestamp(d)).prop_map(|(a, b)| format!("(eventTime BETWEEN {a} AND {b})")),
            1 => (varchar(d), varchar(d), varchar(d)).prop_map(|(a, b, c)| format!("({a} IN ({b}, {c}))")),
            1 => varchar(d).prop_map(|a| format!("({a} NOT LIKE '%e_')")),
            1 => boolean(d).prop_map(|a| format!("(NOT {a})")),
            1 => (boolean(d), boolean(d)).prop_map(|(a, b)| format!("({a} AND {b})")),
            1 => (boolean(d), boolean(d)).prop_map(|(a, b)| format!("({a} OR {b})")),
            1 => (varchar(d), varchar(d)).prop_map(|(a, b)| format!("starts_with({a}, {b})")),
        ]
        .boxed()
    }

    /// Any scalar expression.
    pub(super) fn scalar() -> BoxedStrategy<String> {
        prop_oneof![varchar(2), bigint(2), double(1), timestamp(1), boolean(2)].boxed()
    }

    /// An aggregate call.
    pub(super) fn aggregate() -> BoxedStrategy<String> {
        prop_oneof![
            Just("count(*)".to_owned()),
            varchar(1).prop_map(|a| format!("count({a})")),
            varchar(1).prop_map(|a| format!("count(DISTINCT {a})")),
            varchar(1).prop_map(|a| format!("min({a})")),
            timestamp(1).prop_map(|a| format!("max({a})")),
            bigint(1).prop_map(|a| format!("sum({a})")),
            bigint(1).prop_map(|a| format!("avg({a})")),
            double(1).prop_map(|a| format!("sum({a})")),
        ]
        .boxed()
    }
}

/// Mostly valid queries: plain, grouped, or a UNION ALL of two plain ones.
fn typed_query() -> impl Strategy<Value = String> {
    let store = select(vec![STORE_A, STORE_B, STORE_EMPTY]);
    let plain = (
        any::<bool>(),
        prop::collection::vec(typed::scalar(), 1..4),
        store.clone(),
        prop::option::of(typed::boolean(2)),
        prop::option::of((1usize..4, any::<bool>())),
        prop::option::of(0u8..4),
    )
        .prop_map(|(distinct, items, store, filter, order, limit)| {
            let mut q = format!(
                "SELECT {}{} FROM {store}",
                if distinct { "DISTINCT " } else { "" },
                items.join(", ")
            );
            if let Some(f) = filter {
                q += &format!(" WHERE {f}");
            }
            if let Some((pos, desc)) = order {
                q += &format!(
                    " ORDER BY {}{}",
                    pos.min(items.len()),
                    if desc { " DESC" } else { "" }
                );
            }
            if let Some(l) = limit {
                q += &format!(" LIMIT {l}");
            }
            q
        });
    let grouped = (
        typed::scalar(),
        prop::collection::vec(typed::aggregate(), 1..3),
        store.clone(),
        prop::option::of(typed::boolean(1)),
        any::<bool>(),
        prop::option::of(typed::aggregate()),
    )
        .prop_map(|(key, aggs, store, filter, by_position, having)| {
            let mut q = format!("SELECT {key}, {} FROM {store}", aggs.join(", "));
            if let Some(f) = filter {
                q += &format!(" WHERE {f}");
            }
            // A plain integer in GROUP BY is a position, not a constant.
            q += &if by_position || key.trim_start_matches('-').parse::<u64>().is_ok() {
                " GROUP BY 1".to_owned()
            } else {
                format!(" GROUP BY {key}")
            };
            if let Some(h) = having {
                q += &format!(" HAVING {h} IS NOT NULL");
            }
            q + " ORDER BY 2 DESC, 1"
        });
    let union = (typed::varchar(2), typed::varchar(2), store).prop_map(|(a, b, store)| {
        format!("SELECT {a} FROM {STORE_A} UNION ALL SELECT {b} FROM {store} ORDER BY 1")
    });
    prop_oneof![2 => plain, 2 => grouped, 1 => union]
}

/// Runs `sql` if it compiles; only Trino runtime errors may occur. Returns whether it compiled.
fn check_runs(conn: &rusqlite::Connection, sql: &str) -> Result<bool, TestCaseError> {
    let Ok(q) = compile(sql) else { return Ok(false) };
    match execute(conn, &q) {
        Ok(out) => prop_assert!(out.rows.iter().all(|r| r.len() == out.columns.len())),
        Err(QueryError::Execution(msg)) => prop_assert!(
            RUNTIME_ERRORS.iter().any(|m| msg.contains(m)),
            "{sql}\n{}\nfailed with {msg}",
            q.sql()
        ),
        Err(other) => prop_assert!(false, "{sql}: unexpected {other:?}"),
    }
    Ok(true)
}

thread_local! {
    static LAKE: rusqlite::Connection = lake();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn compile_never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = compile(&s);
    }

    #[test]
    fn compile_never_panics_on_sql_like_text(
        s in "(SELECT|FROM|WHERE|GROUP BY|ORDER BY|LIMIT|eventData|\\.|,|\\(|\\)|'|\"|-|[a-z0-9]{1,3}|\\*| |=|--|/\\*|;|IS DISTINCT FROM|JOIN|ON|UNION)*"
    ) {
        let _ = compile(&s);
    }

    #[test]
    fn accepted_random_queries_run_without_sqlite_errors(sql in query()) {
        LAKE.with(|conn| check_runs(conn, &sql))?;
    }

    #[test]
    fn typed_queries_compile_and_run_without_sqlite_errors(sql in typed_query()) {
        let compiled = LAKE.with(|conn| check_runs(conn, &sql))?;
        prop_assert!(compiled, "a well-typed query was rejected: {sql}\n{:?}", compile(&sql).err());
    }
}

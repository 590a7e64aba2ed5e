//! Filling in the `{eds}` placeholder of a query statement.

use crate::exit::{CliError, CliResult};

/// The placeholder that stands for the event data store's table.
pub(crate) const EDS_PLACEHOLDER: &str = "{eds}";

/// Longest statement StartQuery accepts ([BC-CT] `QueryStatement`, 1–10 000 characters).
pub(crate) const MAX_QUERY_STATEMENT_CHARS: usize = 10_000;

/// Replaces every `{eds}` with `table` (the event data store ID), or checks there is none to fill.
///
/// # Errors
/// 252 when the statement has `{eds}` and no table was given, or is empty or too long.
pub(crate) fn fill(sql: &str, table: Option<&str>) -> CliResult<String> {
    let filled = match (sql.contains(EDS_PLACEHOLDER), table) {
        (true, Some(table)) => sql.replace(EDS_PLACEHOLDER, table),
        (true, None) => {
            return Err(CliError::usage(
                "the query uses {eds}: pass --event-data-store ID|ARN|NAME (or set CTLAKE_EVENT_DATA_STORE)",
            ));
        }
        (false, _) => sql.to_owned(),
    };
    let chars = filled.trim().chars().count();
    if chars == 0 {
        return Err(CliError::usage("the query is empty"));
    }
    if chars > MAX_QUERY_STATEMENT_CHARS {
        return Err(CliError::usage(format!(
            "the query has {chars} characters; StartQuery accepts at most {MAX_QUERY_STATEMENT_CHARS}"
        )));
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_placeholder() {
        let sql = fill("SELECT * FROM {eds} UNION ALL SELECT * FROM {eds}", Some("abc-1")).unwrap();
        assert_eq!(sql, "SELECT * FROM abc-1 UNION ALL SELECT * FROM abc-1");
    }

    #[test]
    fn a_placeholder_needs_a_store() {
        let err = fill("SELECT * FROM {eds}", None).unwrap_err();
        assert_eq!(err.code(), 252);
        assert!(err.to_string().contains("--event-data-store"));
    }

    #[test]
    fn statements_without_placeholder_pass_through() {
        assert_eq!(fill("SELECT 1 FROM x", Some("y")).unwrap(), "SELECT 1 FROM x");
        assert!(fill("   ", None).is_err());
        assert!(fill(&"x".repeat(10_001), None).is_err());
    }
}

//! `ctlake suggest-causes`: which recent changes most likely caused an alarm, and why.
//!
//! Two Lake SQL statements (`ctlake_changes::suggest::{alarm_query, changes_query}`): the alarm's latest
//! `alarm.triggered` event, then the change events of the window before it; the ranking is
//! `ctlake_changes::suggest::rank`, a pure function whose every score component carries its reason.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::QueryStatus;
use clap::Args;
use ctlake_changes::suggest::{
    RankedCause, Row, Weights, alarm_from_row, alarm_query, candidate_from_row, changes_query,
    event_time_text, human_duration, rank,
};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::aws::sdk_error;
use crate::context::Context;
use crate::exit::{CliError, CliResult, Outcome};
use crate::output::{Report, print, table};
use crate::resources::event_data_stores;

/// Longest pause between two DescribeQuery calls.
const POLL_MAX: Duration = Duration::from_secs(2);

/// Rank the changes made before an alarm by how likely they caused it.
///
/// Reads the alarm's latest `alarm.triggered` event (recorded by `ingest-alarms` or `serve-sns`) and the change
/// events (`ingest-changes`) of the --window before it from the event data store, and scores each change by time
/// proximity, region, service (the alarm's metric namespace), the alarm's dimension values in the change, named
/// resources and risk (the CIS rule sets: IAM, security groups, network ACLs, gateways, routes, CloudTrail, KMS).
/// Each candidate shows its score components and why they have their values.
#[derive(Debug, Args)]
pub(crate) struct SuggestCausesArgs {
    /// The alarm's name, as in CloudWatch.
    #[arg(long, value_name = "NAME")]
    pub(crate) alarm: String,

    /// Use the alarm's latest ALARM at or before this time (RFC 3339, e.g. 2024-05-01T10:15:00Z). Default: its
    /// latest. For a repeated ALARM the incident's start is used.
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,

    /// How far before the alarm to look: 90s, 30m, 2h, 1d.
    #[arg(long, default_value = "2h", value_name = "DURATION")]
    pub(crate) window: String,

    /// The event data store with the alarm and change events (ID, ARN or name).
    #[arg(long, value_name = "EDS")]
    pub(crate) event_data_store: String,

    /// Show at most this many candidates.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) limit: usize,

    /// Give up on a query after this many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub(crate) timeout: u64,
}

/// `90s`, `30m`, `2h`, `1d` (or a plain number of seconds).
fn parse_window(text: &str) -> CliResult<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = number.parse().map_err(|_| {
        CliError::usage(format!(
            "--window {text:?}: expected a duration such as 90s, 30m, 2h or 1d"
        ))
    })?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => {
            return Err(CliError::usage(format!(
                "--window {text:?}: unit must be s, m, h or d"
            )));
        }
    };
    if secs == 0 {
        return Err(CliError::usage("--window must be longer than 0"));
    }
    Ok(Duration::from_secs(secs))
}

/// `ctlake suggest-causes`.
pub(crate) async fn run(args: SuggestCausesArgs, ctx: &Context) -> CliResult {
    let window = parse_window(&args.window)?;
    let at = match &args.at {
        Some(text) => Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            CliError::usage(format!(
                "--at {text:?}: expected an RFC 3339 time such as 2024-05-01T10:15:00Z"
            ))
        })?),
        None => None,
    };
    let aws = ctx.aws().await?;
    let client = aws.control();
    let table = event_data_stores::table_name(&client, &args.event_data_store).await?;
    let timeout = Duration::from_secs(args.timeout);
    let alarm_rows = rows(&client, &alarm_query(&table, &args.alarm, at), timeout).await?;
    let Some(alarm_row) = alarm_rows.first() else {
        let when = at.map_or(String::new(), |t| format!(" at or before {}", event_time_text(t)));
        return Err(CliError::other(format!(
            "no alarm.triggered event of alarm {:?}{when} in {table}: record alarms with `ctlake ingest-alarms` or `ctlake serve-sns`",
            args.alarm
        )));
    };
    let alarm = alarm_from_row(alarm_row).map_err(CliError::service)?;
    let change_rows = rows(
        &client,
        &changes_query(&table, alarm.at - window, alarm.at),
        timeout,
    )
    .await?;
    let mut candidates = Vec::with_capacity(change_rows.len());
    for row in &change_rows {
        match candidate_from_row(row) {
            Ok(c) => candidates.push(c),
            Err(e) => ctx.ui.note(format!("skipped a change event: {e}")),
        }
    }
    let considered = candidates.len();
    let mut ranked = rank(&alarm, candidates, window, &Weights::default());
    ranked.truncate(args.limit);
    let report = SuggestReport {
        alarm: args.alarm,
        alarm_time: event_time_text(alarm.at),
        region: alarm.region,
        window: human_duration(window.as_secs_f64()),
        changes_considered: considered,
        candidates: ranked
            .iter()
            .enumerate()
            .map(|(i, r)| Candidate::from(i + 1, r))
            .collect(),
    };
    print(ctx.output, "suggest-causes", &report)?;
    Ok(Outcome::Success)
}

/// Runs `sql` to the end and returns its rows as column → value maps.
async fn rows(client: &Client, sql: &str, timeout: Duration) -> CliResult<Vec<Row>> {
    tracing::info!(sql = %sql, "Starting the query.");
    let id = client
        .start_query()
        .query_statement(sql)
        .send()
        .await
        .map_err(|e| sdk_error("StartQuery", e))?
        .query_id
        .ok_or_else(|| CliError::service("StartQuery returned no QueryId"))?;
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(100);
    loop {
        let out = client
            .describe_query()
            .query_id(&id)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeQuery", e))?;
        match out.query_status() {
            Some(QueryStatus::Finished) => break,
            Some(status @ (QueryStatus::Failed | QueryStatus::Cancelled | QueryStatus::TimedOut)) => {
                return Err(CliError::service(format!(
                    "query {id} {}: {}",
                    status.as_str(),
                    out.error_message().unwrap_or("no error message")
                )));
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            let _ = client.cancel_query().query_id(&id).send().await;
            return Err(CliError::other(format!(
                "query {id} did not finish in {} s (--timeout)",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(POLL_MAX);
    }
    let mut rows = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_query_results()
            .query_id(&id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| sdk_error("GetQueryResults", e))?;
        for row in page.query_result_rows() {
            let mut map = HashMap::new();
            for cell in row {
                for (k, v) in cell {
                    map.insert(k.clone(), Some(v.clone()));
                }
            }
            rows.push(map);
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(rows);
        }
    }
}

/// The result of `suggest-causes`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SuggestReport {
    alarm: String,
    alarm_time: String,
    region: String,
    window: String,
    changes_considered: usize,
    candidates: Vec<Candidate>,
}

/// One ranked change.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    rank: usize,
    score: f64,
    id: String,
    event_time: String,
    event_name: String,
    event_source: String,
    region: Option<String>,
    actor: Option<String>,
    components: Vec<ScorePart>,
}

/// One score component.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ScorePart {
    name: &'static str,
    value: f64,
    weight: f64,
    contribution: f64,
    reason: String,
}

/// Rounded to 3 decimals, for stable output.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Candidate {
    fn from(rank: usize, r: &RankedCause) -> Self {
        let c = &r.candidate;
        Self {
            rank,
            score: round(r.score),
            id: c.id.clone(),
            event_time: event_time_text(c.event_time),
            event_name: c.event_name.clone(),
            event_source: c.event_source.clone(),
            region: c.region.clone(),
            actor: c.actor.clone(),
            components: r
                .components
                .iter()
                .map(|p| ScorePart {
                    name: p.name,
                    value: round(p.value),
                    weight: p.weight,
                    contribution: round(p.contribution()),
                    reason: p.reason.clone(),
                })
                .collect(),
        }
    }
}

impl Report for SuggestReport {
    fn table(&self) -> String {
        let mut t = table::new(["#", "Score", "Time", "Change", "Region", "Actor", "Why"]);
        for c in &self.candidates {
            let why: Vec<String> = c
                .components
                .iter()
                .filter(|p| p.contribution > 0.0)
                .map(|p| format!("{} +{:.2}: {}", p.name, p.contribution, p.reason))
                .collect();
            t.add_row([
                c.rank.to_string(),
                format!("{:.2}", c.score),
                c.event_time.clone(),
                format!("{} ({})", c.event_name, c.event_source),
                c.region.clone().unwrap_or_default(),
                c.actor.clone().unwrap_or_default(),
                why.join("\n"),
            ]);
        }
        format!(
            "Alarm {} at {} in {}: {} change(s) in the {} before it.\n{t}",
            self.alarm, self.alarm_time, self.region, self.changes_considered, self.window
        )
    }

    fn text(&self) -> Vec<String> {
        self.candidates.iter().map(|c| c.id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_window("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_window("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_window("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_window("45").unwrap(), Duration::from_secs(45));
        for bad in ["", "h", "2w", "0m", "-1h", "1.5h"] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }
}

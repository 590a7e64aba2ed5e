//! `ctlake validate FILE|-`: every check put-events makes, nothing sent; every problem with its line.

use std::io::Write as _;

use ctlake::ChannelArn;
use serde::Serialize;

use crate::cli::{OutputFormat, ValidateArgs};
use crate::context::Context;
use crate::events::check::{Against, Rejection, check};
use crate::events::input::{InputError, Reader};
use crate::events::{self};
use crate::exit::{CliError, CliResult, Outcome};

/// One problem.
#[derive(Debug, Serialize)]
struct Problem<'a> {
    line: u64,
    index: Option<u64>,
    code: &'a str,
    message: &'a str,
}

/// `ctlake validate`.
pub(crate) async fn run(args: ValidateArgs, ctx: &Context) -> CliResult {
    if ctx.output == OutputFormat::Csv {
        return Err(CliError::usage(
            "--output csv applies to query results; validate prints json, table or text",
        ));
    }
    let channel = match &args.channel_arn {
        Some(arn) => Some(
            arn.parse::<ChannelArn>()
                .map_err(|e| CliError::usage(format!("--channel-arn: {e}")))?,
        ),
        None => None,
    };
    let catalog = args.catalog.as_deref().map(events::load_catalog).transpose()?;
    let opened = events::open(&args.file)?;
    let format = ctx.output;
    let name = opened.name.clone();
    // Parsing is CPU work on a blocking thread; the result streams to standard output as it goes.
    let summary = tokio::task::spawn_blocking(move || {
        validate(
            opened,
            Against {
                channel: channel.as_ref(),
                catalog: catalog.as_ref(),
            },
            format,
        )
    })
    .await
    .map_err(|e| CliError::other(format!("the validation thread failed: {e}")))??;
    ctx.ui.note(format!(
        "{name}: {} record{}, {} valid, {} invalid",
        summary.records,
        if summary.records == 1 { "" } else { "s" },
        summary.records - summary.invalid,
        summary.invalid
    ));
    Ok(if summary.invalid == 0 && !summary.broken {
        Outcome::Success
    } else {
        Outcome::Partial
    })
}

#[derive(Debug, Default)]
struct Summary {
    records: u64,
    invalid: u64,
    broken: bool,
}

fn validate(opened: events::Opened, against: Against<'_>, format: OutputFormat) -> CliResult<Summary> {
    let name = opened.name.clone();
    let mut reader = Reader::new(opened.reader);
    let mut out = Sink::new(format, &name);
    let mut summary = Summary::default();
    loop {
        match reader.next_record() {
            Ok(Some(record)) => {
                summary.records += 1;
                if let Err(Rejection { code, message }) = check(&record, against) {
                    summary.invalid += 1;
                    out.problem(&Problem {
                        line: record.line,
                        index: Some(record.index),
                        code: &code,
                        message: &message,
                    })?;
                }
            }
            Ok(None) => break,
            Err(InputError::Structure { line, message }) => {
                summary.broken = true;
                out.problem(&Problem {
                    line,
                    index: None,
                    code: "InvalidJson",
                    message: &message,
                })?;
                break;
            }
            Err(InputError::Io(e)) => return Err(CliError::other(format!("cannot read {name}: {e}"))),
        }
    }
    out.finish(&summary)?;
    Ok(summary)
}

/// Writes problems as they are found.
struct Sink {
    format: OutputFormat,
    name: String,
    out: std::io::BufWriter<std::io::Stdout>,
    table: Option<comfy_table::Table>,
    count: u64,
}

impl Sink {
    fn new(format: OutputFormat, name: &str) -> Self {
        let table = (format == OutputFormat::Table)
            .then(|| crate::output::table::new(["Line", "Record", "Code", "Problem"]));
        Self {
            format,
            name: name.to_owned(),
            out: std::io::BufWriter::new(std::io::stdout()),
            table,
            count: 0,
        }
    }

    fn problem(&mut self, p: &Problem<'_>) -> CliResult<()> {
        self.count += 1;
        let text = match self.format {
            OutputFormat::Json => {
                let item = serde_json::to_string(p).map_err(CliError::other)?;
                let lead = if self.count == 1 {
                    format!(
                        "{{\n  \"file\": {},\n  \"errors\": [\n    ",
                        serde_json::Value::from(self.name.as_str())
                    )
                } else {
                    ",\n    ".to_owned()
                };
                format!("{lead}{item}")
            }
            OutputFormat::Table => {
                if let Some(t) = &mut self.table {
                    t.add_row([
                        p.line.to_string(),
                        p.index.map_or_else(String::new, |i| i.to_string()),
                        p.code.to_owned(),
                        p.message.to_owned(),
                    ]);
                }
                return Ok(());
            }
            // Compiler style: FILE:LINE: CODE: problem, one line per problem.
            OutputFormat::Text | OutputFormat::Csv => p
                .message
                .lines()
                .map(|m| format!("{}:{}: {}: {m}\n", self.name, p.line, p.code))
                .collect(),
        };
        self.write(text.as_bytes())
    }

    fn finish(mut self, s: &Summary) -> CliResult<()> {
        let text = match self.format {
            OutputFormat::Json => {
                let lead = if self.count == 0 {
                    format!(
                        "{{\n  \"file\": {},\n  \"errors\": [",
                        serde_json::Value::from(self.name.as_str())
                    )
                } else {
                    "\n  ".to_owned()
                };
                format!(
                    "{lead}],\n  \"records\": {},\n  \"valid\": {},\n  \"invalid\": {},\n  \"complete\": {}\n}}\n",
                    s.records,
                    s.records - s.invalid,
                    s.invalid,
                    !s.broken
                )
            }
            OutputFormat::Table => match self.table.take() {
                Some(t) if self.count > 0 => format!("{t}\n"),
                _ => String::new(),
            },
            OutputFormat::Text | OutputFormat::Csv => String::new(),
        };
        self.write(text.as_bytes())?;
        match self.out.flush() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::other(e)),
            _ => Ok(()),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> CliResult<()> {
        match self.out.write_all(bytes) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::other(e)),
            _ => Ok(()),
        }
    }
}

//! The resume state of a put-events run: a JSON-lines journal next to the input (`FILE.ctlake-resume`).
//!
//! The first line identifies the run: the input file (absolute path, size, modification time, SHA-256 of its
//! first 64 KiB), the channel and the input format. Every later line records records that reached a final
//! outcome (accepted, or rejected for good) and the position of the first record that had not, so a resumed
//! run seeks there and skips what is settled. Lines are appended with one `write` each as answers arrive:
//! a killed process loses at most the answers it had not yet written. The journal is removed when the file
//! has been read to the end and every record is settled.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::events::input::{Format, Position};
use crate::exit::{CliError, CliResult};

/// Suffix of the state file.
pub(crate) const STATE_SUFFIX: &str = ".ctlake-resume";
/// Bytes of the input hashed into its identity.
const HEAD_BYTES: u64 = 64 * 1024;

/// What identifies an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    path: PathBuf,
    len: u64,
    modified_ns: u128,
    head_sha256: String,
}

impl Identity {
    /// Reads the identity of `path`.
    ///
    /// # Errors
    /// 252 when the file cannot be read.
    pub(crate) fn of(path: &Path) -> CliResult<Self> {
        let fail = |e: std::io::Error| CliError::usage(format!("cannot read {}: {e}", path.display()));
        let absolute = std::fs::canonicalize(path).map_err(fail)?;
        let meta = std::fs::metadata(&absolute).map_err(fail)?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let mut head = Vec::new();
        File::open(&absolute)
            .map_err(fail)?
            .take(HEAD_BYTES)
            .read_to_end(&mut head)
            .map_err(fail)?;
        let digest = Sha256::digest(&head);
        Ok(Self {
            path: absolute,
            len: meta.len(),
            modified_ns,
            head_sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    ctlake: String,
    version: u32,
    input: Identity,
    channel_arn: String,
    format: Option<Format>,
}

/// One journal line after the header.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Entry {
    /// Accepted record numbers, as inclusive ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    a: Vec<(u64, u64)>,
    /// Rejected record numbers with their code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    r: Vec<(u64, String)>,
    /// Resends in this step.
    #[serde(default, skip_serializing_if = "is_zero")]
    retried: u64,
    /// The first record not settled yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    w: Option<Position>,
    /// The input format, once detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<Format>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Record numbers as sorted, merged inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RangeSet(Vec<(u64, u64)>);

impl RangeSet {
    /// Adds `n`.
    pub(crate) fn insert(&mut self, n: u64) {
        let i = self.0.partition_point(|&(_, end)| end.saturating_add(1) < n);
        if let Some(r) = self.0.get_mut(i) {
            if r.0 <= n && n <= r.1 {
                return;
            }
            if r.0 == n + 1 {
                r.0 = n;
                return;
            }
            if r.1 + 1 == n {
                r.1 = n;
                if let Some(next) = self.0.get(i + 1).copied()
                    && next.0 == n + 1
                {
                    self.0[i].1 = next.1;
                    self.0.remove(i + 1);
                }
                return;
            }
        }
        self.0.insert(i, (n, n));
    }

    /// Whether `n` is in the set.
    pub(crate) fn contains(&self, n: u64) -> bool {
        let i = self.0.partition_point(|&(_, end)| end < n);
        self.0.get(i).is_some_and(|&(start, _)| start <= n)
    }

    /// How many numbers the set holds.
    pub(crate) fn len(&self) -> u64 {
        self.0.iter().map(|(s, e)| e - s + 1).sum()
    }

    #[cfg(test)]
    fn ranges(&self) -> &[(u64, u64)] {
        &self.0
    }
}

/// What an earlier run left.
#[derive(Debug, Clone, Default)]
pub(crate) struct Earlier {
    /// Records accepted or rejected for good.
    pub(crate) settled: RangeSet,
    /// Accepted count.
    pub(crate) accepted: u64,
    /// Rejected counts by code.
    pub(crate) rejected: BTreeMap<String, u64>,
    /// Resends.
    pub(crate) retried: u64,
    /// Where to start reading.
    pub(crate) start: Option<Position>,
    /// The input format.
    pub(crate) format: Option<Format>,
}

/// The state file of one run.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    pending: Entry,
}

impl Journal {
    /// The state file of `input`.
    pub(crate) fn path_for(input: &Path) -> PathBuf {
        let mut name = input.as_os_str().to_owned();
        name.push(STATE_SUFFIX);
        PathBuf::from(name)
    }

    /// Reads the state an interrupted run left at `path`, checking it belongs to the same input and channel.
    ///
    /// # Errors
    /// 252 when it belongs to another input or channel, or the input changed; 255 when it cannot be read.
    pub(crate) fn load(path: &Path, identity: &Identity, channel_arn: &str) -> CliResult<Earlier> {
        let file = File::open(path)
            .map_err(|e| CliError::other(format!("cannot read the resume state {}: {e}", path.display())))?;
        let mut lines = BufReader::new(file).lines();
        let header: Header = match lines.next() {
            Some(Ok(line)) => serde_json::from_str(&line).map_err(|e| {
                CliError::usage(format!(
                    "{} is not a ctlake resume state ({e}); remove it or use --restart",
                    path.display()
                ))
            })?,
            _ => {
                return Err(CliError::usage(format!(
                    "{} is empty; remove it or use --restart",
                    path.display()
                )));
            }
        };
        if header.channel_arn != channel_arn {
            return Err(CliError::usage(format!(
                "the interrupted run published to {}, not {channel_arn}; resume with that channel or use --restart",
                header.channel_arn
            )));
        }
        if header.input != *identity {
            return Err(CliError::usage(format!(
                "{} changed since the interrupted run (size, modification time or content); resuming could skip or \
                 repeat records. Use --restart to send it from the start",
                identity.path.display()
            )));
        }
        let mut earlier = Earlier {
            format: header.format,
            ..Earlier::default()
        };
        for line in lines {
            // A line cut short by a kill is the last one; everything before it counts.
            let Ok(line) = line else { break };
            let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
                break;
            };
            for (from, to) in entry.a {
                for n in from..=to {
                    earlier.settled.insert(n);
                }
                earlier.accepted += to - from + 1;
            }
            for (n, code) in entry.r {
                earlier.settled.insert(n);
                *earlier.rejected.entry(code).or_default() += 1;
            }
            earlier.retried += entry.retried;
            if entry.w.is_some() {
                earlier.start = entry.w;
            }
            if entry.format.is_some() {
                earlier.format = entry.format;
            }
        }
        Ok(earlier)
    }

    /// Starts a new state file (replacing any), or continues the one at `path` when `resume`.
    ///
    /// # Errors
    /// 255 when the file cannot be written (a read-only directory: the message says so).
    pub(crate) fn open(
        path: &Path,
        identity: &Identity,
        channel_arn: &str,
        format: Option<Format>,
        resume: bool,
    ) -> CliResult<Self> {
        let fail = |e: std::io::Error| {
            CliError::other(format!(
                "cannot write the resume state {}: {e} (put-events keeps it next to the input file)",
                path.display()
            ))
        };
        let mut file = if resume {
            OpenOptions::new().append(true).open(path).map_err(fail)?
        } else {
            let mut file = OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(path)
                .map_err(fail)?;
            let header = Header {
                ctlake: "put-events-state".to_owned(),
                version: 1,
                input: identity.clone(),
                channel_arn: channel_arn.to_owned(),
                format,
            };
            let mut line = serde_json::to_string(&header).map_err(CliError::other)?;
            line.push('\n');
            file.write_all(line.as_bytes()).map_err(fail)?;
            file
        };
        file.flush().map_err(fail)?;
        Ok(Self {
            path: path.to_owned(),
            file,
            pending: Entry::default(),
        })
    }

    /// Records an accepted record (written at the next [`Journal::write`]).
    pub(crate) fn accepted(&mut self, index: u64) {
        match self.pending.a.last_mut() {
            Some(last) if last.1 + 1 == index => last.1 = index,
            _ => self.pending.a.push((index, index)),
        }
    }

    /// Records a rejected record.
    pub(crate) fn rejected(&mut self, index: u64, code: &str) {
        self.pending.r.push((index, code.to_owned()));
    }

    /// Records resends.
    pub(crate) fn retried(&mut self, n: u64) {
        self.pending.retried += n;
    }

    /// Records the detected format.
    pub(crate) fn format(&mut self, format: Format) {
        self.pending.format = Some(format);
    }

    /// Appends what was recorded since the last write, with the current restart position, in one write.
    ///
    /// # Errors
    /// 255 when the file cannot be written.
    pub(crate) fn write(&mut self, restart_at: Option<Position>) -> CliResult<()> {
        let entry = std::mem::take(&mut self.pending);
        if entry.a.is_empty() && entry.r.is_empty() && entry.retried == 0 && entry.format.is_none() {
            return Ok(());
        }
        let entry = Entry {
            w: restart_at,
            ..entry
        };
        let mut line = serde_json::to_string(&entry).map_err(CliError::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(|e| {
            CliError::other(format!(
                "cannot write the resume state {}: {e}",
                self.path.display()
            ))
        })
    }

    /// Removes the state file (the input is done).
    pub(crate) fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }

    /// Where the state file is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn range_sets_merge_neighbours() {
        let mut s = RangeSet::default();
        for n in [5, 1, 3, 2, 4, 10, 9, 7] {
            s.insert(n);
        }
        assert_eq!(s.ranges(), [(1, 5), (7, 7), (9, 10)]);
        assert!(s.contains(3) && s.contains(7) && !s.contains(6) && !s.contains(11));
        assert_eq!(s.len(), 8);
        s.insert(6);
        s.insert(8);
        assert_eq!(s.ranges(), [(1, 10)]);
    }

    proptest! {
        #[test]
        fn range_sets_hold_exactly_what_was_inserted(ns in proptest::collection::vec(1u64..200, 0..100)) {
            let mut s = RangeSet::default();
            for &n in &ns {
                s.insert(n);
            }
            let expected: std::collections::BTreeSet<u64> = ns.iter().copied().collect();
            for n in 0..210 {
                prop_assert_eq!(s.contains(n), expected.contains(&n));
            }
            prop_assert_eq!(s.len(), expected.len() as u64);
            prop_assert!(s.ranges().windows(2).all(|w| w[0].1 + 1 < w[1].0));
        }
    }

    #[test]
    fn a_journal_round_trips_and_checks_its_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("events.ndjson");
        std::fs::write(&input, "{}\n{}\n{}\n").unwrap();
        let identity = Identity::of(&input).unwrap();
        let path = Journal::path_for(&input);
        let mut journal = Journal::open(&path, &identity, "arn:c", None, false).unwrap();
        journal.format(Format::Ndjson);
        journal.accepted(1);
        journal.accepted(2);
        journal.rejected(3, "InvalidData");
        journal.retried(2);
        journal
            .write(Some(Position {
                index: 3,
                line: 3,
                offset: 6,
            }))
            .unwrap();
        drop(journal);
        // A line cut short by a kill is ignored.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"a\":[[4,").unwrap();

        let earlier = Journal::load(&path, &identity, "arn:c").unwrap();
        assert_eq!(earlier.accepted, 2);
        assert_eq!(earlier.rejected.get("InvalidData"), Some(&1));
        assert_eq!(earlier.retried, 2);
        assert_eq!(earlier.format, Some(Format::Ndjson));
        assert_eq!(
            earlier.start,
            Some(Position {
                index: 3,
                line: 3,
                offset: 6
            })
        );
        assert!(earlier.settled.contains(3) && !earlier.settled.contains(4));

        assert_eq!(
            Journal::load(&path, &identity, "arn:other").unwrap_err().code(),
            252
        );
        std::fs::write(&input, "{}\n{}\n{}\n{}\n").unwrap();
        let changed = Identity::of(&input).unwrap();
        let err = Journal::load(&path, &changed, "arn:c").unwrap_err();
        assert!(
            err.to_string().contains("changed since the interrupted run"),
            "{err}"
        );
    }
}

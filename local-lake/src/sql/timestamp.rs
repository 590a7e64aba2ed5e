//! Timestamp literals: Trino's `varchar → timestamp(3)` rules, normalized to the stored text form.
//!
//! The top-level `eventTime` is stored as `YYYY-MM-DD HH:MM:SS.000`, which sorts and compares as text. A string
//! literal compared with it (`eventTime >= '2023-01-05 13:51:00'`) is parsed the way Trino casts a varchar to a
//! timestamp and rewritten to that same form, so the text comparison in SQLite is the timestamp comparison.
//!
//! Accepted, as in Trino: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS` and `YYYY-MM-DD HH:MM:SS.f…`,
//! with one- or two-digit month, day, hour, minute and second. Rejected, as in Trino: the ISO `T` separator, a
//! time zone suffix (`Z`, `UTC`, `+01:00`) and out-of-range fields. Also rejected: fractions with non-zero digits
//! beyond milliseconds (Lake's timestamps have millisecond precision; comparing them exactly would need more).

/// Parses a timestamp literal and returns it as `YYYY-MM-DD HH:MM:SS.mmm`, or a message saying what is wrong.
pub(crate) fn normalize_timestamp(text: &str) -> Result<String, String> {
    let invalid = |why: &str| format!("'{text}' is not a valid timestamp literal: {why}");
    let trimmed = text.trim();
    let (date_part, time_part) = match trimmed.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim_start())),
        None => (trimmed, None),
    };
    let (year, month, day) = parse_date(date_part).ok_or_else(|| {
        invalid(if date_part.contains('T') {
            "use a space between date and time (YYYY-MM-DD HH:MM:SS), not 'T'"
        } else {
            "expected YYYY-MM-DD[ HH:MM[:SS[.fff]]]"
        })
    })?;
    let (hour, minute, second, millis) = match time_part {
        None => (0, 0, 0, 0),
        Some(t) => parse_time(t).map_err(invalid)?,
    };
    Ok(format!(
        "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{millis:03}"
    ))
}

/// Parses a `DATE` literal (`YYYY-MM-DD`) and returns midnight of that day in the stored form.
pub(crate) fn normalize_date(text: &str) -> Result<String, String> {
    let (year, month, day) = parse_date(text.trim())
        .ok_or_else(|| format!("'{text}' is not a valid date literal: expected YYYY-MM-DD"))?;
    Ok(format!("{year:04}-{month:02}-{day:02} 00:00:00.000"))
}

/// `YYYY-M[M]-D[D]` with a valid calendar day.
fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split('-');
    let year = parts.next().filter(|p| p.len() == 4).and_then(digits)?;
    let month = parts
        .next()
        .filter(|p| (1..=2).contains(&p.len()))
        .and_then(digits)?;
    let day = parts
        .next()
        .filter(|p| (1..=2).contains(&p.len()))
        .and_then(digits)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some((year, month, day))
}

/// `H[H]:M[M][:S[S][.f…]]` → (hour, minute, second, millis).
fn parse_time(s: &str) -> Result<(u32, u32, u32, u32), &'static str> {
    const SHAPE: &str = "expected HH:MM[:SS[.fff]] after the date (no time zone)";
    let (hms, fraction) = match s.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (s, None),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&fields.len()) || (fraction.is_some() && fields.len() != 3) {
        return Err(SHAPE);
    }
    let field = |p: &str| Some(p).filter(|p| (1..=2).contains(&p.len())).and_then(digits);
    let hour = field(fields[0]).ok_or(SHAPE)?;
    let minute = field(fields[1]).ok_or(SHAPE)?;
    let second = match fields.get(2) {
        Some(p) => field(p).ok_or(SHAPE)?,
        None => 0,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err("hour, minute or second out of range");
    }
    let millis = match fraction {
        None => 0,
        Some(f) => {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SHAPE);
            }
            if f.len() > 3 && f.bytes().skip(3).any(|b| b != b'0') {
                return Err("Lake timestamps have millisecond precision; use at most 3 fractional digits");
            }
            let padded = format!("{:0<3}", &f[..f.len().min(3)]);
            digits(&padded).ok_or(SHAPE)?
        }
    };
    Ok((hour, minute, second, millis))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_trino_forms() {
        for (input, want) in [
            ("2023-01-05 13:51:00", "2023-01-05 13:51:00.000"),
            ("2023-01-05", "2023-01-05 00:00:00.000"),
            ("2023-1-5 3:04", "2023-01-05 03:04:00.000"),
            ("2023-01-05 13:51:00.5", "2023-01-05 13:51:00.500"),
            ("2023-01-05 13:51:00.123000", "2023-01-05 13:51:00.123"),
            (" 2024-02-29 23:59:59 ", "2024-02-29 23:59:59.000"),
        ] {
            assert_eq!(normalize_timestamp(input).as_deref(), Ok(want), "{input}");
        }
        assert_eq!(
            normalize_date("2023-01-05").as_deref(),
            Ok("2023-01-05 00:00:00.000")
        );
    }

    #[test]
    fn rejects_what_trino_rejects() {
        for input in [
            "2023-01-05T13:51:00Z",
            "2023-01-05 13:51:00 UTC",
            "2023-01-05 13:51:00Z",
            "2023-02-29",
            "2023-13-01",
            "2023-01-05 24:00:00",
            "2023-01-05 13",
            "23-01-05",
            "",
            "yesterday",
            "2023-01-05 13:51:00.1234",
            "2023-01-05 13:51.5",
        ] {
            assert!(normalize_timestamp(input).is_err(), "{input}");
        }
        assert!(
            normalize_timestamp("2023-01-05T13:51:00Z")
                .unwrap_err()
                .contains("not 'T'")
        );
        assert!(normalize_date("2023-01-05 00:00:00").is_err());
    }
}

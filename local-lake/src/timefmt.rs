//! Time formats: epoch milliseconds inside, `yyyy-MM-ddTHH:mm:ssZ` in stored records, and Lake SQL's
//! timestamp rendering `yyyy-MM-dd HH:mm:ss.SSS` in the `events` table (lake-api.md §2, §5).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    let now = OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Appends `value` in decimal, zero-padded to `width` digits (the callers' values fit their widths).
fn push_padded(out: &mut String, value: u32, width: u32) {
    let mut unit = 10u32.pow(width.saturating_sub(1));
    while unit > 0 {
        out.push(char::from_digit(value / unit % 10, 10).unwrap_or('0'));
        unit /= 10;
    }
}

/// `yyyy-MM-dd<separator>HH:mm:ss`, then `.SSS` when `millis`. Written digit by digit: the local Lake
/// formats two or three of these per stored event, and `format!` was 5 % of its PutAuditEvents CPU.
fn stamp(ms: i64, separator: char, millis: bool) -> String {
    let t = datetime(ms);
    let mut s = String::with_capacity(24);
    match u32::try_from(t.year()).ok().filter(|y| *y <= 9999) {
        Some(year) => push_padded(&mut s, year, 4),
        // Outside 0000–9999 (not reachable from a parsed `eventTime` or the clock): as `format!` writes it.
        None => s.push_str(&format!("{:04}", t.year())),
    }
    s.push('-');
    push_padded(&mut s, u32::from(u8::from(t.month())), 2);
    s.push('-');
    push_padded(&mut s, u32::from(t.day()), 2);
    s.push(separator);
    push_padded(&mut s, u32::from(t.hour()), 2);
    s.push(':');
    push_padded(&mut s, u32::from(t.minute()), 2);
    s.push(':');
    push_padded(&mut s, u32::from(t.second()), 2);
    if millis {
        s.push('.');
        push_padded(&mut s, u32::from(t.millisecond()), 3);
    }
    s
}

/// `yyyy-MM-ddTHH:mm:ssZ` (seconds precision), the form of `eventTime` and `metadata.ingestionTime`.
pub(crate) fn iso_seconds(ms: i64) -> String {
    let mut s = stamp(ms, 'T', false);
    s.push('Z');
    s
}

/// `yyyy-MM-dd HH:mm:ss.SSS`, Lake SQL's rendering of a timestamp; sorts and compares as text.
pub(crate) fn lake_timestamp(ms: i64) -> String {
    stamp(ms, ' ', true)
}

/// An `eventData.eventTime` accepted by the local Lake: `yyyy-MM-ddTHH:mm:ss` in UTC, with or without the
/// trailing `Z` that every documented example carries ([UG-SCHEMA], lake-api.md §2.1). Fractional seconds and
/// offsets are rejected (their acceptance by AWS is UNCONFIRMED). Returns epoch milliseconds.
pub(crate) fn parse_event_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let body = match b.len() {
        19 => b,
        20 if b[19] == b'Z' => &b[..19],
        _ => return None,
    };
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        body[range].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    if body[4] != b'-' || body[7] != b'-' || body[10] != b'T' || body[13] != b':' || body[16] != b':' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(
        u8::try_from(digits(11..13)?).ok()?,
        u8::try_from(digits(14..16)?).ok()?,
        u8::try_from(digits(17..19)?).ok()?,
    )
    .ok()?;
    let t = PrimitiveDateTime::new(date, time).assume_utc();
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_documented_examples() {
        let ms = parse_event_time("2021-10-27T12:13:14Z").unwrap();
        assert_eq!(iso_seconds(ms), "2021-10-27T12:13:14Z");
        assert_eq!(lake_timestamp(ms), "2021-10-27 12:13:14.000");
        assert_eq!(parse_event_time("2021-10-27T12:13:14"), Some(ms));
        assert_eq!(lake_timestamp(ms + 7), "2021-10-27 12:13:14.007");
    }

    /// The digit-by-digit writer against the `time` crate's own formatter, over the whole range the clock
    /// and `eventTime` reach.
    #[test]
    fn formats_like_the_time_crate() {
        let reference = |ms: i64| {
            let format = time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]"
            );
            datetime(ms).format(&format).unwrap()
        };
        let max = parse_event_time("9999-12-31T23:59:59Z").unwrap() + 999;
        let min = parse_event_time("0000-01-01T00:00:00Z").unwrap();
        for ms in [
            0,
            1,
            999,
            1_000,
            86_399_999,
            951_782_400_000,
            -1,
            min,
            max,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(lake_timestamp(ms), reference(ms), "{ms}");
            let r = reference(ms);
            assert_eq!(iso_seconds(ms), format!("{}T{}Z", &r[..10], &r[11..19]), "{ms}");
        }
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..10_000 {
            let ms = rng.i64(min..=max);
            assert_eq!(lake_timestamp(ms), reference(ms), "{ms}");
        }
    }

    #[test]
    fn rejects_other_forms() {
        for bad in [
            "202-07-12T10:55:00",
            "2021-10-27 12:13:14Z",
            "2021-10-27T12:13:14.123Z",
            "2021-10-27T12:13:14+01:00",
            "2021-02-30T00:00:00Z",
            "2021-10-27T24:00:00Z",
            "2021-1O-27T12:13:14Z",
            "",
        ] {
            assert_eq!(parse_event_time(bad), None, "{bad}");
        }
    }
}

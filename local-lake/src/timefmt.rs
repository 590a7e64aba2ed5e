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

/// `yyyy-MM-ddTHH:mm:ssZ` (seconds precision), the form of `eventTime` and `metadata.ingestionTime`.
pub(crate) fn iso_seconds(ms: i64) -> String {
    let t = datetime(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `yyyy-MM-dd HH:mm:ss.SSS`, Lake SQL's rendering of a timestamp; sorts and compares as text.
pub(crate) fn lake_timestamp(ms: i64) -> String {
    let t = datetime(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
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

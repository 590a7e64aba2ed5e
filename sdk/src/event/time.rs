//! [`EventTime`]: `eventData.eventTime`, a UTC instant at whole seconds written `yyyy-MM-ddTHH:mm:ssZ`.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The only form of `eventTime` the SDK writes and accepts.
pub const EVENT_TIME_FORMAT: &str = "yyyy-MM-ddTHH:mm:ssZ";

const LEN: usize = 20;

/// `eventData.eventTime`: an instant in UTC at whole seconds, between `0000-01-01T00:00:00Z` and
/// `9999-12-31T23:59:59Z`, always written `yyyy-MM-ddTHH:mm:ssZ` (e.g. `2024-01-01T00:00:00Z`).
///
/// The schema documents the form `yyyy-MM-ddTHH:mm:ss` in UTC and every AWS example adds the `Z`; whether the
/// service accepts fractional seconds or offsets is unconfirmed, so the SDK produces and accepts only this
/// form. Conversions from [`SystemTime`] and [`OffsetDateTime`] truncate sub-seconds and convert to UTC.
///
/// Ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime {
    // The 20 ASCII bytes of the canonical form. With a fixed 4-digit year, byte order is time order.
    text: [u8; LEN],
}

/// Why a string is not an [`EventTime`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventTimeErrorKind {
    /// Not the shape `yyyy-MM-ddTHH:mm:ssZ` (wrong length, separators or digits).
    Format,
    /// The year does not have 4 digits.
    Year,
    /// Fractional seconds are present.
    FractionalSeconds,
    /// A UTC offset other than `Z` is present, or no zone at all.
    NotUtc,
    /// The fields do not name a real date and time (month 13, February 30, hour 24, second 60, …).
    OutOfRange,
}

/// A string that is not a valid `eventTime`; says what is wrong and shows the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventTimeError {
    kind: EventTimeErrorKind,
    input: String,
}

impl EventTimeError {
    fn new(kind: EventTimeErrorKind, input: &str) -> Self {
        // Keep messages short for absurd inputs.
        let input = match input.char_indices().nth(40) {
            Some((cut, _)) => format!("{}…", &input[..cut]),
            None => input.to_owned(),
        };
        Self { kind, input }
    }

    /// What is wrong.
    pub fn kind(&self) -> &EventTimeErrorKind {
        &self.kind
    }

    /// The input (cut to 40 characters).
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for EventTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.kind {
            EventTimeErrorKind::Format => "not of the form",
            EventTimeErrorKind::Year => "the year must have 4 digits in",
            EventTimeErrorKind::FractionalSeconds => "fractional seconds are not allowed in",
            EventTimeErrorKind::NotUtc => "the time must be in UTC with a trailing Z, as in",
            EventTimeErrorKind::OutOfRange => "not a real date and time in",
        };
        write!(
            f,
            "{:?} is not a valid eventTime: {why} {EVENT_TIME_FORMAT} (e.g. 2024-01-01T00:00:00Z)",
            self.input
        )
    }
}

impl std::error::Error for EventTimeError {}

fn two(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

impl EventTime {
    /// The current time, truncated to the second.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// Parses exactly `yyyy-MM-ddTHH:mm:ssZ`.
    ///
    /// # Errors
    ///
    /// [`EventTimeError`] for any other form (`202-07-12T10:55:00`, a missing `Z`, fractional seconds,
    /// offsets) and for dates or times that do not exist.
    pub fn parse(input: &str) -> Result<Self, EventTimeError> {
        let b = input.as_bytes();
        let err = |kind| Err(EventTimeError::new(kind, input));
        if b.len() != LEN {
            return err(Self::diagnose(input));
        }
        let shape_ok = b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z'
            && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
                .iter()
                .all(|&i| b[i].is_ascii_digit());
        if !shape_ok {
            return err(Self::diagnose(input));
        }
        let (Some(yh), Some(yl), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
            two(&b[0..2]),
            two(&b[2..4]),
            two(&b[5..7]),
            two(&b[8..10]),
            two(&b[11..13]),
            two(&b[14..16]),
            two(&b[17..19]),
        ) else {
            return err(EventTimeErrorKind::Format);
        };
        let year = i32::from(yh) * 100 + i32::from(yl);
        let valid = Month::try_from(month)
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, day).ok())
            .zip(Time::from_hms(hour, minute, second).ok());
        if valid.is_none() {
            return err(EventTimeErrorKind::OutOfRange);
        }
        let mut text = [0u8; LEN];
        text.copy_from_slice(b);
        Ok(Self { text })
    }

    /// Explains why an input that failed the shape check is wrong.
    fn diagnose(input: &str) -> EventTimeErrorKind {
        let year_digits = input.bytes().take_while(u8::is_ascii_digit).count();
        if input.as_bytes().get(year_digits) == Some(&b'-') && year_digits != 4 && year_digits > 0 {
            return EventTimeErrorKind::Year;
        }
        // Past the seconds (index 19) only `Z` may follow.
        match input.as_bytes().get(19) {
            Some(b'.') => EventTimeErrorKind::FractionalSeconds,
            Some(b'+' | b'-') => EventTimeErrorKind::NotUtc,
            None if input.len() == 19 => EventTimeErrorKind::NotUtc,
            _ => EventTimeErrorKind::Format,
        }
    }

    /// The canonical text, `yyyy-MM-ddTHH:mm:ssZ`.
    pub fn as_str(&self) -> &str {
        // Always ASCII: built from digits and separators only.
        std::str::from_utf8(&self.text).unwrap_or("0000-01-01T00:00:00Z")
    }

    /// The same instant as an [`OffsetDateTime`] in UTC.
    pub fn to_offset_date_time(&self) -> OffsetDateTime {
        let b = &self.text;
        let n = |i: usize| two(&b[i..i + 2]).unwrap_or(0);
        let year = i32::from(n(0)) * 100 + i32::from(n(2));
        let date = Month::try_from(n(5))
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, n(8)).ok())
            .unwrap_or(Date::MIN);
        let time = Time::from_hms(n(11), n(14), n(17)).unwrap_or(Time::MIDNIGHT);
        PrimitiveDateTime::new(date, time).assume_utc()
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_timestamp(&self) -> i64 {
        self.to_offset_date_time().unix_timestamp()
    }

    /// The instant `secs` seconds after 1970-01-01T00:00:00Z, if it is within years 0000–9999.
    pub fn from_unix_timestamp(secs: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(Self::from_utc)
    }

    /// Formats an instant already in UTC at whole seconds; `None` outside years 0000–9999.
    fn from_utc(t: OffsetDateTime) -> Option<Self> {
        let year = t.year();
        if !(0..=9999).contains(&year) {
            return None;
        }
        let mut text = *b"0000-00-00T00:00:00Z";
        let put = |text: &mut [u8; LEN], at: usize, v: u8| {
            text[at] = b'0' + v / 10;
            text[at + 1] = b'0' + v % 10;
        };
        // `year` is within 0..=9999, so both halves fit in a u8 below 100.
        let (hi, lo) = ((year / 100) as u8, (year % 100) as u8);
        put(&mut text, 0, hi);
        put(&mut text, 2, lo);
        put(&mut text, 5, u8::from(t.month()));
        put(&mut text, 8, t.day());
        put(&mut text, 11, t.hour());
        put(&mut text, 14, t.minute());
        put(&mut text, 17, t.second());
        Some(Self { text })
    }

    /// The earliest representable time, `0000-01-01T00:00:00Z`.
    pub const MIN: Self = Self {
        text: *b"0000-01-01T00:00:00Z",
    };

    /// The latest representable time, `9999-12-31T23:59:59Z`.
    pub const MAX: Self = Self {
        text: *b"9999-12-31T23:59:59Z",
    };
}

impl From<OffsetDateTime> for EventTime {
    /// Converts to UTC and truncates to the second. Instants outside years 0000–9999 (UTC) saturate to
    /// [`EventTime::MIN`] or [`EventTime::MAX`].
    fn from(t: OffsetDateTime) -> Self {
        // Converting can leave the `time` crate's own range (year ±9999) only at its very ends.
        let Some(utc) = t.checked_to_offset(UtcOffset::UTC) else {
            return if t.year() < 0 { Self::MIN } else { Self::MAX };
        };
        let whole = utc.replace_nanosecond(0).unwrap_or(utc);
        match Self::from_utc(whole) {
            Some(t) => t,
            None if whole.year() < 0 => Self::MIN,
            None => Self::MAX,
        }
    }
}

impl From<SystemTime> for EventTime {
    /// Truncates to the second (towards the past, also before 1970). Instants outside years 0000–9999
    /// saturate to [`EventTime::MIN`] or [`EventTime::MAX`].
    fn from(t: SystemTime) -> Self {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let d = before.duration();
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                // Truncating towards the past: 0.5 s before the epoch is second -1.
                -whole - i64::from(d.subsec_nanos() > 0)
            }
        };
        Self::from_unix_timestamp(secs).unwrap_or(if secs < 0 { Self::MIN } else { Self::MAX })
    }
}

impl From<EventTime> for OffsetDateTime {
    fn from(t: EventTime) -> Self {
        t.to_offset_date_time()
    }
}

impl FromStr for EventTime {
    type Err = EventTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for EventTime {
    type Error = EventTimeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EventTime {
    type Error = EventTimeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventTime({})", self.as_str())
    }
}

impl AsRef<str> for EventTime {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;
    use time::macros::datetime;

    #[test]
    fn parses_and_formats_the_canonical_form() {
        let t = EventTime::parse("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59Z");
        assert_eq!(t.to_offset_date_time(), datetime!(2024-02-29 23:59:59 UTC));
        assert_eq!(
            EventTime::MIN.to_offset_date_time(),
            datetime!(0000-01-01 0:00 UTC)
        );
        assert_eq!(EventTime::MAX.to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn rejects_other_forms_with_a_clear_message() {
        let cases = [
            (
                "202-07-12T10:55:00",
                r#""202-07-12T10:55:00" is not a valid eventTime: the year must have 4 digits in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
            ),
            (
                "2024-07-12T10:55:00",
                r#""2024-07-12T10:55:00" is not a valid eventTime: the time must be in UTC with a trailing Z, as in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
            ),
            (
                "2024-07-12T10:55:00.123Z",
                r#""2024-07-12T10:55:00.123Z" is not a valid eventTime: fractional seconds are not allowed in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
            ),
            (
                "2024-07-12T10:55:00+02:00",
                r#""2024-07-12T10:55:00+02:00" is not a valid eventTime: the time must be in UTC with a trailing Z, as in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
            ),
            (
                "2023-02-29T00:00:00Z",
                r#""2023-02-29T00:00:00Z" is not a valid eventTime: not a real date and time in yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
            ),
            (
                "2024-01-01 00:00:00Z",
                r#""2024-01-01 00:00:00Z" is not a valid eventTime: not of the form yyyy-MM-ddTHH:mm:ssZ (e.g. 2024-01-01T00:00:00Z)"#,
            ),
        ];
        for (input, message) in cases {
            assert_eq!(
                EventTime::parse(input).unwrap_err().to_string(),
                message,
                "{input}"
            );
        }
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01t00:00:00z",
        ] {
            assert!(EventTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn converts_offsets_to_utc_and_truncates_sub_seconds() {
        let t = EventTime::from(datetime!(2024-01-01 01:30:15.999 +01:00));
        assert_eq!(t.as_str(), "2024-01-01T00:30:15Z");
        let before_epoch = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(EventTime::from(before_epoch).as_str(), "1969-12-31T23:59:59Z");
        let after = UNIX_EPOCH + Duration::from_millis(1_700_000_000_750);
        assert_eq!(EventTime::from(after).as_str(), "2023-11-14T22:13:20Z");
        assert_eq!(
            EventTime::from(datetime!(-0001-12-31 23:59:59 UTC)),
            EventTime::MIN
        );
        assert_eq!(
            EventTime::from(datetime!(9999-12-31 23:59:59 -01:00)),
            EventTime::MAX
        );
    }

    #[test]
    fn now_is_today() {
        let now = EventTime::now().unix_timestamp();
        let sys = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!((sys - now).abs() <= 1);
    }

    #[test]
    fn serde_uses_the_canonical_string() {
        let t = EventTime::parse("2021-10-27T12:13:14Z").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""2021-10-27T12:13:14Z""#);
        assert_eq!(
            serde_json::from_str::<EventTime>(r#""2021-10-27T12:13:14Z""#).unwrap(),
            t
        );
        let err = serde_json::from_str::<EventTime>(r#""2021-10-27""#).unwrap_err();
        assert!(err.to_string().contains("not a valid eventTime"), "{err}");
    }

    proptest! {
        #[test]
        fn round_trips_and_orders_like_time(a in -62_167_219_200i64..253_402_300_800, b in -62_167_219_200i64..253_402_300_800) {
            let ta = EventTime::from_unix_timestamp(a).unwrap();
            let tb = EventTime::from_unix_timestamp(b).unwrap();
            prop_assert_eq!(ta.unix_timestamp(), a);
            prop_assert_eq!(EventTime::parse(ta.as_str()).unwrap(), ta);
            prop_assert_eq!(ta.cmp(&tb), a.cmp(&b));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = EventTime::parse(&s);
        }
    }
}

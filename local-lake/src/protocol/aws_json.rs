//! awsJson1_1 (the `cloudtrail` control plane): `POST /` with `X-Amz-Target`, PascalCase JSON bodies,
//! epoch-second timestamps (lake-api.md §3.1).

use serde_json::{Map, Value};

use super::ApiError;

/// Content type of awsJson1_1 responses.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The operation named by an `X-Amz-Target` header: the text after the last `.`, so that both the Rust
/// SDK's `CloudTrail_20131101.Op` and botocore's `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.Op`
/// work (lake-api.md §3.1).
pub(crate) fn operation_name(target: &str) -> &str {
    target.rsplit('.').next().unwrap_or(target)
}

/// An epoch-seconds timestamp rounded to milliseconds, as awsJson sends them (sdk-wire-notes §2: numbers,
/// not strings; ms-rounded to avoid f64 noise).
pub(crate) fn epoch(ms: i64) -> Value {
    if ms % 1000 == 0 {
        Value::from(ms / 1000)
    } else {
        serde_json::Number::from_f64(ms as f64 / 1000.0).map_or(Value::from(ms / 1000), Value::Number)
    }
}

/// The request members of one control-plane call, with typed getters that turn a wrong type into
/// `InvalidParameterException` naming the member.
#[derive(Debug)]
pub(crate) struct Params {
    members: Map<String, Value>,
}

impl Params {
    /// Parses a request body; an empty body is `{}`. Anything but a JSON object is a `SerializationException`.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self { members: Map::new() });
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(members)) => Ok(Self { members }),
            Ok(_) => Err(ApiError::bad_request(
                "SerializationException",
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::bad_request(
                "SerializationException",
                format!("The request body is not valid JSON: {e}."),
            )),
        }
    }

    /// The raw value of a member, if present and not null.
    pub(crate) fn raw(&self, name: &str) -> Option<&Value> {
        self.members.get(name).filter(|v| !v.is_null())
    }

    /// Whether a member is present (and not null).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// An optional string member.
    pub(crate) fn opt_str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::invalid_parameter(format!("{name} must be a string."))),
        }
    }

    /// A required string member.
    pub(crate) fn req_str(&self, name: &str) -> Result<&str, ApiError> {
        self.opt_str(name)?
            .ok_or_else(|| ApiError::invalid_parameter(format!("{name} is required.")))
    }

    /// An optional boolean member.
    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid_parameter(format!("{name} must be a boolean."))),
        }
    }

    /// An optional integer member.
    pub(crate) fn opt_i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| ApiError::invalid_parameter(format!("{name} must be an integer."))),
        }
    }

    /// An optional timestamp member (epoch seconds, possibly fractional), returned in milliseconds.
    pub(crate) fn opt_epoch_ms(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|f| f.is_finite())
                .map(|f| Some((f * 1000.0).round() as i64))
                .ok_or_else(|| {
                    ApiError::invalid_parameter(format!("{name} must be a timestamp in epoch seconds."))
                }),
        }
    }

    /// An optional list member.
    pub(crate) fn opt_list(&self, name: &str) -> Result<Option<&Vec<Value>>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(ApiError::invalid_parameter(format!("{name} must be a list."))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_target_prefixes_name_the_same_operation() {
        assert_eq!(operation_name("CloudTrail_20131101.StartQuery"), "StartQuery");
        assert_eq!(
            operation_name("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.StartQuery"),
            "StartQuery"
        );
        assert_eq!(operation_name("StartQuery"), "StartQuery");
    }

    #[test]
    fn epoch_is_integer_on_whole_seconds_and_ms_rounded_otherwise() {
        assert_eq!(epoch(1_700_000_000_000).to_string(), "1700000000");
        assert_eq!(epoch(1_700_000_000_123).to_string(), "1700000000.123");
    }

    #[test]
    fn params_reject_wrong_types_naming_the_member() {
        let p = Params::parse(br#"{"Name": 3, "Flag": "x"}"#).unwrap();
        assert!(p.req_str("Name").unwrap_err().message.contains("Name"));
        assert!(p.opt_bool("Flag").is_err());
        assert!(
            p.req_str("Missing")
                .unwrap_err()
                .message
                .contains("Missing is required")
        );
        assert_eq!(Params::parse(b"").unwrap().opt_str("X").unwrap(), None);
        assert_eq!(Params::parse(b"[1]").unwrap_err().code, "SerializationException");
        assert_eq!(Params::parse(b"{").unwrap_err().code, "SerializationException");
    }
}

//! AWS error responses: `{"__type": code, "message"|"Message": text}`, the `x-amzn-ErrorType` header and the
//! documented HTTP status (lake-api.md §1.4, §3.3, §7 item 4).

use axum::http::StatusCode;

/// Which API answered: decides the message member's case and the content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plane {
    /// The `cloudtrail` awsJson1_1 API: error shapes carry a capitalised `Message` ([SM-CT]).
    Control,
    /// The `cloudtrail-data` restJson1 API: error shapes carry `message` ([SM-DATA]).
    Data,
    /// Requests that reached neither API (unknown paths) and the SigV4 layer.
    Unknown,
}

/// One AWS error: code (the wire `__type`), HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// Wire error code, e.g. `ChannelNotFoundException`.
    pub(crate) code: &'static str,
    /// HTTP status from the Smithy model (400 where the model has no `@httpError`).
    pub(crate) status: StatusCode,
    /// Human-readable explanation naming the field and the rule.
    pub(crate) message: String,
}

impl ApiError {
    /// An error with an explicit status.
    pub(crate) fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
        }
    }

    /// A 400 error (the Smithy default for client errors without `@httpError`).
    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, StatusCode::BAD_REQUEST, message)
    }

    /// A 404 error.
    pub(crate) fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, StatusCode::NOT_FOUND, message)
    }

    /// `InvalidParameterException` (400), the control plane's generic validation error.
    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::bad_request("InvalidParameterException", message)
    }

    /// `InternalFailure` (500) for storage failures.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new("InternalFailure", StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The JSON body for this error on the given plane.
    pub(crate) fn body(&self, plane: Plane) -> String {
        let key = match plane {
            Plane::Control => "Message",
            Plane::Data | Plane::Unknown => "message",
        };
        serde_json::json!({ "__type": self.code, key: self.message }).to_string()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status.as_u16(), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_plane_errors_use_capital_message() {
        let e = ApiError::not_found("ChannelNotFoundException", "no such channel");
        let v: serde_json::Value = serde_json::from_str(&e.body(Plane::Control)).unwrap();
        assert_eq!(v["__type"], "ChannelNotFoundException");
        assert_eq!(v["Message"], "no such channel");
        assert!(v.get("message").is_none());
    }

    #[test]
    fn data_plane_errors_use_lower_message() {
        let e = ApiError::bad_request("ChannelNotFound", "x");
        let v: serde_json::Value = serde_json::from_str(&e.body(Plane::Data)).unwrap();
        assert_eq!(v["message"], "x");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }
}

//! SDK errors → ctlake errors: the service's code and message when it answered (exit 254), otherwise the
//! transport problem (255), or a request the SDK refused to build (252).

use std::error::Error as StdError;

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::exit::{CliError, ErrorKind};

/// Converts an SDK error of `operation` into a [`CliError`] with the right exit code and a message that
/// names the operation, the service's error code and its message.
pub(crate) fn sdk_error<E, R>(operation: &str, err: SdkError<E, R>) -> CliError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let kind = match &err {
        SdkError::ServiceError(_) => ErrorKind::Service,
        SdkError::ConstructionFailure(_) => ErrorKind::Usage,
        _ => ErrorKind::Other,
    };
    CliError::new(kind, anyhow::anyhow!("{operation} failed: {}", describe(&err)))
}

/// `Code: message` when the service answered, the transport error chain otherwise.
pub(crate) fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => DisplayErrorContext(e).to_string(),
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => format!(
            "cannot reach the endpoint ({}); check --endpoint-url, --region and the network",
            DisplayErrorContext(err)
        ),
        _ => DisplayErrorContext(err).to_string(),
    }
}

/// Whether the service answered with error `code`.
pub(crate) fn is_code<E, R>(err: &SdkError<E, R>, code: &str) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(s) if s.err().code() == Some(code))
}

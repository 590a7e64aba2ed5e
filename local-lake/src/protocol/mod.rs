//! Wire formats: the awsJson1_1 control plane, the restJson1 data plane, and AWS error responses.

pub(crate) mod aws_json;
pub(crate) mod errors;
pub(crate) mod rest_json;

pub(crate) use errors::{ApiError, Plane};

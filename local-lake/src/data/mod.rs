//! The `cloudtrail-data` data plane: PutAuditEvents.

mod put_audit_events;
mod record;
mod validate;

pub(crate) use put_audit_events::handle as put_audit_events;

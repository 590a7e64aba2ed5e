//! The SQL schema of an ActivityAuditLog event data store (`lake-api.md` §5, [UG-SQLSCHEMA]) and where each
//! column lives in the `events` table.
//!
//! Lake SQL names columns case-insensitively; [`Field::name`] is the canonical spelling (the JSON key of the
//! stored record, except `metadata.channelArn` whose JSON key is `channelARN`). Rows (structs) render with the
//! lowercase field names of the documented schema.

/// One column or struct field of the schema.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// Canonical Lake SQL spelling, matched case-insensitively.
    pub(crate) name: &'static str,
    /// Key of this field in its parent JSON object of the stored record.
    pub(crate) json_key: &'static str,
    /// The field's Lake SQL type.
    pub(crate) kind: FieldKind,
}

/// The Lake SQL type of a schema field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// `varchar`, read from the record JSON.
    Varchar,
    /// `varchar` held in a column of the `events` table (faster than the JSON).
    VarcharColumn(&'static str),
    /// `timestamp(3)`, held in a column of the `events` table in Lake's rendering.
    TimestampColumn(&'static str),
    /// `map(varchar, varchar)`: a JSON object in the record.
    Map,
    /// `row(...)`: a JSON object with these fields.
    Row(&'static [Field]),
}

const fn field(name: &'static str, kind: FieldKind) -> Field {
    Field {
        name,
        json_key: name,
        kind,
    }
}

/// `addendum struct<reason, updatedfields, originaluid, originaleventid>`.
static ADDENDUM: [Field; 4] = [
    field("reason", FieldKind::Varchar),
    field("updatedFields", FieldKind::Varchar),
    field("originalUID", FieldKind::Varchar),
    field("originalEventID", FieldKind::Varchar),
];

/// `metadata struct<ingestiontime, channelarn>`.
static METADATA: [Field; 2] = [
    field("ingestionTime", FieldKind::Varchar),
    Field {
        name: "channelArn",
        json_key: "channelARN",
        kind: FieldKind::Varchar,
    },
];

/// `eventdata.useridentity struct<type, principalid, details map>`.
static USER_IDENTITY: [Field; 3] = [
    field("type", FieldKind::Varchar),
    field("principalId", FieldKind::Varchar),
    field("details", FieldKind::Map),
];

/// `eventdata struct<...>` in the documented order.
static EVENT_DATA: [Field; 14] = [
    field("version", FieldKind::Varchar),
    field("userIdentity", FieldKind::Row(&USER_IDENTITY)),
    field("userAgent", FieldKind::Varchar),
    field("eventSource", FieldKind::Varchar),
    field("eventName", FieldKind::Varchar),
    field("eventTime", FieldKind::Varchar),
    field("UID", FieldKind::Varchar),
    field("requestParameters", FieldKind::Map),
    field("responseElements", FieldKind::Map),
    field("errorCode", FieldKind::Varchar),
    field("errorMessage", FieldKind::Varchar),
    field("sourceIPAddress", FieldKind::Varchar),
    field("recipientAccountId", FieldKind::Varchar),
    field("additionalEventData", FieldKind::Map),
];

/// The top-level columns, in the documented order. `SELECT *` returns exactly these.
pub(crate) static TOP_LEVEL: [Field; 10] = [
    field("eventVersion", FieldKind::Varchar),
    field("eventCategory", FieldKind::Varchar),
    field("eventType", FieldKind::Varchar),
    field("eventID", FieldKind::VarcharColumn("event_id")),
    field("eventTime", FieldKind::TimestampColumn("event_time")),
    field("awsRegion", FieldKind::Varchar),
    field("recipientAccountId", FieldKind::Varchar),
    field("addendum", FieldKind::Row(&ADDENDUM)),
    field("metadata", FieldKind::Row(&METADATA)),
    field("eventData", FieldKind::Row(&EVENT_DATA)),
];

/// Finds a field by its Lake SQL name, case-insensitively.
pub(crate) fn lookup(fields: &'static [Field], name: &str) -> Option<&'static Field> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup(&TOP_LEVEL, "EVENTDATA").map(|f| f.name), Some("eventData"));
        assert_eq!(lookup(&EVENT_DATA, "uid").map(|f| f.json_key), Some("UID"));
        assert_eq!(
            lookup(&EVENT_DATA, "sourceipaddress").map(|f| f.name),
            Some("sourceIPAddress")
        );
        assert_eq!(
            lookup(&METADATA, "channelarn").map(|f| f.json_key),
            Some("channelARN")
        );
        assert!(lookup(&EVENT_DATA, "foo").is_none());
    }
}

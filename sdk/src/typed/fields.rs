//! [`EventFields`]: the event-specific parts of an `eventData` a typed event writes, and [`FieldValue`],
//! the Rust values a field can hold.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::{EventDataBuilder, EventTime};

/// A value a typed event's field can hold, turned into its JSON form; `None` means "absent" (an unset
/// optional field writes nothing).
pub trait FieldValue {
    /// The JSON value, or `None` to leave the field out.
    fn into_field_value(self) -> Option<Value>;
}

macro_rules! json_field_value {
    ($($t:ty),* $(,)?) => {
        $(
            impl FieldValue for $t {
                fn into_field_value(self) -> Option<Value> {
                    Some(Value::from(self))
                }
            }
        )*
    };
}

json_field_value!(String, &str, i64, f64, bool, Map<String, Value>);

impl FieldValue for Value {
    fn into_field_value(self) -> Option<Value> {
        Some(self)
    }
}

/// A timestamp field: the `yyyy-MM-ddTHH:mm:ssZ` text of `eventTime`.
impl FieldValue for EventTime {
    fn into_field_value(self) -> Option<Value> {
        Some(Value::String(self.as_str().to_owned()))
    }
}

impl<T: FieldValue> FieldValue for Option<T> {
    fn into_field_value(self) -> Option<Value> {
        self.and_then(FieldValue::into_field_value)
    }
}

/// An array field; an item that writes nothing becomes `null`.
impl<T: FieldValue> FieldValue for Vec<T> {
    fn into_field_value(self) -> Option<Value> {
        Some(Value::Array(
            self.into_iter()
                .map(|item| item.into_field_value().unwrap_or(Value::Null))
                .collect(),
        ))
    }
}

/// The event-specific parts of an `eventData`: `requestParameters`, `responseElements` and
/// `additionalEventData`, filled by [`TypedEvent::write_fields`](super::TypedEvent::write_fields).
///
/// A section nothing was written to stays absent from the event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFields {
    request_parameters: Option<Map<String, Value>>,
    response_elements: Option<Map<String, Value>>,
    additional_event_data: Option<Map<String, Value>>,
}

impl EventFields {
    /// Writes `requestParameters.<name>` (nothing when `value` is an unset option).
    pub fn request(&mut self, name: &str, value: impl FieldValue) {
        insert(&mut self.request_parameters, name.to_owned(), value);
    }

    /// Writes `responseElements.<name>`.
    pub fn response(&mut self, name: &str, value: impl FieldValue) {
        insert(&mut self.response_elements, name.to_owned(), value);
    }

    /// Writes `additionalEventData.<name>`.
    pub fn additional(&mut self, name: &str, value: impl FieldValue) {
        insert(&mut self.additional_event_data, name.to_owned(), value);
    }

    /// Writes one `requestParameters` field per entry of a pattern field: the entry's key replaces the
    /// pattern's `*` (`rp_*` and key `instanceType` write `rp_instanceType`).
    pub fn request_each<T: FieldValue>(&mut self, pattern: &str, values: BTreeMap<String, T>) {
        insert_each(&mut self.request_parameters, pattern, values);
    }

    /// Writes one `responseElements` field per entry of a pattern field (see
    /// [`request_each`](Self::request_each)).
    pub fn response_each<T: FieldValue>(&mut self, pattern: &str, values: BTreeMap<String, T>) {
        insert_each(&mut self.response_elements, pattern, values);
    }

    /// Writes one `additionalEventData` field per entry of a pattern field (see
    /// [`request_each`](Self::request_each)).
    pub fn additional_each<T: FieldValue>(&mut self, pattern: &str, values: BTreeMap<String, T>) {
        insert_each(&mut self.additional_event_data, pattern, values);
    }

    /// Sets the written sections on an [`EventData`](crate::EventData) builder, replacing what it held.
    pub fn apply(self, builder: EventDataBuilder) -> EventDataBuilder {
        builder
            .set_request_parameters(self.request_parameters)
            .set_response_elements(self.response_elements)
            .set_additional_event_data(self.additional_event_data)
    }
}

fn insert(section: &mut Option<Map<String, Value>>, name: String, value: impl FieldValue) {
    if let Some(value) = value.into_field_value() {
        section.get_or_insert_with(Map::new).insert(name, value);
    }
}

fn insert_each<T: FieldValue>(
    section: &mut Option<Map<String, Value>>,
    pattern: &str,
    values: BTreeMap<String, T>,
) {
    for (key, value) in values {
        insert(section, pattern.replacen('*', &key, 1), value);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unset_options_write_nothing_and_empty_sections_stay_absent() {
        let mut fields = EventFields::default();
        fields.request("a", None::<String>);
        fields.response("b", Some(7_i64));
        assert_eq!(fields.request_parameters, None);
        assert_eq!(
            fields.response_elements,
            Some(json!({"b": 7}).as_object().unwrap().clone())
        );
        assert_eq!(fields.additional_event_data, None);
    }

    #[test]
    fn every_value_kind_has_its_json_form() {
        let mut fields = EventFields::default();
        fields.additional("s", "text");
        fields.additional("i", -3_i64);
        fields.additional("n", 1.5_f64);
        fields.additional("b", true);
        fields.additional("t", EventTime::parse("2024-01-02T03:04:05Z").unwrap());
        fields.additional("v", vec![Some(1_i64), None]);
        fields.additional("o", json!({"k": [1]}).as_object().unwrap().clone());
        fields.additional("any", json!(null));
        assert_eq!(
            Value::Object(fields.additional_event_data.unwrap()),
            json!({"s": "text", "i": -3, "n": 1.5, "b": true, "t": "2024-01-02T03:04:05Z",
                   "v": [1, null], "o": {"k": [1]}, "any": null})
        );
    }

    #[test]
    fn pattern_fields_put_the_key_in_place_of_the_star() {
        let mut fields = EventFields::default();
        let values = BTreeMap::from([
            ("instanceType".to_owned(), "t3.micro"),
            ("0_ARN".to_owned(), "arn"),
        ]);
        fields.additional_each("rp_*", values.clone());
        fields.request_each("*", values.clone());
        fields.response_each("x*y", values);
        assert_eq!(
            Value::Object(fields.additional_event_data.unwrap()),
            json!({"rp_instanceType": "t3.micro", "rp_0_ARN": "arn"})
        );
        assert_eq!(
            Value::Object(fields.request_parameters.unwrap()),
            json!({"instanceType": "t3.micro", "0_ARN": "arn"})
        );
        assert_eq!(
            Value::Object(fields.response_elements.unwrap()),
            json!({"xinstanceTypey": "t3.micro", "x0_ARNy": "arn"})
        );
    }
}

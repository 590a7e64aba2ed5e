//! Fitting JSON objects under Lake's size caps, deterministically and with a marker.
//!
//! Sizes are bytes of compact JSON, as the SDK measures them (`ctlake::validate::limits`).

use serde_json::{Map, Value};

/// Key of the marker added to an object that had to be cut.
pub const TRUNCATION_MARKER: &str = "ctlake_truncated";

/// Longest string (in characters) a value is trimmed to before whole entries are dropped.
const TRIM_TO_CHARS: usize = 1000;

/// Most key names the marker lists (the count is always exact).
const MARKER_MAX_KEYS: usize = 20;

/// Compact JSON size of a value.
pub(crate) fn json_len(value: &Value) -> usize {
    let mut counter = Counter(0);
    // Writing to a counter cannot fail, and serializing a `Value` cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// Compact JSON size of an object.
fn json_len_map(object: &Map<String, Value>) -> usize {
    let mut counter = Counter(0);
    // As in `json_len`: neither can fail.
    let _ = serde_json::to_writer(&mut counter, object);
    counter.0
}

/// Compact JSON size of `"key":value`.
fn entry_len(key: &str, value: &Value) -> usize {
    json_len(&Value::String(key.to_owned())) + 1 + json_len(value)
}

struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What [`fit`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Cut {
    pub(crate) trimmed: Vec<String>,
    pub(crate) dropped: Vec<String>,
    pub(crate) original_bytes: usize,
}

/// Makes `object` fit in `max_bytes` of compact JSON, marker included.
///
/// Entries for which `protected` is true are kept (their strings are only trimmed as a last resort). Otherwise,
/// largest first (ties by key): string values longer than [`TRIM_TO_CHARS`] are trimmed with a `…` suffix; if
/// that is not enough, whole entries are dropped. The marker `ctlake_truncated` lists what was trimmed and
/// dropped and the original size. The same input always gives the same output.
pub(crate) fn fit(
    object: &mut Map<String, Value>,
    max_bytes: usize,
    protected: impl Fn(&str) -> bool,
) -> Option<Cut> {
    // Nearly every object fits: one counting pass, without the per-entry bookkeeping below.
    if json_len_map(object) <= max_bytes {
        return None;
    }
    let mut sizes = Sizes::new(object);
    let original_bytes = sizes.object_len();
    let mut cut = Cut {
        original_bytes,
        ..Cut::default()
    };
    let mut candidates: Vec<(usize, String)> = object
        .iter()
        .filter(|(k, _)| !protected(k))
        .map(|(k, v)| (entry_len(k, v), k.clone()))
        .collect();
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));

    for (_, key) in &candidates {
        if sizes.fits_with(&cut, max_bytes) {
            break;
        }
        if let Some(value @ Value::String(_)) = object.get_mut(key)
            && let Value::String(s) = &mut *value
            && trim(s)
        {
            sizes.set(key, entry_len(key, value));
            cut.trimmed.push(key.clone());
        }
    }
    for (_, key) in &candidates {
        if sizes.fits_with(&cut, max_bytes) {
            break;
        }
        object.remove(key);
        sizes.remove(key);
        cut.trimmed.retain(|k| k != key);
        cut.dropped.push(key.clone());
    }
    // Last resort: protected strings (only pathological records get here).
    if !sizes.fits_with(&cut, max_bytes) {
        for (key, value) in object.iter_mut() {
            if let Value::String(s) = value
                && trim(s)
            {
                cut.trimmed.push(key.clone());
            }
        }
    }
    object.insert(TRUNCATION_MARKER.to_owned(), marker(&cut));
    Some(cut)
}

/// Running entry sizes of an object, so fitting is linear in its size.
struct Sizes {
    entries: std::collections::HashMap<String, usize>,
    sum: usize,
}

impl Sizes {
    fn new(object: &Map<String, Value>) -> Self {
        let entries: std::collections::HashMap<String, usize> =
            object.iter().map(|(k, v)| (k.clone(), entry_len(k, v))).collect();
        let sum = entries.values().sum();
        Self { entries, sum }
    }

    fn set(&mut self, key: &str, len: usize) {
        if let Some(old) = self.entries.get_mut(key) {
            self.sum = self.sum - *old + len;
            *old = len;
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.entries.remove(key) {
            self.sum -= old;
        }
    }

    fn object_len(&self) -> usize {
        2 + self.sum + self.entries.len().saturating_sub(1)
    }

    /// Whether the object plus the marker for `cut` fits.
    fn fits_with(&self, cut: &Cut, max_bytes: usize) -> bool {
        // One more entry (the marker) and one more comma.
        2 + self.sum + entry_len(TRUNCATION_MARKER, &marker(cut)) + self.entries.len() <= max_bytes
    }
}

fn trim(s: &mut String) -> bool {
    match s.char_indices().nth(TRIM_TO_CHARS) {
        Some((at, _)) => {
            s.truncate(at);
            s.push('…');
            true
        }
        None => false,
    }
}

fn marker(cut: &Cut) -> Value {
    let list = |keys: &[String]| {
        Value::Array(
            keys.iter()
                .take(MARKER_MAX_KEYS)
                .cloned()
                .map(Value::String)
                .collect(),
        )
    };
    serde_json::json!({
        "original_bytes": cut.original_bytes,
        "trimmed": list(&cut.trimmed),
        "trimmed_count": cut.trimmed.len(),
        "dropped": list(&cut.dropped),
        "dropped_count": cut.dropped.len(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn serialized_len(map: &Map<String, Value>) -> usize {
        serde_json::to_string(map).unwrap().len()
    }

    #[test]
    fn sizes_match_serde_json() {
        let map = json!({"a": 1, "b": "x\"y", "c": [1, {"d": null}], "é": "ü"});
        let map = map.as_object().unwrap();
        assert_eq!(Sizes::new(map).object_len(), serialized_len(map));
        assert_eq!(json_len_map(map), serialized_len(map));
        assert_eq!(Sizes::new(&Map::new()).object_len(), 2);
        assert_eq!(json_len_map(&Map::new()), 2);
    }

    #[test]
    fn small_objects_are_untouched() {
        let mut map = json!({"a": "x".repeat(100)}).as_object().unwrap().clone();
        assert_eq!(fit(&mut map, 1000, |_| false), None);
        assert!(!map.contains_key(TRUNCATION_MARKER));
        // Exactly at the cap fits; one byte over is cut.
        let exact = serialized_len(&map);
        assert_eq!(fit(&mut map, exact, |_| false), None);
        let cut = fit(&mut map, exact - 1, |_| false).unwrap();
        assert_eq!(cut.original_bytes, exact);
    }

    #[test]
    fn largest_strings_are_trimmed_first_then_entries_dropped() {
        let mut map = json!({
            "identifier": "keep-me",
            "rp_big": "b".repeat(5000),
            "rp_medium": "m".repeat(1500),
            "rp_small": "s",
        })
        .as_object()
        .unwrap()
        .clone();
        let cut = fit(&mut map, 3000, |k| k == "identifier").unwrap();
        assert_eq!(cut.trimmed, ["rp_big"]);
        assert!(cut.dropped.is_empty());
        assert!(serialized_len(&map) <= 3000);
        assert_eq!(map["rp_big"].as_str().unwrap().chars().count(), TRIM_TO_CHARS + 1);
        assert_eq!(map["rp_medium"].as_str().unwrap().len(), 1500);
        assert_eq!(map[TRUNCATION_MARKER]["original_bytes"], cut.original_bytes);

        let mut map = json!({
            "identifier": "keep-me",
            "rp_obj": {"x": "y".repeat(4000)},
            "rp_list": ["z".repeat(3000)],
            "rp_small": "s",
        })
        .as_object()
        .unwrap()
        .clone();
        let cut = fit(&mut map, 3500, |k| k == "identifier").unwrap();
        assert_eq!(cut.dropped, ["rp_obj"]);
        assert!(serialized_len(&map) <= 3500, "{}", serialized_len(&map));
        assert_eq!(map["identifier"], "keep-me");
        assert_eq!(map[TRUNCATION_MARKER]["dropped"], json!(["rp_obj"]));
    }

    #[test]
    fn deterministic_and_always_fits() {
        let make = || {
            let mut map = Map::new();
            for i in 0..200 {
                map.insert(format!("rp_{i:03}"), Value::String("v".repeat(i * 13)));
            }
            map.insert("identifier".into(), Value::String("id".repeat(3000)));
            map
        };
        let (mut a, mut b) = (make(), make());
        fit(&mut a, 28_000, |k| k == "identifier");
        fit(&mut b, 28_000, |k| k == "identifier");
        assert_eq!(a, b);
        assert!(serialized_len(&a) <= 28_000, "{}", serialized_len(&a));
        // The protected value was trimmed only because nothing else was left to cut.
        let mut c = make();
        fit(&mut c, 2_500, |k| k == "identifier");
        assert!(serialized_len(&c) <= 2_500, "{}", serialized_len(&c));
    }
}

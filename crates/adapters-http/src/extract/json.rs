//! JSON request bodies: 415, 413, 400 and unknown fields, before any rule.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use domain::Secret;
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::body::{MediaType, check_media_type, read_limited};
use crate::error::{ApiError, FieldErrors};

/// A JSON request body type. Its fields are `Option`s with
/// `#[serde(default, deserialize_with = "non_null")]`, so that a missing
/// field is `None` (422 `required` later, from the `TryFrom` into a command)
/// while `null` or a value of the wrong JSON type is a 400.
pub trait JsonRequest: DeserializeOwned {
    /// The members this body may have; any other is `unknown_field`.
    const FIELDS: &'static [&'static str];
}

/// Deserialises a present field, refusing `null` (which `Option` would
/// otherwise take for a missing field).
///
/// # Errors
/// When the value is `null` or of another JSON type than `T`.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// As [`non_null`], for a password or a token: the string is wrapped in
/// [`Secret`] as it is read, so it never reaches a log line through `Debug`.
///
/// # Errors
/// When the value is `null` or not a string.
pub fn non_null_secret<'de, D>(deserializer: D) -> Result<Option<Secret>, D::Error>
where
    D: Deserializer<'de>,
{
    String::deserialize(deserializer).map(|text| Some(Secret::from(text)))
}

/// A checked JSON body: `application/json`, at most 64 KiB, a JSON object
/// without duplicate members whose known fields have the right JSON types.
/// Unknown members are kept aside, to be reported together with the rule
/// failures of the known ones.
pub struct JsonBody<T> {
    body: T,
    unknown: FieldErrors,
}

impl<T> fmt::Debug for JsonBody<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonBody")
            .field("unknown", &self.unknown)
            .finish_non_exhaustive()
    }
}

impl<T> JsonBody<T> {
    /// Converts the body into a command, reporting every failing field, the
    /// unknown ones included.
    ///
    /// # Errors
    /// `Validation` listing every failing field.
    pub fn into_command<C>(self) -> Result<C, ApiError>
    where
        C: TryFrom<T, Error = FieldErrors>,
    {
        let Self { body, unknown } = self;
        match C::try_from(body) {
            Ok(command) if unknown.is_empty() => Ok(command),
            Ok(_) => Err(unknown.into()),
            Err(mut errors) => {
                errors.extend(unknown);
                Err(errors.into())
            }
        }
    }
}

impl<T: JsonRequest + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            check_media_type(&req, MediaType::Json)?;
            let bytes = read_limited(&req, payload).await?;
            parse(&bytes)
        })
    }
}

/// Parses a body: 400 unless it is a JSON object without duplicate members
/// whose known fields have the right types; unknown members are set aside.
pub(crate) fn parse<T: JsonRequest>(bytes: &[u8]) -> Result<JsonBody<T>, ApiError> {
    let malformed = |detail: &str| ApiError::Malformed(detail.to_owned());
    let mut object = match serde_json::from_slice::<TopLevel>(bytes) {
        Ok(TopLevel::Object(object)) => object,
        Ok(TopLevel::NotObject) => return Err(malformed("the body must be a JSON object")),
        Ok(TopLevel::Duplicate) => {
            return Err(malformed("the body has a member more than once"));
        }
        Err(_) => return Err(malformed("the body is not valid JSON")),
    };
    let mut unknown = FieldErrors::new();
    object.retain(|key, _| {
        let known = T::FIELDS.contains(&key.as_str());
        if !known {
            unknown.unknown(key);
        }
        known
    });
    let nulls: Vec<&str> = T::FIELDS
        .iter()
        .copied()
        .filter(|field| object.get(*field).is_some_and(Value::is_null))
        .collect();
    let body = serde_path_to_error::deserialize(Value::Object(object)).map_err(|error| {
        // The path is one of `T::FIELDS` (unknown members are gone), so it
        // is safe to echo; the value and serde's message are not.
        let field = error.path().to_string();
        if nulls.contains(&field.as_str()) {
            ApiError::Malformed(format!("`{field}` must not be null"))
        } else {
            ApiError::Malformed(format!("`{field}` has the wrong JSON type"))
        }
    })?;
    Ok(JsonBody { body, unknown })
}

/// The member names serde's derive accepts for `T`: the field list it hands
/// to `deserialize_struct`. Each [`JsonRequest::FIELDS`] must equal it (a
/// test holds them together).
#[cfg(test)]
pub(crate) fn serde_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(fields::Recorder) {
        Err(fields::Recorded(Some(fields))) => fields,
        _ => &[],
    }
}

#[cfg(test)]
mod fields {
    use std::fmt;

    use serde::de::{self, Visitor};

    /// A deserializer that only records the fields a struct asks for.
    pub(super) struct Recorder;

    #[derive(Debug)]
    pub(super) struct Recorded(pub(super) Option<&'static [&'static str]>);

    impl fmt::Display for Recorded {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("not a struct")
        }
    }

    impl std::error::Error for Recorded {}

    impl de::Error for Recorded {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Self(None)
        }
    }

    impl<'de> de::Deserializer<'de> for Recorder {
        type Error = Recorded;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Recorded> {
            Err(Recorded(None))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Recorded> {
            Err(Recorded(Some(fields)))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
}

/// The top level of a body, parsed strictly.
enum TopLevel {
    Object(Map<String, Value>),
    /// An object with a member given twice: which one would count is
    /// ambiguous, so the body is refused.
    Duplicate,
    NotObject,
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut object = Map::new();
        let mut duplicate = false;
        while let Some(key) = map.next_key::<String>()? {
            if duplicate || object.contains_key(&key) {
                duplicate = true;
                map.next_value::<IgnoredAny>()?;
            } else {
                let value = map.next_value::<Value>()?;
                object.insert(key, value);
            }
        }
        Ok(if duplicate {
            TopLevel::Duplicate
        } else {
            TopLevel::Object(object)
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::NotObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::NotObject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Example {
        #[serde(default, deserialize_with = "non_null")]
        name: Option<String>,
    }

    impl JsonRequest for Example {
        const FIELDS: &'static [&'static str] = &["name"];
    }

    fn code(result: Result<JsonBody<Example>, ApiError>) -> &'static str {
        match result {
            Ok(_) => "ok",
            Err(error) => error.code(),
        }
    }

    #[test]
    fn an_object_with_known_fields_parses() {
        let body = parse::<Example>(br#"{"name":"Ada"}"#).unwrap();
        assert_eq!(body.body.name.as_deref(), Some("Ada"));
        assert!(body.unknown.is_empty());
    }

    #[test]
    fn a_missing_field_is_none_not_an_error() {
        let body = parse::<Example>(b"{}").unwrap();
        assert_eq!(body.body.name, None);
    }

    #[test]
    fn null_for_a_field_is_malformed_and_says_so() {
        let error = parse::<Example>(br#"{"name":null}"#).unwrap_err();
        assert_eq!(error.code(), "malformed_request");
        assert!(error.to_string().contains("`name` must not be null"));
    }

    #[test]
    fn a_wrong_type_is_malformed_without_echoing_the_value() {
        let error = parse::<Example>(br#"{"name":123456789}"#).unwrap_err();
        assert!(error.to_string().contains("`name` has the wrong JSON type"));
        assert!(!error.to_string().contains("123456789"));
    }

    #[test]
    fn scalars_arrays_and_invalid_json_are_malformed() {
        for body in [
            &b"[1,2]"[..],
            b"\"x\"",
            b"1",
            b"null",
            b"true",
            b"{",
            b"",
            b"{} x",
        ] {
            assert_eq!(code(parse::<Example>(body)), "malformed_request");
        }
    }

    #[test]
    fn a_member_given_twice_is_malformed() {
        assert_eq!(
            code(parse::<Example>(br#"{"name":"a","name":"b"}"#)),
            "malformed_request"
        );
    }

    #[test]
    fn serde_fields_are_what_the_derive_accepts() {
        assert_eq!(serde_fields::<Example>(), Example::FIELDS);
        assert!(serde_fields::<String>().is_empty());
    }

    #[test]
    fn unknown_members_are_set_aside_as_field_errors() {
        let body = parse::<Example>(br#"{"name":"Ada","role":"admin"}"#).unwrap();
        let errors = body.unknown.into_vec();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "role");
        assert_eq!(errors[0].code, "unknown_field");
    }
}

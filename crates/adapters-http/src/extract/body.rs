//! Media-type checks and size-limited reading of request bodies.

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpRequest};
use futures_util::StreamExt;

use crate::error::ApiError;

/// The largest request body read, in bytes. Larger bodies answer 413
/// without being read whole.
pub const MAX_BODY_BYTES: usize = 65_536;

/// The media types request bodies may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MediaType {
    Json,
    Form,
}

impl MediaType {
    fn subtype(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Form => "x-www-form-urlencoded",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Self::Json => "expected Content-Type application/json",
            Self::Form => "expected Content-Type application/x-www-form-urlencoded",
        }
    }
}

/// Checks `Content-Type` (the media type, and a `charset` only if it is
/// UTF-8) and refuses compressed bodies.
pub(crate) fn check_media_type(req: &HttpRequest, expected: MediaType) -> Result<(), ApiError> {
    if let Some(encoding) = req.headers().get(header::CONTENT_ENCODING)
        && !encoding.as_bytes().eq_ignore_ascii_case(b"identity")
    {
        return Err(ApiError::UnsupportedMediaType(
            "Content-Encoding is not supported; send the body uncompressed",
        ));
    }
    let refused = || ApiError::UnsupportedMediaType(expected.expected());
    let mime = req
        .mime_type()
        .map_err(|_| refused())?
        .ok_or_else(refused)?;
    let charset_ok = mime
        .get_param(actix_web::mime::CHARSET)
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    if mime.type_() == actix_web::mime::APPLICATION
        && mime
            .subtype()
            .as_str()
            .eq_ignore_ascii_case(expected.subtype())
        && mime.suffix().is_none()
        && charset_ok
    {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Reads the body, refusing it with 413 as soon as it is known to exceed
/// [`MAX_BODY_BYTES`]: from `Content-Length` before reading anything, or
/// while reading a chunked body.
pub(crate) async fn read_limited(
    req: &HttpRequest,
    mut payload: Payload,
) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let capacity = declared.map_or(0, |length| usize::try_from(length).unwrap_or(0));
    let mut body = BytesMut::with_capacity(capacity.min(MAX_BODY_BYTES));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| match error {
            PayloadError::Overflow => ApiError::PayloadTooLarge,
            _ => ApiError::Malformed("the body could not be read".to_owned()),
        })?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

//! Opaque cursors: a position in a keyset order of `(timestamp, id)`
//! descending, tagged with the listing it belongs to.
//!
//! Layout, before base64url: a tag byte naming the listing and the format,
//! the timestamp's seconds since the epoch (`i64`, big-endian) and its
//! nanoseconds (`u32`, big-endian), then the 16 bytes of the id. Decoding is
//! strict: a cursor is accepted only if it re-encodes to exactly the text
//! given, so each position has one spelling and anything else is refused.
//! Cursors are not signed: a client that crafts one learns nothing it
//! could not page to.

use chrono::{DateTime, Utc};
use domain::{EventCursor, Timestamp, UserCursor, UserId};
use uuid::Uuid;

use super::ParamError;
use super::base64url;

/// The bytes of a decoded cursor.
const LEN: usize = 1 + 8 + 4 + 16;

/// The listings that hand out cursors; a cursor of one is refused by every
/// other. Add a variant, with a new tag, per listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorKind {
    /// A user's security events.
    Events,
    /// The accounts (the admins' listing), by `(created_at, id)`.
    Users,
}

impl CursorKind {
    /// The first byte of this listing's cursors (format version 1).
    const fn tag(self) -> u8 {
        match self {
            Self::Events => 0xE1,
            Self::Users => 0xA1,
        }
    }
}

/// A position: the page starts strictly after (older than) this item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: Timestamp,
    pub id: Uuid,
}

impl Cursor {
    /// The opaque text handed out as `next_cursor`.
    #[must_use]
    pub fn encode(&self, kind: CursorKind) -> String {
        let mut bytes = Vec::with_capacity(LEN);
        bytes.push(kind.tag());
        bytes.extend_from_slice(&self.at.timestamp().to_be_bytes());
        bytes.extend_from_slice(&self.at.timestamp_subsec_nanos().to_be_bytes());
        bytes.extend_from_slice(self.id.as_bytes());
        base64url::encode(&bytes)
    }

    /// The cursor `text` stands for, if this server could have issued it
    /// for `kind`.
    ///
    /// # Errors
    /// `InvalidCursor` for anything else.
    pub fn decode(text: &str, kind: CursorKind) -> Result<Self, ParamError> {
        let cursor = base64url::decode(text)
            .and_then(|bytes| Self::from_bytes(&bytes, kind))
            .ok_or(ParamError::InvalidCursor)?;
        if cursor.encode(kind) == text {
            Ok(cursor)
        } else {
            Err(ParamError::InvalidCursor)
        }
    }

    fn from_bytes(bytes: &[u8], kind: CursorKind) -> Option<Self> {
        let bytes: &[u8; LEN] = bytes.try_into().ok()?;
        let (tag, rest) = bytes.split_first()?;
        if *tag != kind.tag() {
            return None;
        }
        let (secs, rest) = rest.split_first_chunk::<8>()?;
        let (nanos, id) = rest.split_first_chunk::<4>()?;
        let at =
            DateTime::<Utc>::from_timestamp(i64::from_be_bytes(*secs), u32::from_be_bytes(*nanos))?;
        Some(Self {
            at,
            id: Uuid::from_slice(id).ok()?,
        })
    }
}

impl From<EventCursor> for Cursor {
    fn from(cursor: EventCursor) -> Self {
        Self {
            at: cursor.at,
            id: cursor.id,
        }
    }
}

impl From<Cursor> for EventCursor {
    fn from(cursor: Cursor) -> Self {
        Self {
            at: cursor.at,
            id: cursor.id,
        }
    }
}

impl From<UserCursor> for Cursor {
    fn from(cursor: UserCursor) -> Self {
        Self {
            at: cursor.created_at,
            id: *cursor.id.as_uuid(),
        }
    }
}

impl From<Cursor> for UserCursor {
    fn from(cursor: Cursor) -> Self {
        Self {
            created_at: cursor.at,
            id: UserId::from_uuid(cursor.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            at: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
                + chrono::Duration::nanoseconds(123_456_789),
            id: Uuid::now_v7(),
        }
    }

    #[test]
    fn a_cursor_round_trips_to_the_nanosecond() {
        let cursor = cursor();
        let text = cursor.encode(CursorKind::Events);

        assert_eq!(Cursor::decode(&text, CursorKind::Events), Ok(cursor));
        assert_eq!(text.len(), 39);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn a_cursor_with_another_tag_is_refused() {
        let mut bytes = base64url::decode(&cursor().encode(CursorKind::Events)).unwrap();
        bytes[0] = 0xE2;
        let forged = base64url::encode(&bytes);

        assert_eq!(
            Cursor::decode(&forged, CursorKind::Events),
            Err(ParamError::InvalidCursor)
        );
    }

    #[test]
    fn a_cursor_of_one_listing_is_refused_by_the_other() {
        let cursor = cursor();
        let events = cursor.encode(CursorKind::Events);
        let users = cursor.encode(CursorKind::Users);

        assert_ne!(events, users);
        assert_eq!(Cursor::decode(&users, CursorKind::Users), Ok(cursor));
        assert_eq!(
            Cursor::decode(&events, CursorKind::Users),
            Err(ParamError::InvalidCursor)
        );
        assert_eq!(
            Cursor::decode(&users, CursorKind::Events),
            Err(ParamError::InvalidCursor)
        );
    }

    #[test]
    fn a_user_cursor_round_trips() {
        let at = cursor().at;
        let user_cursor = UserCursor {
            created_at: at,
            id: UserId::generate(),
        };

        assert_eq!(UserCursor::from(Cursor::from(user_cursor)), user_cursor);
    }

    #[test]
    fn a_second_spelling_of_a_cursor_is_refused() {
        let text = cursor().encode(CursorKind::Events);
        // 29 bytes leave two unused low bits in the last character, which
        // the server writes as zeros: the next character of the alphabet
        // (always in the same range, as its index is a multiple of 4)
        // decodes to the same bytes.
        let last = text.as_bytes()[text.len() - 1];
        let sibling = char::from(last + 1);
        let respelled = format!("{}{sibling}", &text[..text.len() - 1]);
        assert_eq!(base64url::decode(&respelled), base64url::decode(&text));

        assert_eq!(
            Cursor::decode(&respelled, CursorKind::Events),
            Err(ParamError::InvalidCursor)
        );
    }

    #[test]
    fn garbage_truncations_and_out_of_range_times_are_refused() {
        let text = cursor().encode(CursorKind::Events);
        let mut far_future = base64url::decode(&text).unwrap();
        far_future[1..9].copy_from_slice(&i64::MAX.to_be_bytes());
        for candidate in [
            String::new(),
            "nope".to_owned(),
            text[..text.len() - 1].to_owned(),
            format!("{text}A"),
            format!("{text}="),
            format!("+{}", &text[1..]),
            format!(" {text}"),
            base64url::encode(&far_future),
        ] {
            assert_eq!(
                Cursor::decode(&candidate, CursorKind::Events),
                Err(ParamError::InvalidCursor),
                "{candidate}"
            );
        }
    }
}

use application::TotpEnrolmentStarted;
use domain::Secret;
use serde::Serialize;
use utoipa::ToSchema;

/// A started TOTP enrolment: what an authenticator app needs. Shown once;
/// the answer carries `Cache-Control: no-store`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = TotpEnrolment, example = json!({
    "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "otpauth_uri": "otpauth://totp/accounts.example.com:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=accounts.example.com&algorithm=SHA1&digits=6&period=30"
}))]
pub struct TotpEnrolmentResponse {
    /// The 160-bit secret in base32 (RFC 4648, no padding), for typing in.
    pub secret: String,
    /// The same secret as a Key URI (`otpauth://totp/{issuer}:{email}?...`,
    /// the issuer being the host of the service's public URL), for a QR
    /// code. SHA-1, 6 digits, 30-second steps.
    pub otpauth_uri: String,
}

impl From<TotpEnrolmentStarted> for TotpEnrolmentResponse {
    fn from(started: TotpEnrolmentStarted) -> Self {
        Self {
            secret: started.secret.expose().to_owned(),
            otpauth_uri: started.otpauth_uri.expose().to_owned(),
        }
    }
}

/// A new set of single-use recovery codes, shown only in this answer
/// (`Cache-Control: no-store`); only their keyed hashes are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = RecoveryCodes, example = json!({
    "recovery_codes": ["k7q2m-x4ab9", "p3z6t-ww2ce", "h5n7r-d2kqa", "b6y4s-m7tfe", "c2x5v-q3nwr",
                       "f7g2h-j4k5m", "n6p7q-r2s3t", "u4v5w-x6y7z", "a2b3c-d4e5f", "g6h7i-j2k3l"]
}))]
pub struct RecoveryCodesResponse {
    /// Ten codes, each usable once instead of a TOTP code (case, spaces
    /// and hyphens are ignored when one is typed in).
    pub recovery_codes: Vec<String>,
}

impl From<Vec<Secret>> for RecoveryCodesResponse {
    fn from(codes: Vec<Secret>) -> Self {
        Self {
            recovery_codes: codes.iter().map(|code| code.expose().to_owned()).collect(),
        }
    }
}

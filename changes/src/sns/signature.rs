//! Checking an SNS signature against a certificate (`change-detection.md` §5.6 steps 1, 3 and 4): PKCS#1 v1.5
//! with SHA-1 (`SignatureVersion` 1) or SHA-256 (`SignatureVersion` 2) over [`SnsMessage::string_to_sign`].
//!
//! The certificate is parsed by webpki (already in the tree through rustls) and the signature checked by
//! aws-lc-rs. SNS's certificates are only a carrier for the public key: like the AWS SDKs' verifiers, the chain
//! is not validated here — the trust comes from downloading the certificate over HTTPS from an SNS host.

use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};

use super::error::VerifyError;
use super::message::SnsMessage;

/// The signature schemes SNS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// `"1"`: SHA1withRSA (the topic default).
    V1,
    /// `"2"`: SHA256withRSA.
    V2,
}

impl SignatureVersion {
    /// Reads `SignatureVersion`.
    ///
    /// # Errors
    ///
    /// [`VerifyError::UnsupportedVersion`] for anything but `"1"` and `"2"`.
    pub fn parse(text: &str) -> Result<Self, VerifyError> {
        match text {
            "1" => Ok(Self::V1),
            "2" => Ok(Self::V2),
            other => Err(VerifyError::UnsupportedVersion(other.to_owned())),
        }
    }

    /// `"1"` or `"2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "1",
            Self::V2 => "2",
        }
    }

    fn algorithm(self) -> &'static RsaPkcs1 {
        match self {
            Self::V1 => &RSA_PKCS1_SHA1,
            Self::V2 => &RSA_PKCS1_SHA256,
        }
    }
}

/// PKCS#1 v1.5 RSA verification for webpki, backed by aws-lc-rs (webpki has no SHA-1 variant of its own).
#[derive(Debug)]
struct RsaPkcs1 {
    params: &'static aws_lc_rs::signature::RsaParameters,
    signature_alg: AlgorithmIdentifier,
}

/// `sha1WithRSAEncryption` (1.2.840.113549.1.1.5) with NULL parameters, as the contents of an
/// AlgorithmIdentifier (the form `rustls_pki_types::alg_id` uses).
const SHA1_WITH_RSA: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
]);

static RSA_PKCS1_SHA1: RsaPkcs1 = RsaPkcs1 {
    params: &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
    signature_alg: SHA1_WITH_RSA,
};

static RSA_PKCS1_SHA256: RsaPkcs1 = RsaPkcs1 {
    params: &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
    signature_alg: alg_id::RSA_PKCS1_SHA256,
};

impl SignatureVerificationAlgorithm for RsaPkcs1 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        aws_lc_rs::signature::UnparsedPublicKey::new(self.params, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg
    }
}

/// Reads the first certificate of a PEM document (what SNS serves), or a DER certificate.
///
/// # Errors
///
/// A reason in words when `bytes` holds no certificate that webpki can parse.
pub fn parse_certificate(bytes: &[u8]) -> Result<CertificateDer<'static>, String> {
    let der = if bytes.first() == Some(&0x30) {
        CertificateDer::from(bytes.to_vec())
    } else {
        CertificateDer::from_pem_slice(bytes).map_err(|e| format!("no PEM certificate ({e})"))?
    };
    webpki::EndEntityCert::try_from(&der).map_err(|e| format!("not an X.509 certificate ({e})"))?;
    Ok(der)
}

/// The bytes of `Signature`.
pub(super) fn decode_signature(message: &SnsMessage) -> Result<Vec<u8>, VerifyError> {
    let signature = message
        .signature()
        .ok_or(VerifyError::Unsigned { field: "Signature" })?;
    base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| VerifyError::SignatureEncoding)
}

/// Checks the signature of `message` with the public key of `certificate` (DER).
///
/// # Errors
///
/// [`VerifyError::Unsigned`] without `SignatureVersion` or `Signature`, [`VerifyError::UnsupportedVersion`],
/// [`VerifyError::SignatureEncoding`], [`VerifyError::Certificate`] when the certificate holds no RSA key of
/// 2048 to 8192 bits, and [`VerifyError::Mismatch`].
pub fn verify_with_certificate(
    message: &SnsMessage,
    certificate: &CertificateDer<'_>,
    certificate_url: &str,
) -> Result<SignatureVersion, VerifyError> {
    let version_text = message.signature_version().ok_or(VerifyError::Unsigned {
        field: "SignatureVersion",
    })?;
    let version = SignatureVersion::parse(version_text)?;
    let signature = decode_signature(message)?;
    let cert = webpki::EndEntityCert::try_from(certificate).map_err(|e| VerifyError::Certificate {
        url: certificate_url.to_owned(),
        reason: e.to_string(),
    })?;
    match cert.verify_signature(
        version.algorithm(),
        message.string_to_sign().as_bytes(),
        &signature,
    ) {
        Ok(()) => Ok(version),
        Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => {
            Err(VerifyError::Certificate {
                url: certificate_url.to_owned(),
                reason: "its public key is not an RSA key".into(),
            })
        }
        Err(_) => Err(VerifyError::Mismatch {
            version: version.as_str(),
        }),
    }
}

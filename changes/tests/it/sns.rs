//! SNS signature verification and the subscription endpoint, against a certificate served from loopback.
//!
//! The signed messages in `tests/fixtures/sns/` were signed by openssl (`make.py`), independently of this crate;
//! their certificate is served by a small HTTP server on a loopback port.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use base64::Engine;
use ctlake_changes::sns::{
    Delivery, EndpointError, HttpFetcher, MessageType, SignatureVersion, SnsEndpoint, SnsMessage,
    SnsVerifier, UrlError, UrlPolicy, VerifyError,
};
use http::HeaderMap;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ctlake-alarms";

fn sns_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sns")
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(sns_dir().join(name)).unwrap()).unwrap()
}

/// One request seen by [`TestServer`].
#[derive(Debug, Clone)]
struct Seen {
    target: String,
    host: String,
}

/// A minimal HTTP/1.1 server on a loopback port: answers GETs from a path → (status, body) table and records
/// every request.
struct TestServer {
    origin: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    async fn start(routes: HashMap<String, (u16, Vec<u8>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let routes = Arc::new(routes);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let routes = Arc::clone(&routes);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).into_owned();
                    let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let host = head
                        .lines()
                        .find_map(|l| l.strip_prefix("host: ").or_else(|| l.strip_prefix("Host: ")))
                        .unwrap_or("")
                        .to_owned();
                    log.lock().unwrap().push(Seen {
                        target: target.clone(),
                        host,
                    });
                    let path = target.split('?').next().unwrap_or("");
                    let (status, body) = routes.get(path).cloned().unwrap_or((404, b"not found".to_vec()));
                    let head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { origin, seen }
    }

    /// Serves the fixture certificate at the path of the fixtures' `SigningCertURL` and answers `/` (the
    /// `SubscribeURL` path) with a ConfirmSubscription response.
    async fn sns() -> Self {
        let cert = std::fs::read(sns_dir().join("test-cert.pem")).unwrap();
        Self::start(HashMap::from([
            (
                "/SimpleNotificationService-ctlaketest.pem".to_owned(),
                (200, cert),
            ),
            ("/".to_owned(), (200, b"<ConfirmSubscriptionResponse/>".to_vec())),
        ]))
        .await
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new().unwrap()
}

/// A verifier that takes the fixtures' AWS-shaped URLs and fetches them from `server`.
fn aws_via(server: &TestServer) -> SnsVerifier {
    SnsVerifier::new(
        UrlPolicy::aws().aws_via_test_origin(&server.origin).unwrap(),
        fetcher(),
    )
}

/// A verifier that accepts `server`'s own URLs (certificate host and scheme configured for the test).
fn loopback(server: &TestServer) -> SnsVerifier {
    SnsVerifier::new(
        UrlPolicy::aws().allow_test_origin(&server.origin).unwrap(),
        fetcher(),
    )
}

fn message(value: &Value) -> SnsMessage {
    SnsMessage::from_value(value).unwrap()
}

/// Signs `value` (SignatureVersion 2) with the fixture key, as SNS would.
fn sign_v2(value: &mut Value) {
    let pem = std::fs::read(sns_dir().join("test-key.pem")).unwrap();
    let PrivateKeyDer::Pkcs8(der) = PrivateKeyDer::from_pem_slice(&pem).unwrap() else {
        panic!("the fixture key is PKCS#8")
    };
    let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
    value["SignatureVersion"] = json!("2");
    let text = message(value).string_to_sign();
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        text.as_bytes(),
        &mut signature,
    )
    .unwrap();
    value["Signature"] = json!(base64::engine::general_purpose::STANDARD.encode(signature));
}

#[tokio::test]
async fn valid_v1_and_v2_messages_of_every_type_verify() {
    let server = TestServer::sns().await;
    let verifier = aws_via(&server);
    for (name, kind, version) in [
        (
            "notification-alarm-v1.json",
            MessageType::Notification,
            SignatureVersion::V1,
        ),
        (
            "notification-delivery-v2.json",
            MessageType::Notification,
            SignatureVersion::V2,
        ),
        (
            "notification-text-v2.json",
            MessageType::Notification,
            SignatureVersion::V2,
        ),
        (
            "subscription-confirmation-v1.json",
            MessageType::SubscriptionConfirmation,
            SignatureVersion::V1,
        ),
        (
            "subscription-confirmation-v2.json",
            MessageType::SubscriptionConfirmation,
            SignatureVersion::V2,
        ),
        (
            "unsubscribe-confirmation-v1.json",
            MessageType::UnsubscribeConfirmation,
            SignatureVersion::V1,
        ),
        (
            "unsubscribe-confirmation-v2.json",
            MessageType::UnsubscribeConfirmation,
            SignatureVersion::V2,
        ),
    ] {
        let m = message(&fixture(name));
        assert_eq!(m.kind(), kind, "{name}");
        let checked = verifier
            .verify(&m)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(checked, version, "{name}");
    }
    // The certificate was downloaded once, with the SNS host in the Host header, then served from the cache.
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].target, "/SimpleNotificationService-ctlaketest.pem");
    assert_eq!(seen[0].host, "sns.us-east-1.amazonaws.com");
    assert_eq!(verifier.cached_certificates(), 1);
}

#[tokio::test]
async fn a_certificate_on_the_configured_loopback_origin_is_accepted() {
    let server = TestServer::sns().await;
    let verifier = loopback(&server);
    let mut value = fixture("notification-alarm-v1.json");
    value["SigningCertURL"] = json!(format!(
        "{}/SimpleNotificationService-ctlaketest.pem",
        server.origin
    ));
    assert_eq!(
        verifier.verify(&message(&value)).await.unwrap(),
        SignatureVersion::V1
    );
    // Without the test switch the same URL is refused before any request.
    let production = SnsVerifier::new(UrlPolicy::aws(), fetcher());
    assert!(matches!(
        production.verify(&message(&value)).await,
        Err(VerifyError::CertificateUrl(UrlError::Scheme { .. }))
    ));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn tampered_messages_are_refused() {
    let server = TestServer::sns().await;
    let verifier = aws_via(&server);
    let edits: [(&str, &str, Value); 6] = [
        (
            "notification-alarm-v1.json",
            "Message",
            json!("{\"AlarmName\":\"other\"}"),
        ),
        (
            "notification-alarm-v1.json",
            "Subject",
            json!("OK: \"cpu-high\" in US East (N. Virginia)"),
        ),
        (
            "notification-delivery-v2.json",
            "Timestamp",
            json!("2024-05-01T10:16:00.001Z"),
        ),
        (
            "notification-delivery-v2.json",
            "TopicArn",
            json!("arn:aws:sns:us-east-1:123456789012:other"),
        ),
        (
            "subscription-confirmation-v1.json",
            "SubscribeURL",
            json!("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=y"),
        ),
        ("unsubscribe-confirmation-v2.json", "Token", json!("0000")),
    ];
    for (name, field, value) in edits {
        let mut v = fixture(name);
        v[field] = value;
        match verifier.verify(&message(&v)).await {
            Err(VerifyError::Mismatch { .. }) => {}
            other => panic!("{name} with {field} changed: {other:?}"),
        }
    }
    // Removing the subject of a signed message, or claiming the other version, breaks the signature too.
    let mut v = fixture("notification-alarm-v1.json");
    v.as_object_mut().unwrap().remove("Subject");
    assert!(matches!(
        verifier.verify(&message(&v)).await,
        Err(VerifyError::Mismatch { version: "1" })
    ));
    let mut v = fixture("notification-alarm-v1.json");
    v["SignatureVersion"] = json!("2");
    assert!(matches!(
        verifier.verify(&message(&v)).await,
        Err(VerifyError::Mismatch { version: "2" })
    ));
    // A flipped bit in the signature.
    let mut v = fixture("notification-delivery-v2.json");
    let mut sig = base64::engine::general_purpose::STANDARD
        .decode(v["Signature"].as_str().unwrap())
        .unwrap();
    sig[10] ^= 1;
    v["Signature"] = json!(base64::engine::general_purpose::STANDARD.encode(sig));
    assert!(matches!(
        verifier.verify(&message(&v)).await,
        Err(VerifyError::Mismatch { .. })
    ));
}

#[tokio::test]
async fn unsigned_and_malformed_signatures_are_refused() {
    let server = TestServer::sns().await;
    let verifier = aws_via(&server);
    for field in ["Signature", "SignatureVersion", "SigningCertURL"] {
        let mut v = fixture("notification-delivery-v2.json");
        v.as_object_mut().unwrap().remove(field);
        match verifier.verify(&message(&v)).await {
            Err(VerifyError::Unsigned { field: f }) => assert_eq!(f, field),
            other => panic!("without {field}: {other:?}"),
        }
    }
    let mut v = fixture("notification-delivery-v2.json");
    v["SignatureVersion"] = json!("3");
    assert!(
        matches!(verifier.verify(&message(&v)).await, Err(VerifyError::UnsupportedVersion(s)) if s == "3")
    );
    let mut v = fixture("notification-delivery-v2.json");
    v["Signature"] = json!("not base64!");
    assert!(matches!(
        verifier.verify(&message(&v)).await,
        Err(VerifyError::SignatureEncoding)
    ));
    assert!(
        server.seen().is_empty(),
        "nothing is fetched for an unsigned message"
    );
}

#[tokio::test]
async fn a_wrong_certificate_host_is_refused_without_a_request() {
    let server = TestServer::sns().await;
    let verifier = aws_via(&server);
    for url in [
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-ctlaketest.pem",
        "https://evil.example/SimpleNotificationService-ctlaketest.pem",
        "https://s3.us-east-1.amazonaws.com/SimpleNotificationService-ctlaketest.pem",
    ] {
        let mut v = fixture("notification-alarm-v1.json");
        v["SigningCertURL"] = json!(url);
        assert!(
            matches!(
                verifier.verify(&message(&v)).await,
                Err(VerifyError::CertificateUrl(UrlError::Host { .. }))
            ),
            "{url}"
        );
    }
    let mut v = fixture("notification-alarm-v1.json");
    v["SigningCertURL"] =
        json!("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ctlaketest.txt");
    assert!(matches!(
        verifier.verify(&message(&v)).await,
        Err(VerifyError::CertificateUrl(UrlError::NotPem { .. }))
    ));
    // A loopback origin other than the configured one is refused too.
    let other = TestServer::sns().await;
    let mut v = fixture("notification-alarm-v1.json");
    v["SigningCertURL"] = json!(format!(
        "{}/SimpleNotificationService-ctlaketest.pem",
        other.origin
    ));
    assert!(matches!(
        loopback(&server).verify(&message(&v)).await,
        Err(VerifyError::CertificateUrl(UrlError::Scheme { .. }))
    ));
    assert!(server.seen().is_empty());
    assert!(other.seen().is_empty());
}

#[tokio::test]
async fn unusable_certificates_and_failed_downloads_are_refused() {
    let server = TestServer::start(HashMap::from([
        (
            "/garbage.pem".to_owned(),
            (
                200,
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
            ),
        ),
        ("/empty.pem".to_owned(), (200, Vec::new())),
    ]))
    .await;
    let verifier = loopback(&server);
    for (path, expect) in [
        ("/garbage.pem", "certificate"),
        ("/empty.pem", "certificate"),
        ("/missing.pem", "fetch"),
    ] {
        let mut v = fixture("notification-alarm-v1.json");
        v["SigningCertURL"] = json!(format!("{}{path}", server.origin));
        let result = verifier.verify(&message(&v)).await;
        match (expect, &result) {
            ("certificate", Err(VerifyError::Certificate { .. })) | ("fetch", Err(VerifyError::Fetch(_))) => {
            }
            _ => panic!("{path}: {result:?}"),
        }
    }
    assert_eq!(verifier.cached_certificates(), 0, "failures are not cached");
}

#[tokio::test]
async fn messages_signed_at_test_time_verify_and_a_foreign_key_does_not() {
    let server = TestServer::sns().await;
    let verifier = aws_via(&server);
    let mut v = json!({"Type":"Notification","MessageId":"m-1","TopicArn":TOPIC,"Message":"hello",
                       "Timestamp":"2024-05-01T10:00:00.000Z",
                       "SigningCertURL":"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ctlaketest.pem"});
    sign_v2(&mut v);
    assert_eq!(verifier.verify(&message(&v)).await.unwrap(), SignatureVersion::V2);
    // Signed by another key than the certificate's.
    let other = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let mut sig = vec![0; other.public_modulus_len()];
    other
        .sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            message(&v).string_to_sign().as_bytes(),
            &mut sig,
        )
        .unwrap();
    v["Signature"] = json!(base64::engine::general_purpose::STANDARD.encode(sig));
    assert!(matches!(
        verifier.verify(&message(&v)).await,
        Err(VerifyError::Mismatch { .. })
    ));
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(*k, v.parse().unwrap());
    }
    map
}

fn body(name: &str) -> Vec<u8> {
    std::fs::read(sns_dir().join(name)).unwrap()
}

#[tokio::test]
async fn endpoint_confirms_subscriptions_of_configured_topics_only() {
    let server = TestServer::sns().await;
    let endpoint = SnsEndpoint::new(aws_via(&server), [TOPIC.to_owned()]);
    let delivery = endpoint
        .receive(
            &headers(&[("x-amz-sns-message-type", "SubscriptionConfirmation")]),
            &body("subscription-confirmation-v2.json"),
        )
        .await
        .unwrap();
    assert_eq!(
        delivery,
        Delivery::SubscriptionConfirmed {
            topic_arn: TOPIC.to_owned()
        }
    );
    let confirm: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|s| s.target.starts_with("/?"))
        .collect();
    assert_eq!(confirm.len(), 1);
    assert!(confirm[0].target.starts_with("/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ctlake-alarms&Token=2336412f37"));
    assert_eq!(confirm[0].host, "sns.us-east-1.amazonaws.com");

    // Another topic: refused before verifying or confirming anything.
    let before = server.seen().len();
    let elsewhere = SnsEndpoint::new(
        aws_via(&server),
        ["arn:aws:sns:us-east-1:123456789012:other".to_owned()],
    );
    let err = elsewhere
        .receive(&HeaderMap::new(), &body("subscription-confirmation-v1.json"))
        .await
        .unwrap_err();
    assert!(matches!(err, EndpointError::TopicNotAllowed(_)), "{err:?}");
    assert_eq!(err.status(), http::StatusCode::FORBIDDEN);
    assert_eq!(server.seen().len(), before);

    // Unsubscribe confirmations are acknowledged, nothing is fetched but the certificate.
    let delivery = endpoint
        .receive(&HeaderMap::new(), &body("unsubscribe-confirmation-v1.json"))
        .await
        .unwrap();
    assert_eq!(
        delivery,
        Delivery::Unsubscribed {
            topic_arn: TOPIC.to_owned()
        }
    );
    assert_eq!(
        server
            .seen()
            .iter()
            .filter(|s| s.target.starts_with("/?"))
            .count(),
        1
    );
}

#[tokio::test]
async fn endpoint_hands_back_verified_notifications_and_refuses_the_rest() {
    let server = TestServer::sns().await;
    let endpoint = SnsEndpoint::new(aws_via(&server), [TOPIC.to_owned()]);
    let Delivery::Notification(m) = endpoint
        .receive(
            &headers(&[("x-amz-sns-message-type", "Notification")]),
            &body("notification-alarm-v1.json"),
        )
        .await
        .unwrap()
    else {
        panic!("expected a notification")
    };
    assert!(m.message().contains("\"AlarmName\": \"cpu-high\""));

    let cases: Vec<(HeaderMap, Vec<u8>, http::StatusCode)> = vec![
        (
            headers(&[("x-amz-sns-rawdelivery", "true")]),
            b"{\"AlarmName\":\"x\"}".to_vec(),
            http::StatusCode::BAD_REQUEST,
        ),
        (
            HeaderMap::new(),
            b"not json".to_vec(),
            http::StatusCode::BAD_REQUEST,
        ),
        (HeaderMap::new(), vec![0xff, 0xfe], http::StatusCode::BAD_REQUEST),
        (
            headers(&[("x-amz-sns-message-type", "SubscriptionConfirmation")]),
            body("notification-alarm-v1.json"),
            http::StatusCode::BAD_REQUEST,
        ),
        (
            HeaderMap::new(),
            {
                let mut v = fixture("notification-alarm-v1.json");
                v["Message"] = json!("tampered");
                v.to_string().into_bytes()
            },
            http::StatusCode::FORBIDDEN,
        ),
    ];
    for (h, b, status) in cases {
        let err = endpoint.receive(&h, &b).await.unwrap_err();
        assert_eq!(err.status(), status, "{err:?}");
    }
}

#[tokio::test]
async fn a_failed_confirmation_is_reported_for_a_retry() {
    // The SubscribeURL answers 404: confirmation fails with 502 so SNS sends the confirmation again.
    let cert = std::fs::read(sns_dir().join("test-cert.pem")).unwrap();
    let server = TestServer::start(HashMap::from([(
        "/SimpleNotificationService-ctlaketest.pem".to_owned(),
        (200, cert),
    )]))
    .await;
    let endpoint = SnsEndpoint::new(aws_via(&server), [TOPIC.to_owned()]);
    let err = endpoint
        .receive(&HeaderMap::new(), &body("subscription-confirmation-v1.json"))
        .await
        .unwrap_err();
    assert!(matches!(err, EndpointError::Confirm(_)), "{err:?}");
    assert_eq!(err.status(), http::StatusCode::BAD_GATEWAY);
}

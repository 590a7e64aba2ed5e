//! The SDK's byte accounting against the real AWS SDK for Rust: `AuditEvent::encoded_len` and
//! `request_body_len` must equal the `PutAuditEvents` body that `aws-sdk-cloudtraildata` actually sends.
//!
//! A one-shot HTTP server on a loopback port stands in for CloudTrail; it records the request body and
//! answers with an empty success.

use aws_sdk_cloudtraildata::config::{BehaviorVersion, Credentials, Region};
use ctlake::{AuditEvent, AuditEventId, EventData, EventTime, UserIdentity, request_body_len};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Accepts one HTTP/1.1 request, returns its body, answers 200 with an empty PutAuditEvents result.
async fn capture_one_body(listener: TcpListener) -> Vec<u8> {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head_end, content_length) = loop {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the request was complete");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse::<usize>().unwrap())
                .expect("the SDK sends a content-length");
            break (end + 4, length);
        }
    };
    while buf.len() < head_end + content_length {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the body was complete");
        buf.extend_from_slice(&chunk[..n]);
    }
    let reply = r#"{"successful":[],"failed":[]}"#;
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    );
    socket.write_all(response.as_bytes()).await.unwrap();
    buf[head_end..head_end + content_length].to_vec()
}

fn event(uid: &str, note: &str) -> EventData {
    EventData::builder()
        .version("1.0")
        .user_identity(
            UserIdentity::builder()
                .r#type("CustomUser")
                .principal_id("alice")
                .build()
                .unwrap(),
        )
        .event_source("app.example.com")
        .event_name("Login")
        .event_time(EventTime::parse("2024-01-01T00:00:00Z").unwrap())
        .uid(uid)
        .recipient_account_id("123456789012")
        .request_parameter("note", note)
        .request_parameter("nested", json!({"a": [1, 2.5, null], "q": "\"quoted\" \\ back"}))
        .build()
        .unwrap()
}

#[tokio::test]
async fn request_body_len_equals_the_body_the_aws_sdk_sends() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(capture_one_body(listener));

    let entries = vec![
        AuditEvent::validated(AuditEventId::derive("a"), &event("u-1", "plain")).unwrap(),
        AuditEvent::validated(
            AuditEventId::derive("b"),
            &event("u-2", "tab\tnewline\ncontrol\u{1} ünï 😀"),
        )
        .unwrap()
        .without_checksum(),
        AuditEvent::from_json(
            AuditEventId::try_from("raw_3").unwrap(),
            "{\"k\":\"\\u0007 \u{7f}\"}",
        ),
    ];
    let sdk_entries = entries
        .iter()
        .map(|e| aws_sdk_cloudtraildata::types::AuditEvent::try_from(e).unwrap())
        .collect();
    let config = aws_sdk_cloudtraildata::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"))
        .endpoint_url(format!("http://{address}"))
        .build();
    let client = aws_sdk_cloudtraildata::Client::from_conf(config);
    client
        .put_audit_events()
        .channel_arn("arn:aws:cloudtrail:us-east-1:123456789012:channel/EXAMPLE")
        .set_audit_events(Some(sdk_entries))
        .send()
        .await
        .unwrap();

    let body = server.await.unwrap();
    assert_eq!(body.len(), request_body_len(&entries));
    // And byte for byte: the SDK writes exactly what serializing our entries gives.
    #[derive(serde::Serialize)]
    struct Body<'a> {
        #[serde(rename = "auditEvents")]
        audit_events: &'a [AuditEvent],
    }
    let ours = serde_json::to_vec(&Body {
        audit_events: &entries,
    })
    .unwrap();
    assert_eq!(String::from_utf8(body).unwrap(), String::from_utf8(ours).unwrap());
}

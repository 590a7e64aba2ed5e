//! The shared moto_server harness itself: SNS fans a message out to an SQS queue through real SDK clients.

use ctlake_e2e::moto::{ACCOUNT, Moto, REGION};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_delivers_to_a_subscribed_sqs_queue() {
    let moto = Moto::start();
    let (sns, sqs) = (moto.sns(), moto.sqs());
    let queue_url = sqs
        .create_queue()
        .queue_name("alarms")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert!(queue_url.starts_with(&moto.endpoint()), "{queue_url}");
    let topic = sns
        .create_topic()
        .name("alarms")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    assert_eq!(topic, format!("arn:aws:sns:{REGION}:{ACCOUNT}:alarms"));
    let queue_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:alarms");
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await
        .unwrap();
    sns.publish()
        .topic_arn(&topic)
        .message("hello")
        .send()
        .await
        .unwrap();

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let messages = received.messages.unwrap_or_default();
    assert_eq!(messages.len(), 1);
    let envelope: serde_json::Value = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic.as_str());
    assert_eq!(envelope["Message"], "hello");
}

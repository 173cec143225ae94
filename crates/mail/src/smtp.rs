//! Delivery over SMTP (lettre, rustls).

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    message::{Mailbox, MultiPart, header::ContentType},
};
use secrecy::ExposeSecret;

use crate::{MailConfig, db::Queued};

/// How long one delivery may take (connect, TLS, the whole SMTP dialogue).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn transport(
    url: &str,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
        .timeout(Some(SEND_TIMEOUT))
        .build())
}

/// Sends the outbox's messages.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Trying again will not help (a malformed address, a 5xx answer).
    #[error("{0}")]
    Permanent(String),
    /// It may go through later (the server is down, a 4xx answer, a timeout).
    #[error("{0}")]
    Transient(String),
}

impl Mailer {
    /// The mailer of `config`; `None` when no `SMTP_URL` is set.
    pub fn new(config: &MailConfig) -> anyhow::Result<Option<Self>> {
        let Some(url) = &config.smtp_url else {
            return Ok(None);
        };
        Ok(Some(Self {
            transport: transport(url.expose_secret())?,
            from: config.from.clone(),
        }))
    }

    pub(crate) async fn send(&self, message: &Queued) -> Result<(), SendError> {
        let to: Mailbox = format!("{} <{}>", quoted(&message.to_name), message.to_address)
            .parse()
            .or_else(|_| message.to_address.parse())
            .map_err(|e| SendError::Permanent(format!("bad recipient address: {e}")))?;
        let domain = self.from.email.domain().to_owned();
        let builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            // One id per outbox row: a message delivered twice is recognisably the same one.
            .message_id(Some(format!("<{}@{domain}>", message.id)));
        let email = match &message.html_body {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                message.text_body.clone(),
                html.clone(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(message.text_body.clone()),
        }
        .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

/// A display name as a quoted string (names with commas or dots are not atoms).
fn quoted(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    format!("\"{clean}\"")
}

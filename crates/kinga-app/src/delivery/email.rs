//! Alert e-mail over SMTP. Each message goes to one recipient (the acknowledgement link in it
//! is theirs alone), in English and in French, as plain text with an HTML alternative, and its
//! `Message-ID` is made from the outbox message id: a retried message that did arrive the first
//! time carries the same id, so the receiving side can drop the copy.
use std::str::FromStr;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use uuid::Uuid;

use crate::delivery::{DeliveryError, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: only for a relay on the same machine or in tests.
    None,
    /// Upgrade a plain connection (usually port 587); refused if the server does not offer it.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Implicit,
}

#[derive(Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<SmtpCredentials>,
    /// The sender, e.g. `Kinga alerts <alerts@kinga.example.org>`.
    pub from: String,
    pub timeout: Duration,
}

/// A text in both of Kinga's languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub en: String,
    pub fr: String,
}

/// One alert for one recipient.
#[derive(Debug, Clone)]
pub struct AlertEmail {
    /// The outbox message this e-mail delivers; its `Message-ID` is made from it.
    pub outbox_id: Uuid,
    pub subject: Bilingual,
    pub body: Bilingual,
    pub ack_link: String,
}

/// Parses a recipient's address, naming it if it is not one. Addresses are checked when they
/// are entered, so a typo is seen by whoever typed it, not found later in a failed delivery.
pub fn parse_address(text: &str) -> Result<Address, DeliveryError> {
    Address::from_str(text.trim()).map_err(|source| DeliveryError::BadAddress {
        address: text.to_string(),
        source,
    })
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, DeliveryError> {
        let from = Mailbox::from_str(&config.from).map_err(|source| DeliveryError::BadAddress {
            address: config.from.clone(),
            source,
        })?;
        let builder = match config.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            TlsMode::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?
            }
            TlsMode::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some(c) = &config.credentials {
            builder = builder.credentials(Credentials::new(c.username.clone(), c.password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// The message as it will be sent.
    pub fn message(&self, to: &Address, email: &AlertEmail) -> Result<Message, DeliveryError> {
        // The sender's domain makes the id globally unique, as RFC 5322 asks.
        let message_id = format!("<{}@{}>", email.outbox_id, self.from.email.domain());
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to.clone()))
            .subject(format!("{} / {}", email.subject.en, email.subject.fr))
            .message_id(Some(message_id))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(plain_text(email)),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html(email)),
                    ),
            )?;
        Ok(message)
    }

    /// One attempt to deliver `email` to `to`.
    #[tracing::instrument(skip_all, fields(outbox_id = %email.outbox_id))]
    pub async fn send(&self, to: &Address, email: &AlertEmail) -> Outcome {
        let message = match self.message(to, email) {
            Ok(m) => m,
            // A message that cannot be built now never will be.
            Err(e) => return Outcome::Gone(e),
        };
        match self.transport.send(message).await {
            Ok(_) => Outcome::Delivered,
            Err(e) if mailbox_refused(&e) => Outcome::Gone(DeliveryError::Smtp(e)),
            Err(e) => Outcome::RetryLater(DeliveryError::Smtp(e)),
        }
    }
}

/// Whether the server said the mailbox does not exist or is not accepted (550, 551, 553).
/// Other permanent answers (a refused sign-in, a message too large) come from Kinga's own
/// configuration, which an administrator may fix before the schedule runs out.
fn mailbox_refused(e: &lettre::transport::smtp::Error) -> bool {
    e.is_permanent()
        && e.status()
            .is_some_and(|c| matches!(u16::from(c), 550 | 551 | 553))
}

fn plain_text(email: &AlertEmail) -> String {
    format!(
        "{en}\n\nAcknowledge this alert: {link}\n\n\
         ----\n\n\
         {fr}\n\nAccuser réception de cette alerte : {link}\n",
        en = email.body.en,
        fr = email.body.fr,
        link = email.ack_link,
    )
}

fn html(email: &AlertEmail) -> String {
    let link = escape(&email.ack_link);
    let paragraphs = |text: &str| {
        text.split("\n\n")
            .map(|p| format!("<p>{}</p>", escape(p)))
            .collect::<String>()
    };
    format!(
        "<!doctype html><html><body>\
         <div lang=\"en\">{en}<p><a href=\"{link}\">Acknowledge this alert</a></p></div>\
         <hr>\
         <div lang=\"fr\">{fr}<p><a href=\"{link}\">Accuser réception de cette alerte</a></p></div>\
         </body></html>",
        en = paragraphs(&email.body.en),
        fr = paragraphs(&email.body.fr),
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer() -> Mailer {
        Mailer::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: TlsMode::None,
            credentials: None,
            from: "Kinga alerts <alerts@kinga.example.org>".into(),
            timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    fn email() -> AlertEmail {
        AlertEmail {
            outbox_id: Uuid::parse_str("01890a5d-ac96-774b-bcce-b302099a8057").unwrap(),
            subject: Bilingual {
                en: "Escalation in Ouaka".into(),
                fr: "Escalade dans la Ouaka".into(),
            },
            body: Bilingual {
                en: "Attacks on <villages> & markets rose.".into(),
                fr: "Les attaques ont augmenté.".into(),
            },
            ack_link: "https://kinga.example.org/ack/abc".into(),
        }
    }

    #[test]
    fn a_bad_address_is_named() {
        match parse_address("analyst.khrc.example") {
            Err(DeliveryError::BadAddress { address, .. }) => {
                assert_eq!(address, "analyst.khrc.example");
            }
            other => panic!("{other:?}"),
        }
        parse_address(" analyst@khrc.example ").unwrap();
    }

    #[test]
    fn the_message_id_comes_from_the_outbox_id_and_html_is_escaped() {
        let to = parse_address("analyst@khrc.example").unwrap();
        let raw = String::from_utf8(mailer().message(&to, &email()).unwrap().formatted()).unwrap();
        assert!(
            raw.contains("Message-ID: <01890a5d-ac96-774b-bcce-b302099a8057@kinga.example.org>"),
            "{raw}"
        );
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(!html(&email()).contains("<villages>"));
    }

    #[test]
    fn every_tls_mode_builds() {
        for tls in [TlsMode::StartTls, TlsMode::Implicit] {
            Mailer::new(&SmtpConfig {
                host: "smtp.example.org".into(),
                port: 587,
                tls,
                credentials: Some(SmtpCredentials {
                    username: "kinga".into(),
                    password: "secret".into(),
                }),
                from: "alerts@kinga.example.org".into(),
                timeout: Duration::from_secs(5),
            })
            .unwrap();
        }
    }
}

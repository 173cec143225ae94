//! The outbox table.

use sqlx::{PgExecutor, Postgres, Transaction};
use uuid::Uuid;

use crate::Message;

pub(crate) async fn insert<'e>(
    executor: impl PgExecutor<'e>,
    m: &Message,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "insert into mail_outbox (kind, to_address, to_name, subject, text_body, html_body)
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(m.kind)
    .bind(&m.to_address)
    .bind(&m.to_name)
    .bind(&m.subject)
    .bind(&m.text)
    .bind(&m.html)
    .fetch_one(executor)
    .await
}

/// A message due for delivery, locked by the transaction that claimed it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Queued {
    pub id: Uuid,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub attempts: i32,
}

/// The next due message that no other worker holds (`SKIP LOCKED`): several instances each take
/// a different one, and none is sent twice.
pub(crate) async fn claim(
    tx: &mut Transaction<'_, Postgres>,
) -> Result<Option<Queued>, sqlx::Error> {
    sqlx::query_as(
        "select id, kind, to_address, to_name, subject, text_body, html_body, attempts
         from mail_outbox
         where status = 'pending' and next_attempt_at <= now()
         order by next_attempt_at
         limit 1
         for update skip locked",
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Sent: the bodies go (they may hold single-use links).
pub(crate) async fn mark_sent(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update mail_outbox
         set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null,
             text_body = '', html_body = null
         where id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Not sent: tried again after `retry_in_secs`, or given up on (`None`).
pub(crate) async fn mark_failed(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    error: &str,
    retry_in_secs: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update mail_outbox
         set attempts = attempts + 1, last_error = $2,
             status = case when $3::bigint is null then 'failed' else 'pending' end,
             next_attempt_at = now() + make_interval(secs => coalesce($3::bigint, 0))
         where id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_in_secs)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sent messages are kept 30 days, failed ones 90 (for support), then deleted.
pub(crate) async fn forget_old<'e>(executor: impl PgExecutor<'e>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "delete from mail_outbox
         where (status = 'sent' and created_at < now() - interval '30 days')
            or (status = 'failed' and created_at < now() - interval '90 days')",
    )
    .execute(executor)
    .await?
    .rows_affected())
}

/// Messages of one of `kinds` queued for `to_address` in the last `minutes` (sent or not).
pub(crate) async fn recent_to<'e>(
    executor: impl PgExecutor<'e>,
    to_address: &str,
    kinds: &[&str],
    minutes: i32,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from mail_outbox
         where lower(to_address) = lower($1) and kind = any($2)
           and created_at > now() - make_interval(mins => $3)",
    )
    .bind(to_address)
    .bind(kinds)
    .bind(minutes)
    .fetch_one(executor)
    .await
}

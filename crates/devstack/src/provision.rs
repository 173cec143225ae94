use platform::suite::Manifest;
use sqlx::{Connection, Executor, PgConnection};

use crate::pg::{url_for, with_database};

/// The default name of the role every app uses to read the shared session table, and nothing
/// else.
pub const SESSION_READER_ROLE: &str = "stepperslife_session_reader";

/// What one app connects with.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    pub app: String,
    /// The app's own database, as its own role.
    pub database_url: String,
    /// The portal database, as the session-reader role.
    pub session_url: String,
}

/// Identifiers come from the manifest; they are still checked before going into DDL, which
/// cannot take bind parameters.
pub fn ident(name: &str) -> anyhow::Result<&str> {
    let ok = !name.is_empty()
        && name.len() < 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        anyhow::bail!("{name:?} is not a plain identifier")
    }
}

fn literal(value: &str) -> anyhow::Result<String> {
    if value.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(format!("'{value}'"))
    } else {
        anyhow::bail!("passwords are generated alphanumeric")
    }
}

async fn ensure_role(admin: &mut PgConnection, role: &str, password: &str) -> anyhow::Result<()> {
    let exists: bool =
        sqlx::query_scalar("select exists(select 1 from pg_roles where rolname = $1)")
            .bind(role)
            .fetch_one(&mut *admin)
            .await?;
    let verb = if exists { "alter" } else { "create" };
    admin
        .execute(
            format!(
                "{verb} role {} login password {}",
                ident(role)?,
                literal(password)?
            )
            .as_str(),
        )
        .await?;
    Ok(())
}

/// What keeps each role to its own, as statements that may run again: on the cluster (each
/// app's role alone connects to its database; the session reader to the portal's), then inside
/// the portal's database (the session schema is the portal role's, and whatever table it makes
/// there the session reader may read, and only read).
pub fn grants(
    manifest: &Manifest,
    reader_role: &str,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let portal = manifest
        .app("portal")
        .ok_or_else(|| anyhow::anyhow!("the manifest has no portal"))?;
    let portal_db = ident(&portal.database)?;
    let reader = ident(reader_role)?;
    let mut cluster = Vec::new();
    for app in manifest.enabled() {
        let db = ident(&app.database)?;
        cluster.push(format!(
            "revoke connect, temporary on database {db} from public"
        ));
        cluster.push(format!("grant connect on database {db} to {db}"));
    }
    cluster.push(format!("grant connect on database {portal_db} to {reader}"));
    let in_portal = vec![
        format!("create schema if not exists tower_sessions authorization {portal_db}"),
        format!("grant usage on schema tower_sessions to {reader}"),
        format!(
            "alter default privileges for role {portal_db} in schema tower_sessions \
             grant select on tables to {reader}"
        ),
        format!("grant select on all tables in schema tower_sessions to {reader}"),
        format!("revoke all on schema public from {reader}"),
    ];
    Ok((cluster, in_portal))
}

/// Creates (or brings up to date) every enabled app's role and database and the session-reader
/// role. Each app's role may connect to its own database only; the session reader may connect
/// to the portal's database and select from the session table only. Idempotent.
///
/// `password` gives the password of each role by name.
pub async fn provision_databases(
    admin_url: &str,
    manifest: &Manifest,
    reader_role: &str,
    password: impl Fn(&str) -> String,
) -> anyhow::Result<Vec<AppCredentials>> {
    let mut admin = PgConnection::connect(admin_url).await?;
    let portal = manifest
        .app("portal")
        .ok_or_else(|| anyhow::anyhow!("the manifest has no portal"))?;
    let portal_db = ident(&portal.database)?;

    for app in manifest.enabled() {
        let db = ident(&app.database)?;
        ensure_role(&mut admin, db, &password(db)).await?;
        let exists: bool =
            sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
                .bind(db)
                .fetch_one(&mut admin)
                .await?;
        if !exists {
            admin
                .execute(format!("create database {db} owner {db}").as_str())
                .await?;
        }
    }
    let reader = ident(reader_role)?;
    ensure_role(&mut admin, reader, &password(reader)).await?;
    let (cluster, in_portal) = grants(manifest, reader)?;
    for stmt in cluster {
        admin.execute(stmt.as_str()).await?;
    }
    admin.close().await?;
    let mut portal_conn = PgConnection::connect(&with_database(admin_url, portal_db)?).await?;
    for stmt in in_portal {
        portal_conn.execute(stmt.as_str()).await?;
    }
    portal_conn.close().await?;

    Ok(manifest
        .enabled()
        .map(|app| AppCredentials {
            app: app.name.clone(),
            database_url: url_for(
                admin_url,
                &app.database,
                &app.database,
                &password(&app.database),
            ),
            session_url: url_for(admin_url, portal_db, reader, &password(reader)),
        })
        .collect())
}

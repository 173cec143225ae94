use std::{net::SocketAddr, path::Path};

use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto::Builder as ConnBuilder,
};
use s3s::{
    S3Result,
    access::{S3Access, S3AccessContext},
    auth::SimpleAuth,
    path::S3Path,
    s3_error,
    service::S3ServiceBuilder,
};
use tokio::{net::TcpListener, task::JoinHandle};

/// An S3-compatible server embedded in this process: objects are files under `root`, requests
/// are checked with SigV4. One key pair (the administrator's) reaches every bucket; each app's
/// own key pair reaches its own bucket only (see [`EmbeddedS3::start_scoped`]). It stops when
/// dropped.
#[derive(Debug)]
pub struct EmbeddedS3 {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl EmbeddedS3 {
    /// Starts serving on `addr` (port 0 picks a free port), with one key pair that reaches
    /// every bucket.
    pub async fn start(
        root: &Path,
        addr: SocketAddr,
        access_key: &str,
        secret_key: &str,
    ) -> anyhow::Result<Self> {
        Self::start_scoped(root, addr, (access_key, secret_key), &[]).await
    }

    /// Starts serving on `addr`: `admin` reaches every bucket (creating them, backups), and
    /// each `(access key, secret key, bucket)` of `scoped` its bucket's objects only: not
    /// another bucket, not the list of buckets, not a new bucket.
    pub async fn start_scoped(
        root: &Path,
        addr: SocketAddr,
        admin: (&str, &str),
        scoped: &[(String, String, String)],
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)?;
        let fs = s3s_fs::FileSystem::new(root)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e:?}", root.display()))?;
        let mut builder = S3ServiceBuilder::new(fs);
        let mut auth = SimpleAuth::from_single(admin.0, admin.1);
        for (access, secret, _) in scoped {
            if access == admin.0
                || auth
                    .register(access.clone(), secret.as_str().into())
                    .is_some()
            {
                anyhow::bail!("the access key {access} is given twice");
            }
        }
        builder.set_auth(auth);
        builder.set_access(BucketPerKey {
            admin: admin.0.to_owned(),
            buckets: scoped
                .iter()
                .map(|(access, _, bucket)| (access.clone(), bucket.clone()))
                .collect(),
        });
        let service = builder.build();

        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            // Held by this task: when the server is dropped, its open connections end with it
            // (a client's kept-alive connection must not outlive the server it reached).
            let mut connections = tokio::task::JoinSet::new();
            loop {
                while connections.try_join_next().is_some() {}
                let (socket, _) = match listener.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "embedded S3: accept failed");
                        continue;
                    }
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                connections.spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "embedded S3: connection ended with an error");
                    }
                });
            }
        });
        Ok(Self { addr, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for EmbeddedS3 {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Who reaches what: the administrator's key everything, an app's key its own bucket.
struct BucketPerKey {
    admin: String,
    buckets: std::collections::HashMap<String, String>,
}

#[async_trait::async_trait]
impl S3Access for BucketPerKey {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(credentials) = cx.credentials() else {
            return Err(s3_error!(AccessDenied, "Signed requests only."));
        };
        if credentials.access_key == self.admin {
            return Ok(());
        }
        let own = self.buckets.get(&credentials.access_key);
        let allowed = match cx.s3_path() {
            S3Path::Object { bucket, .. } => own.is_some_and(|b| **b == **bucket),
            // Its own bucket (listing its objects), never creating or removing one.
            S3Path::Bucket { bucket } => {
                own.is_some_and(|b| **b == **bucket)
                    && !matches!(cx.s3_op().name(), "CreateBucket" | "DeleteBucket")
            }
            S3Path::Root => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(s3_error!(
                AccessDenied,
                "This key does not reach that bucket."
            ))
        }
    }
}

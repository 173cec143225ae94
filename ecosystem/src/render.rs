//! Configuration rendered from the manifest: nginx server blocks (production and the local
//! all-hosts-on-one-port variant) and systemd units. The rendered files are committed, so that
//! a reviewer sees what production runs; `suite render` rewrites them.

use std::fmt::Write as _;

use platform::suite::{Manifest, Suite};

/// Where each app listens, as nginx reaches it.
pub struct Upstreams<'a> {
    pub suite: &'a Suite,
    /// `(app name, host:port)`: an app named more than once has as many instances (on this
    /// machine or others), and nginx spreads its requests over them.
    pub addrs: Vec<(String, String)>,
}

const PROXY_HEADERS: &[&str] = &[
    "proxy_http_version 1.1;",
    "proxy_set_header Connection \"\";",
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "proxy_set_header X-Request-Id $request_id;",
    "proxy_read_timeout 60s;",
];

/// Compression of what the apps send uncompressed (pages, JSON). Built browser files come
/// precompressed (brotli, gzip) from the apps and pass through as they are.
const GZIP: &[&str] = &[
    "gzip on;",
    "gzip_comp_level 5;",
    "gzip_min_length 512;",
    "gzip_proxied any;",
    "gzip_vary on;",
    "gzip_types text/css application/javascript application/json image/svg+xml text/plain application/wasm;",
];

/// `lines`, each indented by `indent` spaces and ended by a newline.
fn block(lines: &[&str], indent: usize) -> String {
    lines
        .iter()
        .map(|l| format!("{:indent$}{l}\n", ""))
        .collect()
}

fn upstream_name(app: &str) -> String {
    format!("stepperslife_{app}")
}

fn upstream_blocks(up: &Upstreams<'_>) -> String {
    let mut apps: Vec<&str> = Vec::new();
    for (app, _) in &up.addrs {
        if !apps.contains(&app.as_str()) {
            apps.push(app);
        }
    }
    let mut out = String::new();
    for app in apps {
        let servers: String = up
            .addrs
            .iter()
            .filter(|(a, _)| a == app)
            .map(|(_, addr)| format!("    server {addr};\n"))
            .collect();
        let _ = write!(
            out,
            "upstream {} {{\n{servers}    keepalive 16;\n}}\n\n",
            upstream_name(app)
        );
    }
    out
}

/// Where production nginx finds the certificate (one covering the parent domain and its
/// subdomains, from `certbot certonly`) and the Diffie-Hellman group; `{domain}` is the parent
/// domain.
pub const CERT_DIR: &str = "/etc/letsencrypt/live/{domain}";
pub const DH_PARAMS: &str = "/etc/stepperslife/ffdhe2048.pem";
/// Where certbot's HTTP challenge files are served from on port 80 (`certbot certonly --webroot
/// -w /var/www/letsencrypt`).
pub const ACME_ROOT: &str = "/var/www/letsencrypt";

/// TLS as Mozilla's "intermediate" profile has it for nginx (https://ssl-config.mozilla.org/,
/// guideline 5.7): TLS 1.2 and 1.3, forward-secret AEAD suites, the RFC 7919 DH group, no
/// session tickets. (No OCSP stapling: Let's Encrypt certificates no longer name a responder.)
const TLS: &[&str] = &[
    "ssl_protocols TLSv1.2 TLSv1.3;",
    "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305;",
    "ssl_prefer_server_ciphers off;",
    "ssl_session_timeout 1d;",
    "ssl_session_cache shared:stepperslife_tls:10m;",
    "ssl_session_tickets off;",
];

/// The rate limit of each app's `limited_paths` (sign-in, sign-up, orders), per client
/// address: 20 a minute, a burst of 10 served at once, then 429.
const LIMIT_ZONE: &str = "stepperslife_limited";
const LIMIT: &str = "limit_req zone=stepperslife_limited burst=10 nodelay;";

/// What a browser may send to an app in one request: room for a picture (the upload limit and
/// the form around it) where the app takes them, else 1 MiB.
fn body_limit(app: &platform::suite::AppEntry) -> String {
    if app.bucket.is_some() {
        format!("{}m", platform::upload::MAX_MIB + 1)
    } else {
        "1m".to_owned()
    }
}

/// Production: include from nginx's `http` block (nginx 1.22, Debian 12's: `listen … http2`
/// rather than 1.25's `http2 on`). TLS at nginx, one server block per host,
/// http redirected to https, unknown hosts dropped, the apps' security headers mirrored (on
/// nginx's own answers too), rate limits on the apps' `limited_paths`, probes and metrics kept
/// to the machine.
pub fn nginx_production(up: &Upstreams<'_>) -> String {
    let domain = &up.suite.domain;
    let cert_dir = CERT_DIR.replace("{domain}", domain);
    let mut out = format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         # Production: include from nginx's http block. The certificate (the domain and its\n\
         # subdomains) is expected in {cert_dir}/, the DH group in {DH_PARAMS}.\n\n\
         server_tokens off;\n\n\
         limit_req_zone $binary_remote_addr zone={LIMIT_ZONE}:10m rate=20r/m;\n\
         limit_req_status 429;\n\n\
         {tls}ssl_dhparam {DH_PARAMS};\n\
         ssl_certificate {cert_dir}/fullchain.pem;\n\
         ssl_certificate_key {cert_dir}/privkey.pem;\n\n",
        tls = block(TLS, 0),
    );
    out.push_str(&upstream_blocks(up));
    let hosts: Vec<String> = up
        .suite
        .manifest
        .enabled()
        .map(|a| up.suite.host(a))
        .collect();
    let _ = write!(
        out,
        "# Any other host name: no answer (no certificate is shown for it either).\n\
         server {{\n    listen 80 default_server;\n    listen [::]:80 default_server;\n    return 444;\n}}\n\n\
         server {{\n    listen 443 ssl default_server;\n    listen [::]:443 ssl default_server;\n    ssl_reject_handshake on;\n}}\n\n\
         server {{\n    listen 80;\n    listen [::]:80;\n    server_name {hosts};\n\n    \
         location /.well-known/acme-challenge/ {{\n        root {ACME_ROOT};\n    }}\n\n    \
         location / {{\n        return 301 https://$host$request_uri;\n    }}\n}}\n\n",
        hosts = hosts.join(" ")
    );
    let mut mirrored = String::new();
    for (name, value) in platform::headers::EVERYWHERE {
        let _ = write!(
            mirrored,
            "    proxy_hide_header {name};\n    add_header {name} \"{value}\" always;\n"
        );
    }
    for app in up.suite.manifest.enabled() {
        let up_name = upstream_name(&app.name);
        let headers = block(PROXY_HEADERS, 8);
        let mut limited = String::new();
        for path in &app.limited_paths {
            let _ = write!(
                limited,
                "    location = {path} {{\n        {LIMIT}\n        proxy_pass http://{up_name};\n{headers}    }}\n\n"
            );
        }
        let _ = write!(
            out,
            "server {{\n    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n    server_name {host};\n\n    \
             add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;\n\
             {mirrored}    \
             client_max_body_size {body};\n{gzip}\n    \
             # Probes and metrics answer on the machine itself (127.0.0.1:<port>), not here.\n    \
             location ~ ^/(healthz|readyz|metrics)$ {{\n        return 404;\n    }}\n\n\
             {limited}    \
             # Cache headers are the app's: hashed /pkg files immutable, pages private.\n    \
             location / {{\n        proxy_pass http://{up_name};\n{headers}    }}\n}}\n\n",
            host = up.suite.host(app),
            body = body_limit(app),
            gzip = block(GZIP, 4),
        );
    }
    out
}

/// Local: a complete nginx.conf serving every host on one port over http, as production does
/// apart from TLS. `prefix` holds nginx's pid, logs and temp files.
pub fn nginx_local(up: &Upstreams<'_>, listen_port: u16, prefix: &str) -> String {
    let mut out = format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         # Local variant: every host of the suite on port {listen_port}.\n\
         # Run: nginx -p <prefix> -c <this file> -g 'daemon off;'\n\n\
         worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n\n\
         events {{\n    worker_connections 512;\n}}\n\n\
         http {{\n    access_log {prefix}/access.log;\n    \
         client_body_temp_path {prefix}/client_body;\n    proxy_temp_path {prefix}/proxy;\n    \
         fastcgi_temp_path {prefix}/fastcgi;\n    uwsgi_temp_path {prefix}/uwsgi;\n    \
         scgi_temp_path {prefix}/scgi;\n    client_max_body_size 8m;\n\n"
    );
    for line in upstream_blocks(up).lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
    for app in up.suite.manifest.enabled() {
        let _ = write!(
            out,
            "    server {{\n        listen 127.0.0.1:{listen_port};\n        server_name {host};\n{gzip}\n        \
             location / {{\n            proxy_pass http://{up_name};\n{headers}        }}\n    }}\n\n",
            host = up.suite.host(app),
            up_name = upstream_name(&app.name),
            gzip = block(GZIP, 8),
            headers = block(PROXY_HEADERS, 12),
        );
    }
    out.push_str("}\n");
    out
}

/// glibc's malloc keeps a freed block of up to 32 MiB in its arena once a block that size was
/// freed (its "dynamic mmap threshold"), per arena, of which there are up to 8 per core: the
/// portal's password hashes (19 MiB each) then leave hundreds of MiB resident (`suite soak`:
/// 590 MiB growing to 690 MiB in 90 s). A fixed threshold gives blocks past 128 KiB back to
/// the system when freed: the portal stays at ~22 MiB under the same load (for ~15% fewer
/// requests a second on this machine's 2 cores). Set for every app, here and by the launcher.
pub const ALLOCATOR_ENV: (&str, &str) = ("MALLOC_MMAP_THRESHOLD_", "131072");

/// The Unix user (and group) an app runs as: one per app, so that no app reads another's
/// process memory, environment or credentials.
pub fn unix_user(app: &str) -> String {
    format!("stepperslife-{app}")
}

/// The secrets an app is given as systemd credentials (files under
/// `/etc/stepperslife/credentials/<app>/`, readable by root only; the app reads them from
/// `$CREDENTIALS_DIRECTORY`, see `platform::config::var_opt`), by variable name.
pub fn secrets(app: &platform::suite::AppEntry) -> Vec<&'static str> {
    let mut names = vec!["DATABASE_URL", "SMTP_URL"];
    if !app.subdomain.is_empty() {
        names.push("SESSION_DATABASE_URL");
    }
    if app.bucket.is_some() {
        names.push("S3_SECRET_KEY");
    }
    if app.payments {
        names.extend(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]);
    }
    names
}

/// Where an app's credentials are kept on the server.
pub fn credentials_dir(app: &str) -> String {
    format!("/etc/stepperslife/credentials/{app}")
}

/// An app's listening socket (`127.0.0.1:<port>`), held by systemd and handed to each start
/// of the app (its standard input, `BIND_ADDR=stdin`): while the app restarts, connections
/// wait in the socket's queue instead of being refused, so a restart drops no request (the
/// production test restarts an app under load behind nginx and counts none failed).
///
/// When nginx runs on other machines (the manifest's `proxy_hosts`), the socket listens on every
/// address of the app's machine and accepts connections from those machines only.
pub fn systemd_socket(manifest: &Manifest, app: &str) -> String {
    let port = manifest.app(app).map_or(0, |a| a.port);
    let proxies = &manifest.suite.proxy_hosts;
    let listen = if proxies.is_empty() {
        format!("ListenStream=127.0.0.1:{port}\n")
    } else {
        format!(
            "ListenStream={port}\nIPAddressDeny=any\nIPAddressAllow=localhost {}\n",
            proxies.join(" ")
        )
    };
    format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         [Unit]\nDescription=SteppersLife {app}: its listening socket, kept across restarts\n\n\
         [Socket]\n{listen}Accept=no\nNoDelay=true\nBacklog=4096\n\n\
         [Install]\nWantedBy=sockets.target\n"
    )
}

/// One hardened systemd unit per app (`systemd-analyze security` rates each "OK" or better; a
/// test checks it where systemd is installed), started by its socket unit
/// ([`systemd_socket`]). Settings come from `/etc/stepperslife/*.env`, secrets as credentials.
pub fn systemd_unit(manifest: &Manifest, app: &str) -> String {
    let entry = manifest.app(app);
    let title = entry.map_or(app, |a| a.title.as_str());
    let user = unix_user(app);
    let dir = credentials_dir(app);
    let credentials: String = entry
        .map(secrets)
        .unwrap_or_default()
        .into_iter()
        .map(|name| format!("LoadCredential={name}:{dir}/{name}\n"))
        .collect();
    // Only apps that call out (payments, sign-in providers) reach beyond this machine; the
    // others talk to PostgreSQL, the object store and the mail relay on localhost (more hosts:
    // add them to IPAddressAllow with a drop-in).
    // The proxy whose X-Real-IP names the client: nginx on this machine, or on those named.
    let proxy = if manifest.suite.proxy_hosts.is_empty() {
        "Environment=TRUST_PROXY=true\n".to_owned()
    } else {
        format!(
            "Environment=TRUSTED_PROXIES={}\n",
            manifest.suite.proxy_hosts.join(",")
        )
    };
    let network = if entry.is_some_and(platform::suite::AppEntry::needs_internet) {
        ""
    } else {
        "IPAddressDeny=any\nIPAddressAllow=localhost\n"
    };
    format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         [Unit]\nDescription=SteppersLife {app} ({title})\n\
         Requires=stepperslife-{app}.socket\n\
         After=network-online.target postgresql.service stepperslife-{app}.socket\n\
         Wants=network-online.target\n\n\
         [Service]\nType=simple\nUser={user}\nGroup={user}\n\
         # The listening socket is systemd's (stepperslife-{app}.socket), on standard input.\n\
         StandardInput=socket\nStandardOutput=journal\nStandardError=journal\n\
         Environment=BIND_ADDR=stdin\n\
         WorkingDirectory=/opt/stepperslife\n\
         EnvironmentFile=/etc/stepperslife/suite.env\nEnvironmentFile=/etc/stepperslife/{app}.env\n\
         {credentials}\
         Environment=SITE_ROOT=/opt/stepperslife/site/{app}\nEnvironment=LOG_FORMAT=json\n\
         # Freed large blocks go back to the system (see ALLOCATOR_ENV in ecosystem/src/render.rs).\n\
         Environment={malloc_key}={malloc_value}\n\
         {proxy}\
         ExecStart=/opt/stepperslife/bin/{app}\n\
         Restart=on-failure\nRestartSec=2\nKillSignal=SIGTERM\nTimeoutStopSec=20\n\n\
         # Hardening\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\n\
         PrivateDevices=yes\nPrivateMounts=yes\nDevicePolicy=closed\nProtectProc=invisible\nProcSubset=pid\n\
         ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\n\
         ProtectControlGroups=yes\nProtectClock=yes\nProtectHostname=yes\n\
         RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n\
         RestrictNamespaces=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\nRemoveIPC=yes\n\
         LockPersonality=yes\nMemoryDenyWriteExecute=yes\n\
         SystemCallArchitectures=native\nSystemCallFilter=@system-service\n\
         SystemCallFilter=~@privileged @resources\nSystemCallErrorNumber=EPERM\n\
         CapabilityBoundingSet=\nAmbientCapabilities=\nUMask=0077\n{network}\n\
         [Install]\nWantedBy=multi-user.target\n",
        malloc_key = ALLOCATOR_ENV.0,
        malloc_value = ALLOCATOR_ENV.1,
    )
}

/// The Unix user an app's object store (its MinIO) runs as.
pub fn minio_user(app: &str) -> String {
    format!("stepperslife-{app}-minio")
}

/// Where MinIO's binary is expected (it is not a Debian package; see the README).
pub const MINIO_BINARY: &str = "/usr/local/bin/minio";

/// The folder of an app's object store (its user's): `data/` (the objects) and `certs/` (MinIO
/// wants one; the user has no home).
pub fn minio_data_dir(app: &str) -> String {
    format!("/var/lib/stepperslife/minio/{app}")
}

/// One object store per app with a bucket: its own MinIO on `127.0.0.1:<object_store_port>`,
/// data folder and user. Its root credentials (`/etc/stepperslife/minio-<app>.env`, written by
/// `suite provision`) are the app's S3 keys, and reach that app's bucket only: it is the only
/// one this server holds. (MinIO raises its own open-file limit at start: `@resources` stays
/// allowed.)
pub fn systemd_minio(app: &platform::suite::AppEntry) -> String {
    let name = &app.name;
    let user = minio_user(name);
    let data = minio_data_dir(name);
    let port = app.object_store_port();
    format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         [Unit]\nDescription=SteppersLife {name}: its object store (MinIO on 127.0.0.1:{port})\n\
         After=network-online.target\nWants=network-online.target\n\
         AssertFileIsExecutable={MINIO_BINARY}\n\n\
         [Service]\nType=notify\nUser={user}\nGroup={user}\n\
         EnvironmentFile=/etc/stepperslife/minio-{name}.env\n\
         ExecStart={MINIO_BINARY} server --quiet --address 127.0.0.1:{port} \
         --certs-dir {data}/certs {data}/data\n\
         Restart=always\nRestartSec=2\nLimitNOFILE=65536\nTimeoutStopSec=30\n\n\
         # Hardening\nNoNewPrivileges=yes\nProtectSystem=strict\nReadWritePaths={data}\n\
         ProtectHome=yes\nPrivateTmp=yes\nPrivateDevices=yes\nDevicePolicy=closed\n\
         ProtectProc=invisible\nProcSubset=pid\nProtectKernelTunables=yes\nProtectKernelModules=yes\n\
         ProtectKernelLogs=yes\nProtectControlGroups=yes\nProtectClock=yes\nProtectHostname=yes\n\
         RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK\nRestrictNamespaces=yes\n\
         RestrictRealtime=yes\nRestrictSUIDSGID=yes\nRemoveIPC=yes\nLockPersonality=yes\n\
         MemoryDenyWriteExecute=yes\nSystemCallArchitectures=native\n\
         SystemCallFilter=@system-service\nSystemCallFilter=~@privileged\n\
         SystemCallErrorNumber=EPERM\nCapabilityBoundingSet=\nAmbientCapabilities=\nUMask=0077\n\
         IPAddressDeny=any\nIPAddressAllow=localhost\n\n\
         [Install]\nWantedBy=multi-user.target\n"
    )
}

/// nginx until the certificate exists: port 80 answers certbot's challenges for the suite's
/// hosts (and nothing else), so that `certbot certonly --webroot` can prove the domain;
/// `suite provision` replaces it with the production site once the certificate is there.
pub fn nginx_before_certificate(suite: &Suite) -> String {
    let hosts: Vec<String> = suite.manifest.enabled().map(|a| suite.host(a)).collect();
    format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         # Until the certificate exists: certbot's challenges only.\n\n\
         server_tokens off;\n\n\
         server {{\n    listen 80 default_server;\n    listen [::]:80 default_server;\n    return 444;\n}}\n\n\
         server {{\n    listen 80;\n    listen [::]:80;\n    server_name {hosts};\n\n    \
         location /.well-known/acme-challenge/ {{\n        root {ACME_ROOT};\n    }}\n\n    \
         location / {{\n        return 503;\n    }}\n}}\n",
        hosts = hosts.join(" ")
    )
}

/// Where the daily backups go on the server (made by `suite provision`, mode 0700).
pub const BACKUP_DIR: &str = "/var/backups/stepperslife";

/// The daily backup (`suite backup`, see `crate::backup`): a oneshot service and its timer.
/// It runs as root (it reads every app's credentials) with the system otherwise read-only.
pub fn backup_units() -> (String, String) {
    let service = format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         [Unit]\nDescription=SteppersLife backup: every app's database and bucket\n\
         After=network-online.target postgresql.service\nWants=network-online.target\n\n\
         [Service]\nType=oneshot\n\
         ExecStart=/opt/stepperslife/bin/suite backup --to {BACKUP_DIR} --keep 14\n\
         ReadWritePaths={BACKUP_DIR}\n\
         NoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\n\
         PrivateDevices=yes\nProtectProc=invisible\nProtectKernelTunables=yes\n\
         ProtectKernelModules=yes\nProtectKernelLogs=yes\nProtectControlGroups=yes\n\
         ProtectClock=yes\nProtectHostname=yes\nRestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n\
         RestrictNamespaces=yes\nRestrictRealtime=yes\nRestrictSUIDSGID=yes\nLockPersonality=yes\n\
         MemoryDenyWriteExecute=yes\nSystemCallArchitectures=native\n\
         SystemCallFilter=@system-service\nUMask=0077\n"
    );
    let timer = "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         [Unit]\nDescription=Daily SteppersLife backup\n\n\
         [Timer]\nOnCalendar=*-*-* 03:15:00\nRandomizedDelaySec=15m\nPersistent=true\n\n\
         [Install]\nWantedBy=timers.target\n"
        .to_owned();
    (service, timer)
}

/// Everything `suite render` writes for `manifest`: `(path relative to the repository,
/// content)`.
pub fn all_files(manifest: &'static Manifest) -> Vec<(String, String)> {
    // Production: every instance the manifest places; locally: one per app on this machine.
    let placed: Vec<(String, String)> = manifest
        .enabled()
        .flat_map(|a| a.instances().into_iter().map(|i| (a.name.clone(), i)))
        .collect();
    let addrs: Vec<(String, String)> = manifest
        .enabled()
        .map(|a| (a.name.clone(), format!("127.0.0.1:{}", a.port)))
        .collect();
    let prod = Suite::new(
        manifest,
        manifest.suite.domain.clone(),
        "https".into(),
        platform::suite::PublicPort::Default,
    );
    let local = Suite::new(
        manifest,
        manifest.suite.local_domain.clone(),
        "http".into(),
        platform::suite::PublicPort::Fixed(manifest.suite.local_proxy_port),
    );
    let mut files = vec![
        (
            "nginx/stepperslife.conf".to_owned(),
            nginx_production(&Upstreams {
                suite: &prod,
                addrs: placed,
            }),
        ),
        (
            "nginx/local.conf".to_owned(),
            nginx_local(
                &Upstreams {
                    suite: &local,
                    addrs,
                },
                manifest.suite.local_proxy_port,
                "/tmp/stepperslife-nginx",
            ),
        ),
    ];
    files.push((
        "nginx/before-certificate.conf".to_owned(),
        nginx_before_certificate(&prod),
    ));
    for app in manifest.enabled() {
        files.push((
            format!("ecosystem/systemd/stepperslife-{}.service", app.name),
            systemd_unit(manifest, &app.name),
        ));
        if app.bucket.is_some() {
            files.push((
                format!("ecosystem/systemd/stepperslife-minio-{}.service", app.name),
                systemd_minio(app),
            ));
        }
        files.push((
            format!("ecosystem/systemd/stepperslife-{}.socket", app.name),
            systemd_socket(manifest, &app.name),
        ));
    }
    let (service, timer) = backup_units();
    files.push((
        "ecosystem/systemd/stepperslife-backup.service".to_owned(),
        service,
    ));
    files.push((
        "ecosystem/systemd/stepperslife-backup.timer".to_owned(),
        timer,
    ));
    files
}

#[cfg(test)]
mod tests {
    use platform::suite::{Manifest, PublicPort, Suite};

    use super::*;

    #[test]
    fn the_committed_configuration_is_what_the_manifest_renders() {
        for (path, content) in all_files(Manifest::embedded()) {
            let committed = std::fs::read_to_string(crate::repo_root().join(&path))
                .unwrap_or_else(|e| panic!("{path}: {e} (run `suite render`)"));
            assert!(
                committed == content,
                "{path} is out of date: run `cargo run -p suite -- render`"
            );
        }
    }

    #[test]
    fn production_nginx_has_a_tls_server_per_enabled_host() {
        let suite = Suite::new(
            Manifest::embedded(),
            "stepperslife.com".into(),
            "https".into(),
            PublicPort::Default,
        );
        let up = Upstreams {
            suite: &suite,
            addrs: vec![
                ("portal".into(), "127.0.0.1:3001".into()),
                ("restaurants".into(), "127.0.0.1:3010".into()),
            ],
        };
        let conf = nginx_production(&up);
        assert!(conf.contains("server_name stepperslife.com;"));
        assert!(conf.contains("server_name restaurants.stepperslife.com;"));
        assert!(conf.contains("server 127.0.0.1:3010;"));
        assert!(conf.contains("server_name events.stepperslife.com;"));
        assert!(conf.contains("server_name store.stepperslife.com;"));
        assert!(
            !conf.contains("classes.stepperslife.com"),
            "disabled apps get no server"
        );
    }

    #[test]
    fn a_manifest_that_places_apps_on_several_hosts_renders_their_upstreams_and_sockets() {
        let mut placed = Manifest::embedded().clone();
        placed.suite.proxy_hosts = vec!["10.0.0.2".into()];
        for app in &mut placed.apps {
            if app.name == "restaurants" {
                app.hosts = vec!["10.0.0.5".into(), "10.0.0.6:4010".into()];
            }
        }
        let manifest: &'static Manifest = Box::leak(Box::new(placed));
        let files = all_files(manifest);
        let file = |path: &str| {
            files
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, c)| c.clone())
                .unwrap_or_else(|| panic!("{path} rendered"))
        };
        let nginx = file("nginx/stepperslife.conf");
        assert!(
            nginx.contains(
                "upstream stepperslife_restaurants {\n    server 10.0.0.5:3010;\n    server 10.0.0.6:4010;\n"
            ),
            "{nginx}"
        );
        assert!(nginx.contains("upstream stepperslife_portal {\n    server 127.0.0.1:3001;\n"));
        let socket = file("ecosystem/systemd/stepperslife-restaurants.socket");
        assert!(
            socket.contains(
                "ListenStream=3010\nIPAddressDeny=any\nIPAddressAllow=localhost 10.0.0.2\n"
            ),
            "{socket}"
        );
        let unit = file("ecosystem/systemd/stepperslife-restaurants.service");
        assert!(
            unit.contains("Environment=TRUSTED_PROXIES=10.0.0.2\n"),
            "{unit}"
        );
        assert!(!unit.contains("TRUST_PROXY=true"), "{unit}");
        // The local variant stays on this machine.
        assert!(file("nginx/local.conf").contains("server 127.0.0.1:3010;"));
    }
}

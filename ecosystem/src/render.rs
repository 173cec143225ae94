//! Configuration rendered from the manifest: nginx server blocks (production and the local
//! all-hosts-on-one-port variant) and systemd units. The rendered files are committed, so that
//! a reviewer sees what production runs; `suite render` rewrites them.

use std::fmt::Write as _;

use platform::suite::{Manifest, Suite};

/// Where each app listens, as nginx reaches it.
pub struct Upstreams<'a> {
    pub suite: &'a Suite,
    /// `(app name, host:port)`.
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
    let mut out = String::new();
    for (app, addr) in &up.addrs {
        // More instances of an app (on this host or others) are more `server` lines here.
        let _ = write!(
            out,
            "upstream {} {{\n    server {addr};\n    keepalive 16;\n}}\n\n",
            upstream_name(app)
        );
    }
    out
}

/// Production: TLS at nginx, one server block per host, http redirected to https.
pub fn nginx_production(up: &Upstreams<'_>) -> String {
    let mut out = String::from(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         # Production: include from nginx's http block. TLS certificates are expected at\n\
         # /etc/letsencrypt/live/<domain>/ (one certificate covering the domain and its subdomains).\n\n",
    );
    out.push_str(&upstream_blocks(up));
    let domain = &up.suite.domain;
    let hosts: Vec<String> = up
        .suite
        .manifest
        .enabled()
        .map(|a| up.suite.host(a))
        .collect();
    let _ = write!(
        out,
        "server {{\n    listen 80;\n    listen [::]:80;\n    server_name {};\n    return 301 https://$host$request_uri;\n}}\n\n",
        hosts.join(" ")
    );
    for app in up.suite.manifest.enabled() {
        let _ = write!(
            out,
            "server {{\n    listen 443 ssl;\n    listen [::]:443 ssl;\n    http2 on;\n    server_name {host};\n\n    \
             ssl_certificate /etc/letsencrypt/live/{domain}/fullchain.pem;\n    \
             ssl_certificate_key /etc/letsencrypt/live/{domain}/privkey.pem;\n    \
             add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\n    \
             client_max_body_size 8m;\n{gzip}\n    \
             # Cache headers are the app's: hashed /pkg files immutable, pages private.\n    \
             location / {{\n        proxy_pass http://{up_name};\n{headers}    }}\n}}\n\n",
            host = up.suite.host(app),
            up_name = upstream_name(&app.name),
            gzip = block(GZIP, 4),
            headers = block(PROXY_HEADERS, 8),
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

/// One hardened systemd unit per app. Secrets come from `/etc/stepperslife/<app>.env`.
pub fn systemd_unit(manifest: &Manifest, app: &str) -> String {
    let title = manifest.app(app).map_or(app, |a| a.title.as_str());
    format!(
        "# Rendered by `suite render` from ecosystem/suite.toml — do not edit by hand.\n\
         [Unit]\nDescription=SteppersLife {app} ({title})\nAfter=network-online.target postgresql.service\n\
         Wants=network-online.target\n\n\
         [Service]\nType=simple\nUser=stepperslife\nGroup=stepperslife\n\
         WorkingDirectory=/opt/stepperslife\n\
         EnvironmentFile=/etc/stepperslife/suite.env\nEnvironmentFile=/etc/stepperslife/{app}.env\n\
         Environment=SITE_ROOT=/opt/stepperslife/site/{app}\nEnvironment=LOG_FORMAT=json\n\
         Environment=TRUST_PROXY=true\n\
         ExecStart=/opt/stepperslife/bin/{app}\n\
         Restart=on-failure\nRestartSec=2\nKillSignal=SIGTERM\nTimeoutStopSec=20\n\n\
         # Hardening\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\n\
         PrivateDevices=yes\nProtectKernelTunables=yes\nProtectKernelModules=yes\n\
         ProtectControlGroups=yes\nRestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n\
         RestrictNamespaces=yes\nLockPersonality=yes\nMemoryDenyWriteExecute=yes\n\
         SystemCallArchitectures=native\nCapabilityBoundingSet=\n\n\
         [Install]\nWantedBy=multi-user.target\n"
    )
}

/// Everything `suite render` writes for `manifest`: `(path relative to the repository,
/// content)`.
pub fn all_files(manifest: &'static Manifest) -> Vec<(String, String)> {
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
                addrs: addrs.clone(),
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
    for app in manifest.enabled() {
        files.push((
            format!("ecosystem/systemd/stepperslife-{}.service", app.name),
            systemd_unit(manifest, &app.name),
        ));
    }
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
}

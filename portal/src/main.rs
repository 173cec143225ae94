#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init("portal");
    let config = portal::server::Config::from_env()?;
    portal::server::serve(config, platform::shutdown::signal(), |_| {}).await
}

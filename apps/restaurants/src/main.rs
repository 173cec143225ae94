#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init("restaurants");
    let config = restaurants::server::Config::from_env()?;
    restaurants::server::serve(config, platform::shutdown::signal(), |_| {}).await
}

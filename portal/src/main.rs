#[tokio::main]
async fn main() -> anyhow::Result<()> {
    portal::server::app(portal::server::Settings::from_env()?)
        .run()
        .await
}

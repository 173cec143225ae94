#[tokio::main]
async fn main() -> anyhow::Result<()> {
    events::server::app().run().await
}

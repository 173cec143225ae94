#[tokio::main]
async fn main() -> anyhow::Result<()> {
    restaurants::server::app().run().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    store::server::app().run().await
}

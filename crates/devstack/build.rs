// The harness embeds the portal's migrations (`sqlx::migrate!`): a new migration file must
// rebuild it.
fn main() {
    println!("cargo:rerun-if-changed=../../portal/migrations");
}

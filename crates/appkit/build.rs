// The kit's tests embed tests/migrations (`sqlx::migrate!`): a new file must rebuild them.
fn main() {
    println!("cargo:rerun-if-changed=tests/migrations");
}

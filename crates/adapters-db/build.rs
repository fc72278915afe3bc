// `embed_migrations!` reads the migration folders at compile time; a new
// migration folder must trigger a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}

//! Local secrets (database passwords, S3 keys), generated once and kept in `.suite/secrets`
//! (ignored by git) so that restarts keep working against the same databases.

use std::{collections::BTreeMap, path::Path};

use rand::{Rng, distributions::Alphanumeric};

#[derive(Debug, Default)]
pub struct Secrets {
    values: BTreeMap<String, String>,
    path: std::path::PathBuf,
}

impl Secrets {
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("secrets");
        let mut values = BTreeMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    values.insert(k.trim().to_owned(), v.trim().to_owned());
                }
            }
        }
        Ok(Self { values, path })
    }

    /// The secret called `name`, generated (24 alphanumerics) and saved the first time.
    pub fn get(&mut self, name: &str) -> anyhow::Result<String> {
        if let Some(v) = self.values.get(name) {
            return Ok(v.clone());
        }
        let v: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(24)
            .map(char::from)
            .collect();
        self.values.insert(name.to_owned(), v.clone());
        let text: String = self
            .values
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect();
        std::fs::write(&self.path, text)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(v)
    }
}

//! The `file` transport: one `{outbox id}.eml` per message.

use std::io;
use std::path::{Path, PathBuf};

use domain::BoxError;
use domain::ports::MailError;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub(crate) struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// Creates `dir` if missing, so a bad path fails at start-up.
    pub(crate) fn new(dir: PathBuf) -> io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    /// The file that message `id` is written to.
    pub(crate) fn path_of(dir: &Path, id: Uuid) -> PathBuf {
        dir.join(format!("{id}.eml"))
    }

    /// Writes to a hidden temporary name, then renames: a reader never sees
    /// half a file, and a retry of the same id replaces the first copy.
    pub(crate) async fn write(&self, id: Uuid, bytes: &[u8]) -> Result<(), MailError> {
        // The folder may have been removed since start-up.
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(transient)?;
        // Unique per attempt, so two writers of one id never share a temp file.
        let temp = self.dir.join(format!(".{id}.{}.tmp", Uuid::now_v7()));
        let result = write_then_rename(&temp, &Self::path_of(&self.dir, id), bytes).await;
        if result.is_err() {
            // Best effort: the error that matters is the one returned.
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result.map_err(transient)
    }
}

async fn write_then_rename(temp: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = tokio::fs::File::create(temp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(temp, target).await
}

/// A full disk or a permission problem can be fixed; the message is fine.
fn transient(error: io::Error) -> MailError {
    MailError::Transient(BoxError::from(error))
}

//! `mlspec lsp`: the language server over stdin/stdout, for editors.

use crate::failure::{Failure, Outcome, Status};

pub fn run() -> Outcome {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let served = mlspec_lsp::run(&connection).map_err(|e| Failure::Usage(format!("language server: {e}")));
    // Closing our end lets the writer thread finish; then wait for the I/O threads.
    drop(connection);
    served?;
    io_threads.join().map_err(|e| Failure::Usage(format!("language server: {e}")))?;
    Ok(Status::Clean)
}

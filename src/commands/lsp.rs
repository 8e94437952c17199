//! `mlspec lsp`: the language server over stdin/stdout, for editors.

use crate::failure::{Failure, Outcome, Status};
use mlspec_lsp::Ended;

/// Exit 0 after `shutdown` and `exit`; 1 after an `exit` without `shutdown`
/// (as the protocol asks); 2 when the protocol itself broke.
pub fn run() -> Outcome {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let ended = mlspec_lsp::run(&connection).map_err(|e| Failure::Usage(format!("language server: {e}")));
    // Closing our end lets the writer thread finish; then wait for the I/O threads.
    drop(connection);
    let ended = ended?;
    io_threads.join().map_err(|e| Failure::Usage(format!("language server: {e}")))?;
    Ok(match ended {
        Ended::Shutdown => Status::Clean,
        Ended::ExitWithoutShutdown => Status::Findings,
    })
}

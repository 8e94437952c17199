//! Zed extension for mlspec: starts `mlspec lsp` for `.mlspec` files.
//!
//! The server is the `mlspec` binary on the worktree's `PATH` (Zed's view of
//! the login shell of the project), unless the user's settings name another
//! one:
//!
//! ```json
//! { "lsp": { "mlspec": {
//!     "binary": { "path": "/path/to/mlspec", "arguments": ["lsp"] },
//!     "initialization_options": { "diagnosticsUrl": "file:///path/to/mlspec/docs/diagnostics.md" }
//! } } }
//! ```
//!
//! Nothing is downloaded: install `mlspec` with `cargo install --path .` from
//! a checkout of the repository.

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

/// The language server's name in `extension.toml` and in Zed's `lsp` settings.
const SERVER: &str = "mlspec";

struct MlspecExtension;

impl zed::Extension for MlspecExtension {
    fn new() -> Self {
        MlspecExtension
    }

    fn language_server_command(&mut self, _language_server_id: &LanguageServerId, worktree: &zed::Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree).ok().and_then(|settings| settings.binary);
        let (path, arguments, env) = match binary {
            Some(binary) => (binary.path, binary.arguments, binary.env),
            None => (None, None, None),
        };
        let command = match path {
            Some(path) => path,
            None => worktree.which("mlspec").ok_or_else(|| {
                "mlspec is not on the PATH: install it with `cargo install --path .` \
                 from a checkout of the mlspec repository, or set \
                 lsp.mlspec.binary.path in Zed's settings"
                    .to_string()
            })?,
        };
        let mut vars = worktree.shell_env();
        vars.extend(env.unwrap_or_default());
        Ok(zed::Command { command, args: arguments.unwrap_or_else(|| vec!["lsp".to_string()]), env: vars })
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree).ok().and_then(|settings| settings.initialization_options))
    }
}

zed::register_extension!(MlspecExtension);

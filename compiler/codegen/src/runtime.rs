//! The Python runtime package (`runtime/python/mlspec_runtime`), vendored
//! into every generated project as `mlspec_runtime/`.
//!
//! **Invariant:** the vendored files are the package's files byte for byte
//! after one header line (so `build` knows it may overwrite them) and a
//! version line; the package's own checks (ruff, mypy, pytest) run on the
//! same text in the repository.

use super::{GeneratedFile, HEADER};

macro_rules! package {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../runtime/python/mlspec_runtime/", $name)))),*]
    };
}

/// (file name inside the package, text)
const FILES: &[(&str, &str)] = package![
    "__init__.py",
    "batch.py",
    "bodies.py",
    "data.py",
    "features.py",
    "materialize.py",
    "models.py",
    "monitor.py",
    "py.typed",
    "ranking.py",
    "retrieval.py",
    "sample_data.py",
    "serve.py",
    "server.py",
    "spec.py",
    "store.py",
    "testing.py",
    "train.py",
    "windows.py",
];

/// The package's version, from its `__init__.py`.
pub fn version() -> &'static str {
    FILES
        .iter()
        .find(|(n, _)| *n == "__init__.py")
        .and_then(|(_, text)| text.lines().find_map(|l| l.strip_prefix("__version__ = \"")))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or("unknown")
}

/// The vendored files, each after the generated-file header (`py.typed`
/// too: its content is not read).
pub fn files() -> Vec<GeneratedFile> {
    let version = version();
    FILES
        .iter()
        .map(|(name, text)| GeneratedFile {
            path: format!("mlspec_runtime/{name}"),
            contents: format!("# {HEADER}\n# mlspec_runtime {version}, vendored by `mlspec build`: change it in mlspec, not here.\n{text}"),
            owner: super::Owner::Generated,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_read_from_the_package() {
        assert!(version().split('.').count() == 3, "{}", version());
    }

    #[test]
    fn every_file_is_marked_generated() {
        for f in files() {
            assert!(crate::is_generated(&f.contents), "{}", f.path);
        }
    }
}

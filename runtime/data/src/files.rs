//! Where a source's data is, and its lazy scan.
//!
//! The convention is the generated project's (`mlspec_runtime/data.py`):
//! `DIR/<source>.parquet` or `DIR/<source>.csv`; part files are allowed as
//! a folder `DIR/<source>/` of `*.parquet` or `*.csv` files (as Spark and
//! Hive write them) or as `DIR/<source>-*.parquet`/`.csv`. Parts are read in
//! file-name order, so row numbers are stable.

use polars::prelude::*;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }

    fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "parquet" | "pq" => Some(Format::Parquet),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One source's data: its files (one, or the parts in name order), all of
/// one format.
#[derive(Clone, Debug)]
pub struct SourceData {
    pub files: Vec<PathBuf>,
    pub format: Format,
}

impl SourceData {
    /// The files as a reader names them: the one path, or the pattern and
    /// how many parts matched.
    pub fn shown(&self, pattern: &str) -> String {
        match self.files.as_slice() {
            [one] => one.display().to_string(),
            parts => format!("{pattern} ({} files)", parts.len()),
        }
    }

    /// The data of the files a user names (`data infer a.parquet b.csv`):
    /// `None` when the extension is neither parquet nor CSV.
    pub fn file(path: &Path) -> Option<SourceData> {
        Format::of(path).map(|format| SourceData { files: vec![path.to_path_buf()], format })
    }

    /// A lazy scan of every file; nothing is read until it is collected.
    pub fn scan(&self) -> PolarsResult<LazyFrame> {
        let paths: Vec<PlRefPath> = self.files.iter().map(|p| PlRefPath::from(p.to_string_lossy().as_ref())).collect();
        match self.format {
            Format::Parquet => LazyFrame::scan_parquet_files(paths.into_iter().collect(), ScanArgsParquet::default()),
            Format::Csv => LazyCsvReader::new_paths(paths.into_iter().collect())
                .with_has_header(true)
                .with_try_parse_dates(true)
                .with_infer_schema_length(Some(crate::tolerance::CSV_SCHEMA_ROWS))
                .finish(),
        }
    }
}

/// Where a source's data would be, for a message that none was found.
pub fn candidates(dir: &Path, source: &str) -> String {
    let d = dir.display();
    format!("{d}/{source}.parquet, {d}/{source}.csv, {d}/{source}/*.parquet or {d}/{source}-*.parquet")
}

/// The pattern a source's files were found by, for messages.
pub fn pattern(dir: &Path, source: &str, data: &SourceData) -> String {
    let ext = data.format.extension();
    match data.files.first().and_then(|f| f.parent()) {
        Some(parent) if parent == dir.join(source) => format!("{}/{source}/*.{ext}", dir.display()),
        _ => format!("{}/{source}-*.{ext}", dir.display()),
    }
}

/// Finds a source's data in `dir`: `Ok(None)` when there is none.
pub fn locate(dir: &Path, source: &str) -> std::io::Result<Option<SourceData>> {
    for format in [Format::Parquet, Format::Csv] {
        let single = dir.join(format!("{source}.{}", format.extension()));
        if single.is_file() {
            return Ok(Some(SourceData { files: vec![single], format }));
        }
    }
    let folder = dir.join(source);
    if folder.is_dir() {
        if let Some(found) = parts(&folder, |_| true)? {
            return Ok(Some(found));
        }
    }
    let prefix = format!("{source}-");
    parts(dir, |name| name.starts_with(&prefix))
}

/// The files of `dir` whose name passes `wanted`, of the first format that
/// has any (parquet before CSV), sorted by name.
fn parts(dir: &Path, wanted: impl Fn(&str) -> bool) -> std::io::Result<Option<SourceData>> {
    let mut found: Vec<(Format, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if !path.is_file() || name.starts_with('.') || name.starts_with('_') || !wanted(name) {
            continue;
        }
        if let Some(format) = Format::of(&path) {
            found.push((format, path));
        }
    }
    for format in [Format::Parquet, Format::Csv] {
        let mut files: Vec<PathBuf> = found.iter().filter(|(f, _)| *f == format).map(|(_, p)| p.clone()).collect();
        if !files.is_empty() {
            files.sort();
            return Ok(Some(SourceData { files, format }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_single_file_comes_before_parts_and_parquet_before_csv() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(locate(d, "users").unwrap().is_none());
        std::fs::create_dir(d.join("users")).unwrap();
        std::fs::write(d.join("users/part-1.csv"), "a\n1\n").unwrap();
        std::fs::write(d.join("users/part-0.csv"), "a\n1\n").unwrap();
        std::fs::write(d.join("users/_SUCCESS"), "").unwrap();
        let parts = locate(d, "users").unwrap().unwrap();
        assert_eq!(parts.format, Format::Csv);
        assert_eq!(parts.files, vec![d.join("users/part-0.csv"), d.join("users/part-1.csv")]);
        assert!(parts.shown(&pattern(d, "users", &parts)).ends_with("users/*.csv (2 files)"));
        std::fs::write(d.join("users.csv"), "a\n1\n").unwrap();
        std::fs::write(d.join("users.parquet"), "").unwrap();
        let one = locate(d, "users").unwrap().unwrap();
        assert_eq!((one.format, one.files), (Format::Parquet, vec![d.join("users.parquet")]));
    }

    #[test]
    fn numbered_parts_beside_other_sources() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in ["events-0002.csv", "events-0001.csv", "eventsx.csv", "users.csv"] {
            std::fs::write(d.join(name), "a\n1\n").unwrap();
        }
        let parts = locate(d, "events").unwrap().unwrap();
        assert_eq!(parts.files, vec![d.join("events-0001.csv"), d.join("events-0002.csv")]);
    }
}

//! The one table model of every report: columns (title, alignment, text
//! width), rows of cells, an optional caption; laid out by one renderer per
//! format ([`Table::text`], [`Table::markdown`], [`Table::html`]).
//!
//! **Invariant:** a cell is plain text, code or emphasis, never markup: each
//! renderer escapes and marks it up for its format (`|` in Markdown, `&<>"`
//! in HTML), so a string from the spec cannot break a table.

use super::charts::escape;
use std::fmt::Write;

/// Where a column's values sit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Align {
    Left,
    Right,
    Center,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub align: Align,
    /// Text only: the cell is padded to this many characters.
    pub width: usize,
    /// Text only: what separates this column from the one before, instead
    /// of the layout's separator.
    pub gap: Option<&'static str>,
}

impl Column {
    pub fn left(title: impl Into<String>) -> Column {
        Column { title: title.into(), align: Align::Left, width: 0, gap: None }
    }
    pub fn right(title: impl Into<String>) -> Column {
        Column { title: title.into(), align: Align::Right, width: 0, gap: None }
    }
    pub fn center(title: impl Into<String>) -> Column {
        Column { title: title.into(), align: Align::Center, width: 0, gap: None }
    }
    pub fn width(self, width: usize) -> Column {
        Column { width, ..self }
    }
    pub fn gap(self, gap: &'static str) -> Column {
        Column { gap: Some(gap), ..self }
    }
}

/// One cell's content; each format marks it up its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Plain(String),
    /// A name from the spec: `` `x` `` in Markdown, `<code>` in HTML.
    Code(String),
    /// A value to notice: `**x**` in Markdown, `<b>` in HTML.
    Strong(String),
}

impl Cell {
    fn text(&self) -> &str {
        match self {
            Cell::Plain(s) | Cell::Code(s) | Cell::Strong(s) => s,
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Plain(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Plain(s.to_string())
    }
}

#[derive(Clone, Debug)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Text only: a line above the rows. In Markdown and HTML the section's
    /// heading names the table.
    pub caption: Option<String>,
}

/// How [`Table::text`] lays a table out for a terminal.
#[derive(Clone, Copy, Debug)]
pub struct TextLayout {
    /// Spaces before the caption, or before the rows when there is none;
    /// rows under a caption are indented two more.
    pub indent: usize,
    /// Whether the column titles make the first line.
    pub header: bool,
    /// Between cells, unless the column has its own gap.
    pub sep: &'static str,
    /// Empty cells are left out, with their separator.
    pub skip_empty: bool,
}

impl TextLayout {
    /// Titled columns two spaces apart, indented two: the terminal reports' tables.
    pub const TERMINAL: TextLayout = TextLayout { indent: 2, header: true, sep: "  ", skip_empty: false };
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Table {
        Table { columns, rows: Vec::new(), caption: None }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub fn caption(self, caption: impl Into<String>) -> Table {
        Table { caption: Some(caption.into()), ..self }
    }

    /// Every column but the last padded to its widest cell or title, so
    /// that a terminal's rows line up under the titles.
    pub fn fitted(mut self) -> Table {
        let last = self.columns.len().saturating_sub(1);
        for (i, c) in self.columns.iter_mut().enumerate().take(last) {
            let cells = self.rows.iter().filter_map(|r| r.get(i)).map(|cell| cell.text().chars().count());
            c.width = cells.fold(c.title.chars().count().max(c.width), usize::max);
        }
        self
    }

    /// Lines for a terminal, each ending with a newline and none with blanks before it.
    pub fn text(&self, layout: TextLayout) -> String {
        let mut s = String::new();
        let mut indent = layout.indent;
        if let Some(c) = &self.caption {
            let _ = writeln!(s, "{:indent$}{c}", "");
            indent += 2;
        }
        let titles: Vec<Cell> = self.columns.iter().map(|c| Cell::Plain(c.title.clone())).collect();
        for cells in std::iter::once(&titles).filter(|_| layout.header).chain(&self.rows) {
            let start = s.len();
            let _ = write!(s, "{:indent$}", "");
            let mut first = true;
            for (column, cell) in self.columns.iter().zip(cells) {
                let text = cell.text();
                if layout.skip_empty && text.is_empty() {
                    continue;
                }
                if !first {
                    s.push_str(column.gap.unwrap_or(layout.sep));
                }
                first = false;
                let w = column.width;
                let _ = match column.align {
                    Align::Left => write!(s, "{text:<w$}"),
                    Align::Right => write!(s, "{text:>w$}"),
                    Align::Center => write!(s, "{text:^w$}"),
                };
            }
            // An empty or short last cell leaves padding: no line ends in blanks.
            let kept = s[start..].trim_end().len();
            s.truncate(start + kept);
            s.push('\n');
        }
        s
    }

    /// A GitHub-flavoured Markdown table, ending with a newline.
    pub fn markdown(&self) -> String {
        let md = |c: &Cell| match c {
            Cell::Plain(t) => md_escape(t),
            Cell::Code(t) => format!("`{}`", md_escape(t)),
            Cell::Strong(t) => format!("**{}**", md_escape(t)),
        };
        let titles: Vec<String> = self.columns.iter().map(|c| md_escape(&c.title)).collect();
        let mut s = format!("| {} |\n|", titles.join(" | "));
        for c in &self.columns {
            s.push_str(match c.align {
                Align::Left => "---|",
                Align::Right => "---:|",
                Align::Center => ":---:|",
            });
        }
        s.push('\n');
        for r in &self.rows {
            let _ = writeln!(s, "| {} |", r.iter().map(md).collect::<Vec<_>>().join(" | "));
        }
        s
    }

    /// An HTML `<table>`, ending with a newline. Columns that are not
    /// left-aligned hold figures: class `n` (right-aligned, tabular).
    pub fn html(&self) -> String {
        let mut s = String::from("<table>\n<tr>");
        for c in &self.columns {
            let _ = write!(s, "<th>{}</th>", escape(&c.title));
        }
        s.push_str("</tr>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for (column, cell) in self.columns.iter().zip(r) {
                s.push_str(if column.align == Align::Left { "<td>" } else { "<td class=\"n\">" });
                let _ = match cell {
                    Cell::Plain(t) => write!(s, "{}", escape(t)),
                    Cell::Code(t) => write!(s, "<code>{}</code>", escape(t)),
                    Cell::Strong(t) => write!(s, "<b>{}</b>", escape(t)),
                };
                s.push_str("</td>");
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</table>\n");
        s
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(vec![Column::left("name").width(6), Column::right("n").width(3).gap(" "), Column::center("ok")]);
        t.row(vec![Cell::Code("a|b".into()), "12".into(), Cell::Strong("<no>".into())]);
        t.row(vec!["c".into(), "".into(), "yes".into()]);
        t
    }

    #[test]
    fn text_pads_and_separates() {
        let layout = TextLayout { indent: 2, header: true, sep: "  ", skip_empty: false };
        assert_eq!(sample().text(layout), "  name     n  ok\n  a|b     12  <no>\n  c           yes\n");
        let skipping = TextLayout { indent: 2, header: false, sep: " · ", skip_empty: true };
        assert_eq!(sample().caption("T").text(skipping), "  T\n    a|b     12 · <no>\n    c      · yes\n");
    }

    #[test]
    fn fitted_columns_line_up_under_their_titles() {
        let mut t = Table::new(vec![Column::left("monitor"), Column::left("alerts"), Column::left("note")]);
        t.row(vec!["drift amount".into(), "3".into(), "late".into()]);
        t.row(vec!["psi".into(), "12".into(), "".into()]);
        let layout = TextLayout { indent: 0, header: true, sep: "  ", skip_empty: false };
        assert_eq!(t.fitted().text(layout), "monitor       alerts  note\ndrift amount  3       late\npsi           12\n");
    }

    #[test]
    fn markdown_escapes_pipes_and_aligns() {
        assert_eq!(sample().markdown(), "| name | n | ok |\n|---|---:|:---:|\n| `a\\|b` | 12 | **<no>** |\n| c |  | yes |\n");
    }

    #[test]
    fn html_escapes_and_marks_figures() {
        assert_eq!(
            sample().html(),
            "<table>\n<tr><th>name</th><th>n</th><th>ok</th></tr>\n\
             <tr><td><code>a|b</code></td><td class=\"n\">12</td><td class=\"n\"><b>&lt;no&gt;</b></td></tr>\n\
             <tr><td>c</td><td class=\"n\"></td><td class=\"n\">yes</td></tr>\n</table>\n"
        );
    }
}

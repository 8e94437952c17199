//! Literal text to values: quantities with units, money, JSON strings.

use crate::ast::{CountSuffix, DurationUnit, Quantity, SizeUnit, Unit};

/// Splits `+30%`, `86M`, `1_000`, `1e-3`, `5ms` into number and unit.
/// The grammar already guaranteed the shape, so only the number can fail
/// (it cannot, for digit strings, but the caller still gets an `Option`).
pub fn quantity(raw: &str) -> Option<Quantity> {
    let body = raw.strip_prefix('$').unwrap_or(raw);
    let split = body
        .char_indices()
        .find(|&(i, c)| c.is_ascii_alphabetic() && !(matches!(c, 'e' | 'E') && is_exponent(body, i)) || c == '%')
        .map_or(body.len(), |(i, _)| i);
    let (num, unit) = body.split_at(split);
    let number: f64 = if num.contains('_') { num.replace('_', "").parse().ok()? } else { num.parse().ok()? };
    let unit = match unit {
        "" => Unit::None,
        "%" => Unit::Percent,
        "x" => Unit::Times,
        "k" => Unit::Count(CountSuffix::K),
        "M" => Unit::Count(CountSuffix::M),
        "B" => Unit::Count(CountSuffix::B),
        "us" => Unit::Duration(DurationUnit::Us),
        "ms" => Unit::Duration(DurationUnit::Ms),
        "s" => Unit::Duration(DurationUnit::S),
        "m" => Unit::Duration(DurationUnit::Min),
        "h" => Unit::Duration(DurationUnit::H),
        "d" => Unit::Duration(DurationUnit::D),
        "w" => Unit::Duration(DurationUnit::W),
        "y" => Unit::Duration(DurationUnit::Y),
        "KB" => Unit::Size(SizeUnit::Kb),
        "MB" => Unit::Size(SizeUnit::Mb),
        "GB" => Unit::Size(SizeUnit::Gb),
        "TB" => Unit::Size(SizeUnit::Tb),
        _ => return None,
    };
    Some(Quantity { number, unit, raw: raw.to_string() })
}

/// `e` at `i` starts an exponent when digits (after an optional sign) follow.
fn is_exponent(s: &str, i: usize) -> bool {
    let rest = s.get(i + 1..).unwrap_or("");
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    rest.starts_with(|c: char| c.is_ascii_digit())
}

/// The duration suffix for a unit people write as a word after a number
/// (`30 days` -> `d`, `100 ms` -> `ms`).
pub fn duration_suffix_for_word(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "us" | "usec" | "microsecond" | "microseconds" => "us",
        "ms" | "msec" | "millisecond" | "milliseconds" => "ms",
        "s" | "sec" | "secs" | "second" | "seconds" => "s",
        "m" | "min" | "mins" | "minute" | "minutes" => "m",
        "h" | "hr" | "hrs" | "hour" | "hours" => "h",
        "d" | "day" | "days" => "d",
        "w" | "wk" | "week" | "weeks" => "w",
        "y" | "yr" | "year" | "years" => "y",
        _ => return None,
    })
}

/// Decodes the inside of a JSON string literal; `Err` names the bad escape.
pub fn unescape(raw: &str) -> Result<String, String> {
    let quoted = format!("\"{raw}\"");
    serde_json::from_str::<String>(&quoted).map_err(|_| {
        // Find the first bad escape for the message.
        let mut chars = raw.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some((_, 'u')) => {
                        let hex: String = chars.clone().take(4).map(|(_, c)| c).collect();
                        if hex.len() < 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                            return format!("\\u{hex}");
                        }
                    }
                    Some((_, e)) if !matches!(e, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => return format!("\\{e}"),
                    _ => {}
                }
            } else if (c as u32) < 0x20 {
                return format!("control character U+{:04X}", c as u32);
            }
        }
        "an invalid escape".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let q = quantity("86M").unwrap_or_else(|| unreachable!());
        assert_eq!(q.count(), Some(86e6));
        let q = quantity("+30%").unwrap_or_else(|| unreachable!());
        assert_eq!(q.percent_fraction(), Some(0.3));
        let q = quantity("1e-3").unwrap_or_else(|| unreachable!());
        assert_eq!((q.number, q.unit), (1e-3, Unit::None));
        let q = quantity("5m").unwrap_or_else(|| unreachable!());
        assert_eq!(q.seconds(), Some(300.0));
        let q = quantity("$25k").unwrap_or_else(|| unreachable!());
        assert_eq!(q.count(), Some(25_000.0));
        let q = quantity("1_000_000").unwrap_or_else(|| unreachable!());
        assert_eq!(q.count(), Some(1e6));
    }

    #[test]
    fn strings() {
        assert_eq!(unescape(r#"a\"b\n"#), Ok("a\"b\n".to_string()));
        assert_eq!(unescape(r"a\q"), Err("\\q".to_string()));
    }
}

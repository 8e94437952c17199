//! UTC instants as `--as-of` takes them and messages print them:
//! `2026-12-05`, `2026-12-05T01:02:03Z` (seconds and `Z` optional).

/// Milliseconds since 1970-01-01T00:00:00Z of a date or date-time in UTC.
pub fn parse_utc(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a UTC time: write `2026-12-05` or `2026-12-05T13:45:00Z`");
    let t = text.trim().trim_end_matches('Z').trim_end_matches('z');
    let (date, clock) = match t.split_once(['T', 't', ' ']) {
        Some((d, c)) => (d, Some(c)),
        None => (t, None),
    };
    let numbers = |s: &str, sep: char| -> Option<Vec<i64>> { s.split(sep).map(|p| p.parse::<i64>().ok()).collect() };
    let [y, m, d] = numbers(date, '-').ok_or_else(bad)?[..] else { return Err(bad()) };
    if !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&d) {
        return Err(bad());
    }
    let (h, min, s) = match clock {
        None => (0, 0, 0),
        Some(c) => match numbers(c, ':').ok_or_else(bad)?[..] {
            [h, min] => (h, min, 0),
            [h, min, s] => (h, min, s),
            _ => return Err(bad()),
        },
    };
    if !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..60).contains(&s) {
        return Err(bad());
    }
    Ok(((days_from_civil(y, m, d) * 24 + h) * 60 + min) * 60_000 + s * 1000)
}

/// `2026-12-05T01:02:03Z`: the instant to the second.
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_utc("1970-01-01"), Ok(0));
        assert_eq!(parse_utc("2000-03-01T00:00:01Z"), Ok(951_868_801_000));
        assert_eq!(parse_utc("2024-02-29T23:59"), Ok(1_709_251_140_000));
        assert_eq!(format_utc(951_868_801_000), "2000-03-01T00:00:01Z");
        assert_eq!(format_utc(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", "2024", "2024-13-01", "2023-02-29", "2024-01-01T25:00", "2024-01-01T10", "yesterday", "2024-01-01T10:00:61"] {
            assert!(parse_utc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn format_inverts_parse_over_four_centuries() {
        for days in (-146_097..2 * 146_097).step_by(997) {
            let ms = days * 86_400_000 + 3_723_000;
            assert_eq!(parse_utc(&format_utc(ms)), Ok(ms));
        }
    }
}

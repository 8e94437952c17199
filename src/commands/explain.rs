//! `mlspec explain CODE` and `mlspec explain --list`

use crate::failure::{Failure, Outcome, Status};
use crate::io;
use mlspec_diag::codes::{lookup, CODES};

pub fn run(code: Option<&str>, list: bool) -> Outcome {
    let code = match code {
        Some(code) if !list => code,
        _ => {
            let mut s = String::new();
            for c in CODES {
                s.push_str(&format!("{}  {}\n", c.code, c.title));
            }
            io::print(&s);
            return if list {
                Ok(Status::Clean)
            } else {
                Err(Failure::Usage("give a code such as `mlspec explain E0102`; the codes are listed above".to_string()))
            };
        }
    };
    match lookup(code) {
        Some(c) => {
            io::print(c.explanation);
            Ok(Status::Clean)
        }
        None => Err(Failure::Usage(format!("no diagnostic code `{code}`; `mlspec explain --list` lists them"))),
    }
}

pub fn run(_files: &[String], _check: bool) -> u8 {
    2
}

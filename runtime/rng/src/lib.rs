//! The named random streams of the simulations.
//!
//! **Invariant:** a simulation result depends only on the design, the
//! options and the seed: every random draw comes from a stream built here
//! from (seed, stream name), so adding a stream never shifts another's
//! draws.

pub use rand_pcg::Pcg64;

/// The stream `stream` of run `seed`.
pub fn rng(seed: u64, stream: u128) -> Pcg64 {
    // Pcg64's state is a 128-bit LCG; mix the seed so nearby seeds diverge.
    let state = u128::from(seed).wrapping_mul(0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645) ^ 0xcafe_f00d_d15e_a5e5;
    Pcg64::new(state, stream)
}

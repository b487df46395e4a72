//! The `faults` example plugin: ordinary-looking Rust that goes wrong in the
//! two ways a panic hook cannot report. The playground uses it to show a
//! runaway call stopped by a worker's time limit, and a trap.

#[rdylib::export]
pub mod faults {
    /// Steps of the Collatz sequence from `start` down to 1. The bug: 0 is
    /// even and halves to 0 again, so `collatz_steps(0)` never returns. Only
    /// a host that can stop the plugin (a worker with a time limit) survives it.
    pub fn collatz_steps(start: u64) -> u32 {
        let mut n = start;
        let mut steps = 0u32;
        while n != 1 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            steps = steps.wrapping_add(1);
        }
        steps
    }

    /// Gives up without unwinding: `std::process::abort` runs no panic hook,
    /// so the host sees a WebAssembly trap, not a panic report.
    pub fn abort_if_negative(value: i32) -> i32 {
        if value < 0 {
            std::process::abort();
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::faults::*;

    #[test]
    fn collatz_terminates_from_positive_starts() {
        assert_eq!(collatz_steps(1), 0);
        assert_eq!(collatz_steps(6), 8);
        assert_eq!(collatz_steps(27), 111);
        assert_eq!(abort_if_negative(5), 5);
    }
}

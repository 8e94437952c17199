//! The event queue: a binary min-heap on (time, sequence number).
//!
//! **Invariant:** events pop in time order, and events at the same time in
//! the order they were pushed (the sequence number breaks ties), so a run is
//! a pure function of its plan and seed. Times are finite and ≥ 0, where the
//! bit pattern of an f64 orders like the number.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A request ends its current run of stages.
    Done { req: u32 },
    /// The oldest request of a forming batch has waited long enough.
    BatchTimer { replica: u32, batcher: u16, epoch: u32 },
    /// A batch finishes on one of the stage's executors.
    BatchDone { replica: u32, batcher: u16, slot: u16 },
    /// A batch has run on an interpreter; the event loop has yet to take
    /// its results back.
    BatchRan { replica: u32, batcher: u16, slot: u16 },
    /// A request's stage on an interpreter ends.
    InterpreterDone { req: u32 },
    /// The autoscaler looks at its metric.
    ScaleTick,
    /// A new replica has warmed up.
    Ready { replica: u32, generation: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    key: u128,
    event: Event,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
}

impl EventQueue {
    pub fn with_capacity(n: usize) -> EventQueue {
        EventQueue { heap: BinaryHeap::with_capacity(n), seq: 0 }
    }

    #[inline]
    pub fn push(&mut self, time: f64, event: Event) {
        let t = if time.is_finite() && time > 0.0 {
            time
        } else if time.is_nan() || time <= 0.0 {
            0.0
        } else {
            f64::MAX
        };
        self.seq += 1;
        let key = (u128::from(t.to_bits()) << 64) | u128::from(self.seq);
        self.heap.push(Reverse(Entry { key, event }));
    }

    /// The time of the next event.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        self.heap.peek().map(|Reverse(e)| f64::from_bits((e.key >> 64) as u64))
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(f64, Event)> {
        self.heap.pop().map(|Reverse(e)| (f64::from_bits((e.key >> 64) as u64), e.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_order_then_push_order() {
        let mut q = EventQueue::default();
        q.push(2.0, Event::ScaleTick);
        q.push(1.0, Event::Done { req: 1 });
        q.push(1.0, Event::Done { req: 2 });
        q.push(0.5, Event::Done { req: 3 });
        q.push(f64::NAN, Event::Done { req: 4 });
        let order: Vec<Event> = std::iter::from_fn(|| q.pop().map(|e| e.1)).collect();
        assert_eq!(
            order,
            vec![Event::Done { req: 4 }, Event::Done { req: 3 }, Event::Done { req: 1 }, Event::Done { req: 2 }, Event::ScaleTick]
        );
    }
}

//! The discrete-event simulation of one serving block under one scenario.
//!
//! A request takes a worker (one of `concurrency` slots of a replica) and
//! keeps it through all stages, as a synchronous server thread does. Runs of
//! consecutive stages without batching are one event: their service times
//! are drawn at once. A batching stage gathers requests per replica; one
//! batch at a time runs per replica and stage.
//!
//! A calibrated plan (`Plan::interpreters`) models a Python server: each
//! replica has a few interpreters (processes, one thread running at a time)
//! and the stages marked `interpreter` queue for them in one queue, handed
//! out as the GIL is ([`next_job`]): a request's own work (parsing,
//! validation, answering) is one job of the event loop; a batch is one job
//! of a batch thread, followed by the loop's job of handing it back
//! (`StagePlan::handback_s`). The loop keeps the interpreter while it has
//! work, a batch that has waited Python's switch interval
//! ([`SWITCH_INTERVAL_S`]) goes next, and otherwise the oldest job does. A
//! batch takes its requests when one of the stage's executors (the server's
//! batch threads) is free, as the server's batcher does, and its executor
//! stays taken until the loop has handed it back. Other stages (network, a
//! store's round trip) hold no interpreter.
//!
//! **Invariant:** no allocation per event once the run has warmed up
//! (request slots, queues and batch buffers are reused), no dynamic dispatch
//! per event, and no wall-clock time: the result depends on the plan and the
//! seed only.
//! **Invariant:** requests = completed + fallbacks + rejected + errors at the
//! end of a run (every arrival is answered or counted).

use super::arrivals::Arrivals;
use super::events::{Event, EventQueue};
use super::histogram::Histogram;
use super::plan::{Plan, ScaleOn, SCALE_DOWN_WINDOW_S};
use mlspec_ir::Balancer;
use rand::Rng;
use rand_pcg::Pcg64;
use std::collections::VecDeque;

/// Named random streams: each purpose draws from its own generator, so a
/// change in one (say the balancer) leaves the others' draws unchanged.
const STREAM_ARRIVALS: u128 = 0xa11;
const STREAM_SERVICE: u128 = 0x5e7;
const STREAM_ROUTING: u128 = 0x7047;
const STREAM_FALLBACK: u128 = 0xfa11;

pub use mlspec_rng::rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Off,
    Warming,
    Active,
    Draining,
}

/// One batching stage of one replica: the batch being gathered, and the
/// batches running on its executors.
struct Batcher {
    forming: Vec<u32>,
    /// Members of the batch running on each executor.
    running: Vec<Vec<u32>>,
    idle: Vec<u16>,
    epoch: u32,
    expired: bool,
}

impl Batcher {
    fn new(executors: u32) -> Batcher {
        let n = executors.clamp(1, 1024) as u16;
        Batcher {
            forming: Vec::new(),
            running: (0..n).map(|_| Vec::new()).collect(),
            idle: (0..n).rev().collect(),
            epoch: 0,
            expired: false,
        }
    }

    fn busy(&self) -> bool {
        self.idle.is_empty()
    }
}

struct Replica {
    state: State,
    generation: u32,
    busy: u32,
    queue: VecDeque<u32>,
    batchers: Vec<Batcher>,
    /// Idle interpreters, and the jobs waiting for one (calibrated plans).
    interpreters_idle: u32,
    interpreter_queue: VecDeque<Job>,
    /// The event loop ran the last job started on this replica's
    /// interpreters: it keeps going while it has work (requests, hand-backs).
    loop_holds: bool,
}

/// Work waiting for an interpreter.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Job {
    /// A request's stage on the interpreter.
    Request(u32),
    /// A batch its executor has started: `duration` seconds of work, queued at `at`.
    Batch { batcher: u16, slot: u16, duration: f64, at: f64 },
    /// The event loop taking a batch's results back.
    Handback { batcher: u16, slot: u16 },
}

impl Job {
    /// Work the event loop does (as opposed to a batch thread).
    fn on_loop(&self) -> bool {
        matches!(self, Job::Request(_) | Job::Handback { .. })
    }
}

#[derive(Clone, Copy, Default)]
struct Req {
    arrival: f64,
    /// When it entered its current batching stage.
    enter: f64,
    replica: u32,
    segment: u16,
    hit: bool,
    failed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Segment {
    /// Stages `from..to`, none batching.
    Run { from: u16, to: u16 },
    /// One batching stage, with its batcher's index.
    Batch { stage: u16, batcher: u16 },
    /// One stage on an interpreter (calibrated plans).
    Interpreter { stage: u16 },
}

/// What became of a request reaching a stage it may wait in.
enum Entered {
    Skipped,
    Failed,
    Waiting,
}

/// Python's switch interval (`sys.getswitchinterval()`): a thread that has
/// waited this long for the interpreter makes the running one hand it over.
pub const SWITCH_INTERVAL_S: f64 = 0.005;

/// The job an interpreter takes next, as Python's GIL hands it over: a
/// batch that has waited a switch interval goes first (the first such
/// batch); otherwise the event loop, when it ran last, keeps the
/// interpreter while it has request work (a running thread gives it up
/// only when it blocks or is asked to); otherwise the oldest job.
fn next_job(q: &VecDeque<Job>, now: f64, loop_holds: bool) -> Option<usize> {
    if q.is_empty() {
        return None;
    }
    // Batches are queued in time order, so the first is the one that has
    // waited longest: if it has not waited a switch interval, none has.
    if let Some(i) = q.iter().position(|j| matches!(j, Job::Batch { .. })) {
        if matches!(q[i], Job::Batch { at, .. } if now - at >= SWITCH_INTERVAL_S) {
            return Some(i);
        }
    }
    if loop_holds {
        if let Some(i) = q.iter().position(Job::on_loop) {
            return Some(i);
        }
    }
    Some(0)
}

/// Per time bucket of the timeline.
#[derive(Clone)]
pub struct Bucket {
    pub arrivals: u64,
    pub answered: u64,
    pub fallbacks: u64,
    pub rejected: u64,
    pub errors: u64,
    pub latency: Histogram,
    /// Integrals over the bucket (value × seconds).
    pub busy: f64,
    pub capacity: f64,
    pub queued: f64,
    pub active: f64,
}

impl Bucket {
    fn new() -> Bucket {
        Bucket {
            arrivals: 0,
            answered: 0,
            fallbacks: 0,
            rejected: 0,
            errors: 0,
            latency: Histogram::new(5),
            busy: 0.0,
            capacity: 0.0,
            queued: 0.0,
            active: 0.0,
        }
    }
}

/// Levels integrated over time.
#[derive(Default, Clone, Copy)]
struct Levels {
    busy: f64,
    capacity: f64,
    queued: f64,
    in_system: f64,
    active: f64,
    billed: f64,
}

/// Everything a run measured, before it is summarised.
pub struct Raw {
    pub end_s: f64,
    pub last_arrival_s: f64,
    pub arrivals: u64,
    pub completed: u64,
    pub fallbacks: u64,
    pub timed_out: u64,
    /// Requests that reached a stage during its outage and had not timed
    /// out: answered by the fallback, or errors without one.
    pub failed_in_outage: u64,
    pub rejected: u64,
    pub errors: u64,
    pub waited: u64,
    pub latency: Histogram,
    pub wait: Histogram,
    pub stage_latency: Vec<Histogram>,
    /// Request-seconds spent in each stage (including batch waits).
    pub stage_time: Vec<f64>,
    /// Calibrated plans: seconds of interpreter work in each stage.
    pub stage_work: Vec<f64>,
    pub sojourn_sum: f64,
    pub released: u64,
    pub busy_area: f64,
    pub capacity_area: f64,
    pub in_system_area: f64,
    pub active_area: f64,
    pub billed_area: f64,
    pub active_min: u32,
    pub active_max: u32,
    pub bucket_s: f64,
    pub buckets: Vec<Bucket>,
    pub events: u64,
    /// Calibrated plans: the batches the interpreters ran and the requests
    /// in them.
    pub batches: u64,
    pub batched: u64,
}

pub struct Engine<'p> {
    plan: &'p Plan,
    arrivals: Arrivals<'p>,
    now: f64,
    queue: EventQueue,
    segments: Vec<Segment>,
    /// Stage of each batcher, by batcher index.
    batch_stages: Vec<u16>,
    reqs: Vec<Req>,
    free: Vec<u32>,
    pending: Vec<u32>,
    replicas: Vec<Replica>,
    /// Replicas that take new requests, by index.
    accepting: Vec<u32>,
    /// Shared queue and its free-slot tokens (replica << 32 | generation),
    /// first freed first taken, which spreads work over the replicas.
    shared: VecDeque<u32>,
    tokens: VecDeque<u64>,
    round_robin: usize,
    service_rng: Pcg64,
    routing_rng: Pcg64,
    fallback_rng: Pcg64,
    next_arrival: f64,
    arrivals_open: bool,
    level: Levels,
    last_flush: f64,
    /// The timeline step the last flush ended in, and its end.
    step: usize,
    step_end: f64,
    scale_arrivals: u64,
    scale_busy: f64,
    scale_capacity: f64,
    recommendations: VecDeque<(f64, u32)>,
    /// Requests a batch skipped (timed out while waiting), to answer.
    skipped: Vec<u32>,
    raw: Raw,
}

impl<'p> Engine<'p> {
    pub fn new(plan: &'p Plan) -> Engine<'p> {
        let mut segments = Vec::new();
        let mut batchers = 0u16;
        let mut run_from: Option<u16> = None;
        for (i, st) in plan.stages.iter().enumerate() {
            let i = i as u16;
            if plan.interpreters.is_some() && st.interpreter && st.batch.is_none() {
                if let Some(from) = run_from.take() {
                    segments.push(Segment::Run { from, to: i });
                }
                segments.push(Segment::Interpreter { stage: i });
            } else if st.batch.is_some() {
                if let Some(from) = run_from.take() {
                    segments.push(Segment::Run { from, to: i });
                }
                segments.push(Segment::Batch { stage: i, batcher: batchers });
                batchers += 1;
            } else if run_from.is_none() {
                run_from = Some(i);
            }
        }
        if let Some(from) = run_from {
            segments.push(Segment::Run { from, to: plan.stages.len() as u16 });
        }
        let expected = plan.expected_duration_s().max(1e-3);
        let bucket_s = nice_bucket(expected / 300.0);
        let n_stages = plan.stages.len();
        let mut e = Engine {
            plan,
            now: 0.0,
            queue: EventQueue::with_capacity(1024),
            batch_stages: segments
                .iter()
                .filter_map(|s| match *s {
                    Segment::Batch { stage, .. } => Some(stage),
                    Segment::Run { .. } | Segment::Interpreter { .. } => None,
                })
                .collect(),
            segments,
            reqs: Vec::with_capacity(1024),
            free: Vec::with_capacity(1024),
            pending: Vec::with_capacity(64),
            replicas: Vec::new(),
            accepting: Vec::new(),
            shared: VecDeque::with_capacity(1024),
            tokens: VecDeque::new(),
            round_robin: 0,
            arrivals: Arrivals::new(&plan.traffic, rng(plan.seed, STREAM_ARRIVALS), plan.duration_s),
            service_rng: rng(plan.seed, STREAM_SERVICE),
            routing_rng: rng(plan.seed, STREAM_ROUTING),
            fallback_rng: rng(plan.seed, STREAM_FALLBACK),
            next_arrival: 0.0,
            arrivals_open: true,
            level: Levels::default(),
            last_flush: 0.0,
            step: 0,
            step_end: 0.0,
            scale_arrivals: 0,
            scale_busy: 0.0,
            scale_capacity: 0.0,
            recommendations: VecDeque::new(),
            skipped: Vec::new(),
            raw: Raw {
                end_s: 0.0,
                last_arrival_s: 0.0,
                arrivals: 0,
                completed: 0,
                fallbacks: 0,
                timed_out: 0,
                failed_in_outage: 0,
                rejected: 0,
                errors: 0,
                waited: 0,
                latency: Histogram::new(10),
                wait: Histogram::new(10),
                stage_latency: (0..n_stages).map(|_| Histogram::new(8)).collect(),
                stage_time: vec![0.0; n_stages],
                stage_work: vec![0.0; n_stages],
                sojourn_sum: 0.0,
                released: 0,
                busy_area: 0.0,
                capacity_area: 0.0,
                in_system_area: 0.0,
                active_area: 0.0,
                billed_area: 0.0,
                active_min: u32::MAX,
                active_max: 0,
                bucket_s,
                buckets: Vec::new(),
                events: 0,
                batches: 0,
                batched: 0,
            },
        };
        e.raw.buckets.resize_with(((expected / bucket_s).ceil() as usize).clamp(1, 100_000), Bucket::new);
        for _ in 0..plan.initial_replicas {
            let r = e.add_replica();
            e.activate(r);
        }
        // The fleet's range counts from here, not from its one-by-one start.
        e.raw.active_min = plan.initial_replicas;
        e.raw.active_max = plan.initial_replicas;
        if plan.autoscale.is_some() {
            let period = plan.autoscale.as_ref().map_or(15.0, |a| a.period_s);
            e.queue.push(period, Event::ScaleTick);
        }
        e.next_arrival = e.arrivals.next(0.0);
        e
    }

    /// Runs to the end; `progress` is called now and then with the share done.
    pub fn run(mut self, progress: &mut dyn FnMut(f64)) -> Raw {
        let mut tick = 0u32;
        loop {
            let next_event = self.queue.peek_time();
            if self.arrivals_open && next_event.is_none_or(|t| self.next_arrival <= t) {
                self.now = self.next_arrival;
                self.arrive();
                tick = tick.wrapping_add(1);
                if tick & 0xffff == 0 {
                    progress(self.done_share());
                }
            } else if !self.arrivals_open && self.level.in_system <= 0.0 {
                // The last request has left; pending autoscaler ticks and
                // warm-ups would only stretch the run.
                break;
            } else if let Some((t, ev)) = self.queue.pop() {
                self.now = t;
                self.raw.events += 1;
                self.handle(ev);
            } else {
                break;
            }
            while let Some(r) = self.pending.pop() {
                self.advance(r);
            }
        }
        self.flush();
        self.raw.end_s = self.now;
        // Buckets were laid out for the expected length; keep those the run reached.
        let reached = ((self.now / self.raw.bucket_s).ceil() as usize).max(1);
        self.raw.buckets.truncate(reached);
        self.raw.busy_area = self.level_area(|b| b.busy);
        self.raw.capacity_area = self.level_area(|b| b.capacity);
        self.raw.active_area = self.level_area(|b| b.active);
        if self.raw.active_min == u32::MAX {
            self.raw.active_min = 0;
        }
        progress(1.0);
        self.raw
    }

    fn level_area(&self, f: impl Fn(&Bucket) -> f64) -> f64 {
        self.raw.buckets.iter().map(f).sum()
    }

    fn done_share(&self) -> f64 {
        match (self.plan.max_requests, self.plan.duration_s) {
            (Some(n), _) => self.raw.arrivals as f64 / n as f64,
            (None, Some(d)) => self.now / d,
            _ => 0.0,
        }
    }

    // ---- arrivals -------------------------------------------------------

    fn arrive(&mut self) {
        self.raw.arrivals += 1;
        self.raw.last_arrival_s = self.now;
        self.scale_arrivals += 1;
        let now = self.now;
        self.bucket(now).arrivals += 1;
        // Schedule the next one, or close arrivals.
        let next = self.arrivals.next(self.now);
        let more = self.plan.max_requests.is_none_or(|n| self.raw.arrivals < n) && self.plan.duration_s.is_none_or(|d| next < d);
        if more {
            self.next_arrival = next;
        } else {
            self.arrivals_open = false;
        }
        let hit = self.plan.cache_hit > 0.0 && self.routing_rng.gen::<f64>() < self.plan.cache_hit;
        let id = self.alloc(Req { arrival: now, enter: now, replica: 0, segment: 0, hit, failed: false });
        self.flush();
        self.level.in_system += 1.0;
        match self.plan.balancer {
            Balancer::SharedQueue => {
                if let Some(r) = self.take_token() {
                    self.start(id, r);
                } else if self.plan.queue_limit.is_some_and(|n| self.shared.len() >= n as usize) {
                    self.reject(id);
                } else {
                    self.shared.push_back(id);
                    self.level.queued += 1.0;
                }
            }
            _ => {
                let Some(r) = self.pick_replica() else {
                    self.reject(id);
                    return;
                };
                let (busy, waiting) = (self.replicas[r as usize].busy, self.replicas[r as usize].queue.len());
                if busy < self.plan.concurrency {
                    self.start(id, r);
                } else if self.plan.queue_limit.is_some_and(|n| waiting >= n as usize) {
                    self.reject(id);
                } else {
                    self.replicas[r as usize].queue.push_back(id);
                    self.level.queued += 1.0;
                }
            }
        }
    }

    fn pick_replica(&mut self) -> Option<u32> {
        let n = self.accepting.len();
        if n == 0 {
            return None;
        }
        match self.plan.balancer {
            Balancer::Random => self.accepting.get(self.routing_rng.gen_range(0..n)).copied(),
            Balancer::RoundRobin => {
                self.round_robin = (self.round_robin + 1) % n;
                self.accepting.get(self.round_robin).copied()
            }
            // Fewest requests in service plus waiting; ties to the lowest index.
            _ => self.accepting.iter().copied().min_by_key(|&r| {
                let rep = &self.replicas[r as usize];
                rep.busy as usize + rep.queue.len()
            }),
        }
    }

    fn take_token(&mut self) -> Option<u32> {
        while let Some(tok) = self.tokens.pop_front() {
            let (r, generation) = ((tok >> 32) as u32, tok as u32);
            let rep = &self.replicas[r as usize];
            if rep.state == State::Active && rep.generation == generation {
                return Some(r);
            }
        }
        None
    }

    fn give_token(&mut self, r: u32) {
        let generation = self.replicas[r as usize].generation;
        self.tokens.push_back((u64::from(r) << 32) | u64::from(generation));
    }

    fn reject(&mut self, id: u32) {
        self.raw.rejected += 1;
        let now = self.now;
        self.bucket(now).rejected += 1;
        self.level.in_system -= 1.0;
        self.free.push(id);
    }

    fn alloc(&mut self, r: Req) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.reqs[id as usize] = r;
                id
            }
            None => {
                self.reqs.push(r);
                (self.reqs.len() - 1) as u32
            }
        }
    }

    // ---- service --------------------------------------------------------

    /// `id` takes a worker of replica `r` now.
    fn start(&mut self, id: u32, r: u32) {
        self.flush();
        if self.plan.interpreters.is_none() {
            self.level.busy += 1.0;
        }
        self.replicas[r as usize].busy += 1;
        let req = &mut self.reqs[id as usize];
        req.replica = r;
        req.segment = 0;
        let wait = self.now - req.arrival;
        self.raw.wait.record(wait);
        if wait > 0.0 {
            self.raw.waited += 1;
        }
        self.pending.push(id);
    }

    fn stage_down(&self, stage: usize, t: f64) -> bool {
        self.plan.stages.get(stage).is_some_and(|s| s.outages.iter().any(|&(a, b)| t >= a && t < b))
    }

    /// Moves `id` through its segments until it must wait for an event.
    fn advance(&mut self, id: u32) {
        loop {
            let req = self.reqs[id as usize];
            let Some(&segment) = self.segments.get(req.segment as usize) else {
                self.finish(id);
                return;
            };
            match segment {
                Segment::Run { from, to } => {
                    let mut t = self.now;
                    let mut failed = false;
                    for i in from as usize..to as usize {
                        let st = &self.plan.stages[i];
                        if st.model && req.hit {
                            continue;
                        }
                        if !st.outages.is_empty() && self.stage_down(i, t) {
                            failed = true;
                            break;
                        }
                        let d = st.sampler.sample(&mut self.service_rng);
                        self.raw.stage_latency[i].record(d);
                        self.raw.stage_time[i] += d;
                        t += d;
                    }
                    let r = &mut self.reqs[id as usize];
                    r.segment += 1;
                    r.failed = failed;
                    if t > self.now {
                        self.queue.push(t, Event::Done { req: id });
                        return;
                    }
                    if failed {
                        self.finish(id);
                        return;
                    }
                }
                Segment::Batch { stage, batcher } => match self.enter_stage(id, stage) {
                    Entered::Skipped => continue,
                    Entered::Failed => return,
                    Entered::Waiting => {
                        self.join_batch(id, req.replica, batcher, stage);
                        return;
                    }
                },
                Segment::Interpreter { stage } => match self.enter_stage(id, stage) {
                    Entered::Skipped => continue,
                    Entered::Failed => return,
                    Entered::Waiting => {
                        self.replicas[req.replica as usize].interpreter_queue.push_back(Job::Request(id));
                        self.run_interpreters(req.replica);
                        return;
                    }
                },
            }
        }
    }

    /// Request `id` reaches a stage it may wait in: a cache hit skips a
    /// model stage, a stage that is down fails it (it is finished), and
    /// otherwise it enters now.
    fn enter_stage(&mut self, id: u32, stage: u16) -> Entered {
        let req = &mut self.reqs[id as usize];
        if self.plan.stages[stage as usize].model && req.hit {
            req.segment += 1;
            return Entered::Skipped;
        }
        if self.stage_down(stage as usize, self.now) {
            self.reqs[id as usize].failed = true;
            self.finish(id);
            return Entered::Failed;
        }
        self.reqs[id as usize].enter = self.now;
        Entered::Waiting
    }

    /// Whether batcher `b`'s batches run on the interpreters.
    fn on_interpreter(&self, stage: u16) -> bool {
        self.plan.interpreters.is_some() && self.plan.stages[stage as usize].interpreter
    }

    /// Idle interpreters of replica `r` take the jobs waiting, as [`next_job`] hands them out.
    fn run_interpreters(&mut self, r: u32) {
        while self.replicas[r as usize].interpreters_idle > 0 {
            let now = self.now;
            let rep = &mut self.replicas[r as usize];
            let Some(job) = next_job(&rep.interpreter_queue, now, rep.loop_holds).and_then(|i| rep.interpreter_queue.remove(i)) else {
                return;
            };
            rep.loop_holds = job.on_loop();
            match job {
                Job::Request(id) => {
                    let segment = self.reqs[id as usize].segment;
                    let Some(&Segment::Interpreter { stage }) = self.segments.get(segment as usize) else { continue };
                    let st = &self.plan.stages[stage as usize];
                    // Woken: it starts the moment it was queued, on an idle interpreter.
                    let wake = if self.reqs[id as usize].enter == self.now { st.wake_s } else { 0.0 };
                    let d = st.sampler.sample(&mut self.service_rng) + wake;
                    self.take_interpreter(r, stage, d);
                    self.queue.push(self.now + d, Event::InterpreterDone { req: id });
                }
                Job::Batch { batcher, slot, duration, at } => {
                    let stage = self.batch_stage(batcher);
                    let wake = if at == self.now { self.plan.stages[stage as usize].wake_s } else { 0.0 };
                    self.take_interpreter(r, stage, duration + wake);
                    self.queue.push(self.now + duration + wake, Event::BatchRan { replica: r, batcher, slot });
                }
                Job::Handback { batcher, slot } => {
                    let stage = self.batch_stage(batcher);
                    let d = self.plan.stages[stage as usize].handback_s;
                    self.take_interpreter(r, stage, d);
                    self.queue.push(self.now + d, Event::BatchDone { replica: r, batcher, slot });
                }
            }
        }
    }

    /// In a calibrated plan the busy level counts interpreters at work (the
    /// replica's limit), not workers; `d` seconds of `stage`'s work start.
    fn take_interpreter(&mut self, r: u32, stage: u16, d: f64) {
        self.raw.stage_work[stage as usize] += d;
        self.flush();
        self.level.busy += 1.0;
        self.replicas[r as usize].interpreters_idle -= 1;
    }

    fn free_interpreter(&mut self, r: u32) {
        self.flush();
        self.level.busy -= 1.0;
        self.replicas[r as usize].interpreters_idle += 1;
    }

    fn join_batch(&mut self, id: u32, r: u32, b: u16, stage: u16) {
        let (max, wait) = self.plan.stages[stage as usize].batch.unwrap_or((1, 0.0));
        let now = self.now;
        let bt = &mut self.replicas[r as usize].batchers[b as usize];
        bt.forming.push(id);
        if bt.forming.len() == 1 {
            bt.epoch = bt.epoch.wrapping_add(1);
            bt.expired = wait <= 0.0;
            if wait > 0.0 {
                let epoch = bt.epoch;
                self.queue.push(now + wait, Event::BatchTimer { replica: r, batcher: b, epoch });
            }
        }
        let bt = &self.replicas[r as usize].batchers[b as usize];
        if !bt.busy() && (bt.expired || bt.forming.len() >= max as usize) {
            self.start_batch(r, b, stage);
        }
    }

    /// The stage batcher `b` serves (batchers are numbered in stage order).
    fn batch_stage(&self, b: u16) -> u16 {
        self.batch_stages[b as usize]
    }

    /// Starts the forming batch (up to its size) on an idle executor.
    fn start_batch(&mut self, r: u32, b: u16, stage: u16) {
        let st = &self.plan.stages[stage as usize];
        let (max, wait) = st.batch.unwrap_or((1, 0.0));
        let down = self.stage_down(stage as usize, self.now);
        let now = self.now;
        let bt = &mut self.replicas[r as usize].batchers[b as usize];
        let Some(slot) = bt.idle.pop() else { return };
        let k = bt.forming.len().min(max as usize);
        let members = &mut bt.running[slot as usize];
        members.extend(bt.forming.drain(..k));
        // A Python server's batch skips the requests that timed out while
        // they waited (their fallback is answered already).
        let mut k = k;
        let timeout = self.plan.timeout.as_ref().map(|t| t.0);
        if let (Some(after), true) = (timeout, self.plan.interpreters.is_some() && st.interpreter) {
            let (reqs, skipped) = (&self.reqs, &mut self.skipped);
            members.retain(|&id| {
                let late = now - reqs[id as usize].arrival >= after;
                if late {
                    skipped.push(id);
                }
                !late
            });
            k = members.len();
        }
        let duration = if down {
            for &id in members.iter() {
                self.reqs[id as usize].failed = true;
            }
            0.0
        } else {
            st.sampler.sample(&mut self.service_rng) * (1.0 + st.batch_marginal * (k as f64 - 1.0))
        };
        // Requests left over start a new wait, counted from the oldest.
        if let Some(&first) = bt.forming.first() {
            bt.epoch = bt.epoch.wrapping_add(1);
            let due = self.reqs[first as usize].enter + wait;
            bt.expired = due <= now;
            if !bt.expired {
                let epoch = bt.epoch;
                self.queue.push(due, Event::BatchTimer { replica: r, batcher: b, epoch });
            }
        }
        if self.on_interpreter(stage) {
            let empty = k == 0;
            if empty {
                self.replicas[r as usize].batchers[b as usize].idle.push(slot);
            } else {
                self.raw.batches += 1;
                self.raw.batched += k as u64;
                self.replicas[r as usize].interpreter_queue.push_back(Job::Batch { batcher: b, slot, duration, at: now });
            }
            while let Some(id) = self.skipped.pop() {
                self.finish(id);
            }
            if empty {
                let bt = &self.replicas[r as usize].batchers[b as usize];
                if !bt.forming.is_empty() && (bt.expired || bt.forming.len() >= max as usize) {
                    self.start_batch(r, b, stage);
                }
            }
            self.run_interpreters(r);
        } else {
            self.queue.push(now + duration, Event::BatchDone { replica: r, batcher: b, slot });
        }
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Done { req } => {
                if self.reqs[req as usize].failed {
                    self.finish(req);
                } else {
                    self.pending.push(req);
                }
            }
            Event::BatchTimer { replica, batcher, epoch } => {
                let bt = &mut self.replicas[replica as usize].batchers[batcher as usize];
                if bt.epoch == epoch && !bt.forming.is_empty() {
                    bt.expired = true;
                    if !bt.busy() {
                        let stage = self.batch_stage(batcher);
                        self.start_batch(replica, batcher, stage);
                    }
                }
            }
            Event::BatchDone { replica, batcher, slot } => {
                let stage = self.batch_stage(batcher);
                let bt = &mut self.replicas[replica as usize].batchers[batcher as usize];
                let mut done = std::mem::take(&mut bt.running[slot as usize]);
                for &id in &done {
                    let req = &mut self.reqs[id as usize];
                    let in_stage = self.now - req.enter;
                    req.segment += 1;
                    self.raw.stage_latency[stage as usize].record(in_stage);
                    self.raw.stage_time[stage as usize] += in_stage;
                    if req.failed {
                        self.finish(id);
                    } else {
                        self.pending.push(id);
                    }
                }
                done.clear();
                let (max, _) = self.plan.stages[stage as usize].batch.unwrap_or((1, 0.0));
                let bt = &mut self.replicas[replica as usize].batchers[batcher as usize];
                bt.running[slot as usize] = done;
                bt.idle.push(slot);
                let again = !bt.forming.is_empty() && (bt.expired || bt.forming.len() >= max as usize);
                if self.on_interpreter(stage) {
                    self.free_interpreter(replica);
                }
                if again {
                    self.start_batch(replica, batcher, stage);
                }
                self.run_interpreters(replica);
            }
            Event::BatchRan { replica, batcher, slot } => {
                self.free_interpreter(replica);
                self.replicas[replica as usize].interpreter_queue.push_back(Job::Handback { batcher, slot });
                self.run_interpreters(replica);
            }
            Event::InterpreterDone { req } => {
                let r = self.reqs[req as usize];
                if let Some(&Segment::Interpreter { stage }) = self.segments.get(r.segment as usize) {
                    let in_stage = self.now - r.enter;
                    self.raw.stage_latency[stage as usize].record(in_stage);
                    self.raw.stage_time[stage as usize] += in_stage;
                }
                self.reqs[req as usize].segment += 1;
                self.free_interpreter(r.replica);
                self.pending.push(req);
                self.run_interpreters(r.replica);
            }
            Event::ScaleTick => self.autoscale(),
            Event::Ready { replica, generation } => {
                let rep = &self.replicas[replica as usize];
                if rep.state == State::Warming && rep.generation == generation {
                    self.activate(replica);
                }
            }
        }
    }

    /// The request is answered (or fails); its worker takes the next one.
    fn finish(&mut self, id: u32) {
        let req = self.reqs[id as usize];
        let now = self.now;
        let answer = match self.plan.timeout {
            Some((after, _)) if now - req.arrival > after => Some((req.arrival + after, true)),
            _ if req.failed => Some((now, false)),
            _ => None,
        };
        match answer {
            Some((at, timed_out)) => self.fallback(req.arrival, at, timed_out),
            None => {
                let latency = now - req.arrival;
                self.raw.completed += 1;
                self.raw.latency.record(latency);
                let b = self.bucket(now);
                b.answered += 1;
                b.latency.record(latency);
            }
        }
        self.release(id, now - req.arrival);
        let r = req.replica;
        self.flush();
        if self.plan.interpreters.is_none() {
            self.level.busy -= 1.0;
        }
        self.replicas[r as usize].busy -= 1;
        self.next_for(r);
    }

    /// Answers with the fallback model at `at` (a timeout or a failed
    /// stage); without a fallback a failed request is an error. The fallback
    /// runs beside the workers (it holds none).
    fn fallback(&mut self, arrival: f64, at: f64, timed_out: bool) {
        self.raw.failed_in_outage += u64::from(!timed_out);
        let Some((_, fb)) = &self.plan.timeout else {
            self.raw.errors += 1;
            self.bucket(at).errors += 1;
            return;
        };
        let done = at + fb.sample(&mut self.fallback_rng);
        let latency = done - arrival;
        self.raw.fallbacks += 1;
        self.raw.timed_out += u64::from(timed_out);
        self.raw.latency.record(latency);
        let b = self.bucket(done);
        b.fallbacks += 1;
        b.answered += 1;
        b.latency.record(latency);
    }

    fn release(&mut self, id: u32, sojourn: f64) {
        self.flush();
        self.level.in_system -= 1.0;
        self.raw.sojourn_sum += sojourn;
        self.raw.released += 1;
        self.free.push(id);
    }

    /// A worker of replica `r` is free: it takes the next waiting request.
    fn next_for(&mut self, r: u32) {
        let state = self.replicas[r as usize].state;
        if self.plan.balancer == Balancer::SharedQueue {
            if state == State::Active {
                match self.pop_waiting(None) {
                    Some(id) => self.start(id, r),
                    None => self.give_token(r),
                }
            }
        } else if let Some(id) = self.pop_waiting(Some(r)) {
            self.start(id, r);
        }
        let rep = &mut self.replicas[r as usize];
        if rep.state == State::Draining && rep.busy == 0 && rep.queue.is_empty() {
            self.set_state(r, State::Off);
        }
    }

    /// The next waiting request that has not timed out; the timed-out ones
    /// met at the head are answered by the fallback as they leave.
    fn pop_waiting(&mut self, r: Option<u32>) -> Option<u32> {
        loop {
            let id = match r {
                None => self.shared.pop_front(),
                Some(r) => self.replicas[r as usize].queue.pop_front(),
            }?;
            self.flush();
            self.level.queued -= 1.0;
            let req = self.reqs[id as usize];
            match self.plan.timeout {
                Some((after, _)) if self.now - req.arrival >= after => {
                    self.raw.wait.record(after);
                    self.raw.waited += 1;
                    self.fallback(req.arrival, req.arrival + after, true);
                    let sojourn = self.now - req.arrival;
                    self.release(id, sojourn);
                }
                _ => return Some(id),
            }
        }
    }

    // ---- replicas and autoscaling ----------------------------------------

    fn add_replica(&mut self) -> u32 {
        if let Some(i) = self.replicas.iter().position(|r| r.state == State::Off) {
            return i as u32;
        }
        let batchers = self
            .segments
            .iter()
            .filter_map(|s| match *s {
                Segment::Batch { stage, .. } => Some(Batcher::new(self.plan.stages[stage as usize].batch_executors)),
                Segment::Run { .. } | Segment::Interpreter { .. } => None,
            })
            .collect();
        self.replicas.push(Replica {
            state: State::Off,
            generation: 0,
            busy: 0,
            queue: VecDeque::new(),
            batchers,
            interpreters_idle: self.plan.interpreters.unwrap_or(0),
            interpreter_queue: VecDeque::new(),
            loop_holds: false,
        });
        (self.replicas.len() - 1) as u32
    }

    fn set_state(&mut self, r: u32, state: State) {
        self.flush();
        let old = self.replicas[r as usize].state;
        let billed = |s: State| s != State::Off;
        let serving = |s: State| s == State::Active;
        self.level.billed += f64::from(u8::from(billed(state))) - f64::from(u8::from(billed(old)));
        let c = f64::from(self.plan.interpreters.unwrap_or(self.plan.concurrency));
        if serving(state) != serving(old) {
            let d = if serving(state) { 1.0 } else { -1.0 };
            self.level.active += d;
            self.level.capacity += d * c;
        }
        self.replicas[r as usize].state = state;
        if state == State::Active {
            if let Err(pos) = self.accepting.binary_search(&r) {
                self.accepting.insert(pos, r);
            }
        } else if let Ok(pos) = self.accepting.binary_search(&r) {
            self.accepting.remove(pos);
        }
        let active = self.accepting.len() as u32;
        self.raw.active_min = self.raw.active_min.min(active);
        self.raw.active_max = self.raw.active_max.max(active);
    }

    /// A replica starts serving: its free workers take waiting requests.
    fn activate(&mut self, r: u32) {
        self.replicas[r as usize].generation = self.replicas[r as usize].generation.wrapping_add(1);
        self.set_state(r, State::Active);
        if self.plan.balancer == Balancer::SharedQueue {
            for _ in 0..self.plan.concurrency {
                match self.pop_waiting(None) {
                    Some(id) => self.start(id, r),
                    None => self.give_token(r),
                }
            }
        }
    }

    fn autoscale(&mut self) {
        let Some(a) = &self.plan.autoscale else { return };
        let (on, warmup, period) = (a.on, a.warmup_s, a.period_s);
        self.flush();
        let busy = self.level_area(|b| b.busy);
        let capacity = self.level_area(|b| b.capacity);
        let (d_busy, d_cap) = (busy - self.scale_busy, capacity - self.scale_capacity);
        self.scale_busy = busy;
        self.scale_capacity = capacity;
        let arrivals = std::mem::take(&mut self.scale_arrivals) as f64;
        let current = self.replicas.iter().filter(|r| matches!(r.state, State::Active | State::Warming)).count() as u32;
        let active = self.accepting.len().max(1) as f64;
        let ratio = match on {
            ScaleOn::Cpu(target) => {
                if d_cap > 0.0 {
                    d_busy / d_cap / target
                } else {
                    1.0
                }
            }
            ScaleOn::Rps(target) => arrivals / period / (target * active),
        };
        let want = if (ratio - 1.0).abs() <= super::plan::AUTOSCALE_TOLERANCE { current } else { (active * ratio).ceil() as u32 };
        let (lo, hi) = self.plan.replicas;
        let want = want.clamp(lo, hi);
        self.recommendations.push_back((self.now, want));
        while self.recommendations.front().is_some_and(|&(t, _)| t < self.now - SCALE_DOWN_WINDOW_S) {
            self.recommendations.pop_front();
        }
        let stable = self.recommendations.iter().map(|r| r.1).max().unwrap_or(want);
        if want > current {
            for _ in current..want {
                let r = self.add_replica();
                self.set_state(r, State::Warming);
                let rep = &mut self.replicas[r as usize];
                rep.generation = rep.generation.wrapping_add(1);
                let generation = rep.generation;
                if warmup > 0.0 {
                    self.queue.push(self.now + warmup, Event::Ready { replica: r, generation });
                } else {
                    // `activate` bumps the generation again; Ready is not needed.
                    self.activate(r);
                }
            }
        } else if stable < current {
            let mut excess = current - stable;
            // Cancel warming replicas first, then drain the newest active ones.
            for r in (0..self.replicas.len() as u32).rev() {
                if excess == 0 {
                    break;
                }
                if self.replicas[r as usize].state == State::Warming {
                    self.set_state(r, State::Off);
                    excess -= 1;
                }
            }
            for r in (0..self.replicas.len() as u32).rev() {
                if excess == 0 || self.accepting.len() <= lo as usize {
                    break;
                }
                if self.replicas[r as usize].state == State::Active {
                    self.set_state(r, State::Draining);
                    excess -= 1;
                    let rep = &self.replicas[r as usize];
                    if rep.busy == 0
                        && rep.queue.is_empty()
                        && rep.batchers.iter().all(|b| b.idle.len() == b.running.len() && b.forming.is_empty())
                    {
                        self.set_state(r, State::Off);
                    }
                }
            }
        }
        if self.arrivals_open || self.level.in_system > 0.0 {
            self.queue.push(self.now + period, Event::ScaleTick);
        }
    }

    // ---- accounting ---------------------------------------------------------

    fn bucket(&mut self, t: f64) -> &mut Bucket {
        let i = ((t / self.raw.bucket_s).max(0.0) as usize).min(MAX_STEPS);
        self.step_at(i)
    }

    fn step_at(&mut self, i: usize) -> &mut Bucket {
        let i = i.min(MAX_STEPS);
        if i >= self.raw.buckets.len() {
            self.raw.buckets.resize_with(i + 1, Bucket::new);
        }
        &mut self.raw.buckets[i]
    }

    /// Integrates the levels from the last flush to now, bucket by bucket.
    #[inline]
    fn flush(&mut self) {
        let now = self.now;
        let t = self.last_flush;
        if now <= t {
            return;
        }
        let l = self.level;
        self.raw.in_system_area += l.in_system * (now - t);
        self.raw.billed_area += l.billed * (now - t);
        self.last_flush = now;
        // Fast path: still inside the current step.
        if now <= self.step_end {
            if let Some(b) = self.raw.buckets.get_mut(self.step) {
                b.add_levels(&l, now - t);
                return;
            }
        }
        let w = self.raw.bucket_s;
        let mut t = t;
        // The step holding t: floor(t / w), corrected where rounding put t
        // on the previous step's end.
        let mut i = ((t / w) as usize).min(MAX_STEPS);
        while (i as f64 + 1.0) * w <= t && i < MAX_STEPS {
            i += 1;
        }
        loop {
            let end = (i as f64 + 1.0) * w;
            let to = if i == MAX_STEPS { now } else { end.min(now) };
            self.step_at(i).add_levels(&l, to - t);
            self.step = i;
            self.step_end = end;
            if to >= now {
                break;
            }
            t = to;
            i += 1;
        }
    }
}

impl Bucket {
    #[inline]
    fn add_levels(&mut self, l: &Levels, dt: f64) {
        self.busy += l.busy * dt;
        self.capacity += l.capacity * dt;
        self.queued += l.queued * dt;
        self.active += l.active * dt;
    }
}

/// Timeline steps kept at most (a run longer than this many steps adds the
/// rest to the last one).
const MAX_STEPS: usize = 1_000_000;

/// A bucket width at least `s` seconds from 1-2-5 steps of seconds, minutes
/// and hours.
fn nice_bucket(s: f64) -> f64 {
    const STEPS: [f64; 22] = [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0,
        3600.0,
    ];
    STEPS.iter().copied().find(|&w| w >= s).unwrap_or_else(|| (s / 3600.0).ceil() * 3600.0)
}

#[cfg(test)]
mod tests {
    use super::{next_job, Job, SWITCH_INTERVAL_S};
    use std::collections::VecDeque;

    #[test]
    fn the_interpreter_goes_as_the_gil_hands_it_over() {
        let batch = Job::Batch { batcher: 0, slot: 0, duration: 0.001, at: 0.0 };
        let q: VecDeque<Job> = [batch, Job::Request(7), Job::Handback { batcher: 0, slot: 1 }].into();
        // The oldest job, unless the loop ran last and has work.
        assert_eq!(next_job(&q, 0.001, false), Some(0));
        assert_eq!(next_job(&q, 0.001, true), Some(1));
        // A batch that waited the switch interval goes first either way.
        assert_eq!(next_job(&q, SWITCH_INTERVAL_S, true), Some(0));
        // Handing a batch back is the loop's work too.
        let q: VecDeque<Job> = [batch, Job::Handback { batcher: 0, slot: 1 }].into();
        assert_eq!(next_job(&q, 0.001, true), Some(1));
        assert_eq!(next_job(&VecDeque::new(), 0.0, true), None);
    }
}

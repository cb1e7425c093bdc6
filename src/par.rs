//! How many threads work may use: inside one document (the pages of a PDF, the rules over a
//! document's blocks) and for work every document waits for (compiling a language's rules).
//!
//! A batch already keeps every core busy with whole documents, and `--jobs 1` promises one
//! thread; splitting a document as well would only add overhead and break that promise. So the
//! batch sets a [`Threads`] budget on each worker thread: all cores when there are fewer
//! documents than workers (one large tender on a multi-core machine), one thread per document
//! otherwise, and one thread for everything with `--jobs 1`. Compiling the rules for a language
//! stops every worker that needs them, so it uses all cores unless the batch has one worker.
//! Library callers outside a batch get all cores.

use std::cell::Cell;

use rayon::prelude::*;

/// The threads work on the current thread may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// All cores, inside a document too.
    All,
    /// One thread per document (the other workers have documents of their own), all cores for
    /// work the whole batch waits for.
    PerDocument,
    /// One thread for everything (`--jobs 1`).
    One,
}

thread_local! {
    static BUDGET: Cell<Threads> = const { Cell::new(Threads::All) };
}

/// The budget of the current thread.
pub fn threads() -> Threads {
    BUDGET.with(Cell::get)
}

/// True when work inside one document may use all cores on this thread.
pub fn within_document() -> bool {
    threads() == Threads::All
}

/// Runs `f` with `budget` on this thread (restored afterwards).
pub fn with_threads<R>(budget: Threads, f: impl FnOnce() -> R) -> R {
    let before = BUDGET.with(|c| c.replace(budget));
    let out = f();
    BUDGET.with(|c| c.set(before));
    out
}

/// Runs `f` with parallelism inside documents turned on ([`Threads::All`]) or off
/// ([`Threads::One`]) on this thread.
pub fn with_within_document<R>(on: bool, f: impl FnOnce() -> R) -> R {
    with_threads(if on { Threads::All } else { Threads::One }, f)
}

/// `items` mapped by `f`, in order: on all cores when [`within_document`] allows and there is
/// more than one item, else on this thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    map_if(within_document(), usize::MAX, items, f)
}

/// Like [`map`], with every item a task of its own: for items that each take long enough
/// that balancing them matters more than the cost of a task.
pub fn map_each<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    map_if(within_document(), 1, items, f)
}

/// Like [`map`], for work every worker of a batch may be waiting for: on all cores unless the
/// budget is [`Threads::One`].
pub fn map_shared<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    map_if(threads() != Threads::One, usize::MAX, items, f)
}

/// `a()` and `b()`: on two cores when [`within_document`] allows, else `a` then `b` on this
/// thread.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if within_document() {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// `items` mapped by `f`, in order: on all cores when `parallel` and there is more than one
/// item, with at most `per_task` items in each task (`usize::MAX`: as rayon splits them).
fn map_if<T: Sync, R: Send>(
    parallel: bool,
    per_task: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if parallel && items.len() > 1 {
        items.par_iter().with_max_len(per_task).map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_order_either_way_and_the_budget_is_scoped() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled: Vec<u32> = items.iter().map(|x| x * 2).collect();
        assert!(within_document());
        assert_eq!(map(&items, |x| x * 2), doubled);
        let inside = with_within_document(false, || {
            assert!(!within_document());
            assert_eq!(threads(), Threads::One);
            map(&items, |x| x * 2)
        });
        assert_eq!(inside, doubled);
        assert!(within_document(), "restored after the closure");
    }

    #[test]
    fn one_thread_stays_on_the_calling_thread_and_shared_work_follows_the_budget() {
        let me = std::thread::current().id();
        let items: Vec<u32> = (0..64).collect();
        let on_me = |ids: Vec<std::thread::ThreadId>| ids.iter().all(|t| *t == me);
        let id = |_: &u32| std::thread::current().id();
        assert!(on_me(with_threads(Threads::One, || map(&items, id))));
        assert!(on_me(with_threads(Threads::One, || map_shared(&items, id))));
        assert!(on_me(with_threads(Threads::PerDocument, || map(
            &items, id
        ))));
        // Shared work may leave this thread: rayon runs it on the pool (which thread takes
        // which item is rayon's choice, so only the result is checked).
        let shared = with_threads(Threads::PerDocument, || map_shared(&items, |x| x + 1));
        assert_eq!(shared, items.iter().map(|x| x + 1).collect::<Vec<_>>());
        let both = || (std::thread::current().id(), std::thread::current().id());
        for budget in [Threads::One, Threads::PerDocument] {
            let (a, b) = with_threads(budget, || join(both, both));
            assert!(on_me(vec![a.0, a.1, b.0, b.1]), "{budget:?}");
        }
        assert_eq!(join(|| 1, || "b"), (1, "b"));
    }

    #[test]
    fn map_each_lets_other_threads_take_every_item_while_one_item_is_slow() {
        let threads = rayon::current_num_threads();
        if threads < 2 {
            eprintln!("skipped: rayon has one thread here, so no item can move to another");
            return;
        }
        // Enough items that rayon's usual splitting (about two pieces per thread) would put
        // item 1 in item 0's piece, behind it on the same thread.
        let items: Vec<usize> = (0..16 * threads).collect();
        let others = items.len() - 1;
        let done = std::sync::atomic::AtomicUsize::new(0);
        // Each item gives how many of the others were done when it ended.
        let seen = map_each(&items, |&i| {
            if i != 0 {
                return done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            }
            // Item 0 holds its thread until every other item is done, or five seconds pass.
            let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
            loop {
                let n = done.load(std::sync::atomic::Ordering::SeqCst);
                if n == others || std::time::Instant::now() > until {
                    return n;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        assert_eq!(seen.len(), items.len());
        assert_eq!(
            seen[0], others,
            "the other threads took only {} of the {others} other items while item 0 ran",
            seen[0]
        );
        let doubled = map_each(&items, |x| x * 2);
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        let me = std::thread::current().id();
        let ids = with_threads(Threads::PerDocument, || {
            map_each(&items, |_| std::thread::current().id())
        });
        assert!(ids.iter().all(|t| *t == me), "one thread per document");
    }
}

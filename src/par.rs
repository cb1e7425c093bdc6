//! Parallelism inside one document: the pages of a PDF, the rules over a document's blocks.
//!
//! A batch already keeps every core busy with whole documents, and `--jobs 1` promises one
//! thread; splitting a document as well would only add overhead and break that promise. So the
//! batch says, per worker thread, whether a document may use more than its own thread
//! ([`with_within_document`]): yes when there are fewer documents than workers (one large tender
//! on a multi-core machine), no otherwise. Library callers outside a batch get parallelism.

use std::cell::Cell;

use rayon::prelude::*;

thread_local! {
    static WITHIN_DOCUMENT: Cell<bool> = const { Cell::new(true) };
}

/// True when work inside one document may use all cores on this thread.
pub fn within_document() -> bool {
    WITHIN_DOCUMENT.with(Cell::get)
}

/// Runs `f` with parallelism inside documents turned on or off on this thread.
pub fn with_within_document<R>(on: bool, f: impl FnOnce() -> R) -> R {
    let before = WITHIN_DOCUMENT.with(|c| c.replace(on));
    let out = f();
    WITHIN_DOCUMENT.with(|c| c.set(before));
    out
}

/// `items` mapped by `f`, in order: on all cores when [`within_document`] allows and there is
/// more than one item, else on this thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if items.len() > 1 && within_document() {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_order_either_way_and_the_switch_is_scoped() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled: Vec<u32> = items.iter().map(|x| x * 2).collect();
        assert!(within_document());
        assert_eq!(map(&items, |x| x * 2), doubled);
        let inside = with_within_document(false, || {
            assert!(!within_document());
            map(&items, |x| x * 2)
        });
        assert_eq!(inside, doubled);
        assert!(within_document(), "restored after the closure");
    }

    #[test]
    fn sequential_map_stays_on_the_calling_thread() {
        let me = std::thread::current().id();
        let items = [1, 2, 3, 4];
        let threads = with_within_document(false, || map(&items, |_| std::thread::current().id()));
        assert!(threads.iter().all(|t| *t == me));
    }
}

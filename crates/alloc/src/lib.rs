//! tenderlint's global allocator: mimalloc, called through its plain entry points whenever the
//! alignment asked for is one mimalloc gives every block anyway.
//!
//! The `mimalloc` crate's allocator passes every request to `mi_malloc_aligned`. In mimalloc 3
//! that takes a slower path whenever the thread's free list for the size is empty or the size is
//! above 1 KiB, and there it *over-allocates* every block whose size is not a power of two, even
//! for an alignment of 8, and marks its page as holding interior pointers (which slows every
//! later free on that page). Compiling the rules makes many such allocations (vectors growing
//! past 1 KiB). mimalloc aligns every block to `MI_MAX_ALIGN_SIZE` (16 bytes: small size classes
//! are rounded to two machine words on 64-bit targets, four on 32-bit ones), which is the same
//! guarantee glibc's `malloc` gives and the rule Rust's own `System` allocator relies on.
//!
//! [`exit_now`] ends the process without mimalloc's teardown, which returns every arena page to
//! the system one `madvise` call at a time just before the kernel frees them all anyway.
//!
//! This is the only crate of tenderlint with `unsafe` code: the `GlobalAlloc` implementation and
//! the call to `_exit`. It
//! is a crate of its own, against the house style's one package, because the `tenderlint`
//! package forbids `unsafe` code (`[lints.rust]` in its Cargo.toml) and should go on doing so.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use libmimalloc_sys as ffi;

/// The alignment every mimalloc block has (`MI_MAX_ALIGN_SIZE`).
const MIN_ALIGN: usize = 16;

/// mimalloc, with the plain entry points for alignments of at most 16 bytes.
pub struct Allocator;

/// True when mimalloc's plain entry points give `layout`'s alignment.
#[inline]
fn plain(layout: &Layout) -> bool {
    layout.align() <= MIN_ALIGN && layout.align() <= layout.size()
}

// SAFETY: every entry point forwards to mimalloc, which returns null or a block of at least the
// size asked for; the plain calls are used only for alignments mimalloc gives every block (see
// the module note), the aligned ones otherwise; `mi_free` takes any block either kind returned.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; the size is non-zero per `GlobalAlloc`'s contract.
        unsafe {
            if plain(&layout) {
                ffi::mi_malloc(layout.size()).cast()
            } else {
                ffi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(&layout) {
                ffi::mi_zalloc(layout.size()).cast()
            } else {
                ffi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { ffi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new block keeps the
        // alignment by the same rule as `alloc` (the new size is a multiple of the alignment).
        unsafe {
            if layout.align() <= MIN_ALIGN && layout.align() <= new_size {
                ffi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                ffi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

/// Ends the process with `code` once stdout and stderr are flushed, without running `atexit`
/// handlers or library destructors: mimalloc's (`mi_process_done`) purges its arenas page range
/// by page range, 1.5 to 2 ms at the end of a scan of a 101-page DOCX (docs/performance.md).
/// Call it only when everything the program owns is dropped or written: nothing else runs.
pub fn exit_now(code: u8) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` takes any status, has no preconditions and does not return.
    unsafe { libc::_exit(i32::from(code)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of `layout` from `a`, filled with `byte`.
    ///
    /// # Safety
    /// `layout` has a non-zero size.
    unsafe fn filled(a: &Allocator, layout: Layout, byte: u8) -> *mut u8 {
        // SAFETY: per the caller; the block is written within its size.
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            p.write_bytes(byte, layout.size());
            p
        }
    }

    #[test]
    fn blocks_have_the_alignment_asked_for_and_keep_their_bytes() {
        let a = Allocator;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [
                1usize, 3, 8, 16, 24, 40, 100, 1000, 1500, 5000, 70_000, 3_000_000,
            ] {
                let size = size.next_multiple_of(align);
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: non-zero sizes; each block is read and written within its size and
                // freed once, with the layout it has.
                unsafe {
                    let p = filled(&a, layout, 0xab);
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    a.dealloc(p, layout);

                    let z = a.alloc_zeroed(layout);
                    assert!(!z.is_null());
                    assert_eq!(z as usize % align, 0, "zeroed: size {size} align {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);

                    for new_size in [size * 3, size / 2] {
                        let new_size = new_size.next_multiple_of(align).max(align);
                        let p = filled(&a, layout, 0xcd);
                        let q = a.realloc(p, layout, new_size);
                        assert!(!q.is_null());
                        assert_eq!(q as usize % align, 0, "{size} -> {new_size}, align {align}");
                        assert!((0..size.min(new_size)).all(|i| *q.add(i) == 0xcd));
                        q.write_bytes(0xef, new_size);
                        a.dealloc(q, Layout::from_size_align(new_size, align).expect("valid"));
                    }
                }
            }
        }
    }
}

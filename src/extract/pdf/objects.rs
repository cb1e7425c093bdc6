//! Bounded access to lopdf objects: reference chains followed at most `max_pdf_depth` times,
//! stream data decoded within the per-stream limit and counted against the per-document total.
//!
//! Helpers return `Option` so font and resource code can stay lenient about malformed values;
//! a breached limit is not lenient: it is recorded here and the page loop turns it into the
//! document's error.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use lopdf::{Dictionary, Object, Stream};

use crate::error::ErrorKind;
use crate::limits::Limits;

pub struct Objects<'a> {
    pub doc: &'a lopdf::Document,
    pub limits: &'a Limits,
    total: AtomicU64,
    error: Mutex<Option<ErrorKind>>,
}

impl<'a> Objects<'a> {
    pub fn new(doc: &'a lopdf::Document, limits: &'a Limits) -> Self {
        Objects {
            doc,
            limits,
            total: AtomicU64::new(0),
            error: Mutex::new(None),
        }
    }

    /// Records the first hard error (a limit); later ones are dropped.
    pub fn fail(&self, e: ErrorKind) {
        if let Ok(mut slot) = self.error.lock()
            && slot.is_none()
        {
            *slot = Some(e);
        }
    }

    pub fn error(&self) -> Option<ErrorKind> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    /// Follows references, at most `max_pdf_depth` of them.
    pub fn resolve<'o>(&'o self, mut obj: Option<&'o Object>) -> Option<&'o Object>
    where
        'a: 'o,
    {
        let mut depth = 0;
        while let Some(Object::Reference(id)) = obj {
            depth += 1;
            if depth > self.limits.max_pdf_depth {
                self.fail(ErrorKind::limit(
                    "pdf reference chain depth",
                    self.limits.max_pdf_depth as u64,
                    depth as u64,
                ));
                return None;
            }
            obj = self.doc.objects.get(id);
        }
        obj
    }

    pub fn dict<'o>(&'o self, obj: Option<&'o Object>) -> Option<&'o Dictionary>
    where
        'a: 'o,
    {
        match self.resolve(obj)? {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    pub fn array<'o>(&'o self, obj: Option<&'o Object>) -> Option<&'o Vec<Object>>
    where
        'a: 'o,
    {
        match self.resolve(obj)? {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn name(&self, obj: Option<&Object>) -> Option<Vec<u8>> {
        match self.resolve(obj)? {
            Object::Name(n) => Some(n.clone()),
            _ => None,
        }
    }

    pub fn number(&self, obj: Option<&Object>) -> Option<f32> {
        match self.resolve(obj)? {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) if r.is_finite() => Some(*r),
            _ => None,
        }
    }

    /// Decoded data of a stream reached from `obj`, or `None` when it is not a stream or does
    /// not decode. A breached size limit is recorded.
    pub fn stream_data(&self, obj: Option<&Object>) -> Option<Vec<u8>> {
        match self.resolve(obj)? {
            Object::Stream(s) => self.decode_stream(s),
            _ => None,
        }
    }

    pub fn decode_stream(&self, s: &Stream) -> Option<Vec<u8>> {
        let max = self.limits.max_entry_bytes;
        let cap = usize::try_from(max).unwrap_or(usize::MAX);
        let data = match s.get_plain_content_with_limit(cap) {
            Ok(d) => d,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                self.fail(ErrorKind::limit(
                    "decompressed bytes per pdf stream",
                    max,
                    max.saturating_add(1),
                ));
                return None;
            }
            // Undecodable filters (images, damaged data): use what is stored if unfiltered.
            Err(_) => return None,
        };
        let total = self
            .total
            .fetch_add(data.len() as u64, Ordering::Relaxed)
            .saturating_add(data.len() as u64);
        if total > self.limits.max_total_bytes {
            self.fail(ErrorKind::limit(
                "decompressed bytes per document",
                self.limits.max_total_bytes,
                total,
            ));
            return None;
        }
        Some(data)
    }
}

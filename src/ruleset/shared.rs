//! Serde for shared [`Arc`]s in a compiled rule set: each shared value is written once.
//!
//! A compiled [`super::RuleSet`] shares a lot: every pattern of a language points at the same
//! lexicon phrase sets, every word test at the same word, every deferred `unless` list at the
//! language's lexicon map. Serde's own `Arc` support writes the value at every pointer and reads
//! back as many copies (the brand catalogue once per pattern that names `@brand`). With these
//! helpers (`#[serde(with = "shared")]` and friends) the first occurrence of an allocation is
//! written in full and later ones as its number; reading gives one `Arc` per allocation again,
//! so the snapshot is as small, and the loaded set as shared, as the compiled one.
//!
//! The table lives in a thread-local that [`scope`] sets up around one whole serialisation or
//! deserialisation: values are numbered in the order a sequential format (postcard) visits them,
//! which is the same in both directions. Outside a scope the helpers write and read every value
//! in full.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Default)]
struct Table {
    /// Serialising: allocation address -> number.
    written: HashMap<usize, u32>,
    /// Deserialising: number -> the `Arc<T>` (boxed as `Any`).
    read: Vec<Box<dyn Any>>,
}

thread_local! {
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// Runs `f` with a fresh table of shared values (one whole snapshot written or read).
pub fn scope<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Table>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let old = self.0.take();
            TABLE.with(|t| *t.borrow_mut() = old);
        }
    }
    let _reset = Reset(TABLE.with(|t| t.borrow_mut().replace(Table::default())));
    f()
}

/// One shared value: written in full the first time (`New`), by number afterwards (`Seen`).
#[derive(Serialize, Deserialize)]
enum Entry<T> {
    New(T),
    Seen(u32),
}

/// `Arc<T>` (also `Arc<str>`, `Arc<[T]>`), each allocation written once per scope.
pub fn serialize<T, S>(value: &Arc<T>, s: S) -> Result<S::Ok, S::Error>
where
    T: Serialize + ?Sized,
    S: Serializer,
{
    serialize_as(value, s, |v| v)
}

/// See [`serialize`].
pub fn deserialize<'de, T, D>(d: D) -> Result<Arc<T>, D::Error>
where
    T: ?Sized + 'static,
    Box<T>: Deserialize<'de>,
    D: Deserializer<'de>,
{
    deserialize_as(d, |boxed: Box<T>| Arc::from(boxed))
}

/// The number the allocation at `address` was written under, if it was.
fn seen(address: usize) -> Option<u32> {
    TABLE.with(|t| {
        t.borrow()
            .as_ref()
            .and_then(|table| table.written.get(&address).copied())
    })
}

/// Numbers the allocation at `address`, just written in full. Numbers are given after the
/// value, as reading pushes a value after the shared values inside it.
fn number(address: usize) {
    TABLE.with(|t| {
        if let Some(table) = t.borrow_mut().as_mut() {
            let next = u32::try_from(table.written.len()).unwrap_or(u32::MAX);
            table.written.insert(address, next);
        }
    });
}

/// [`serialize`] with the value written as `view(value)` the first time.
fn serialize_as<'a, T, V, S>(
    value: &'a Arc<T>,
    s: S,
    view: impl FnOnce(&'a T) -> V,
) -> Result<S::Ok, S::Error>
where
    T: ?Sized,
    V: Serialize,
    S: Serializer,
{
    let address = Arc::as_ptr(value).cast::<()>() as usize;
    match seen(address) {
        Some(n) => Entry::<V>::Seen(n).serialize(s),
        None => {
            let done = Entry::New(view(&**value)).serialize(s);
            number(address);
            done
        }
    }
}

/// [`deserialize`] with the value read as a `U` and made an `Arc` by `make` the first time.
fn deserialize_as<'de, T, U, D>(d: D, make: impl FnOnce(U) -> Arc<T>) -> Result<Arc<T>, D::Error>
where
    T: ?Sized + 'static,
    U: Deserialize<'de>,
    D: Deserializer<'de>,
{
    match Entry::<U>::deserialize(d)? {
        Entry::New(value) => {
            let arc = make(value);
            TABLE.with(|t| {
                if let Some(table) = t.borrow_mut().as_mut() {
                    table.read.push(Box::new(Arc::clone(&arc)));
                }
            });
            Ok(arc)
        }
        Entry::Seen(n) => TABLE
            .with(|t| {
                t.borrow()
                    .as_ref()
                    .and_then(|table| table.read.get(n as usize))
                    .and_then(|any| any.downcast_ref::<Arc<T>>())
                    .cloned()
            })
            .ok_or_else(|| D::Error::custom(format!("shared value {n} is not known"))),
    }
}

/// A shared value in a field of another type (`Vec<Arc<T>>`, `Option<Arc<T>>`, map values).
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct Wrap<T: ?Sized + 'static>(
    #[serde(
        serialize_with = "serialize",
        deserialize_with = "deserialize",
        bound(serialize = "T: Serialize", deserialize = "Box<T>: Deserialize<'de>")
    )]
    Arc<T>,
);

/// `Vec<Arc<T>>` with shared elements.
pub mod vec {
    use super::*;

    pub fn serialize<T, S>(v: &[Arc<T>], s: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize + ?Sized + 'static,
        S: Serializer,
    {
        s.collect_seq(v.iter().map(|a| Wrap(Arc::clone(a))))
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Vec<Arc<T>>, D::Error>
    where
        T: ?Sized + 'static,
        Box<T>: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<Wrap<T>>::deserialize(d)?
            .into_iter()
            .map(|w| w.0)
            .collect())
    }
}

/// `Option<Arc<T>>` with a shared value.
pub mod option {
    use super::*;

    pub fn serialize<T, S>(v: &Option<Arc<T>>, s: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize + ?Sized + 'static,
        S: Serializer,
    {
        v.as_ref().map(|a| Wrap(Arc::clone(a))).serialize(s)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Arc<T>>, D::Error>
    where
        T: ?Sized + 'static,
        Box<T>: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Option::<Wrap<T>>::deserialize(d)?.map(|w| w.0))
    }
}

/// `HashMap<K, Arc<T>, H>` with shared values (written in the map's order).
pub mod map {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    pub fn serialize<K, T, H, S>(m: &HashMap<K, Arc<T>, H>, s: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize,
        T: Serialize + ?Sized + 'static,
        S: Serializer,
    {
        s.collect_seq(m.iter().map(|(k, v)| (k, Wrap(Arc::clone(v)))))
    }

    pub fn deserialize<'de, K, T, H, D>(d: D) -> Result<HashMap<K, Arc<T>, H>, D::Error>
    where
        K: Deserialize<'de> + Eq + Hash,
        T: ?Sized + 'static,
        Box<T>: Deserialize<'de>,
        H: BuildHasher + Default,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, Wrap<T>)>::deserialize(d)?
            .into_iter()
            .map(|(k, w)| (k, w.0))
            .collect())
    }
}

/// A `OnceLock<T>`: its value if it has one.
pub mod once {
    use super::*;
    use std::sync::OnceLock;

    pub fn serialize<T, S>(v: &OnceLock<T>, s: S) -> Result<S::Ok, S::Error>
    where
        T: Serialize,
        S: Serializer,
    {
        v.get().serialize(s)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<OnceLock<T>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Option::<T>::deserialize(d)?.map_or_else(OnceLock::new, OnceLock::from))
    }
}

/// A language's lexicons (`Arc<HashMap<name, Arc<PhraseSet>>>`): the map shared, and each
/// phrase set shared with the patterns that use it.
pub mod lexicons {
    use super::*;
    use crate::rules::pattern::PhraseSet;

    type Lexicons = HashMap<String, Arc<PhraseSet>>;

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Map(#[serde(with = "super::map")] Lexicons);

    struct MapRef<'a>(&'a Lexicons);

    impl Serialize for MapRef<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            super::map::serialize(self.0, s)
        }
    }

    pub fn serialize<S: Serializer>(v: &Arc<Lexicons>, s: S) -> Result<S::Ok, S::Error> {
        serialize_as(v, s, MapRef)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<Lexicons>, D::Error> {
        deserialize_as(d, |m: Map| Arc::new(m.0))
    }
}

/// `[u8; 256]` (serde's arrays stop at 32).
pub mod bytes256 {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[u8; 256], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 256], D::Error> {
        let v: Vec<u8> = serde::de::Deserialize::deserialize(d)?;
        <[u8; 256]>::try_from(v.as_slice())
            .map_err(|_| D::Error::custom(format!("{} bytes where 256 belong", v.len())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        a: Arc<str>,
        #[serde(with = "super")]
        b: Arc<str>,
        #[serde(with = "super::vec")]
        v: Vec<Arc<[u32]>>,
        #[serde(with = "super::option")]
        o: Option<Arc<str>>,
    }

    #[test]
    fn a_shared_value_is_written_once_and_read_back_shared() {
        let word: Arc<str> = Arc::from("contractor");
        let list: Arc<[u32]> = Arc::from(vec![1, 2, 3]);
        let h = Holder {
            a: Arc::clone(&word),
            b: Arc::clone(&word),
            v: vec![Arc::clone(&list), Arc::clone(&list)],
            o: Some(Arc::from("other")),
        };
        let bytes = scope(|| postcard::to_stdvec(&h)).expect("serialises");
        // The word and the list are written once each.
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches("contractor").count(), 1);
        let back: Holder = scope(|| postcard::from_bytes(&bytes)).expect("deserialises");
        assert_eq!(&*back.a, "contractor");
        assert!(Arc::ptr_eq(&back.a, &back.b));
        assert_eq!(&*back.v[0], &[1, 2, 3]);
        assert!(Arc::ptr_eq(&back.v[0], &back.v[1]));
        assert_eq!(back.o.as_deref(), Some("other"));
        // Outside a scope every value is written in full, and still reads back.
        let full = postcard::to_stdvec(&h).expect("serialises");
        assert!(full.len() > bytes.len());
        let back: Holder = postcard::from_bytes(&full).expect("deserialises");
        assert_eq!(&*back.b, "contractor");
    }

    #[test]
    fn a_number_past_the_table_is_an_error() {
        // `a` refers to shared value 7, which was never written.
        let bytes = [1u8, 7];
        let r: Result<Holder, _> = scope(|| postcard::from_bytes(&bytes));
        assert!(r.is_err());
    }
}

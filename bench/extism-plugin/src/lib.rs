//! Extism's version of the work the bench's rdylib plugins do: bytes in,
//! bytes out, with state kept in the plugin between calls.

use extism_pdk::*;
use std::cell::RefCell;
use std::collections::BTreeMap;

thread_local! {
    /// The store `put` and `get` work on, as the kv example's `Store` keeps its map.
    static STORE: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// Returns its input (the `types` example's `echo-bytes`).
#[plugin_fn]
pub fn echo(input: Vec<u8>) -> FnResult<Vec<u8>> {
    Ok(input)
}

/// `key \0 value`: stores the pair; returns the previous value, empty if none.
#[plugin_fn]
pub fn put(input: String) -> FnResult<String> {
    let (key, value) = input.split_once('\0').ok_or_else(|| Error::msg("put expects key \\0 value"))?;
    let old = STORE.with(|s| s.borrow_mut().insert(key.to_owned(), value.to_owned()));
    Ok(old.unwrap_or_default())
}

/// Returns the value stored under the key, empty if none.
#[plugin_fn]
pub fn get(key: String) -> FnResult<String> {
    Ok(STORE.with(|s| s.borrow().get(&key).cloned()).unwrap_or_default())
}

//! The kernels of `bench/src/work.rs` as a bare WebAssembly module: no wasm-bindgen glue,
//! inputs written into linear memory by `bench/wasm-probe/run.mjs`, which times each call.

#[path = "../src/work.rs"]
mod work;

use std::alloc::{alloc, Layout};

/// Room for the inputs; `run.mjs` writes them here.
#[no_mangle]
pub extern "C" fn probe_alloc(len: usize) -> *mut u8 {
    match Layout::from_size_align(len.max(1), 8) {
        // SAFETY: the layout is non-zero in size; the memory lives as long as the module.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => std::ptr::null_mut(),
    }
}

fn text<'a>(ptr: *const u8, len: usize) -> &'a str {
    // SAFETY: run.mjs wrote `len` bytes of UTF-8 at `ptr`, allocated by probe_alloc.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).unwrap_or("")
}

#[no_mangle]
pub extern "C" fn probe_page(body: *const u8, body_len: usize, iterations: u32) -> usize {
    work::page(text(body, body_len), iterations)
}

#[no_mangle]
pub extern "C" fn probe_open(
    key: *const u8,
    key_len: usize,
    sealed: *const u8,
    sealed_len: usize,
    user: *const u8,
    user_len: usize,
    iterations: u32,
) -> usize {
    work::open(
        text(key, key_len),
        text(sealed, sealed_len),
        text(user, user_len),
        iterations,
    )
}

#[no_mangle]
pub extern "C" fn probe_chunk(
    body: *const u8,
    body_len: usize,
    now: i64,
    iterations: u32,
) -> usize {
    work::chunk(text(body, body_len), now, iterations)
}

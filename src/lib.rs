//! podium: a static site generator for campaign reports.
//!
//! The pipeline runs one way: `content` (load) -> `validate` -> `scoring` -> `render` -> `site`
//! (write). Each stage takes plain data and returns plain data; only `site` writes files, and
//! the library never prints (the binary owns the terminal).
#![warn(clippy::print_stdout, clippy::print_stderr)]
// `Diagnostic` is the error value of many functions; it is built only when something is wrong,
// so its size never costs anything on the path that matters.
#![allow(clippy::result_large_err)]

pub mod collation;
pub mod content;
pub mod diagnostics;
pub mod model;
pub mod render;
pub mod scoring;
pub mod serve;
pub mod site;
pub mod validate;

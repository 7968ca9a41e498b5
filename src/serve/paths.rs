//! Request paths to site files: percent-decoding, the base path, pretty URLs, and refusal of
//! anything that could leave the site (`..`, encoded `%2e%2e`, backslashes, NUL).
//!
//! Pure functions; the server looks the answer up in its in-memory site.

/// The fixed path, under the base path, of the live-reload event stream.
pub const EVENTS: &str = "__podium/events";

/// What a request path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the site, by its output path (`units/x/index.html`).
    File(String),
    /// The live-reload event stream.
    Events,
    /// Outside the base path: send the browser to the base path.
    Redirect(String),
    /// A path that tries to leave the site or is malformed.
    Bad,
}

/// Resolves `url` (the request target, with query) against `base_path` (`/` or `/a/b/`).
pub fn resolve(url: &str, base_path: &str) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else { return Target::Bad };
    if !decoded.starts_with('/') || decoded.contains('\\') || decoded.contains('\0') {
        return Target::Bad;
    }
    if decoded.split('/').any(|s| s == ".." || s == ".") {
        return Target::Bad;
    }
    if decoded.contains("//") {
        return Target::Bad;
    }
    // Anything outside the base path (including the base path without its slash) goes there.
    let Some(rest) = decoded.strip_prefix(base_path) else {
        return Target::Redirect(base_path.to_string());
    };
    if rest == EVENTS {
        return Target::Events;
    }
    if rest.is_empty() || rest.ends_with('/') {
        Target::File(format!("{rest}index.html"))
    } else {
        Target::File(rest.to_string())
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of a file by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_urls_map_to_index_files() {
        assert_eq!(resolve("/", "/"), Target::File("index.html".into()));
        assert_eq!(resolve("/units/x/", "/"), Target::File("units/x/index.html".into()));
        assert_eq!(resolve("/units/x/?q=1#a", "/"), Target::File("units/x/index.html".into()));
        assert_eq!(resolve("/assets/podium.css", "/"), Target::File("assets/podium.css".into()));
        assert_eq!(resolve("/units/c%E1%BB%A5c/", "/"), Target::File("units/cục/index.html".into()));
        assert_eq!(resolve("/__podium/events", "/"), Target::Events);
    }

    #[test]
    fn a_sub_path_is_served_under_its_base() {
        assert_eq!(
            resolve("/thi-dua/2016/units/", "/thi-dua/2016/"),
            Target::File("units/index.html".into())
        );
        assert_eq!(resolve("/thi-dua/2016/__podium/events", "/thi-dua/2016/"), Target::Events);
        assert_eq!(resolve("/", "/thi-dua/2016/"), Target::Redirect("/thi-dua/2016/".into()));
        assert_eq!(resolve("/thi-dua/2016", "/thi-dua/2016/"), Target::Redirect("/thi-dua/2016/".into()));
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/units/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/units/%2e%2e/%2e%2e/x",
            "/..%5c..%5cwindows",
            "/a\\b",
            "/%00",
            "/%zz",
            "/%",
            "etc/passwd",
            "/a//b",
            "/a//b/",
            "//x",
            "/./x",
        ] {
            assert_eq!(resolve(bad, "/"), Target::Bad, "{bad}");
        }
    }
}

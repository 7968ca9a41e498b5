//! `podium serve` end to end: a real process on a free port, edits on disk, the reload event,
//! the error overlay, and requests that try to leave the site.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{copy_tree, fixtures};

/// A running `podium serve`, stopped when dropped.
struct Serve {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    base: String,
    log: mpsc::Receiver<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    // The child is killed and waited for when the returned `Serve` drops; a panic before then
    // ends the test process, which takes the child with it.
    #[allow(clippy::zombie_processes)]
    fn start(root: &std::path::Path) -> Serve {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("podium"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("serve printed its address");
            if let Some(url) = line.split(" at http://").nth(1) {
                let (addr, path) = url.split_once('/').unwrap();
                return Serve { child, addr: addr.to_string(), base: format!("/{path}"), log: rx };
            }
        }
    }

    /// Waits for a log line containing `text`.
    fn wait_log(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let line = self
                .log
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no log line with {text:?}"));
            if line.contains(text) {
                return line;
            }
        }
    }
}

/// Sends a raw GET (the path exactly as given) and returns (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Opens the event stream and returns a receiver of its `reload` events.
fn events(addr: &str, base: &str) -> mpsc::Receiver<String> {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {base}__podium/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if line.starts_with("event: reload") && tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn edits_reload_the_page_errors_show_as_an_overlay_and_fixing_them_clears_it() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("pages"), site.path());
    let serve = Serve::start(site.path());
    let unit = format!("{}units/hq-a/", serve.base);
    let (status, before) = get(&serve.addr, &unit);
    assert_eq!(status, 200);
    assert!(before.contains("72.00") && before.contains("EventSource"), "{before}");
    let board = get(&serve.addr, &format!("{}scoreboard/h1/", serve.base)).1;
    assert!(board.find("Customs C").unwrap() < board.find("Customs A").unwrap(), "C leads before the edit");

    // Edit the unit's results: A1 105 (40 points), A3 20, B2 5 -> 101.00 and rank 1.
    let reloads = events(&serve.addr, &serve.base);
    std::thread::sleep(Duration::from_millis(300));
    let path = site.path().join("content/units/hq-a.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replace("\"A1\": 52.5", "\"A1\": 105")
        .replace("\"A3\": 15", "\"A3\": 20")
        .replace("\"B2\": 3", "\"B2\": 5");
    std::fs::write(&path, &edited).unwrap();
    reloads.recv_timeout(Duration::from_secs(30)).expect("a reload event after the edit");
    let after = get(&serve.addr, &unit).1;
    assert!(after.contains("101.00"), "new total on the unit page");
    let board = get(&serve.addr, &format!("{}scoreboard/h1/", serve.base)).1;
    assert!(board.find("Customs A").unwrap() < board.find("Customs C").unwrap(), "A leads after the edit");

    // A broken file: the old pages stay, with the error overlay naming the file and line.
    std::fs::write(site.path().join("content/units/hq-d.md"), "---\nname: \"D\"\nclustr: north\n---\n")
        .unwrap();
    reloads.recv_timeout(Duration::from_secs(30)).expect("a reload event after the error");
    let broken = get(&serve.addr, &unit).1;
    assert!(broken.contains("101.00"), "the last good build is still served");
    assert!(
        broken.contains("podium-errors") && broken.contains("content/units/hq-d.md:3:1"),
        "overlay: {broken}"
    );

    // Fixing it removes the overlay.
    std::fs::write(site.path().join("content/units/hq-d.md"), "---\nname: \"D\"\ncluster: north\n---\n")
        .unwrap();
    reloads.recv_timeout(Duration::from_secs(30)).expect("a reload event after the fix");
    let fixed = get(&serve.addr, &unit).1;
    assert!(!fixed.contains("podium-errors"));
    assert!(get(&serve.addr, &format!("{}units/hq-d/", serve.base)).1.contains(">D<"));
}

#[test]
fn requests_that_leave_the_site_are_refused() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("pages"), site.path());
    std::fs::write(site.path().join("secret.txt"), "SECRET").unwrap();
    let serve = Serve::start(site.path());
    for path in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/units/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/units/..%2f..%2fsecret.txt",
    ] {
        let (status, body) = get(&serve.addr, path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("SECRET") && !body.contains("root:"), "{path} leaked a file");
    }
    let (status, body) = get(&serve.addr, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("<main"), "the site's 404 page");
    let (status, _) = get(&serve.addr, "/assets/podium.css");
    assert_eq!(status, 200);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(assert_cmd::cargo::cargo_bin("podium"))
        .args(["serve", "--port", &port, "--root"])
        .arg(fixtures().join("pages"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use") && stderr.contains("--port"), "{stderr}");
}

#[test]
fn a_burst_of_changes_gives_one_rebuild() {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("pages"), site.path());
    let serve = Serve::start(site.path());
    for i in 0..100 {
        std::fs::write(
            site.path().join(format!("content/news/burst-{i}.md")),
            format!("---\ntitle: \"Burst {i}\"\ndate: 2016-05-01\n---\n"),
        )
        .unwrap();
    }
    serve.wait_log("built");
    // The burst is gathered into one rebuild. A machine stalled in the middle of writing the
    // files (CI runs tests in parallel) may split it once; 100 changes must never give more.
    std::thread::sleep(Duration::from_millis(1000));
    let more: Vec<String> = serve.log.try_iter().filter(|l| l.starts_with("built")).collect();
    assert!(more.len() <= 1, "a burst gave several rebuilds: {more:?}");
    assert!(get(&serve.addr, "/news/burst-99/").1.contains("Burst 99"));
}

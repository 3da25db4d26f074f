//! The `spotify-simulator` binary as a test harness meets it: it announces its address on
//! stdout, serves on it, and stops cleanly on SIGTERM even with a request hanging.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    address: String,
}

impl Running {
    fn start() -> Self {
        Self::start_with(&[])
    }

    fn start_with(flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spotify-simulator"))
            .args(["--port", "0", "--quiet"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("a first line");
        let address = line
            .trim_end()
            .strip_prefix("spotify-simulator listening on http://")
            .unwrap_or_else(|| panic!("unexpected announcement: {line:?}"))
            .to_owned();
        Self { child, address }
    }

    /// Sends a raw HTTP/1.1 request and returns the whole response.
    fn request(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = self.send(method, path, body);
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("a response");
        response
    }

    fn send(&self, method: &str, path: &str, body: &str) -> TcpStream {
        let mut stream = TcpStream::connect(&self.address).expect("the port accepts connections");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        stream
    }

    fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited on") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the simulator did not stop within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Only reached with the child still running when a test failed half-way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn it_announces_its_address_serves_and_stops_on_sigterm() {
    let mut simulator = Running::start();
    assert!(simulator.address.starts_with("127.0.0.1:"));
    let response = simulator.request("GET", "/health", "");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with(r#"{"ok":true}"#), "{response}");
    assert!(simulator.terminate().success());
}

#[test]
fn a_request_hanging_forever_does_not_keep_it_from_stopping() {
    let mut simulator = Running::start();
    let installed = simulator.request(
        "POST",
        "/admin/faults",
        r#"{"kind":"hang","endpoint":"token"}"#,
    );
    assert!(installed.starts_with("HTTP/1.1 201"), "{installed}");
    let _hanging = simulator.send("POST", "/api/token", "");
    // Give the request time to reach the hang before the signal.
    std::thread::sleep(Duration::from_millis(200));
    assert!(simulator.terminate().success());
}

#[test]
fn the_scrobbling_services_take_their_flags() {
    let mut simulator = Running::start_with(&[
        "--listenbrainz-user",
        "dev:dev-token",
        "--lastfm-api-key",
        "dev-key",
    ]);
    let listens = simulator.request("GET", "/admin/listenbrainz/users/dev/listens", "");
    assert!(listens.starts_with("HTTP/1.1 200"), "{listens}");
    assert!(listens.contains(r#""user_name":"dev""#), "{listens}");
    let page = simulator.request(
        "GET",
        "/lastfm/api/auth/?api_key=dev-key&cb=http://a/cb",
        "",
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let default_key = simulator.request(
        "GET",
        "/lastfm/api/auth/?api_key=sim-lastfm-key&cb=http://a/cb",
        "",
    );
    assert!(default_key.starts_with("HTTP/1.1 400"), "{default_key}");
    assert!(simulator.terminate().success());
}
